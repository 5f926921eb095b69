"""Render a PDF document row once: decision documents and agreement documents alike.

A render holds the row's lock: a task delivered twice waits and then finds the
document done; the beat sweep passes ``skip_locked`` and moves on. The row is
marked running, and its attempt counted, in a commit of its own, so the officer
sees it at once and a render killed halfway still counts. The file has a fixed
name, so a render run again after a death overwrites what the dead one left.
"""

import datetime
import hashlib
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

# Renders of one document that may die (worker killed, out of memory) before it is failed.
MAX_ATTEMPTS = 5


def render_once(
    queryset,
    document_id: int,
    *,
    render: Callable[..., tuple[bytes, int]],
    then: Callable | None = None,
    skip_locked: bool = False,
) -> bool:
    """Render the document ``document_id`` of ``queryset`` unless it is done or being
    rendered; ``render(document)`` returns the PDF and its page count, ``then(document,
    pdf)`` runs in the same transaction once it is stored. ``False`` when nothing was done.
    """
    model = queryset.model
    done = model.Status.DONE
    with transaction.atomic():
        started = (
            model.objects.select_for_update(skip_locked=skip_locked, of=("self",))
            .filter(pk=document_id)
            .exclude(status=done)
            .order_by()  # The default ordering may join another table.
            .first()
        )
        if started is None:
            return False
        model.objects.filter(pk=document_id).update(
            status=model.Status.RUNNING,
            started_at=timezone.now(),
            error="",
            attempts=F("attempts") + 1,
        )
    try:
        with transaction.atomic():
            document = (
                queryset.select_for_update(skip_locked=skip_locked, of=("self",))
                .exclude(status=done)
                .filter(pk=document_id)
                .order_by()
                .first()
            )
            if document is None:
                return False  # Done meanwhile, or another worker holds it.
            pdf, pages = render(document)
            storage = document.file.storage
            name = document.file.field.generate_filename(document, document.filename)
            if storage.exists(name):
                storage.delete(name)  # What a render that died halfway left behind.
            document.file.save(document.filename, ContentFile(pdf), save=False)
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.pages = pages
            document.status = done
            document.finished_at = timezone.now()
            document.save(update_fields=["file", "sha256", "pages", "status", "finished_at"])
            if then is not None:
                then(document, pdf)
    except Exception as error:
        model.objects.filter(pk=document_id).exclude(status=done).update(
            status=model.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return True


def stale_documents(model, *, older_than_minutes: int = 5) -> list[int]:
    """Queued documents whose task may have missed the broker, and renders that died.

    A render in progress holds its row lock, so the sweep skips it. A document whose
    render died ``MAX_ATTEMPTS`` times is marked failed instead: the officer sees it
    and retries once the cause is fixed.
    """
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    stale = model.objects.filter(
        Q(status=model.Status.QUEUED, queued_at__lte=cutoff)
        | Q(status=model.Status.RUNNING, started_at__lte=cutoff)
    )
    stale.filter(status=model.Status.RUNNING, attempts__gte=MAX_ATTEMPTS).update(
        status=model.Status.FAILED,
        error=f"Stopped after {MAX_ATTEMPTS} renders that did not finish.",
        finished_at=timezone.now(),
    )
    return list(stale.exclude(status=model.Status.FAILED).values_list("pk", flat=True))


def queue_again(document) -> None:
    """Mark a failed document queued again (the caller queues its task after commit)."""
    document.status = document.Status.QUEUED
    document.queued_at = timezone.now()
    document.error = ""
    document.save(update_fields=["status", "queued_at", "error"])
