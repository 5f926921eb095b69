"""The receipt PDF: rendered by WeasyPrint after the submission commits, e-mailed in the
submitter's language, downloaded only by the organisation."""

import hashlib

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from accounts.models import OutboundEmail
from grants import services
from tests.factories import MembershipFactory, UserFactory

from .factories import submitted_application
from .helpers import close, messages_of, pdf_bytes, pdf_text, tr, url

LOGIN = "/ky/accounts/login/"


@pytest.fixture
def rendered(applicant, competition, organization, django_capture_on_commit_callbacks):
    """Submitted by a Kyrgyz-speaking member; the receipt task ran after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted_application(
            applicant, competition=competition, organization=organization
        )
    return application.current_version


def test_the_receipt_states_the_reference_time_and_hash_in_kyrgyz(rendered, applicant):
    application = rendered.application
    data = rendered.receipt.read()
    assert data.startswith(b"%PDF-")
    assert rendered.receipt_sha256 == hashlib.sha256(data).hexdigest()
    content = pdf_text(data)
    assert application.reference in content
    assert "ң" in content
    assert "ө" in content
    assert "ү" in content
    assert rendered.sha256[:16] in content.replace("\n", "")
    assert tr("Receipt of application") in content


def test_the_receipt_is_emailed_to_the_submitter_in_their_language(rendered, applicant):
    application = rendered.application
    email = OutboundEmail.objects.get(template="emails/grants/submitted")
    assert (email.to, email.language) == (applicant.email, "ky")
    assert application.reference in email.subject
    assert rendered.sha256 in email.body_text
    assert email.attachment.read() == rendered.receipt.read()
    sent = mail.outbox[-1]
    assert sent.to == [applicant.email]
    (name, content, kind) = sent.attachments[0]
    assert name.endswith(f"{application.reference}-v1.pdf")
    assert kind == "application/pdf"
    assert content.startswith(b"%PDF-")


def test_a_russian_speaking_submitter_gets_the_receipt_in_russian(
    competition, django_capture_on_commit_callbacks
):
    member = MembershipFactory(user=UserFactory(language="ru"))
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted_application(
            member.user, competition=competition, organization=member.organization
        )
    version = application.current_version
    content = pdf_text(version.receipt.read())
    assert application.reference in content
    assert tr("Receipt of application", "ru") in content
    assert OutboundEmail.objects.get().language == "ru"


def test_sending_the_receipt_again_does_nothing(rendered):
    receipt = rendered.receipt.name
    assert services.send_receipt(rendered.pk) is False
    rendered.refresh_from_db()
    assert rendered.receipt.name == receipt
    assert OutboundEmail.objects.count() == 1


# The download


@pytest.fixture
def with_receipt(submitted):
    version = submitted.current_version
    version.receipt.save("receipt.pdf", ContentFile(pdf_bytes()))
    return submitted


def test_the_organisation_downloads_its_receipt(client, editor, with_receipt):
    client.force_login(editor)
    response = client.get(url("receipt", pk=with_receipt.pk, number=1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{with_receipt.reference}-v1.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_receipt_not_yet_rendered_is_announced(client, applicant, submitted):
    client.force_login(applicant)
    response = client.get(url("receipt", pk=submitted.pk, number=1))
    assert response["Location"] == url("detail", pk=submitted.pk)
    assert tr("The receipt is being prepared. Try again in a minute.") in messages_of(response)


def test_an_unknown_version_is_404(client, applicant, with_receipt):
    client.force_login(applicant)
    assert client.get(url("receipt", pk=with_receipt.pk, number=2)).status_code == 404


@pytest.mark.parametrize(
    "user", ["outsider", "other_member", "officer", "commission_member", "admin_user"]
)
def test_nobody_else_downloads_the_receipt_even_after_the_deadline(
    request, client, user, with_receipt
):
    client.force_login(request.getfixturevalue(user))
    address = url("receipt", pk=with_receipt.pk, number=1)
    assert client.get(address).status_code == 404
    close(with_receipt.competition)
    assert client.get(address).status_code == 404


def test_the_receipt_needs_a_signed_in_member_and_get(client, applicant, with_receipt):
    address = url("receipt", pk=with_receipt.pk, number=1)
    assert client.get(address)["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.post(address).status_code == 405
