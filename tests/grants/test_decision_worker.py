"""The award-decision PDFs with real Celery: a worker on Redis renders each PDF once.

Everywhere else tasks run inline (``tests/conftest.py`` turns eager mode on). Here the
approved decision's documents are rendered by a real worker consuming from the Redis
database named by ``REDIS_URL``, as ``grants.decisions`` promises:

- a task delivered twice renders the PDF once (the second delivery finds it done);
- a worker killed halfway through a render leaves a message Redis hands to the next
  worker once the visibility timeout has passed, and that worker renders the same file
  again: one PDF, whose SHA-256 is the stored one;
- an approval while the broker is down commits all the same, and the sweep
  (``render_pending_documents_task``, Celery beat) renders the documents later.

Two workers: the embedded one of ``celery_worker`` (a thread of this process) and, for the
kill, a ``celery worker`` subprocess on the test database. Every test has a Redis queue of
its own, and every task this process publishes meanwhile is routed to it: the other
worker tests (another xdist process) share the Redis database and consume the default
queue. The approvals run with the broker unreachable, so the only deliveries are the ones
a test makes. The worker has its own database connection, hence ``transaction=True``.
"""

import contextlib
import copy
import datetime
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest
import redis
from celery import signals
from django.conf import settings as django_settings
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from kombu import Exchange, Queue

from grants import decisions, ranking
from grants.models import AwardDecision, DecisionDocument, document_path
from grants.tasks import render_document_task, render_pending_documents_task
from socialorder.celery import app as celery_app
from tests.workers import use_broker, wait_for

from .evaluation import meet, scored_competition

WAIT_SECONDS = 30  # the first WeasyPrint rendering of a process loads the fonts
# Nothing listens on port 1: publishing fails at once (connection refused).
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
# The killed worker's message goes back to the queue once unacknowledged this long.
VISIBILITY_TIMEOUT = 3
# Entries added to the frozen results so that the decision PDF takes seconds to render
# (about 30 pages): long enough to kill the worker in the middle of it.
EXTRA_ENTRIES = 150

Status = DecisionDocument.Status


@contextlib.contextmanager
def broker_down():
    """Eager mode off and the publisher pointed at a port nothing listens on."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    use_broker(UNREACHABLE_BROKER)
    try:
        yield
    finally:
        use_broker(django_settings.CELERY_BROKER_URL)
        celery_app.conf.task_always_eager = eager


@contextlib.contextmanager
def queue_warnings():
    """What ``socialorder.queue`` warns of meanwhile. The embedded worker set the root
    logger to errors only and took its handlers (``caplog``'s among them)."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("socialorder.queue")
    level = logger.level
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def decision_queue(settings):
    """A Redis queue of this test's own; the embedded worker consumes only it, and every
    task published from this process (the worker's included) is routed to it.

    Fails (never skips) when Redis does not answer. The queue is purged and deleted at the
    end.
    """
    broker = settings.CELERY_BROKER_URL
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, ValueError) as error:
        pytest.fail(
            f"Redis at {broker} does not answer ({error}). Start it (docs STACK.md, "
            f'"Services"): the worker test needs a real broker.',
            pytrace=False,
        )
    name = f"decision-worker-{uuid.uuid4().hex[:12]}"
    queues, router = celery_app.amqp.queues, celery_app.amqp.router
    consume_from, routes = queues._consume_from, router.routes
    # Declared as `celery worker -Q name` declares a queue it does not know (an exchange of
    # its name), and consumed alone as that worker does. No public call selects every
    # queue again: the previous selection is put back by hand.
    queues.add(Queue(name, Exchange(name), routing_key=name))
    queues.select([name])
    router.routes = [lambda name_, args, kwargs, options, **kw: {"queue": name}]
    try:
        yield name
    finally:
        router.routes = routes
        queues._consume_from = consume_from
        queue = queues.pop(name)
        with celery_app.connection_for_write() as conn:
            bound = queue(conn.default_channel)
            bound.declare()  # the channel learns the bindings that delete() removes
            bound.purge()
            bound.delete()


