"""Pages have landmarks, a skip link and readable contrast, fit a phone, work without JavaScript.

axe-core (bundled with axe-playwright-python) audits each page in headless Chromium.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.models import User
from tests.e2e.helpers import sign_in
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
BLOCKING = {"serious", "critical"}


@pytest.fixture
def owner_with_organization(regions):
    return MembershipFactory(role="owner")


def pages(organization_id):
    return [
        ("/ky/", False),
        ("/ru/accounts/signup/", False),
        ("/en/accounts/login/", False),
        ("/ky/organizations/new/", True),
        (f"/ky/organizations/{organization_id}/", True),
        (f"/ru/organizations/{organization_id}/members/", True),
        ("/ky/profile/", True),
    ]


def test_pages_pass_axe_and_fit_a_phone(browser, live_server, owner_with_organization):
    axe = Axe()
    context = browser.new_context(locale="ky-KG")
    sign_in(context, live_server, owner_with_organization.user)
    page = context.new_page()
    for path, _signed_in in pages(owner_with_organization.organization_id):
        for viewport in ({"width": 1280, "height": 900}, PHONE):
            page.set_viewport_size(viewport)
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            results = axe.run(page)
            blocking = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"]
                if v["impact"] in BLOCKING
            ]
            assert not blocking, (path, viewport, blocking)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (path, viewport, overflow)
        assert page.locator("main#main").count() == 1
        assert page.locator("header").count() == 1
        assert page.locator("nav[aria-label]").count() == 1
        assert page.locator("footer").count() == 1
    context.close()


def test_the_skip_link_comes_first_and_moves_focus_to_main(page, live_server, regions):
    page.goto(live_server.url + "/ky/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.locator("a.skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_forms_and_language_switch_work_without_javascript(browser, live_server, regions):
    context = browser.new_context(java_script_enabled=False, locale="ky-KG")
    page = context.new_page()
    page.goto(live_server.url + "/ky/accounts/signup/")
    page.fill("input[name=email]", "aigul@example.org")
    page.fill("input[name=first_name]", "Айгүл")
    page.fill("input[name=last_name]", "Асанова")
    page.fill("input[name=password1]", "Kyzyl-Kiya-2026!")
    page.fill("input[name=password2]", "a-different-password-1")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".invalid-feedback, .alert-danger, .errorlist").count() >= 1
    assert not User.objects.exists()

    page.locator("form.language-switcher button[value=ru]").click()
    page.wait_for_url("**/ru/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == "ru"
    context.close()
