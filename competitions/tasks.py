from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def notify_amendment_task(amendment_id: int) -> int:
    return services.notify_amendment(amendment_id)


@shared_task(acks_late=True)
def notify_pending_amendments_task() -> int:
    """Send the notices of amendments that missed the broker (Celery beat)."""
    return sum(services.notify_amendment(pk) for pk in services.unnotified_amendment_ids())


@shared_task(acks_late=True)
def close_passed_deadlines_task() -> int:
    return services.close_passed_deadlines()