@pytest.fixture
def decision_worker(decision_queue, celery_worker):
    """The embedded worker (``celery_worker``) on this test's queue."""
    return celery_worker


@pytest.fixture
def finished():
    """Tasks run by a worker of this process to the end, with what they returned."""
    runs = []

    def on_postrun(sender=None, task_id=None, args=None, retval=None, **kwargs):
        runs.append(
            {"task": sender.name, "id": task_id, "args": list(args or ()), "retval": retval}
        )

    signals.task_postrun.connect(on_postrun, weak=False)
    yield runs
    signals.task_postrun.disconnect(on_postrun)


@pytest.fixture
def scored(seeded):
    """Three admitted applications, all reviewed; the commission has met. Made with tasks
    inline: request it before any worker fixture."""
    flow = scored_competition()
    meet(flow)
    return flow


@pytest.fixture
def approved(scored):
    """The decision approved while the broker is down: committed, its documents queued,
    and not one task published."""
    with broker_down():
        decisions.approve_decision(user=scored.officer, competition=scored.competition)
    flow = scored.refresh()
    assert set(flow.decision.documents.values_list("status", flat=True)) == {Status.QUEUED}
    return flow


def decision_pdf(decision: AwardDecision, language: str = "ky") -> DecisionDocument:
    return decision.documents.get(kind=DecisionDocument.Kind.DECISION, language=language)


def folder_of(private_media, decision: AwardDecision):
    """The storage folder of the decision's PDFs (``grants.models.document_path``)."""
    return private_media / "decisions" / decision.verification_code


def stored_files(private_media, decision: AwardDecision) -> list[str]:
    folder = folder_of(private_media, decision)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def assert_stored(private_media, document: DecisionDocument) -> None:
    """The document is done and its file is where the path says, with the stored SHA-256."""
    assert document.status == Status.DONE, (document.status, document.error)
    code = document.decision.verification_code
    assert document.file.name == f"decisions/{code}/{document.filename}"
    content = (private_media / document.file.name).read_bytes()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert (document.pages or 0) >= 1


# 1. Delivered twice, rendered once


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_decision_pdf_delivered_twice_is_rendered_once(
    approved, decision_worker, finished, published, private_media
):
    assert celery_app.conf.task_always_eager is False
    document = decision_pdf(approved.decision)

    first = render_document_task.delay(document.pk)
    second = render_document_task.delay(document.pk)

    def both_ran():
        return len([run for run in finished if run["task"] == render_document_task.name]) == 2

    done = wait_for(both_ran, seconds=WAIT_SECONDS)
    document.refresh_from_db()
    assert done, (
        f"the worker did not run both deliveries within {WAIT_SECONDS} s: "
        f"status={document.status}, error={document.error!r}, published={published}, "
        f"processed={decision_worker.processed}, finished={finished}"
    )
    # Two messages reached the broker; the worker ran both, in order: the first rendered
    # the PDF, the second found it done.
    assert [(m["task"], m["id"]) for m in published] == [
        (render_document_task.name, first.id),
        (render_document_task.name, second.id),
    ]
    assert [(run["id"], run["args"], run["retval"]) for run in finished] == [
        (first.id, [document.pk], True),
        (second.id, [document.pk], False),
    ]
    assert document.attempts == 1
    assert_stored(private_media, document)
    # One file in the decision's folder: this document's (the others were not published).
    assert stored_files(private_media, approved.decision) == [document.filename]
    assert set(
        approved.decision.documents.exclude(pk=document.pk).values_list("status", flat=True)
    ) == {Status.QUEUED}


# 2. A worker killed halfway through the render


