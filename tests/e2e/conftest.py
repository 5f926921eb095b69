"""Browser journeys: headless Chromium from Debian, driven by pytest-playwright.

See docs STACK.md, "Browser tests": the browser is the system Chromium (never
``playwright install``), and the context speaks Kyrgyz like the portal's users.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API keeps an event loop in the main thread, where the tests
# also use the ORM; Django would refuse that as "async unsafe" without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: browser tests need it. "
            "Install it with `apt-get install -y chromium` "
            "(never `playwright install`).",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def playwright(playwright):
    """pytest-playwright's Playwright; database connections opened meanwhile are closed.

    The sync API leaves its event loop set as the running loop of the main
    thread until Playwright stops, and Django keeps the connections opened
    meanwhile (by this and every later test of the session) apart from the
    others. Close them while that is still so, before Playwright stops: left
    open, they keep the test database from being dropped at the end.
    """
    yield playwright
    connections.close_all()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ky-KG"}


def seed_regions() -> None:
    """Run the seeding of migration 0002 again (it updates or creates)."""
    importlib.import_module("accounts.migrations.0002_seed_regions").seed_regions(apps, None)


@pytest.fixture
def regions(transactional_db):
    """The regions that migration 0002 seeds, present whatever ran before.

    A transactional test (``transaction=True``, ``live_server``) empties every
    table when it ends, seeded rows included. ``serialized_rollback=True`` would
    restore them, but not here: Playwright's sync API leaves its event loop set
    as the running loop of the main thread, so Django's connection handler
    (an asgiref ``Local``) keeps the test's connections apart from the ones
    opened before Playwright started, and the new connection object lacks the
    serialized copy: nothing is restored, silently.
    """
    seed_regions()


@pytest.fixture(scope="module", autouse=True)
def _regions_for_later_tests(django_db_setup, django_db_blocker):
    """Put the seeded regions back once this module's transactional tests emptied the tables.

    Tests that reach the database without declaring it (``request.getfixturevalue``
    of a database fixture) are ordered after the transactional ones and expect
    the seeded regions.
    """
    yield
    with django_db_blocker.unblock():
        seed_regions()
