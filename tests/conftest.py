"""Fixtures shared by every test. The cast of users:

- ``owner``: owns ``organization``;
- ``editor``: edits ``organization``;
- ``outsider``: a signed-up user with no role anywhere;
- ``officer``: an officer of ``state_body``;
- ``admin_user`` (pytest-django): a superuser.
"""

import logging
import threading

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for start_worker)
import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from kombu.utils.url import url_to_parts
from pytest_django.plugin import blocking_manager_key

from socialorder.celery import app as celery_app

from .factories import (
    MembershipFactory,
    OfficerFactory,
    OrganizationFactory,
    StateBodyFactory,
    UserFactory,
    seed_migrated_rows,
)
from .workers import use_broker


@pytest.fixture(autouse=True)
def _isolated(settings):
    """Tasks run inline unless a test starts a real worker; rate limits start afresh."""
    celery_app.conf.task_always_eager = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads, receipts and attachments land in a temporary folder, never in the repo."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """The tests with a real worker run one after another in one xdist process
    (``--dist loadgroup``): on one Redis database and queue, two at once would purge and
    run each other's tasks, against each other's test database."""
    for item in items:
        if item.get_closest_marker("celery_worker"):
            item.add_marker(pytest.mark.xdist_group("celery-worker"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when its fixtures are torn down, the
    rows the data migrations seed included: put them back for the tests that follow."""
    result = yield
    # After the last test the test database is gone (``nextitem`` is None): nothing to
    # restore, and connecting now would reach the configured database instead.
    if nextitem is not None and _is_transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            seed_migrated_rows()
    return result


@pytest.fixture
def seeded(transactional_db):
    """The seeded rows, present at the start of a transactional test."""
    seed_migrated_rows()


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
    """An embedded worker consuming from the test Redis database; eager mode off.

    Fails (never skips) when Redis does not answer. ``worker.processed`` lists the
    tasks it ran. Tests using it need ``django_db(transaction=True)``: the worker
    has its own database connection.
    """
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
    eager = celery_app.conf.task_always_eager  # True: _isolated ran first
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()  # leftovers of an interrupted run would be consumed first
    try:
        # No ping check: it waits for the ping task's result, and the portal has
        # no result backend (CELERY_RESULT_BACKEND = None).
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=15
        ) as worker:
            worker.processed = processed
            yield worker
    finally:
        celery_app.control.purge()
        celery_app.conf.task_always_eager = eager
        signals.task_prerun.disconnect(on_prerun)
        root.handlers[:] = root_handlers
        root.setLevel(root_level)


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def owner(organization):
    return MembershipFactory(organization=organization, role="owner").user


@pytest.fixture
def editor(organization):
    return MembershipFactory(organization=organization, role="editor").user


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def state_body(db):
    return StateBodyFactory()


@pytest.fixture
def officer(state_body):
    return OfficerFactory(state_body=state_body).user


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(client, owner):
    return client_for(client, owner)
