"""Helpers of the browser journeys."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Locator, Page

from accounts.models import User


def sign_in(context, live_server, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def watch_server_errors(page: Page, errors: list[str]) -> None:
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 500 else None
        ),
    )


def submit(page: Page, form: Locator, button: str = "[type=submit]") -> None:
    """Press the form's submit button; the POST must redirect (a 400 means form errors)."""
    with page.expect_response(
        lambda response: (
            response.request.method == "POST" and response.request.frame == page.main_frame
        )
    ) as posted:
        form.locator(button).first.click()
    response = posted.value
    page.wait_for_load_state()
    if response.status != 302:
        errors = page.locator(".invalid-feedback, .alert-danger, .errorlist").all_inner_texts()
        pytest.fail(f"POST {response.url} answered {response.status}, not 302: {errors}")


def form_with(page: Page, field: str) -> Locator:
    """The form in the main content that has a field named ``field``."""
    return page.locator("main form").filter(has=page.locator(f"[name={field}]"))
