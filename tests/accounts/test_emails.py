import datetime
from unittest import mock

from django.core import mail
from django.utils import timezone

from accounts.models import OutboundEmail
from accounts.tasks import send_email_task, send_pending_emails_task
from socialorder import emails

CONTEXT = {
    "organization": {"name": "«Бирге»"},
    "inviter": {"display_name": "Асан"},
    "role": "editor",
    "accept_url": "http://testserver/ky/invitations/x/",
    "max_age_days": 7,
}


def queue(language="ky"):
    return emails.send_templated_email(
        to="a@example.org",
        template="emails/accounts/invitation",
        context=CONTEXT,
        language=language,
    )


def test_it_renders_three_parts_in_the_recipients_language(db):
    email = queue("ru")
    assert email.subject.startswith("Приглашение")
    assert "Портал" in email.body_text
    assert '<a href="http://testserver/ky/invitations/x/">' in email.body_html
    assert email.status == OutboundEmail.Status.PENDING


def test_it_queues_the_task_only_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue()
    assert len(callbacks) == 1
    assert not mail.outbox
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_broker_outage_leaves_the_email_pending(db, django_capture_on_commit_callbacks):
    broker_down = mock.patch.object(send_email_task, "delay", side_effect=ConnectionError("down"))
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        email = queue()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert not mail.outbox


def test_the_sweep_sends_what_the_broker_missed(db):
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert send_pending_emails_task.apply().get() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_fresh_rows_to_their_task(db):
    queue()
    assert send_pending_emails_task.apply().get() == 0


def test_delivery_is_idempotent(db):
    email = queue()
    assert emails.deliver_email(email.pk)
    assert emails.deliver_email(email.pk)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_retried_later(db, settings):
    email = queue()
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp down")
    ):
        assert not emails.deliver_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("pending", 1, "smtp down")
    assert emails.deliver_email(email.pk)


def test_it_gives_up_after_the_last_attempt(db):
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=emails.MAX_ATTEMPTS - 1)
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp down")
    ):
        emails.deliver_email(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
