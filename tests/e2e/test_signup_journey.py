"""A visitor signs up in Kyrgyz, confirms the address, registers an organisation
and switches the interface to Russian and back, in headless Chromium.

Fields are found by their ``name`` and buttons by ``type=submit`` inside the
right form: the Kyrgyz wording comes from catalogues that are still being
translated, so the test asserts languages through ``<html lang>`` and the URL
prefix, and Russian text through data (the seeded region names).
"""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from accounts.models import Organization, OrganizationMembership, OutboundEmail, Region, User
from tests.e2e.helpers import form_with, submit

EMAIL = "aigul.journey@example.org"
PASSWORD = "Tunduk-Ala-Too-2024!"
ORGANIZATION_NAME = "«Жашыл Ала-Тоо» коомдук фонду"
INN = "02203201610015"
REGION_CODE = "KG-GB"  # Bishkek: "Бишкек шаары" in Kyrgyz, "г. Бишкек" in Russian.

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[-:\w]+/")


def switch_language(page: Page, code: str) -> None:
    """Press a language button in the header (a form posting to /i18n/setlang/)."""
    switcher = page.locator("header form[action='/i18n/setlang/']")
    submit(page, switcher, f"button[type=submit][name=language][value={code}]")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_signup_confirm_login_register_organisation_and_switch_language(
    live_server, page: Page, mailoutbox, regions
):
    page.set_default_timeout(10_000)
    server_errors = []
    page.on(
        "response",
        lambda response: (
            server_errors.append(f"{response.status} {response.url}")
            if response.status >= 500
            else None
        ),
    )
    base = live_server.url
    region = Region.objects.get(code=REGION_CODE)

    # The home page, in Kyrgyz.
    page.goto(f"{base}/ky/")
    expect(page.locator("html")).to_have_attribute("lang", "ky")

    # Sign up from the header.
    page.locator("header nav a[href='/ky/accounts/signup/']").click()
    expect(page).to_have_url(f"{base}/ky/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    signup = form_with(page, "password1")
    signup.locator("input[name=email]").fill(EMAIL)
    signup.locator("input[name=first_name]").fill("Айгүл")
    signup.locator("input[name=last_name]").fill("Асанова")
    signup.locator("input[name=password1]").fill(PASSWORD)
    signup.locator("input[name=password2]").fill(PASSWORD)
    submit(page, signup)
    expect(page).to_have_url(re.compile(r"/ky/accounts/confirm-email/$"))

    user = User.objects.get(email=EMAIL)
    assert (user.first_name, user.last_name, user.language) == ("Айгүл", "Асанова", "ky")
    assert not EmailAddress.objects.get(user=user, email=EMAIL).verified

    # The confirmation e-mail went through the outbox (tasks run inline in tests).
    assert [message.to for message in mailoutbox] == [[EMAIL]]
    outbox_row = OutboundEmail.objects.get(to=EMAIL)
    assert outbox_row.status == OutboundEmail.Status.SENT
    assert outbox_row.language == "ky"
    match = CONFIRM_LINK.search(mailoutbox[0].body)
    assert match, f"no confirmation link in the e-mail:\n{mailoutbox[0].body}"
    link = match.group(0)
    assert link.startswith(f"{base}/ky/accounts/confirm-email/"), link

    # Confirm the address.
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    submit(page, page.locator("main form[action*='/accounts/confirm-email/']"))
    assert EmailAddress.objects.get(user=user, email=EMAIL).verified

    # Sign in with e-mail and password.
    page.goto(f"{base}/ky/accounts/login/")
    login = form_with(page, "password")
    login.locator("input[name=login]").fill(EMAIL)
    login.locator("input[name=password]").fill(PASSWORD)
    submit(page, login)
    expect(page).to_have_url(f"{base}/ky/profile/")
    expect(page.locator("header")).to_contain_text(EMAIL)

    # My organisations -> register one.
    page.locator("header nav a[href='/ky/organizations/']").click()
    expect(page).to_have_url(f"{base}/ky/organizations/")
    page.locator("main a[href='/ky/organizations/new/']").click()
    expect(page).to_have_url(f"{base}/ky/organizations/new/")
    form = form_with(page, "inn")
    form.locator("[name=name]").fill(ORGANIZATION_NAME)
    form.locator("select[name=legal_form]").select_option(Organization.LegalForm.PUBLIC_FUND)
    form.locator("[name=registration_number]").fill("123456-3301-ОФ")
    form.locator("[name=inn]").fill(INN)
    form.locator("input[name=registration_date]").fill("2016-03-01")
    form.locator("select[name=region]").select_option(str(region.pk))
    form.locator("[name=address]").fill("Бишкек ш., Чүй пр., 100")
    form.locator("[name=phone]").fill("+996 312 654321")
    form.locator("[name=email]").fill("info@jashyl.example.org")
    form.locator("select[name=people-0-role]").select_option("founder")
    form.locator("[name=people-0-full_name]").fill("Асанов Бакыт")
    form.locator("select[name=people-1-role]").select_option("leader")
    form.locator("[name=people-1-full_name]").fill("Асанова Айгүл")
    form.locator("[name=people-1-position]").fill("Төрага")
    submit(page, form)

    organization = Organization.objects.get(inn=INN)
    detail = f"{base}/ky/organizations/{organization.pk}/"
    expect(page).to_have_url(detail)
    assert organization.name == ORGANIZATION_NAME
    assert organization.region == region
    assert organization.created_by == user
    assert organization.is_complete
    assert OrganizationMembership.objects.filter(
        organization=organization, user=user, role=OrganizationMembership.Role.OWNER
    ).exists()
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(ORGANIZATION_NAME)
    expect(main).to_contain_text(INN)
    expect(main).to_contain_text("Асанов Бакыт")
    expect(main).to_contain_text("Асанова Айгүл")
    expect(main).to_contain_text(region.name_ky)

    # Switch to Russian with the header buttons: same page under /ru/, stored on the profile.
    switch_language(page, "ru")
    expect(page).to_have_url(f"{base}/ru/organizations/{organization.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(main).to_contain_text(region.name_ru)
    expect(main).not_to_contain_text(region.name_ky)
    expect(page.locator("header button[name=language][value=ru]")).to_have_attribute(
        "aria-current", "true"
    )
    user.refresh_from_db()
    assert user.language == "ru"

    # And back to Kyrgyz.
    switch_language(page, "ky")
    expect(page).to_have_url(detail)
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    expect(main).to_contain_text(region.name_ky)
    expect(page.locator("header button[name=language][value=ky]")).to_have_attribute(
        "aria-current", "true"
    )
    user.refresh_from_db()
    assert user.language == "ky"

    assert not server_errors
