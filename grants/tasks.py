import logging

from celery import shared_task

from . import decisions, implementation, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_receipt_task(version_id: int) -> bool:
    return services.send_receipt(version_id)


@shared_task(acks_late=True)
def send_missing_receipts_task() -> int:
    """Render receipts whose task missed the broker (Celery beat); one failure does not
    hold up the others."""
    sent = 0
    for pk in services.versions_without_receipt():
        try:
            sent += services.send_receipt(pk)
        except Exception:
            logger.exception("Receipt of version %s failed; the next sweep tries again.", pk)
    return sent


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_document_task(document_id: int) -> bool:
    """Render one PDF of an award decision; a second delivery finds it done."""
    return decisions.render_document(document_id)


@shared_task(acks_late=True)
def render_pending_documents_task() -> int:
    """Render decision documents that missed the broker or whose render died (Celery beat)."""
    rendered = 0
    for pk in decisions.documents_to_render():
        try:
            rendered += decisions.render_document(pk, skip_locked=True)
        except Exception:
            logger.exception("Decision document %s failed; the officer can retry it.", pk)
    return rendered


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_agreement_task(document_id: int) -> bool:
    """Render one PDF of a grant agreement for signing; a second delivery finds it done."""
    return implementation.render_agreement_document(document_id)


@shared_task(acks_late=True)
def render_pending_agreements_task() -> int:
    """Render agreement PDFs that missed the broker or whose render died (Celery beat)."""
    rendered = 0
    for pk in implementation.agreement_documents_to_render():
        try:
            rendered += implementation.render_agreement_document(pk, skip_locked=True)
        except Exception:
            logger.exception("Agreement document %s failed; the officer can retry it.", pk)
    return rendered
