from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_receipt_task(version_id: int) -> bool:
    return services.send_receipt(version_id)


@shared_task(acks_late=True)
def send_missing_receipts_task() -> int:
    """Render receipts whose task missed the broker (Celery beat)."""
    return sum(services.send_receipt(pk) for pk in services.versions_without_receipt())
