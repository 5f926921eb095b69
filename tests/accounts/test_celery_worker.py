"""The e-mail outbox with real Celery: a worker on Redis, and a broker outage.

Everywhere else tasks run inline (``tests/conftest.py`` turns eager mode on).
Here eager mode is off: the sign-up view publishes the delivery task to the
Redis broker named by ``REDIS_URL`` (a database of its own for tests) and an
embedded worker thread (``celery.contrib.testing.worker.start_worker``) sends
the e-mail. The worker has its own database connection, hence
``transaction=True``.
"""

import importlib
import logging
import re
import threading
import time
from datetime import timedelta

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for start_worker)
import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.apps import apps
from django.utils import timezone
from kombu.utils.url import url_to_parts

from accounts.models import OutboundEmail, User
from accounts.tasks import send_email_task, send_pending_emails_task
from socialorder.celery import app

EMAIL = "worker.test@example.org"
PASSWORD = "Tunduk-Ala-Too-2024!"
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
WAIT_SECONDS = 15

CONFIRM_LINK = re.compile(r"http://testserver/ky/accounts/confirm-email/[-:\w]+/")


def sign_up(client):
    return client.post(
        "/ky/accounts/signup/",
        {
            "email": EMAIL,
            "first_name": "Бакыт",
            "last_name": "Асанов",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def use_broker(url: str) -> None:
    """Point the app's publisher at ``url``.

    Celery caches the connection pool (``app.pool``) and the producer pool built
    on it (``app.amqp.producer_pool``) and only drops them itself after a fork
    (``Celery._after_fork``): a changed ``broker_url`` alone would not be used.
    The pools themselves stay open in kombu's registry (``kombu.pools``, keyed by
    broker URL) and are found again on the way back; closing one with
    ``force_close_all()`` would leave a closed pool there ("Acquire on closed pool").
    """
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    assert app.conf.broker_write_url == url, "CELERY_BROKER_(WRITE_)URL in the environment wins"


@pytest.fixture(scope="module", autouse=True)
def _regions_for_later_tests(django_db_setup, django_db_blocker):
    """Put back the regions migration 0002 seeds: these transactional tests empty the tables.

    Tests that reach the database without declaring it (``request.getfixturevalue``
    of a database fixture) are ordered after the transactional ones and expect them.
    """
    yield
    with django_db_blocker.unblock():
        importlib.import_module("accounts.migrations.0002_seed_regions").seed_regions(apps, None)


@pytest.fixture
def published():
    """Task messages that reached the broker (eager calls publish nothing)."""
    sent = []

    def on_published(sender=None, headers=None, **kwargs):
        sent.append({"task": sender, "id": headers["id"], "thread": threading.get_ident()})

    signals.after_task_publish.connect(on_published, weak=False)
    yield sent
    signals.after_task_publish.disconnect(on_published)


@pytest.fixture
def celery_worker(django_db_setup, _isolated, settings):
    """An embedded worker consuming from the test Redis database; eager mode off."""
    broker = settings.CELERY_BROKER_URL
    parts = url_to_parts(broker)
    if parts.scheme != "redis" or parts.path in (None, "", "0"):
        pytest.fail(
            f"The worker test needs REDIS_URL to name a Redis database of its own for tests "
            f"(for example redis://127.0.0.1:6379/15), not {broker!r}: it purges the queue.",
            pytrace=False,
        )
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        problem = str(error)
    else:
        problem = ""
    if problem:
        pytest.fail(
            f"Redis at {broker} does not answer ({problem}). Start it (docs STACK.md, "
            f'"Services"): the worker test needs a real broker.',
            pytrace=False,
        )
    use_broker(broker)

    processed = []

    def on_prerun(sender=None, task_id=None, task=None, args=None, **kwargs):
        processed.append(
            {
                "task": sender.name,
                "id": task_id,
                "args": list(args or ()),
                "eager": task.request.is_eager,
                "routing_key": (task.request.delivery_info or {}).get("routing_key"),
                "thread": threading.get_ident(),
            }
        )

    signals.task_prerun.connect(on_prerun, weak=False)
    root = logging.getLogger()
    root_handlers, root_level = root.handlers[:], root.level  # the worker reconfigures logging
    eager = app.conf.task_always_eager  # True: tests/conftest.py's _isolated ran first
    app.conf.task_always_eager = False
    app.control.purge()  # leftovers of an interrupted run would be consumed first
    try:
        # No ping check: it waits for the ping task's result, and the portal has
        # no result backend (CELERY_RESULT_BACKEND = None).
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=15
        ) as worker:
            worker.processed = processed
            yield worker
    finally:
        app.control.purge()
        app.conf.task_always_eager = eager
        signals.task_prerun.disconnect(on_prerun)
        root.handlers[:] = root_handlers
        root.setLevel(root_level)


@pytest.fixture
def unreachable_broker(_isolated):
    """Eager mode off and a broker that refuses connections; restored afterwards."""
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    use_broker(UNREACHABLE_BROKER)
    try:
        yield
    finally:
        use_broker(broker)
        app.conf.task_always_eager = eager


def wait_for(condition, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_signup_confirmation(client, mailoutbox, celery_worker, published):
    assert app.conf.task_always_eager is False

    response = sign_up(client)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/ky/accounts/confirm-email/"
    email = OutboundEmail.objects.get(to=EMAIL)
    assert email.language == User.objects.get(email=EMAIL).language == "ky"

    delivered = wait_for(
        lambda: (
            OutboundEmail.objects.filter(pk=email.pk, status="sent").exists()
            and any(message.to == [EMAIL] for message in mailoutbox)
        )
    )
    email.refresh_from_db()
    assert delivered, (
        f"not delivered within {WAIT_SECONDS} s: status={email.status}, "
        f"attempts={email.attempts}, error={email.last_error!r}, outbox={len(mailoutbox)}, "
        f"published={published}, processed={celery_worker.processed}"
    )
    assert email.attempts == 1
    assert email.sent_at is not None

    # The request published the task to Redis; the worker thread, not the request, ran it.
    assert [(m["task"], m["thread"]) for m in published] == [
        (send_email_task.name, threading.get_ident())
    ]
    assert len(celery_worker.processed) == 1
    run = celery_worker.processed[0]
    assert run["id"] == published[0]["id"]
    assert run["task"] == send_email_task.name
    assert run["args"] == [email.pk]
    assert run["eager"] is False
    assert run["routing_key"] == "celery"
    assert run["thread"] != threading.get_ident()

    [message] = mailoutbox
    assert message.subject == email.subject
    assert CONFIRM_LINK.search(message.body), message.body
    html = {mimetype: body for body, mimetype in message.alternatives}.get("text/html", "")
    assert CONFIRM_LINK.search(html), html


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_signup_survives_broker_outage_and_the_sweep_sends_later(
    client, mailoutbox, unreachable_broker, published, caplog
):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="socialorder.emails"):
        response = sign_up(client)
    elapsed = time.monotonic() - started

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/ky/accounts/confirm-email/"
    assert elapsed < 5, f"the sign-up took {elapsed:.1f} s with the broker down"
    assert published == []
    assert "its sweep will do it" in caplog.text
    email = OutboundEmail.objects.get(to=EMAIL)
    assert (email.status, email.attempts) == (OutboundEmail.Status.PENDING, 0)
    assert mailoutbox == []

    # The sweep leaves fresh rows to the broker ...
    assert send_pending_emails_task.apply().get() == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING

    # ... and sends those that have waited too long.
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    assert send_pending_emails_task.apply().get() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    [message] = mailoutbox
    assert message.to == [EMAIL]
    assert CONFIRM_LINK.search(message.body), message.body
