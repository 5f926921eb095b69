"""Browser journeys: headless Chromium from Debian, driven by pytest-playwright.

See docs STACK.md, "Browser tests": the browser is the system Chromium (never
``playwright install``), and the context speaks Kyrgyz like the portal's users.
"""

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser

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


@pytest.fixture
def regions(seeded):
    """The seeded regions and directories, present whatever transactional test ran before."""


@pytest.fixture
def contexts(browser: Browser):
    """New browser contexts, closed at the end of the test whatever happened."""
    opened = []

    def new_context(**kwargs):
        context = browser.new_context(**kwargs)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield new_context
    for context in opened:
        context.close()
