from celery import shared_task

from accounts.models import OutboundEmail
from socialorder.emails import deliver_email, deliver_emails, pending_email_ids


@shared_task(bind=True, acks_late=True, max_retries=4)
def send_email_task(self, email_id: int) -> bool:
    sent = deliver_email(email_id)
    # Retry a failed attempt with backoff; a row that failed for good, or that
    # the sweep is sending right now, needs no retry.
    still_pending = OutboundEmail.objects.filter(
        pk=email_id, status=OutboundEmail.Status.PENDING
    ).exists()
    if not sent and still_pending and not self.request.is_eager:
        raise self.retry(countdown=30 * 2**self.request.retries)
    return sent


@shared_task(acks_late=True)
def send_pending_emails_task() -> int:
    """Deliver outbox rows that missed the broker; runs every few minutes in beat."""
    return deliver_emails(pending_email_ids())


@shared_task(acks_late=True)
def send_emails_task(email_ids: list[int]) -> int:
    """Deliver a batch of outbox rows over one connection; what fails waits for the sweep."""
    return deliver_emails(email_ids)


@shared_task(acks_late=True)
def send_reminders_task() -> int:
    """The daily reminders of every app (Celery beat; the schedule is edited in admin)."""
    from accounts.reminders import send_reminders

    return sum(send_reminders().values())
