import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.utils import translation

from accounts.models import OutboundEmail, User
from tests.factories import UserFactory

SIGNUP = {
    "email": "aigul@example.org",
    "first_name": "Айгүл",
    "last_name": "Асанова",
    "password1": "Kyzyl-Kiya-2026!",
    "password2": "Kyzyl-Kiya-2026!",
}


def _link(body: str) -> str:
    return re.search(r"https?://\S+/confirm-email/\S+/", body).group(0)


@pytest.mark.django_db
def test_signup_sends_a_confirmation_link_in_the_visitors_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ru/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(email="aigul@example.org")
    assert user.language == "ru"
    assert (user.first_name, user.last_name) == ("Айгүл", "Асанова")
    assert not EmailAddress.objects.get(user=user).verified
    [message] = mail.outbox
    assert message.to == ["aigul@example.org"]
    assert "/ru/accounts/confirm-email/" in _link(message.body)
    assert message.alternatives, "an HTML part is sent too"
    email = OutboundEmail.objects.get(to="aigul@example.org")
    assert email.status == OutboundEmail.Status.SENT
    assert email.language == "ru"


@pytest.mark.django_db
def test_confirmation_link_confirms_the_address(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ky/accounts/signup/", SIGNUP)
    link = _link(mail.outbox[0].body)
    path = link.split("testserver", 1)[1]

    assert client.get(path).status_code == 200
    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="aigul@example.org").verified


@pytest.mark.django_db
def test_unconfirmed_user_cannot_sign_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ky/accounts/signup/", SIGNUP)
    client.logout()
    response = client.post(
        "/ky/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_duplicate_email_is_refused_in_the_users_language(client, language):
    UserFactory(email="aigul@example.org")
    response = client.post(
        f"/{language}/accounts/signup/", {**SIGNUP, "email": "AIGUL@example.org"}
    )

    assert response.status_code == 400
    with translation.override(language):
        expected = translation.gettext("A user is already registered with this email address.")
    assert expected != "A user is already registered with this email address."
    assert expected in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_saves_nothing(client):
    response = client.post("/ky/accounts/signup/", {**SIGNUP, "password2": "something-else-9"})
    assert response.status_code == 400
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_forged_confirmation_link_answers_404_with_a_message(client, language):
    response = client.get(f"/{language}/accounts/confirm-email/forged-key-123/")
    assert response.status_code == 404
    msgid = (
        "This email confirmation link expired or is invalid. Please "
        '<a href="%(email_url)s">issue a new email confirmation request</a>.'
    )
    with translation.override(language):
        expected = translation.gettext(msgid)
    assert expected != msgid
    assert expected.split("<")[0].strip() in response.content.decode()


@pytest.mark.django_db
def test_forged_confirmation_post_is_refused(client):
    assert client.post("/ky/accounts/confirm-email/forged-key-123/").status_code == 404


@pytest.mark.django_db
def test_expired_confirmation_link_answers_404(client, settings):
    user = UserFactory(verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0

    response = client.get(f"/ky/accounts/confirm-email/{key}/")

    assert response.status_code == 404
    address.refresh_from_db()
    assert not address.verified


@pytest.mark.django_db
def test_password_reset_mail_goes_out_in_the_users_language(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="aigul@example.org", language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ky/accounts/password/reset/", {"email": "aigul@example.org"})
    assert response.status_code == 302
    [message] = mail.outbox
    with translation.override("ru"):
        subject = translation.gettext("Password Reset Email")
    assert subject in message.subject
    assert "/ru/accounts/password/reset/key/" in message.body


@pytest.mark.django_db
def test_login_and_logout(client):
    user = UserFactory(email="aigul@example.org")
    response = client.post(
        "/ky/accounts/login/",
        {"login": "aigul@example.org", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.post("/ky/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_password_is_refused_with_400(client):
    UserFactory(email="aigul@example.org")
    response = client.post(
        "/ky/accounts/login/", {"login": "aigul@example.org", "password": "nope"}
    )
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.ACCOUNT_RATE_LIMITS = False
    UserFactory(email="aigul@example.org")
    for _ in range(3):
        client.post("/ky/accounts/login/", {"login": "aigul@example.org", "password": "wrong"})

    response = client.post(
        "/ky/accounts/login/",
        {"login": "aigul@example.org", "password": "correct-horse-battery-staple"},
    )

    assert response.status_code == 429
    with translation.override("ky"):
        assert translation.gettext("Sign-in is locked") in response.content.decode()
    assert "_auth_user_id" not in client.session
