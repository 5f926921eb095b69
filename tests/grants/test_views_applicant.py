"""The applicant's pages: workspace, start, edit, documents, submit, withdraw, compare,
detail and downloads. Each: the happy path, anonymous, an outsider, a wrong method and
bad input (a clear message in the user's language, a 4xx, nothing lost)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import services
from grants.models import Application, ApplicationVersion, Attachment
from tests.competitions.factories import ChecklistItemFactory, CompetitionFactory
from tests.factories import MembershipFactory, OrganizationFactory

from .factories import ApplicationFactory, open_competition, submitted_application
from .helpers import (
    activity_row,
    application_data,
    budget_row,
    close,
    docx_bytes,
    messages_of,
    pdf_bytes,
    png_bytes,
    says,
    shows,
    text,
    text_file,
    tr,
    upload,
    url,
)

LOGIN = "/ky/accounts/login/"
NOT_YET = (
    "The application cannot be submitted yet. Correct these points; your draft is kept as it is."
)


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def foreign_application(other_member):
    """A complete draft of another NCO."""
    return ApplicationFactory(
        organization=other_member.organization_memberships.get().organization, complete=True
    )


def state_of(application) -> dict:
    """What must stay as it was when a request is refused."""
    application.refresh_from_db()
    return {
        "status": application.status,
        "reference": application.reference,
        "fields": {name: getattr(application, name) for name in services.REQUIRED_FIELDS},
        "totals": (application.requested_total, application.own_total),
        "activities": list(application.activities.values_list("pk", "name")),
        "lines": list(application.budget_lines.values_list("pk", "description", "quantity")),
        "attachments": list(application.attachments.values_list("pk", "sha256")),
        "versions": application.versions.count(),
    }


# Workspace


def test_workspace_lists_the_organisations_applications_with_their_next_step(
    applicant_client, applicant, application, organization, other_member
):
    other = submitted_application(applicant, organization=organization)
    foreign = foreign_application(other_member)
    response = applicant_client.get(url("workspace"))
    assert response.status_code == 200
    assert {a.pk for a in response.context["page"]} == {application.pk, other.pk}
    page = text(response)
    assert application.title in page
    assert other.reference in page
    assert foreign.title not in page
    assert tr("Complete and submit") in page
    assert tr("Submitted; you may still change and resubmit it.") in page


def test_an_editor_sees_the_same_workspace(client, editor, application):
    client.force_login(editor)
    assert [a.pk for a in client.get(url("workspace")).context["page"]] == [application.pk]


def test_an_empty_workspace_says_where_to_apply(client, outsider):
    client.force_login(outsider)
    response = client.get(url("workspace"))
    assert response.status_code == 200
    assert shows(
        response,
        "Your organisations have no applications yet. "
        "Find an open competition and apply from its page.",
    )


def test_a_page_number_past_the_end_shows_the_last_page(applicant_client, application):
    response = applicant_client.get(url("workspace"), {"page": "99"})
    assert response.status_code == 200
    assert [a.pk for a in response.context["page"]] == [application.pk]


def test_workspace_needs_a_signed_in_user_and_get(client, applicant):
    response = client.get(url("workspace"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.post(url("workspace")).status_code == 405


def _workspace_queries(client, organization, count):
    for n in range(Application.objects.count(), count):
        ApplicationFactory(
            organization=organization,
            title=f"Долбоор {n}",
            status="submitted" if n % 2 else "draft",
            reference=f"REF-{n}" if n % 2 else None,
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("workspace"))
    assert len(response.context["page"]) == count
    return len(queries)


def test_workspace_query_count_does_not_grow_with_the_applications(applicant_client, organization):
    assert _workspace_queries(applicant_client, organization, 3) == _workspace_queries(
        applicant_client, organization, 15
    )


# Start


def test_a_member_starts_an_application_from_the_competition_page(
    applicant_client, organization, competition
):
    response = applicant_client.post(
        url("start", reference=competition.reference), {"organization": organization.pk}
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("edit", pk=application.pk)
    assert (application.organization, application.status) == (organization, "draft")
    assert tr("The draft was created. It is saved whenever you press Save.") in messages_of(
        response
    )


def test_the_application_is_for_the_organisation_chosen(applicant_client, applicant, competition):
    second = OrganizationFactory()
    MembershipFactory(organization=second, user=applicant, role="editor")
    applicant_client.post(
        url("start", reference=competition.reference), {"organization": second.pk}
    )
    assert Application.objects.get().organization == second


def test_starting_again_leads_to_the_existing_application(
    applicant_client, application, organization, competition
):
    response = applicant_client.post(
        url("start", reference=competition.reference), {"organization": organization.pk}
    )
    assert response["Location"] == url("edit", pk=application.pk)
    assert Application.objects.count() == 1
    assert tr("Your organisation already has an application; here it is.") in messages_of(response)


def test_an_organisation_of_someone_else_starts_nothing(
    applicant_client, other_member, competition
):
    foreign = other_member.organization_memberships.get().organization
    response = applicant_client.post(
        url("start", reference=competition.reference), {"organization": foreign.pk}
    )
    assert tr("Choose one of your organisations.") in messages_of(response)
    assert not Application.objects.exists()


def test_an_organisation_of_someone_else_is_answered_with_a_4xx(
    applicant_client, other_member, competition
):
    foreign = other_member.organization_memberships.get().organization
    response = applicant_client.post(
        url("start", reference=competition.reference), {"organization": foreign.pk}
    )
    assert 400 <= response.status_code < 500


def test_a_closed_competition_takes_no_new_application(applicant_client, organization, competition):
    close(competition)
    response = applicant_client.post(
        url("start", reference=competition.reference), {"organization": organization.pk}
    )
    assert response["Location"] == f"/ky/competitions/{competition.reference}/"
    assert tr("This competition does not accept applications now.") in messages_of(response)
    assert not Application.objects.exists()


def test_an_incomplete_organisation_is_asked_to_complete_its_profile(client, competition):
    incomplete = OrganizationFactory(people=False)
    client.force_login(MembershipFactory(organization=incomplete).user)
    response = client.post(
        url("start", reference=competition.reference), {"organization": incomplete.pk}
    )
    assert tr(
        "Complete the organisation profile first: name at least one founder and one leader."
    ) in messages_of(response)
    assert not Application.objects.exists()


def test_start_is_a_signed_in_post_to_a_published_competition(
    client, applicant, organization, competition, state_body
):
    address = url("start", reference=competition.reference)
    response = client.post(address, {"organization": organization.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.get(address).status_code == 405
    unpublished = CompetitionFactory(state_body=state_body)
    response = client.post(
        url("start", reference=unpublished.reference), {"organization": organization.pk}
    )
    assert response.status_code == 404
    assert client.post(url("start", reference="SSO-0000-9999")).status_code == 404
    assert not Application.objects.exists()


# Edit


def test_the_edit_page_shows_the_draft(applicant_client, application):
    response = applicant_client.get(url("edit", pk=application.pk))
    assert response.status_code == 200
    assert application.title in text(response)
    assert response.context["budget"].total_form_count() == application.budget_lines.count() + 2


def test_saving_keeps_every_section_and_the_server_computes_the_totals(
    applicant_client, competition, organization
):
    application = ApplicationFactory(competition=competition, organization=organization)
    data = application_data(
        application,
        budget=[
            budget_row(),
            budget_row(
                description="Жол кире",
                quantity="4",
                unit_cost="2500",
                requested="5000",
                own_contribution="2000",
                cofinancing="3000",
            ),
        ],
    )
    data["requested_total"] = "1"  # whatever the browser says, the server adds up
    response = applicant_client.post(url("edit", pk=application.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url("edit", pk=application.pk)
    assert tr("The draft was saved.") in messages_of(response)
    application.refresh_from_db()
    assert application.title == data["title"]
    assert list(application.regions.values_list("code", flat=True)) == ["KG-GB"]
    assert application.activities.count() == 1
    assert application.results.count() == 1
    assert application.budget_lines.count() == 2
    assert application.requested_total == Decimal("85000")
    assert application.own_total == Decimal("22000")
    assert application.cofinancing_total == Decimal("3000")
    assert application.own_share_percent == Decimal("20.00")


def test_a_deleted_budget_line_is_taken_out_of_the_totals(applicant_client, application):
    data = application_data(application, activities=[], results=[], budget=[budget_row()])
    data["budget-0-DELETE"] = "on"
    applicant_client.post(url("edit", pk=application.pk), data)
    application.refresh_from_db()
    assert application.budget_lines.count() == 1
    assert application.requested_total == Decimal("80000")


def test_save_and_go_to_submission(client, editor, application):
    client.force_login(editor)
    data = application_data(application, activities=[], results=[], budget=[])
    del data["save"]
    data["submit"] = ""
    response = client.post(url("edit", pk=application.pk), data)
    assert response["Location"] == url("submit", pk=application.pk)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"budget": {"quantity": "много"}}, "Enter a number."),
        ({"budget": {"unit_cost": "-5"}}, None),
        ({"end_date": "2026-01-01"}, "The project cannot end before it starts."),
        (
            {"activities": {"start": "2026-05-01", "end": "2026-04-01"}},
            "An activity cannot end before it starts.",
        ),
        ({"beneficiaries": "-3"}, None),
    ],
    ids=["not-a-number", "negative-cost", "end-before-start", "activity-backwards", "negative"],
)
def test_an_invalid_row_saves_nothing_and_says_why(applicant_client, application, change, message):
    before = state_of(application)
    rows = {"budget": budget_row, "activities": activity_row}
    change = {k: [rows[k](**v)] if k in rows else v for k, v in change.items()}
    response = applicant_client.post(
        url("edit", pk=application.pk), application_data(application, title="Жаңы", **change)
    )
    assert response.status_code == 400
    assert shows(response, "Please correct the errors below. Nothing was saved.")
    if message:
        assert shows(response, message)
    assert state_of(application) == before


def test_another_organisations_application_cannot_be_edited(applicant_client, other_member):
    foreign = foreign_application(other_member)
    before = state_of(foreign)
    address = url("edit", pk=foreign.pk)
    assert applicant_client.get(address).status_code == 404
    assert applicant_client.post(address, application_data(foreign, title="Х")).status_code == 404
    assert state_of(foreign) == before


@pytest.mark.parametrize("row", [0, 1], ids=["as-an-existing-row", "as-a-new-row"])
def test_rows_of_another_application_cannot_be_changed_through_the_form(
    applicant_client, application, other_member, row
):
    foreign = foreign_application(other_member)
    line = foreign.budget_lines.get()
    data = application_data(application, activities=[], results=[], budget=[budget_row()])
    data.update({f"budget-{row}-id": line.pk, f"budget-{row}-description": "Уурдалган"})
    applicant_client.post(url("edit", pk=application.pk), data)
    line.refresh_from_db()
    assert line.description != "Уурдалган"
    assert list(foreign.budget_lines.all()) == [line]
    assert not application.budget_lines.filter(pk=line.pk).exists()


@pytest.mark.parametrize("user", ["outsider", "officer", "commission_member"])
def test_nobody_outside_the_organisation_reaches_the_edit_page(request, client, user, application):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url("edit", pk=application.pk)).status_code == 404


def test_edit_needs_a_signed_in_user_and_get_or_post(client, applicant, application):
    address = url("edit", pk=application.pk)
    response = client.post(address, application_data(application, title="Х"))
    assert response["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.put(address).status_code == 405
    assert client.delete(address).status_code == 405
    application.refresh_from_db()
    assert application.title != "Х"


def test_an_unknown_application_is_404(applicant_client):
    assert applicant_client.get(url("edit", pk=999999)).status_code == 404


# Documents


def test_the_documents_page_lists_the_checklist(applicant_client, application):
    optional = ChecklistItemFactory(competition=application.competition, required=False, order=2)
    response = applicant_client.get(url("documents", pk=application.pk))
    assert response.status_code == 200
    rows = dict(response.context["rows"])
    item = application.competition.checklist.get(required=True)
    assert rows[item] == application.attachments.get()
    assert rows[optional] is None


def test_a_document_is_uploaded_for_a_checklist_item_and_replaces_the_old_one(
    applicant_client, application, private_media
):
    item = application.competition.checklist.get()
    old = application.attachments.get()
    response = applicant_client.post(
        url("documents", pk=application.pk),
        {"checklist_item": item.pk, "file": upload("Бюджет.docx", docx_bytes())},
    )
    assert response.status_code == 302
    assert tr("The document was attached.") in messages_of(response)
    new = application.attachments.get()
    assert new.pk != old.pk
    assert (new.checklist_item, new.file_type, new.original_name) == (item, "docx", "Бюджет.docx")
    assert Path(new.file.path).is_relative_to(private_media)
    assert "static" not in new.file.path


def test_an_extra_document_is_added(applicant_client, application):
    applicant_client.post(
        url("documents", pk=application.pk), {"file": upload("сүрөт.png", png_bytes())}
    )
    extra = application.attachments.get(checklist_item=None)
    assert extra.file_type == "png"


def test_the_type_is_read_from_the_content_not_the_name(applicant_client, application):
    applicant_client.post(
        url("documents", pk=application.pk), {"file": upload("scan.pdf", png_bytes())}
    )
    extra = application.attachments.get(checklist_item=None)
    assert extra.file_type == "png"
    response = applicant_client.get(
        url("attachment-download", pk=application.pk, attachment_pk=extra.pk)
    )
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith(f'{application.pk}-{extra.pk}.png"')


def test_a_text_file_named_pdf_is_refused(applicant_client, application):
    before = state_of(application)
    response = applicant_client.post(
        url("documents", pk=application.pk),
        {"checklist_item": application.competition.checklist.get().pk, "file": text_file("x.pdf")},
    )
    assert response.status_code == 400
    assert says(response, "This file type is not accepted. Upload one of: %(types)s.")
    assert "DOCX, JPEG, ODT, PDF, PNG, XLSX" in text(response)
    assert state_of(application) == before


def test_a_file_over_the_limit_is_refused(applicant_client, application, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    before = state_of(application)
    big = pdf_bytes() + b"%" * 1000
    response = applicant_client.post(
        url("documents", pk=application.pk), {"file": upload("big.pdf", big)}
    )
    assert response.status_code == 400
    assert says(response, "The file is too large (%(size)s). The limit is %(limit)s.")
    assert state_of(application) == before


def test_documents_over_the_applications_limit_are_refused(applicant_client, application, settings):
    settings.APPLICATION_MAX_BYTES = len(pdf_bytes()) + 10
    before = state_of(application)
    response = applicant_client.post(
        url("documents", pk=application.pk), {"file": upload("more.pdf", pdf_bytes())}
    )
    assert response.status_code == 400
    assert says(
        response, "The documents together would be larger than the limit of the application."
    )
    assert state_of(application) == before


def test_an_upload_without_a_file_is_refused(applicant_client, application):
    response = applicant_client.post(url("documents", pk=application.pk), {})
    assert response.status_code == 400
    assert shows(response, "This field is required.")


def test_a_checklist_item_of_another_competition_is_404(applicant_client, application):
    foreign = ChecklistItemFactory(competition=open_competition())
    before = state_of(application)
    response = applicant_client.post(
        url("documents", pk=application.pk),
        {"checklist_item": foreign.pk, "file": upload("x.pdf", pdf_bytes())},
    )
    assert response.status_code == 404
    assert state_of(application) == before


@pytest.mark.parametrize("user", ["outsider", "other_member", "officer"])
def test_nobody_outside_the_organisation_uploads(request, client, user, application):
    client.force_login(request.getfixturevalue(user))
    address = url("documents", pk=application.pk)
    assert client.get(address).status_code == 404
    assert client.post(address, {"file": upload("x.pdf", pdf_bytes())}).status_code == 404
    assert application.attachments.count() == 1


def test_documents_need_a_signed_in_user_and_get_or_post(client, applicant, application):
    address = url("documents", pk=application.pk)
    assert client.get(address)["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.put(address).status_code == 405


def test_an_extra_document_is_removed(applicant_client, application):
    extra = services.add_attachment(
        user=application.created_by,
        application=application,
        checklist_item=None,
        uploaded=upload("extra.pdf", pdf_bytes()),
        file_type="pdf",
        sha256="0" * 64,
    )
    address = url("document-remove", pk=application.pk, attachment_pk=extra.pk)
    assert applicant_client.get(address).status_code == 405
    response = applicant_client.post(address)
    assert response["Location"] == url("documents", pk=application.pk)
    assert not Attachment.objects.filter(pk=extra.pk).exists()


def test_removing_needs_a_signed_in_member(client, application):
    attachment = application.attachments.get()
    response = client.post(url("document-remove", pk=application.pk, attachment_pk=attachment.pk))
    assert response["Location"].startswith(LOGIN)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_another_organisations_document_cannot_be_removed(
    applicant_client, application, other_member
):
    foreign = foreign_application(other_member)
    attachment = foreign.attachments.get()
    for pk in (foreign.pk, application.pk):
        response = applicant_client.post(url("document-remove", pk=pk, attachment_pk=attachment.pk))
        assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# Submit


def test_the_submit_page_lists_what_is_missing(applicant_client, competition, organization):
    empty = ApplicationFactory(competition=competition, organization=organization)
    response = applicant_client.get(url("submit", pk=empty.pk))
    assert response.status_code == 200
    assert shows(response, "Add at least one activity.")
    assert shows(response, "Attach the required document “%(name)s”.")


def test_a_complete_application_is_submitted_and_its_reference_shown(applicant_client, application):
    page = applicant_client.get(url("submit", pk=application.pk))
    assert page.context["problems"] == {}
    assert shows(page, "Submit the application")
    response = applicant_client.post(url("submit", pk=application.pk), follow=True)
    application.refresh_from_db()
    assert response.redirect_chain == [(url("detail", pk=application.pk), 302)]
    assert application.status == "submitted"
    assert application.reference in text(response)
    assert says(
        response,
        "The application %(reference)s was submitted (version %(number)s). "
        "A receipt is being sent to your e-mail.",
    )


def test_a_change_is_resubmitted_as_a_new_version(applicant_client, submitted):
    Application.objects.filter(pk=submitted.pk).update(title="Экинчи вариант")
    assert shows(applicant_client.get(url("submit", pk=submitted.pk)), "Submit the changes")
    applicant_client.post(url("submit", pk=submitted.pk))
    assert submitted.versions.count() == 2
    page = text(applicant_client.get(url("detail", pk=submitted.pk)))
    assert page.count(tr("being prepared")) == 2


@pytest.mark.parametrize(
    ("breaks", "msgid"),
    [
        (
            lambda a: a.budget_lines.update(
                quantity=1, unit_cost=300000, requested=250000, own_contribution=50000
            ),
            "The grant requested (%(amount)s som) must be between %(low)s and %(high)s som.",
        ),
        (
            lambda a: a.budget_lines.update(requested=95000, own_contribution=5000),
            "The own contribution is %(share)s%% of the project; "
            "at least %(required)s%% is required.",
        ),
        (
            lambda a: Application.objects.filter(pk=a.pk).update(end_date="2028-06-30"),
            "The project lasts %(months)d months; this competition allows %(low)d to %(high)d.",
        ),
        (
            lambda a: a.attachments.all().delete(),
            "Attach the required document “%(name)s”.",
        ),
        (
            lambda a: a.budget_lines.update(own_contribution=1),
            "Line “%(line)s”: the grant, own contribution and co-financing must add up "
            "to quantity × unit cost (%(total)s som).",
        ),
    ],
    ids=[
        "budget-over-maximum",
        "own-share-too-low",
        "dates-outside-duration",
        "missing-document",
        "totals-inconsistent",
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_the_draft_intact(
    applicant_client, application, breaks, msgid
):
    breaks(application)
    services.recompute_totals(application)
    before = state_of(application)
    response = applicant_client.post(url("submit", pk=application.pk))
    assert response.status_code == 400
    assert shows(
        response,
        NOT_YET,
    )
    assert says(response, msgid)
    assert state_of(application) == before
    assert not ApplicationVersion.objects.exists()


@pytest.mark.parametrize("user", ["outsider", "other_member", "officer"])
def test_nobody_outside_the_organisation_submits(request, client, user, application):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url("submit", pk=application.pk)).status_code == 404
    assert client.post(url("submit", pk=application.pk)).status_code == 404
    application.refresh_from_db()
    assert application.status == "draft"


def test_submit_needs_a_signed_in_user_and_get_or_post(client, applicant, application):
    assert client.post(url("submit", pk=application.pk))["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.put(url("submit", pk=application.pk)).status_code == 405
    assert not ApplicationVersion.objects.exists()


# Withdraw


def test_a_submitted_application_is_withdrawn(applicant_client, submitted):
    response = applicant_client.post(url("withdraw", pk=submitted.pk))
    assert response["Location"] == url("detail", pk=submitted.pk)
    assert tr(
        "The application was withdrawn. You can submit it again until the deadline."
    ) in messages_of(response)
    submitted.refresh_from_db()
    assert submitted.status == "withdrawn"


def test_a_draft_cannot_be_withdrawn(applicant_client, application):
    response = applicant_client.post(url("withdraw", pk=application.pk))
    assert response.status_code == 400
    assert says(response, "An application that is %(status)s cannot become %(to)s.")
    application.refresh_from_db()
    assert application.status == "draft"


def test_withdraw_is_a_post_by_the_organisation(client, applicant, other_member, submitted):
    address = url("withdraw", pk=submitted.pk)
    assert client.post(address)["Location"].startswith(LOGIN)
    client.force_login(other_member)
    assert client.post(address).status_code == 404
    client.force_login(applicant)
    assert client.get(address).status_code == 405
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


# Compare versions


def test_two_versions_are_compared(applicant_client, applicant, submitted):
    old_title = submitted.title
    Application.objects.filter(pk=submitted.pk).update(title="Экинчи вариант")
    services.submit_application(user=applicant, application=submitted)
    response = applicant_client.get(url("compare", pk=submitted.pk))
    assert response.status_code == 200
    assert (response.context["first"].number, response.context["second"].number) == (1, 2)
    removed = [line for line in response.context["diff"] if line.startswith("-")]
    added = [line for line in response.context["diff"] if line.startswith("+")]
    assert any(old_title in line for line in removed)
    assert any("Экинчи вариант" in line for line in added)
    same = applicant_client.get(url("compare", pk=submitted.pk), {"a": 2, "b": 2})
    assert shows(same, "The two versions are the same.")
    fallback = applicant_client.get(url("compare", pk=submitted.pk), {"a": "x", "b": 9})
    assert (fallback.context["first"].number, fallback.context["second"].number) == (1, 2)


def test_a_single_version_has_nothing_to_compare(applicant_client, submitted):
    response = applicant_client.get(url("compare", pk=submitted.pk))
    assert response["Location"] == url("detail", pk=submitted.pk)
    assert tr("There is only one submitted version; nothing to compare.") in messages_of(response)


def test_compare_is_for_the_organisation_with_get(client, applicant, other_member, submitted):
    address = url("compare", pk=submitted.pk)
    assert client.get(address)["Location"].startswith(LOGIN)
    client.force_login(other_member)
    assert client.get(address).status_code == 404
    client.force_login(applicant)
    assert client.post(address).status_code == 405


# Detail and downloads


def test_the_detail_page_shows_the_content_and_the_versions(applicant_client, submitted):
    response = applicant_client.get(url("detail", pk=submitted.pk))
    assert response.status_code == 200
    page = text(response)
    assert submitted.title in page
    assert submitted.current_version.sha256 in page
    assert tr("Withdraw") in page


def test_detail_is_for_the_organisation_with_get(client, applicant, other_member, application):
    address = url("detail", pk=application.pk)
    assert client.get(address)["Location"].startswith(LOGIN)
    client.force_login(other_member)
    assert client.get(address).status_code == 404
    client.force_login(applicant)
    assert client.post(address).status_code == 405


def test_the_organisation_downloads_its_document(applicant_client, application):
    attachment = application.attachments.get()
    response = applicant_client.get(
        url("attachment-download", pk=application.pk, attachment_pk=attachment.pk)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_document_is_reached_only_through_its_own_application(
    client, applicant, application, other_member
):
    foreign = foreign_application(other_member)
    client.force_login(applicant)
    mixed = url(
        "attachment-download", pk=application.pk, attachment_pk=foreign.attachments.get().pk
    )
    assert client.get(mixed).status_code == 404
    own = url(
        "attachment-download", pk=application.pk, attachment_pk=application.attachments.get().pk
    )
    client.force_login(other_member)
    assert client.get(own).status_code == 404
    client.logout()
    assert client.get(own)["Location"].startswith(LOGIN)
    client.force_login(applicant)
    assert client.post(own).status_code == 405


def test_a_document_missing_on_disk_is_404(applicant_client, application):
    attachment = application.attachments.get()
    Path(attachment.file.path).unlink()
    response = applicant_client.get(
        url("attachment-download", pk=application.pk, attachment_pk=attachment.pk)
    )
    assert response.status_code == 404


# Messages in Kyrgyz (fails until the catalogue of this feature is compiled)


@pytest.mark.parametrize(
    "msgid",
    [
        "This file type is not accepted. Upload one of: %(types)s.",
        "The file is too large (%(size)s). The limit is %(limit)s.",
        "The grant requested (%(amount)s som) must be between %(low)s and %(high)s som.",
        "The own contribution is %(share)s%% of the project; at least %(required)s%% is required.",
        "The project lasts %(months)d months; this competition allows %(low)d to %(high)d.",
        "Attach the required document “%(name)s”.",
        "The deadline of this competition has passed; the application can no longer change.",
        NOT_YET,
        "Please correct the errors below. Nothing was saved.",
    ],
)
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_bad_input_messages_are_translated(msgid, language):
    assert tr(msgid, language) != msgid
