"""The grant agreement's PDFs with real Celery: a worker on Redis renders them.

Everywhere else tasks run inline (``tests/conftest.py`` turns eager mode on). Here
``prepare_agreement`` commits and, after commit, publishes one
``render_agreement_task`` per language to the Redis database named by ``REDIS_URL``;
the embedded worker of ``celery_worker`` renders the Kyrgyz and the Russian PDF. When
the broker cannot be reached at commit the preparation succeeds all the same, the
documents stay queued, and the beat sweep (``render_pending_agreements_task``) renders
them later.

The queue, the broker outage and the record of finished tasks are those of
``test_decision_worker.py``: every task this process publishes goes to a Redis queue of
the test's own, which the worker alone consumes (another xdist process's worker shares
the Redis database). The worker has its own database connection, hence
``transaction=True``.
"""

import datetime
import hashlib
import io

import pytest
from django.db.models import F
from pypdf import PdfReader

from grants import implementation
from grants.models import AgreementDocument, GrantAgreement
from grants.tasks import render_agreement_task, render_pending_agreements_task
from socialorder.celery import app as celery_app
from tests.workers import wait_for

from .helpers import pdf_text
from .implementation import Grant, drafted_agreement
from .test_decision_worker import (  # noqa: F401  (fixtures: pytest finds them by name)
    WAIT_SECONDS,
    broker_down,
    decision_queue,
    decision_worker,
    finished,
    queue_warnings,
)

Status = AgreementDocument.Status


@pytest.fixture
def drafted(seeded) -> Grant:
    """A draft agreement with its bank details, made before any worker starts. The award
    decision is approved with the broker down: its PDFs and e-mails stay queued, none of
    them rendered inline or left for the worker."""
    with broker_down():
        return drafted_agreement()


@pytest.fixture
def worker(drafted, request):
    """The embedded worker on a Redis queue of this test's own, started once the draft is
    made; ``worker.finished`` lists the tasks it ran to the end, with what they returned."""
    worker = request.getfixturevalue("decision_worker")
    worker.finished = request.getfixturevalue("finished")
    return worker


def assert_rendered(document: AgreementDocument, private_media) -> str:
    """The document is done, its file where the path says with the stored SHA-256 and page
    count; the text pypdf extracts from it."""
    assert document.status == Status.DONE, (document.status, document.error)
    assert document.attempts == 1
    agreement = document.agreement
    assert document.file.name == f"agreements/{agreement.number}/{document.filename}"
    content = (private_media / document.file.name).read_bytes()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.pages > 0
    assert document.pages == len(PdfReader(io.BytesIO(content)).pages)
    text = pdf_text(content)
    assert agreement.number in text
    assert agreement.application.reference in text
    return text


def all_done(agreement: GrantAgreement) -> bool:
    statuses = set(agreement.documents.values_list("status", flat=True))
    return statuses == {Status.DONE} or Status.FAILED in statuses


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_prepared_agreement_is_rendered_by_the_worker(drafted, worker, published, private_media):
    assert celery_app.conf.task_always_eager is False
    agreement = implementation.prepare_agreement(user=drafted.officer, agreement=drafted.agreement)

    # Committed (the test runs in autocommit): the renders were published after commit.
    documents = {d.language: d for d in agreement.documents.all()}
    assert sorted(documents) == ["ky", "ru"]
    renders = [m for m in published if m["task"] == render_agreement_task.name]
    assert len(renders) == 2, published

    done = wait_for(lambda: all_done(agreement), seconds=WAIT_SECONDS)
    statuses = list(agreement.documents.values_list("language", "status", "error"))
    assert done, (
        f"the worker did not render both PDFs within {WAIT_SECONDS} s: {statuses}, "
        f"processed={worker.processed}"
    )
    # The worker ran each render once, and each rendered its PDF.
    runs = sorted(
        (run["args"], run["retval"])
        for run in worker.finished
        if run["task"] == render_agreement_task.name
    )
    assert runs == sorted(([d.pk], True) for d in documents.values())

    texts = {}
    for language, document in documents.items():
        document.refresh_from_db()
        texts[language] = assert_rendered(document, private_media)
    organization = agreement.application.organization.name
    assert organization in texts["ky"].replace("\n", " ")
    assert {"ң", "ө", "ү"} <= set(texts["ky"])
    competition = agreement.application.competition
    assert competition.state_body.name_ky in texts["ky"]
    assert competition.state_body.name_ru in texts["ru"]
    assert GrantAgreement.objects.get(pk=agreement.pk).status == GrantAgreement.Status.PREPARED


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_preparation_while_the_broker_is_down_is_rendered_by_the_sweep(
    drafted, worker, published, private_media
):
    with broker_down(), queue_warnings() as warnings:
        agreement = implementation.prepare_agreement(
            user=drafted.officer, agreement=drafted.agreement
        )

    # The preparation committed; nothing reached a broker; the documents wait, queued.
    assert GrantAgreement.objects.get(pk=agreement.pk).status == GrantAgreement.Status.PREPARED
    documents = list(agreement.documents.all())
    assert len(documents) == 2
    assert {d.status for d in documents} == {Status.QUEUED}
    assert published == []
    assert sorted(
        r.getMessage() for r in warnings if render_agreement_task.name in r.getMessage()
    ) == sorted(
        f"Could not queue {render_agreement_task.name}({d.pk},); its sweep will do it."
        for d in documents
    )

    # The sweep takes rows queued at least five minutes ago (the beat's default): none yet.
    assert implementation.agreement_documents_to_render() == []
    # Backdating the queue time simulates the beat running five minutes later.
    agreement.documents.update(queued_at=F("queued_at") - datetime.timedelta(minutes=5))
    assert sorted(implementation.agreement_documents_to_render()) == sorted(d.pk for d in documents)

    sweep = render_pending_agreements_task.delay()

    def swept():
        return any(run["id"] == sweep.id for run in worker.finished)

    done = wait_for(swept, seconds=WAIT_SECONDS)
    statuses = list(agreement.documents.values_list("language", "status", "error"))
    assert done, (
        f"the sweep did not finish within {WAIT_SECONDS} s: {statuses}, "
        f"processed={worker.processed}"
    )
    [run] = [run for run in worker.finished if run["id"] == sweep.id]
    assert run["retval"] == len(documents)
    for document in agreement.documents.all():
        text = assert_rendered(document, private_media)
        assert agreement.application.organization.name in text.replace("\n", " ")
    assert implementation.agreement_documents_to_render() == []
