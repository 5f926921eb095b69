"""Helpers of the tests that run a real Celery worker on Redis (fixtures in conftest.py)."""

import time

from socialorder.celery import app


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


def wait_for(condition, seconds=15):
    """Poll ``condition`` until it holds or ``seconds`` pass; its last answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