def worker_environment(queue: str, private_media) -> dict:
    """The environment of a ``celery worker`` on this test's database and media folder."""
    db = connection.settings_dict
    assert db["ENGINE"] == "django.db.backends.postgresql", "the subprocess needs PostgreSQL"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "", safe="")  # a socket folder is percent-encoded
    port = f":{db['PORT']}" if db["PORT"] else ""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "socialorder.settings",
        # pytest-django's test database (suffixed per xdist process), not the main one.
        "DATABASE_URL": f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}",
        "PRIVATE_MEDIA_ROOT": str(private_media),
        "REDIS_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "TEST_WORKER_TRANSPORT_OPTIONS": json.dumps(
            {f"{option}_key": key for option, key in unacked_keys(queue).items()}
        ),
    }


# ``celery -A socialorder worker``, its unacknowledged messages kept under keys of the
# test's own: with a visibility timeout of seconds, a starting worker hands back every
# message unacknowledged that long, those other tests' workers on the same Redis database
# are running included.
WORKER = """
import json, os, sys
from socialorder.celery import app
options = json.loads(os.environ["TEST_WORKER_TRANSPORT_OPTIONS"])
app.conf.broker_transport_options = {**app.conf.broker_transport_options, **options}
app.worker_main(sys.argv[1:])
"""


def unacked_keys(queue: str) -> dict:
    """The Redis keys of the subprocess workers' unacknowledged messages (kombu's
    ``unacked``, ``unacked_index`` and ``unacked_mutex`` by default)."""
    return {option: f"{option}-{queue}" for option in ("unacked", "unacked_index", "unacked_mutex")}


def start_worker_process(queue: str, environment: dict, log_path) -> subprocess.Popen:
    """A ``celery worker`` (solo pool) on ``queue`` in a process group of its own."""
    log = open(log_path, "wb")  # noqa: SIM115  (the child writes to it until killed)
    try:
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=info",
                f"--queues={queue}",
                f"--hostname={uuid.uuid4().hex[:8]}-{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=django_settings.BASE_DIR,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )
    finally:
        log.close()  # the child holds its own descriptor


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker's whole process group, as the OOM killer or a lost host would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def tail(path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def row_locked(pk: int) -> bool:
    """Whether another transaction holds the document row's lock."""
    try:
        with transaction.atomic():
            list(DecisionDocument.objects.select_for_update(nowait=True).filter(pk=pk).order_by())
    except OperationalError:
        return True
    return False


