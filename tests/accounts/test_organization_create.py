import pytest
from django.utils import translation

from accounts.models import Organization, OrganizationMembership, OrganizationPerson
from tests.factories import OrganizationFactory, region

URL = "/ky/organizations/new/"


def form_data(**overrides):
    data = {
        "name": "«Жаңы Муун» коомдук бирикмеси",
        "legal_form": "public_association",
        "registration_number": "112233-3301-ОО",
        "inn": "01204202010044",
        "registration_date": "2020-04-12",
        "region": region("KG-O").pk,
        "address": "Ош ш., Ленин көч., 5",
        "phone": "+996 3222 55555",
        "email": "info@jany-muun.example.org",
        "website": "jany-muun.example.org",
        "people-TOTAL_FORMS": "2",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
        "people-0-role": "founder",
        "people-0-full_name": "Бекова Нурия",
        "people-0-position": "",
        "people-1-role": "leader",
        "people-1-full_name": "Абдыраев Эрлан",
        "people-1-position": "Төрага",
    }
    data.update(overrides)
    return data


def translated(language, msgid):
    with translation.override(language):
        text = translation.gettext(msgid)
    assert text != msgid, f"{msgid!r} has no {language} translation"
    return text


def test_it_creates_the_organization_with_its_creator_as_owner(client, outsider):
    client.force_login(outsider)
    response = client.post(URL, form_data())

    organization = Organization.objects.get(inn="01204202010044")
    assert response.status_code == 302
    assert response["Location"] == f"/ky/organizations/{organization.pk}/"
    assert organization.created_by == outsider
    assert organization.website == "https://jany-muun.example.org"
    assert organization.is_complete
    assert set(organization.people.values_list("role", "full_name")) == {
        ("founder", "Бекова Нурия"),
        ("leader", "Абдыраев Эрлан"),
    }
    membership = OrganizationMembership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (outsider, "owner")


def test_it_shows_the_empty_form(client, outsider):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="inn"' in response.content.decode()


def test_it_requires_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/ky/accounts/login/")
    assert client.post(URL, form_data()).status_code == 302
    assert not Organization.objects.exists()


def test_it_refuses_other_methods(client, outsider):
    client.force_login(outsider)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


@pytest.mark.parametrize("language", ["ky", "ru"])
@pytest.mark.parametrize("inn", ["123", "0120420201004X", "012042020100441"])
def test_it_refuses_an_invalid_inn_in_the_users_language(client, outsider, language, inn):
    client.force_login(outsider)
    response = client.post(f"/{language}/organizations/new/", form_data(inn=inn))

    assert response.status_code == 400
    assert (
        translated(language, "The INN must consist of exactly 14 digits.")
        in response.content.decode()
    )
    assert not Organization.objects.exists()
    assert not OrganizationPerson.objects.exists()


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_it_refuses_a_second_organization_with_the_same_inn(client, outsider, language):
    OrganizationFactory(inn="01204202010044")
    client.force_login(outsider)
    response = client.post(f"/{language}/organizations/new/", form_data())

    assert response.status_code == 400
    message = translated(language, "An organisation with this INN is already registered.")
    assert message in response.content.decode()
    assert Organization.objects.count() == 1
    assert not OrganizationMembership.objects.filter(user=outsider).exists()


def test_it_requires_a_founder_and_a_leader(client, outsider):
    client.force_login(outsider)
    data = form_data(**{"people-1-role": "founder"})
    response = client.post(URL, data)

    assert response.status_code == 400
    assert translated("ky", "at least one leader") in response.content.decode()
    assert not Organization.objects.exists()


def test_it_refuses_a_missing_name_and_keeps_what_was_typed(client, outsider):
    client.force_login(outsider)
    response = client.post(URL, form_data(name=""))
    assert response.status_code == 400
    assert "01204202010044" in response.content.decode()
    assert not Organization.objects.exists()
