"""The one way the portal sends e-mail.

``send_templated_email`` renders ``<template>_subject.txt``,
``<template>_message.txt`` and, when it exists, ``<template>_message.html`` in
the recipient's language, stores the result in the outbox and, after the
surrounding transaction commits, asks Celery to deliver it. If the broker is
down the request still succeeds: the row stays pending and the periodic sweep
(``send_pending_emails_task``) delivers it later.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import OutboundEmail
from socialorder.queue import delay_on_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def absolute_url(viewname: str, *, language: str, args=None) -> str:
    """The full address of a page in ``language``: the links e-mails carry."""
    with translation.override(language):
        path = reverse(viewname, args=args)
    return settings.SITE_URL.rstrip("/") + path


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render subject, text and HTML bodies of ``template`` in ``language``."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        subject = " ".join(subject.split())
        text = render_to_string(f"{template}_message.txt", context)
        try:
            html = render_to_string(f"{template}_message.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


def send_templated_email(
    *, to: str, template: str, context: dict, language: str, attachment=None
) -> OutboundEmail:
    """Render an e-mail in the recipient's language and queue it after commit.

    ``attachment`` is ``(file name, bytes, content type)``; it is kept in private
    storage with the outbox row until sent.
    """
    subject, text, html = render_email(template=template, context=context, language=language)
    email = OutboundEmail(
        to=to,
        language=language,
        template=template,
        subject=subject,
        body_text=text,
        body_html=html,
    )
    if attachment is not None:
        name, content, content_type = attachment
        email.attachment.save(name, ContentFile(content), save=False)
        email.attachment_type = content_type
    email.save()
    enqueue_email(email.pk)
    return email


def enqueue_email(email_id: int) -> None:
    """Hand an outbox row to Celery after commit; a broker outage leaves it for the sweep."""
    from accounts.tasks import send_email_task

    delay_on_commit(send_email_task, email_id)


def _message(email: OutboundEmail, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment:
        with email.attachment.open("rb") as attached:
            message.attach(
                email.attachment.name.rsplit("/", 1)[-1], attached.read(), email.attachment_type
            )
    return message


def _record_failure(email: OutboundEmail, exc: Exception) -> None:
    """Keep the error; the row stays pending for a retry until the last attempt."""
    logger.exception("Sending e-mail %s failed", email.pk)
    email.last_error = str(exc)[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = OutboundEmail.Status.FAILED
    email.save(update_fields=["attempts", "last_error", "status"])


def deliver_email(email_id: int, *, connection=None) -> bool:
    """Send one outbox row unless it was sent already. Returns whether it is sent.

    A row that another process is sending right now (locked), or that failed
    for good, is left alone and reported as not sent. ``connection`` is an open
    mail connection to reuse; by default each send opens one.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return OutboundEmail.objects.filter(
                pk=email_id, status=OutboundEmail.Status.SENT
            ).exists()
        email.attempts += 1
        try:
            _message(email, connection).send()
        except Exception as exc:
            _record_failure(email, exc)
            return False
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return True


def deliver_emails(email_ids, *, batch: int = 50) -> int:
    """Send many outbox rows over one mail connection (reminders); returns how many went.

    Rows are locked ``batch`` at a time (rows another process is sending are skipped)
    and the sent ones marked in one update, so a row is sent once, as by
    ``deliver_email``, without a transaction per message.
    """
    email_ids = list(email_ids)
    sent = 0
    with get_connection() as connection:
        for start in range(0, len(email_ids), batch):
            sent += _deliver_batch(email_ids[start : start + batch], connection)
    return sent


def _deliver_batch(email_ids: list[int], connection) -> int:
    with transaction.atomic():
        pending = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=email_ids, status=OutboundEmail.Status.PENDING)
            .order_by("pk")
        )
        sent = []
        for email in pending:
            email.attempts += 1
            try:
                _message(email, connection).send()
            except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError):
                # The connection dropped: a new one for this message; if that fails too,
                # the rest of the batch waits for the sweep without losing an attempt.
                connection.close()
                try:
                    _message(email, connection).send()
                except Exception as exc:
                    _record_failure(email, exc)
                    break
                sent.append(email.pk)
            except Exception as exc:
                _record_failure(email, exc)
            else:
                sent.append(email.pk)
        OutboundEmail.objects.filter(pk__in=sent).update(
            status=OutboundEmail.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            attempts=F("attempts") + 1,
        )
    return len(sent)


def enqueue_emails(email_ids: list[int], *, batch: int = 200) -> None:
    """Hand outbox rows to Celery in batches after commit; the sweep covers an outage."""
    from accounts.tasks import send_emails_task

    for start in range(0, len(email_ids), batch):
        delay_on_commit(send_emails_task, email_ids[start : start + batch])


def pending_email_ids(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Outbox rows still waiting after ``older_than``: missed by the broker or failed."""
    cutoff = timezone.now() - older_than
    return list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, created_at__lte=cutoff
        ).values_list("pk", flat=True)[:500]
    )