def enlarge(decision: AwardDecision, entries: int) -> None:
    """Make the decision PDF long: ``entries`` more ranked applications in the frozen
    results (the PDF prints them alone, never the rows)."""
    results = decision.results
    model = results["ranked"][-1]
    for number in range(1, entries + 1):
        entry = copy.deepcopy(model)
        entry.update(
            application_id=-number,
            reference=f"{results['competition']['reference']}-X{number:03d}",
            organization=f"Коомдук бирикме № {number}",
            rank=len(results["ranked"]) + 1,
            result=ranking.RESERVE,
        )
        results["ranked"].append(entry)
    AwardDecision.objects.filter(pk=decision.pk).update(
        results=results, results_sha256=decisions._canonical_sha256(results)
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_render_leaves_one_pdf(
    approved, decision_queue, private_media, tmp_path
):
    decision = approved.decision
    enlarge(decision, EXTRA_ENTRIES)
    document = decision_pdf(decision)
    environment = worker_environment(decision_queue, private_media)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    processes = []
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        processes.append(start_worker_process(decision_queue, environment, logs[0]))
        ready = wait_for(lambda: b" ready." in logs[0].read_bytes(), seconds=WAIT_SECONDS)
        assert ready, f"the first worker did not start:\n{tail(logs[0])}"

        message = render_document_task.delay(document.pk)

        # render_document marks the row running (committed), then renders in a
        # transaction holding the row's lock: the lock held means the render is under way.
        rendering = wait_for(lambda: row_locked(document.pk), seconds=WAIT_SECONDS)
        assert rendering, f"the render did not start:\n{tail(logs[0])}"
        delivered_at = time.monotonic()  # the message was delivered before this
        kill(processes[0])

        document.refresh_from_db()
        assert document.status == Status.RUNNING, "the render ended before the kill"
        first_start = document.started_at
        assert first_start is not None
        # PostgreSQL rolls back the dead worker's transaction and releases the lock.
        assert wait_for(lambda: not row_locked(document.pk), seconds=10)
        # The render died inside WeasyPrint, before writing its file. A render killed
        # after writing it and before committing leaves the file behind, never marked
        # done: simulate that too, the next render must write over it, not beside it.
        leftover = private_media / document_path(document, document.filename)
        assert not leftover.exists()
        leftover.parent.mkdir(parents=True, exist_ok=True)
        leftover.write_bytes(b"%PDF-1.7\n% cut off by a killed worker")

        # Redis gives the unacknowledged message to another worker only once the
        # visibility timeout has passed; the next worker looks when it starts.
        time.sleep(max(0.0, delivered_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
        processes.append(start_worker_process(decision_queue, environment, logs[1]))
        done = wait_for(
            lambda: DecisionDocument.objects.filter(pk=document.pk, status=Status.DONE).exists(),
            seconds=45,
        )
        document.refresh_from_db()
        assert done, (
            f"no PDF after the restart: status={document.status}, error={document.error!r}\n"
            f"first worker:\n{tail(logs[0])}\nsecond worker:\n{tail(logs[1])}"
        )
        # The same message, redelivered by Redis, was rendered by the new worker.
        assert f"[{message.id}] received" in logs[1].read_text(errors="replace")
    finally:
        celery_app.conf.task_always_eager = eager
        for process in processes:
            kill(process)
        broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
        broker.delete(*unacked_keys(decision_queue).values())

    # Rendered again: a later start, and the killed render counts as an attempt.
    assert document.started_at > first_start
    assert document.attempts == 2
    assert_stored(private_media, document)
    assert stored_files(private_media, decision) == [document.filename]


# 3. The broker is down when the officer approves


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_approval_while_the_broker_is_down_is_rendered_by_the_sweep(
    scored, decision_worker, finished, published, client, private_media
):
    competition = scored.competition
    client.force_login(scored.officer)
    with translation.override("ky"):
        url = reverse("grants:decision", kwargs={"reference": competition.reference})

    with broker_down(), queue_warnings() as warnings:
        response = client.post(url)

    assert response.status_code == 302, response.content.decode()[:2000]
    decision = AwardDecision.objects.get(competition=competition)
    documents = list(decision.documents.all())
    assert len(documents) == 5  # the decision in Kyrgyz and in Russian, three letters
    assert {d.status for d in documents} == {Status.QUEUED}
    assert published == []  # nothing reached a broker
    assert sorted(r.getMessage() for r in warnings) == sorted(
        f"Could not queue {render_document_task.name}({d.pk},); its sweep will do it."
        for d in documents
    )

    # The sweep takes rows queued at least five minutes ago (the beat's default): none yet.
    assert decisions.documents_to_render() == []
    # Backdating the queue time simulates the beat running five minutes later.
    decision.documents.update(queued_at=F("queued_at") - datetime.timedelta(minutes=5))
    assert sorted(decisions.documents_to_render()) == sorted(d.pk for d in documents)

    sweep = render_pending_documents_task.delay()

    def swept():
        return any(run["id"] == sweep.id for run in finished)

    done = wait_for(swept, seconds=WAIT_SECONDS)
    statuses = list(decision.documents.values_list("pk", "status", "error"))
    assert done, (
        f"the sweep did not finish within {WAIT_SECONDS} s: {statuses}, "
        f"processed={decision_worker.processed}"
    )
    [run] = [run for run in finished if run["id"] == sweep.id]
    assert run["retval"] == len(documents)
    for document in decision.documents.all():
        assert_stored(private_media, document)
    assert stored_files(private_media, decision) == sorted(d.filename for d in documents)
