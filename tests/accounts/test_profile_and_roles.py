import pytest
from django.utils import translation

# Profile


def test_profile_shows_roles(client, owner, organization):
    client.force_login(owner)
    response = client.get("/ky/profile/")
    assert response.status_code == 200
    assert organization.name in response.content.decode()


def test_profile_saves_name_and_language(client, outsider):
    client.force_login(outsider)
    response = client.post(
        "/ky/profile/", {"first_name": "Нур", "last_name": "Бек", "language": "ru"}
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert (outsider.first_name, outsider.language) == ("Нур", "ru")


def test_profile_refuses_an_unknown_language(client, outsider):
    client.force_login(outsider)
    response = client.post(
        "/ky/profile/", {"first_name": "Нур", "last_name": "Бек", "language": "xx"}
    )
    assert response.status_code == 400
    outsider.refresh_from_db()
    assert outsider.language == "ky"


def test_profile_requires_sign_in(client, db):
    assert client.get("/ky/profile/").status_code == 302


def test_profile_refuses_other_methods(client, outsider):
    client.force_login(outsider)
    assert client.delete("/ky/profile/").status_code == 405


# Officer workspace


def test_officer_sees_the_workspace_and_their_body(client, officer, state_body):
    client.force_login(officer)
    response = client.get("/ky/officer/")
    assert response.status_code == 200
    assert state_body.name_ky in response.content.decode()


def test_navigation_shows_the_workspace_to_officers_only(client, officer, outsider):
    client.force_login(officer)
    assert 'href="/ky/officer/"' in client.get("/ky/").content.decode()
    client.force_login(outsider)
    assert 'href="/ky/officer/"' not in client.get("/ky/").content.decode()


@pytest.mark.parametrize("user", ["outsider", "owner"])
def test_non_officers_get_403(client, request, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get("/ky/officer/")
    assert response.status_code == 403
    with translation.override("ky"):
        assert translation.gettext("Access denied") in response.content.decode()


def test_officer_workspace_requires_sign_in(client, db):
    assert client.get("/ky/officer/").status_code == 302


def test_officer_workspace_refuses_post(client, officer):
    client.force_login(officer)
    assert client.post("/ky/officer/").status_code == 405


# Language switcher


def test_switching_language_redirects_to_the_same_page_and_remembers_it(client, outsider):
    client.force_login(outsider)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/ky/profile/"})
    assert response.status_code == 302
    assert response["Location"] == "/ru/profile/"
    assert response.cookies["django_language"].value == "ru"
    outsider.refresh_from_db()
    assert outsider.language == "ru"


def test_anonymous_visitor_switches_language(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/ky/"})
    assert response["Location"] == "/en/"


def test_switching_to_an_unknown_language_changes_nothing(client, outsider):
    client.force_login(outsider)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/ky/"})
    outsider.refresh_from_db()
    assert outsider.language == "ky"


def test_language_switch_refuses_get(client, db):
    assert client.get("/i18n/setlang/?language=ru").status_code == 405


def test_root_redirects_to_kyrgyz_by_default(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ky/"
