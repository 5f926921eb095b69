"""The e-mail outbox with real Celery: a worker on Redis, and a broker outage.

Everywhere else tasks run inline (``tests/conftest.py`` turns eager mode on).
Here eager mode is off: the sign-up view publishes the delivery task to the
Redis broker named by ``REDIS_URL`` (a database of its own for tests) and an
embedded worker thread (``celery.contrib.testing.worker.start_worker``) sends
the e-mail. The worker has its own database connection, hence
``transaction=True``.
"""

import logging
import re
import threading
import time
from datetime import timedelta

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for start_worker)
import pytest
from django.utils import timezone

from accounts.models import OutboundEmail, User
from accounts.tasks import send_email_task, send_pending_emails_task
from socialorder.celery import app
from tests.workers import use_broker, wait_for

EMAIL = "worker.test@example.org"
PASSWORD = "Tunduk-Ala-Too-2024!"
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
WAIT_SECONDS = 15  # the default of tests.workers.wait_for

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
