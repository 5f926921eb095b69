"""Django admin keeps the sealed rule: before the deadline only who applied, when and the
status; no content, no rows of the budget, activities, results, documents or versions."""

from unittest import mock

import pytest

from accounts.models import OutboundEmail
from grants import services
from grants.models import Application, BudgetCategory

from .factories import budget_category
from .helpers import close, text

CHILDREN = ["budgetline", "activity", "resultindicator", "attachment", "applicationversion"]


def secrets_of(application) -> list[str]:
    """Strings only the content of ``application`` contains."""
    return [
        application.title,
        application.summary,
        application.problem,
        application.goal,
        application.sustainability,
        *application.activities.values_list("name", flat=True),
        *application.results.values_list("indicator", flat=True),
        *application.budget_lines.values_list("description", flat=True),
        *application.attachments.values_list("original_name", flat=True),
        *application.versions.values_list("sha256", flat=True),
    ]


def admin_pages(application) -> list[str]:
    base = "/admin/grants/application/"
    return [base, f"{base}?q={application.organization.inn}"]


def assert_sealed(response, application):
    page = text(response)
    for secret in secrets_of(application):
        assert secret not in page, secret


def test_before_the_deadline_the_application_admin_shows_no_content(admin_client, submitted):
    for address in admin_pages(submitted):
        response = admin_client.get(address)
        assert response.status_code == 200, address
        assert_sealed(response, submitted)
    # Not even listed: who applied, and URL filters on content fields, would tell.
    listing = admin_client.get("/admin/grants/application/")
    assert listing.context["cl"].result_count == 0
    change = admin_client.get(f"/admin/grants/application/{submitted.pk}/change/")
    assert change.status_code == 302  # "does not exist", back to the admin index
    assert_sealed(admin_client.get(change["Location"]), submitted)


@pytest.mark.parametrize(
    "lookup", ["title__startswith", "summary__icontains", "requested_total__gte"]
)
def test_url_filters_on_content_cannot_probe_a_sealed_application(admin_client, submitted, lookup):
    value = {
        "title__startswith": submitted.title[:5],
        "summary__icontains": submitted.summary[:5],
        "requested_total__gte": "0",
    }[lookup]
    response = admin_client.get("/admin/grants/application/", {lookup: value})
    if response.status_code == 200:
        assert response.context["cl"].result_count == 0
    assert_sealed(response, submitted)


def test_searching_the_admin_for_content_finds_nothing(admin_client, submitted):
    response = admin_client.get("/admin/grants/application/", {"q": submitted.title})
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("model", CHILDREN)
def test_before_the_deadline_no_child_row_is_listed(admin_client, submitted, model):
    response = admin_client.get(f"/admin/grants/{model}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert_sealed(response, submitted)


@pytest.mark.parametrize(
    ("model", "rows"),
    [
        ("budgetline", "budget_lines"),
        ("activity", "activities"),
        ("resultindicator", "results"),
        ("attachment", "attachments"),
        ("applicationversion", "versions"),
    ],
)
def test_a_child_row_cannot_be_opened_by_its_address_before_the_deadline(
    admin_client, submitted, model, rows
):
    row = getattr(submitted, rows).first()
    response = admin_client.get(f"/admin/grants/{model}/{row.pk}/change/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert_sealed(response, submitted)


def test_the_status_history_shows_no_content(admin_client, submitted):
    response = admin_client.get("/admin/grants/applicationevent/")
    assert response.context["cl"].result_count == 0
    assert_sealed(response, submitted)


def test_after_the_deadline_the_admin_shows_the_submitted_content(admin_client, submitted):
    close(submitted.competition)
    change = text(admin_client.get(f"/admin/grants/application/{submitted.pk}/change/"))
    assert submitted.title in change
    assert submitted.summary in change
    for model in CHILDREN:
        response = admin_client.get(f"/admin/grants/{model}/")
        assert response.context["cl"].result_count == 1, model


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_applications_stay_sealed_in_the_admin(
    admin_client, submitted, status
):
    Application.objects.filter(pk=submitted.pk).update(status=status)
    close(submitted.competition)
    for address in admin_pages(submitted):
        assert_sealed(admin_client.get(address), submitted)
    for model in CHILDREN:
        assert admin_client.get(f"/admin/grants/{model}/").context["cl"].result_count == 0


def test_applications_are_read_only_in_the_admin(admin_client, submitted):
    assert admin_client.get("/admin/grants/application/add/").status_code == 403
    address = f"/admin/grants/application/{submitted.pk}/change/"
    assert admin_client.post(address, {"status": "admitted"}).status_code == 403
    assert admin_client.post(f"/admin/grants/application/{submitted.pk}/delete/").status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_budget_categories_are_kept_in_three_languages(admin_client):
    staff = budget_category("staff")
    response = admin_client.get("/admin/grants/budgetcategory/")
    assert response.context["cl"].result_count == BudgetCategory.objects.count() == 7
    change = admin_client.get(f"/admin/grants/budgetcategory/{staff.pk}/change/")
    assert {"name_ky", "name_ru", "name_en"} <= set(change.context["adminform"].form.fields)


def test_non_staff_cannot_reach_the_grants_admin(client, applicant, officer):
    for user in (applicant, officer):
        client.force_login(user)
        response = client.get("/admin/grants/application/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_the_receipt_email_in_the_outbox_shows_no_content(admin_client, submitted):
    with mock.patch("grants.services.render_pdf", return_value=b"%PDF-1.4 receipt"):
        services.send_receipt(submitted.current_version.pk)
    email = OutboundEmail.objects.get()
    for address in (
        "/admin/accounts/outboundemail/",
        f"/admin/accounts/outboundemail/{email.pk}/change/",
    ):
        response = admin_client.get(address)
        assert response.status_code == 200
        assert_sealed(response, submitted)
