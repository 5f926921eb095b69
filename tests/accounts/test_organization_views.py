import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganizationPerson
from tests.factories import MembershipFactory, OrganizationFactory


def detail(organization, language="ky"):
    return f"/{language}/organizations/{organization.pk}/"


def edit(organization):
    return f"/ky/organizations/{organization.pk}/edit/"


def edit_data(organization, **overrides):
    people = list(organization.people.all())
    data = {
        "name": organization.name,
        "legal_form": organization.legal_form,
        "registration_number": organization.registration_number,
        "inn": organization.inn,
        "registration_date": organization.registration_date.isoformat(),
        "region": organization.region_id,
        "address": organization.address,
        "phone": organization.phone,
        "email": organization.email,
        "website": "",
        "people-TOTAL_FORMS": str(len(people)),
        "people-INITIAL_FORMS": str(len(people)),
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
    }
    for i, person in enumerate(people):
        data[f"people-{i}-id"] = person.pk
        data[f"people-{i}-role"] = person.role
        data[f"people-{i}-full_name"] = person.full_name
        data[f"people-{i}-position"] = person.position
    data.update(overrides)
    return data


# Detail


def test_member_sees_the_organization(client, editor, organization):
    client.force_login(editor)
    response = client.get(detail(organization))
    assert response.status_code == 200
    assert organization.inn in response.content.decode()


def test_outsider_gets_404_for_another_organization(client, outsider, organization):
    client.force_login(outsider)
    assert client.get(detail(organization)).status_code == 404
    assert client.get(edit(organization)).status_code == 404
    assert (
        client.post(edit(organization), edit_data(organization, name="Hijacked")).status_code == 404
    )
    organization.refresh_from_db()
    assert organization.name != "Hijacked"


def test_owner_of_one_organization_cannot_see_another(client, owner):
    other = OrganizationFactory()
    client.force_login(owner)
    assert client.get(detail(other)).status_code == 404


def test_detail_requires_sign_in(client, organization):
    response = client.get(detail(organization))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_detail_refuses_post(client, owner, organization):
    client.force_login(owner)
    assert client.post(detail(organization)).status_code == 405


# Edit


def test_editor_edits_the_profile(client, editor, organization):
    client.force_login(editor)
    response = client.post(edit(organization), edit_data(organization, name="Жаңы аты"))
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Жаңы аты"


def test_editor_removes_and_adds_people(client, editor, organization):
    client.force_login(editor)
    founder = organization.people.get(role="founder")
    data = edit_data(organization)
    index = next(k for k, v in data.items() if v == founder.pk).split("-")[1]
    data[f"people-{index}-DELETE"] = "on"
    data["people-TOTAL_FORMS"] = "3"
    data.update({"people-2-role": "founder", "people-2-full_name": "Жаңы Негиздөөчү"})
    response = client.post(edit(organization), data)
    assert response.status_code == 302
    assert not OrganizationPerson.objects.filter(pk=founder.pk).exists()
    assert organization.people.filter(full_name="Жаңы Негиздөөчү").exists()


def test_edit_with_invalid_inn_saves_nothing(client, owner, organization):
    client.force_login(owner)
    response = client.post(edit(organization), edit_data(organization, inn="12", name="Changed"))
    assert response.status_code == 400
    organization.refresh_from_db()
    assert organization.name != "Changed"


def test_edit_shows_the_form(client, owner, organization):
    client.force_login(owner)
    response = client.get(edit(organization))
    assert response.status_code == 200
    assert organization.inn in response.content.decode()


def test_edit_refuses_other_methods(client, owner, organization):
    client.force_login(owner)
    assert client.delete(edit(organization)).status_code == 405


def test_edit_requires_sign_in(client, organization):
    assert client.post(edit(organization), edit_data(organization)).status_code == 302


# List


def test_list_shows_only_my_organizations(client, owner, organization):
    other = OrganizationFactory()
    client.force_login(owner)
    response = client.get("/ky/organizations/")
    content = response.content.decode()
    assert response.status_code == 200
    assert organization.name in content
    assert other.name not in content


def test_list_shows_an_empty_state(client, outsider):
    client.force_login(outsider)
    response = client.get("/ky/organizations/")
    assert response.status_code == 200
    assert 'href="/ky/organizations/new/"' in response.content.decode()


def test_list_requires_sign_in(client, db):
    assert client.get("/ky/organizations/").status_code == 302


def test_list_refuses_post(client, outsider):
    client.force_login(outsider)
    assert client.post("/ky/organizations/").status_code == 405


def test_list_queries_do_not_grow_with_rows(client, outsider):
    client.force_login(outsider)
    MembershipFactory(user=outsider)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/ky/organizations/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(5):
        MembershipFactory(user=outsider)
    assert one > 3, one
    assert count() == one


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_detail_renders_in_every_language(client, owner, organization, language):
    client.force_login(owner)
    response = client.get(detail(organization, language))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
