"""The report pages (grants/report_views.py), view by view: the page itself; who may not
reach it and what they get (the login page, 404 or 403); the methods it refuses; refused
input (a 4xx, the message in Kyrgyz, nothing saved). Then the whole flow from a draft to
an accepted report and a payable tranche, and the query count of the report page.

The cast: ``grant.applicant`` writes the reports of the running grant (120 000 som; half
paid on signature, half on acceptance of report 1); ``grant.officer`` reviews them;
``other_member`` owns another organisation; ``other_officer`` is an officer of another
state body; ``outsider`` has no role anywhere. The rules themselves are tested with the
services.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import implementation
from grants.models import (
    GrantBudgetLine,
    GrantIndicator,
    ImplementationEvent,
    Report,
    ReportAttachment,
    ReportResult,
    ReportSpending,
)

from .helpers import messages_of, says, text, text_file, tr, url
from .implementation import (
    PDF_BYTES,
    drafted_agreement,
    pdf_upload,
    report_content,
    running_agreement,
    submitted_report,
)

LOGIN = "/ky/accounts/login/"
NOT_FOUND = "The page does not exist, or you do not have access to it."
DENIED = (
    "Your account does not have the role needed for this page. If you think it should, "
    "contact the portal administrator."
)
OVER_LINE = (
    "%(line)s: %(total)s spent in all reports is more than the %(limit)s allowed "
    "(%(planned)s agreed plus %(percent)s%%)."
)
OVER_GRANT = "%(total)s spent in all reports is more than the grant, %(amount)s."
NO_COMMENT = "Say what the organisation should change."
NOT_EDITABLE = "This report is %(status)s; it can no longer be changed."


def told(response, msgid: str) -> bool:
    """The message ``msgid``, in Kyrgyz, is on the page or waits for the next page
    (placeholders filled with anything)."""
    parts = re.split(r"%\(\w+\)[sd]", tr(msgid))
    regex = re.compile(".+?".join(re.escape(part.replace("%%", "%")) for part in parts), re.S)
    return says(response, msgid) or any(regex.search(message) for message in messages_of(response))


def sends_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def not_found(response) -> bool:
    return response.status_code == 404 and says(response, NOT_FOUND)


def denied(response) -> bool:
    return response.status_code == 403 and says(response, DENIED)


@pytest.fixture(autouse=True)
def quick_agreement_pdf(monkeypatch):
    """The agreement's PDF is tested with its rendering; these pages only need it done."""
    monkeypatch.setattr(implementation, "render_pdf_pages", lambda *args, **kwargs: (PDF_BYTES, 1))


@pytest.fixture
def grant(db):
    return running_agreement()


@pytest.fixture
def report(grant) -> Report:
    """Report 1 (interim), not written yet."""
    return grant.agreement.reports.get(number=1)


@pytest.fixture
def drafted(grant, report) -> Report:
    """Report 1 with every section filled in, a quarter of each line spent; not submitted."""
    implementation.save_report(user=grant.applicant, report=report, **report_content(grant))
    return Report.objects.get(pk=report.pk)


@pytest.fixture
def submitted(grant) -> Report:
    return submitted_report(grant)


@pytest.fixture
def attached(grant, drafted):
    return implementation.add_report_attachment(
        user=grant.applicant, report=drafted, uploaded=pdf_upload("чек.pdf")
    )


def lines_of(grant) -> list[GrantBudgetLine]:
    return list(grant.agreement.budget_lines.all())


def form_data(grant, *, spent=None, achieved="40", submit=False, **narrative) -> dict:
    """POST data of the edit page: the narrative, every indicator, every line (``spent`` a
    list in line order; a quarter of each line by default)."""
    lines = lines_of(grant)
    amounts = spent if spent is not None else [line.planned / 4 for line in lines]
    data = {
        "report-activities": "Тренингдер өткөрүлдү.",
        "report-beneficiaries_reached": "40",
        "report-problems": "",
        **{f"report-{name}": value for name, value in narrative.items()},
        "submit" if submit else "save": "",
    }
    for indicator in grant.agreement.indicators.all():
        data[f"achieved_{indicator.pk}"] = achieved
        data[f"result_comment_{indicator.pk}"] = ""
    for line, amount in zip(lines, amounts, strict=True):
        data[f"amount_{line.pk}"] = str(Decimal(amount).quantize(Decimal("0.01")))
        data[f"spending_comment_{line.pk}"] = ""
    return data


def state_of(report: Report) -> tuple:
    """Everything a refused request must leave as it was."""
    report = Report.objects.get(pk=report.pk)
    return (
        report.status,
        report.activities,
        report.beneficiaries_reached,
        report.problems,
        report.review_comment,
        sorted(ReportResult.objects.filter(report=report).values_list("indicator", "achieved")),
        sorted(ReportSpending.objects.filter(report=report).values_list("line", "amount")),
        sorted(ReportAttachment.objects.filter(report=report).values_list("pk", flat=True)),
        ImplementationEvent.objects.filter(report=report).count(),
    )


# The report page


def test_the_organisation_reads_its_draft_with_edit_and_submit(client, grant, drafted):
    client.force_login(grant.applicant)
    response = client.get(url("report", drafted.pk))
    assert response.status_code == 200
    page = text(response)
    assert grant.agreement.number in page
    assert "Тренингдер өткөрүлдү." in page
    for indicator in grant.agreement.indicators.all():
        assert indicator.indicator in page
        assert indicator.target in page
    for line in lines_of(grant):
        assert line.description in page
    assert url("report-edit", drafted.pk) in page
    assert url("report-submit", drafted.pk) in page
    assert url("report-review", drafted.pk) not in page
    assert response.context["problems"] == []
    row = response.context["spending_rows"][0]
    assert row["limit"] == implementation.variance_limit(row["line"])
    assert row["here"].amount == row["line"].planned / 4


def test_an_incomplete_report_lists_what_it_lacks(client, grant, report):
    client.force_login(grant.applicant)
    response = client.get(url("report", report.pk))
    assert response.status_code == 200
    assert says(response, "Describe the activities carried out.")
    assert says(response, "Enter the number of beneficiaries reached.")


def test_a_past_due_report_not_submitted_is_marked_overdue(client, grant, report):
    Report.objects.filter(pk=report.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(grant.applicant)
    response = client.get(url("report", report.pk))
    assert response.context["overdue"] is True
    assert says(response, "overdue")


def test_a_submitted_report_is_not_overdue(client, grant, submitted):
    Report.objects.filter(pk=submitted.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(grant.applicant)
    response = client.get(url("report", submitted.pk))
    assert response.context["overdue"] is False
    assert url("report-edit", submitted.pk) not in text(response)
    assert url("report-submit", submitted.pk) not in text(response)


def test_the_officer_reads_a_submitted_report_with_the_review_form(client, grant, submitted):
    client.force_login(grant.officer)
    response = client.get(url("report", submitted.pk))
    assert response.status_code == 200
    page = text(response)
    assert url("report-review", submitted.pk) in page
    assert url("report-edit", submitted.pk) not in page
    assert says(response, "Tranches released by this report")
    assert [e.action for e in response.context["events"]] == ["report_submitted"]


def test_the_officer_has_no_review_form_before_submission(client, grant, drafted):
    client.force_login(grant.officer)
    response = client.get(url("report", drafted.pk))
    assert response.status_code == 200
    assert url("report-review", drafted.pk) not in text(response)
    assert url("report-submit", drafted.pk) not in text(response)


def test_the_report_page_needs_a_signed_in_user_and_get(client, grant, report):
    assert sends_to_login(client.get(url("report", report.pk)))
    client.force_login(grant.applicant)
    assert client.post(url("report", report.pk)).status_code == 405


@pytest.mark.parametrize("who", ["outsider", "other_member", "other_officer"])
def test_nobody_else_learns_the_report_exists(request, client, drafted, who):
    client.force_login(request.getfixturevalue(who))
    assert not_found(client.get(url("report", drafted.pk)))
    assert not_found(client.get(url("report", 999999)))


# Writing the report


def test_the_organisation_opens_the_form_with_its_draft(client, grant, drafted):
    client.force_login(grant.applicant)
    response = client.get(url("report-edit", drafted.pk))
    assert response.status_code == 200
    page = text(response)
    assert "Тренингдер өткөрүлдү." in page
    for line in lines_of(grant):
        assert f'name="amount_{line.pk}"' in page
    for indicator in grant.agreement.indicators.all():
        assert f'name="achieved_{indicator.pk}"' in page


def test_the_organisation_saves_a_draft(client, grant, report):
    client.force_login(grant.applicant)
    spent = [line.planned / 2 for line in lines_of(grant)]
    response = client.post(
        url("report-edit", report.pk), form_data(grant, spent=spent, problems="Кечигүү.")
    )
    assert response.status_code == 302
    assert response["Location"] == url("report-edit", report.pk)
    assert told(response, "The draft report is saved.")
    report.refresh_from_db()
    assert (report.status, report.activities, report.beneficiaries_reached, report.problems) == (
        "due",
        "Тренингдер өткөрүлдү.",
        40,
        "Кечигүү.",
    )
    assert sorted(report.spending.values_list("amount", flat=True)) == sorted(
        Decimal(a).quantize(Decimal("0.01")) for a in spent
    )
    assert set(report.results.values_list("achieved", flat=True)) == {"40"}


def test_an_empty_amount_is_zero_and_an_empty_result_is_none(client, grant, drafted):
    client.force_login(grant.applicant)
    data = form_data(grant, achieved="")
    for line in lines_of(grant):
        data[f"amount_{line.pk}"] = ""
    response = client.post(url("report-edit", drafted.pk), data)
    assert response.status_code == 302
    assert set(drafted.spending.values_list("amount", flat=True)) == {Decimal(0)}
    assert not drafted.results.exists()


def test_save_and_submit_submits_a_complete_report(client, grant, report):
    client.force_login(grant.applicant)
    response = client.post(url("report-edit", report.pk), form_data(grant, submit=True))
    assert response.status_code == 302
    assert response["Location"] == url("report", report.pk)
    assert told(
        response, "The report is saved and submitted. The customer's officers will review it."
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.submitted_by == grant.applicant


def test_save_and_submit_keeps_an_incomplete_draft_and_says_what_is_missing(client, grant, report):
    client.force_login(grant.applicant)
    response = client.post(
        url("report-edit", report.pk), form_data(grant, submit=True, beneficiaries_reached="")
    )
    assert response.status_code == 400
    assert says(response, "The draft is saved, but the report cannot be submitted yet:")
    assert says(response, "Enter the number of beneficiaries reached.")
    report.refresh_from_db()
    assert report.status == "due"
    assert report.activities == "Тренингдер өткөрүлдү."  # saved
    assert report.spending.count() == len(lines_of(grant))


def test_spending_over_a_line_beyond_the_variance_is_refused_and_nothing_changes(
    client, grant, drafted
):
    lines = lines_of(grant)
    before = state_of(drafted)
    client.force_login(grant.applicant)
    spent = [line.planned / 4 for line in lines]
    spent[0] = lines[0].planned * Decimal("1.2")
    response = client.post(
        url("report-edit", drafted.pk),
        form_data(grant, spent=spent, activities="Башка текст.", submit=True),
    )
    assert response.status_code == 400
    assert says(response, OVER_LINE)
    assert lines[0].description in text(response)
    assert state_of(drafted) == before


def test_spending_over_the_grant_is_refused_and_nothing_changes(client, grant, drafted):
    lines = lines_of(grant)
    before = state_of(drafted)
    client.force_login(grant.applicant)
    # Every line within its variance (5 % over), all together over the grant.
    spent = [line.planned * Decimal("1.05") for line in lines]
    response = client.post(url("report-edit", drafted.pk), form_data(grant, spent=spent))
    assert response.status_code == 400
    assert says(response, OVER_GRANT)
    assert state_of(drafted) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-5", "Ensure this value is greater than or equal to %(limit_value)s."),
        ("amount", "много", "Enter a number."),
        ("achieved", "x" * 101, None),  # Django's plural message; the field says it
    ],
    ids=["negative", "not-a-number", "too-long"],
)
def test_a_malformed_row_is_refused_and_nothing_changes(
    client, grant, drafted, field, value, message
):
    before = state_of(drafted)
    data = form_data(grant, activities="Башка текст.")
    key = next(k for k in data if k.startswith(f"{field}_"))
    data[key] = value
    client.force_login(grant.applicant)
    response = client.post(url("report-edit", drafted.pk), data)
    assert response.status_code == 400
    assert says(response, "Please correct the errors below. Nothing was saved.")
    assert message is None or says(response, message)
    assert response.context["results" if field == "achieved" else "spending"].errors[key]
    assert state_of(drafted) == before


def test_a_negative_number_of_beneficiaries_is_refused(client, grant, drafted):
    before = state_of(drafted)
    client.force_login(grant.applicant)
    response = client.post(
        url("report-edit", drafted.pk), form_data(grant, beneficiaries_reached="-1")
    )
    assert response.status_code == 400
    assert state_of(drafted) == before


@pytest.mark.parametrize("prefix", ["amount", "achieved", "spending_comment", "result_comment"])
def test_rows_of_another_agreement_are_refused_and_nothing_changes(client, grant, drafted, prefix):
    # A line and an indicator that exist, but belong to another agreement.
    other = running_agreement()
    foreign = (
        other.agreement.budget_lines.first()
        if prefix in {"amount", "spending_comment"}
        else other.agreement.indicators.first()
    )
    before, other_before = state_of(drafted), state_of(other.reports[0])
    data = form_data(grant, activities="Башка текст.")
    data[f"{prefix}_{foreign.pk}"] = "1"
    client.force_login(grant.applicant)
    assert not_found(client.post(url("report-edit", drafted.pk), data))
    assert state_of(drafted) == before
    assert state_of(other.reports[0]) == other_before


def test_a_submitted_report_cannot_be_edited(client, grant, submitted):
    before = state_of(submitted)
    client.force_login(grant.applicant)
    response = client.get(url("report-edit", submitted.pk))
    assert response.status_code == 302
    assert response["Location"] == url("report", submitted.pk)
    assert told(response, NOT_EDITABLE)
    # Submitted meanwhile (another tab): what was typed comes back with 409, nothing saved.
    response = client.post(url("report-edit", submitted.pk), form_data(grant, activities="Жаңы."))
    assert response.status_code == 409
    assert "Жаңы." in text(response)
    assert says(response, NOT_EDITABLE)
    assert state_of(submitted) == before


def test_a_report_is_not_written_before_the_agreement_is_signed(client, db):
    grant = drafted_agreement()
    report = grant.reports[0]
    before = state_of(report)
    client.force_login(grant.applicant)
    response = client.get(url("report-edit", report.pk))
    assert response.status_code == 302
    assert response["Location"] == url("report", report.pk)
    assert told(response, "Reports are written while the grant is being implemented.")
    response = client.post(url("report-submit", report.pk))
    assert response.status_code == 400
    assert says(response, "Reports are written while the grant is being implemented.")
    assert state_of(report) == before


def test_the_officer_may_not_write_the_report(client, grant, drafted):
    before = state_of(drafted)
    client.force_login(grant.officer)
    assert denied(client.get(url("report-edit", drafted.pk)))
    assert denied(client.post(url("report-edit", drafted.pk), form_data(grant, activities="X")))
    assert state_of(drafted) == before


@pytest.mark.parametrize("who", ["outsider", "other_member", "other_officer"])
def test_nobody_else_writes_the_report(request, client, grant, drafted, who):
    before = state_of(drafted)
    client.force_login(request.getfixturevalue(who))
    assert not_found(client.get(url("report-edit", drafted.pk)))
    assert not_found(client.post(url("report-edit", drafted.pk), form_data(grant, activities="X")))
    assert state_of(drafted) == before


def test_the_edit_page_needs_a_signed_in_user_and_get_or_post(client, grant, report):
    assert sends_to_login(client.get(url("report-edit", report.pk)))
    assert sends_to_login(client.post(url("report-edit", report.pk), form_data(grant)))
    assert not report.spending.exists()
    client.force_login(grant.applicant)
    assert client.put(url("report-edit", report.pk)).status_code == 405


# Submitting


def test_the_organisation_submits_a_complete_report(client, grant, drafted):
    client.force_login(grant.applicant)
    response = client.post(url("report-submit", drafted.pk))
    assert response.status_code == 302
    assert response["Location"] == url("report", drafted.pk)
    assert told(response, "The report is submitted. The customer's officers will review it.")
    drafted.refresh_from_db()
    assert drafted.status == "submitted"
    assert ImplementationEvent.objects.filter(report=drafted, action="report_submitted").exists()


def test_an_incomplete_report_is_not_submitted(client, grant, report):
    before = state_of(report)
    client.force_login(grant.applicant)
    response = client.post(url("report-submit", report.pk))
    assert response.status_code == 400
    assert says(response, "Describe the activities carried out.")
    assert state_of(report) == before


def test_a_submitted_report_is_not_submitted_again(client, grant, submitted):
    before = state_of(submitted)
    client.force_login(grant.applicant)
    response = client.post(url("report-submit", submitted.pk))
    assert response.status_code == 400
    assert says(response, NOT_EDITABLE)
    assert state_of(submitted) == before


def test_only_the_organisation_submits(request, client, grant, drafted):
    before = state_of(drafted)
    assert sends_to_login(client.post(url("report-submit", drafted.pk)))
    client.force_login(grant.officer)
    assert denied(client.post(url("report-submit", drafted.pk)))
    for who in ("outsider", "other_member", "other_officer"):
        client.force_login(request.getfixturevalue(who))
        assert not_found(client.post(url("report-submit", drafted.pk)))
    client.force_login(grant.applicant)
    assert client.get(url("report-submit", drafted.pk)).status_code == 405
    assert state_of(drafted) == before


# Documents


def test_the_organisation_attaches_a_pdf(client, grant, report):
    client.force_login(grant.applicant)
    page = client.get(url("report-attachments", report.pk))
    assert page.status_code == 200
    assert says(page, "No documents attached.")
    response = client.post(url("report-attachments", report.pk), {"file": pdf_upload("акт.pdf")})
    assert response.status_code == 302
    assert response["Location"] == url("report-attachments", report.pk)
    assert told(response, "The document is attached to the report.")
    attachment = ReportAttachment.objects.get(report=report)
    assert (attachment.original_name, attachment.file_type) == ("акт.pdf", "pdf")
    page = client.get(url("report-attachments", report.pk))
    assert "акт.pdf" in text(page)
    assert url("report-attachment-remove", report.pk, attachment.pk) in text(page)


def test_a_file_that_is_not_a_document_is_refused(client, grant, drafted):
    before = state_of(drafted)
    client.force_login(grant.applicant)
    response = client.post(url("report-attachments", drafted.pk), {"file": text_file("чек.pdf")})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert state_of(drafted) == before


def test_an_upload_without_a_file_is_refused(client, grant, drafted):
    client.force_login(grant.applicant)
    response = client.post(url("report-attachments", drafted.pk), {})
    assert response.status_code == 400
    assert says(response, "This field is required.")
    assert not ReportAttachment.objects.exists()


def test_a_submitted_report_takes_no_more_documents(client, grant, submitted):
    before = state_of(submitted)
    client.force_login(grant.applicant)
    page = client.get(url("report-attachments", submitted.pk))
    assert page.status_code == 200
    assert 'type="file"' not in text(page)
    response = client.post(url("report-attachments", submitted.pk), {"file": pdf_upload()})
    assert response.status_code == 400
    assert says(response, NOT_EDITABLE)
    assert state_of(submitted) == before


def submitted_now(report: Report) -> None:
    """Marked submitted (as data): officers read a report's content once it is submitted."""
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.SUBMITTED, submitted_at=timezone.now()
    )


def test_the_officer_lists_the_documents_but_does_not_upload(client, grant, attached):
    report = attached.report
    client.force_login(grant.officer)
    # A draft's documents are the organisation's working copy.
    assert not_found(client.get(url("report-attachments", report.pk)))
    assert not_found(client.get(url("report-attachment", report.pk, attached.pk)))
    submitted_now(report)
    page = client.get(url("report-attachments", report.pk))
    assert page.status_code == 200
    assert "чек.pdf" in text(page)
    assert 'type="file"' not in text(page)
    assert url("report-attachment-remove", report.pk, attached.pk) not in text(page)
    assert denied(client.post(url("report-attachments", report.pk), {"file": pdf_upload()}))
    assert ReportAttachment.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "other_member", "other_officer"])
def test_nobody_else_sees_or_adds_documents(request, client, drafted, who):
    client.force_login(request.getfixturevalue(who))
    assert not_found(client.get(url("report-attachments", drafted.pk)))
    assert not_found(client.post(url("report-attachments", drafted.pk), {"file": pdf_upload()}))
    assert not ReportAttachment.objects.exists()


def test_the_documents_page_needs_a_signed_in_user_and_get_or_post(client, grant, report):
    assert sends_to_login(client.get(url("report-attachments", report.pk)))
    assert sends_to_login(client.post(url("report-attachments", report.pk), {"file": pdf_upload()}))
    client.force_login(grant.applicant)
    assert client.put(url("report-attachments", report.pk)).status_code == 405
    assert not ReportAttachment.objects.exists()


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_the_organisation_and_the_officer_download_a_document(client, grant, attached, who):
    submitted_now(attached.report)
    client.force_login(getattr(grant, who))
    response = client.get(url("report-attachment", attached.report_id, attached.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_is_downloaded_only_through_its_own_report(client, grant, attached):
    other_report = grant.agreement.reports.get(number=2)
    client.force_login(grant.applicant)
    assert client.get(url("report-attachment", other_report.pk, attached.pk)).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "other_member", "other_officer"])
def test_nobody_else_downloads_a_document(request, client, attached, who):
    client.force_login(request.getfixturevalue(who))
    assert not_found(client.get(url("report-attachment", attached.report_id, attached.pk)))


def test_the_download_needs_a_signed_in_user_and_get(client, grant, attached):
    address = url("report-attachment", attached.report_id, attached.pk)
    assert sends_to_login(client.get(address))
    client.force_login(grant.applicant)
    assert client.post(address).status_code == 405


def test_the_organisation_removes_a_document(client, grant, attached):
    client.force_login(grant.applicant)
    response = client.post(url("report-attachment-remove", attached.report_id, attached.pk))
    assert response.status_code == 302
    assert response["Location"] == url("report-attachments", attached.report_id)
    assert told(response, "The document is removed from the report.")
    assert not ReportAttachment.objects.exists()


def test_a_document_of_a_submitted_report_stays(client, grant, attached):
    report = implementation.submit_report(user=grant.applicant, report=attached.report)
    client.force_login(grant.applicant)
    response = client.post(url("report-attachment-remove", report.pk, attached.pk))
    assert response.status_code == 400
    assert says(response, NOT_EDITABLE)
    assert ReportAttachment.objects.filter(pk=attached.pk).exists()


def test_only_the_organisation_removes_a_document(request, client, grant, attached):
    address = url("report-attachment-remove", attached.report_id, attached.pk)
    assert sends_to_login(client.post(address))
    client.force_login(grant.officer)
    assert denied(client.post(address))
    for who in ("outsider", "other_member", "other_officer"):
        client.force_login(request.getfixturevalue(who))
        assert not_found(client.post(address))
    client.force_login(grant.applicant)
    assert client.get(address).status_code == 405
    missing = url("report-attachment-remove", attached.report_id, 999999)
    assert client.post(missing).status_code == 404
    assert ReportAttachment.objects.filter(pk=attached.pk).exists()


# The officer's review


def test_the_officer_accepts_a_report_and_the_second_tranche_becomes_payable(
    client, grant, submitted
):
    assert not grant.tranches[1].is_payable
    client.force_login(grant.officer)
    response = client.post(url("report-review", submitted.pk), {"decision": "accept"})
    assert response.status_code == 302
    assert response["Location"] == url("report", submitted.pk)
    assert told(response, "The report is accepted; the organisation is told.")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewed_by) == ("accepted", grant.officer)
    assert grant.tranches[1].is_payable


def test_the_officer_returns_a_report_with_a_comment(client, grant, submitted):
    client.force_login(grant.officer)
    response = client.post(
        url("report-review", submitted.pk),
        {"decision": "return", "comment": "Чектерди тиркеңиз."},
    )
    assert response.status_code == 302
    assert told(response, "The report is returned with your comment; the organisation is told.")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.review_comment) == ("returned", "Чектерди тиркеңиз.")
    client.force_login(grant.applicant)
    page = client.get(url("report", submitted.pk))
    assert "Чектерди тиркеңиз." in text(page)
    assert says(page, "The officer's comment")
    assert url("report-edit", submitted.pk) in text(page)


@pytest.mark.parametrize("comment", ["", "   "])
def test_returning_without_a_comment_is_refused(client, grant, submitted, comment):
    before = state_of(submitted)
    client.force_login(grant.officer)
    response = client.post(
        url("report-review", submitted.pk), {"decision": "return", "comment": comment}
    )
    assert response.status_code == 400
    assert says(response, NO_COMMENT)
    assert state_of(submitted) == before


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}])
def test_a_review_without_a_decision_is_refused(client, grant, submitted, data):
    before = state_of(submitted)
    client.force_login(grant.officer)
    response = client.post(url("report-review", submitted.pk), data)
    assert response.status_code == 400
    assert state_of(submitted) == before


def test_a_report_not_submitted_is_not_reviewed(client, grant, drafted):
    before = state_of(drafted)
    client.force_login(grant.officer)
    response = client.post(url("report-review", drafted.pk), {"decision": "accept"})
    assert response.status_code == 400
    assert says(
        response, "Only a submitted report is accepted or returned; this one is %(status)s."
    )
    assert state_of(drafted) == before


def test_only_the_customers_officer_reviews(request, client, grant, submitted):
    before = state_of(submitted)
    address = url("report-review", submitted.pk)
    assert sends_to_login(client.post(address, {"decision": "accept"}))
    client.force_login(grant.applicant)
    assert denied(client.post(address, {"decision": "accept"}))
    for who in ("outsider", "other_member", "other_officer"):
        client.force_login(request.getfixturevalue(who))
        assert not_found(client.post(address, {"decision": "accept"}))
    client.force_login(grant.officer)
    assert client.get(address).status_code == 405
    assert state_of(submitted) == before


# The whole flow


def test_draft_submit_return_resubmit_accept_and_the_tranche_is_payable(client, grant, report):
    address = url("report", report.pk)
    client.force_login(grant.applicant)
    # A first draft: activities only.
    data = form_data(grant, beneficiaries_reached="")
    assert client.post(url("report-edit", report.pk), data).status_code == 302
    assert client.post(url("report-submit", report.pk)).status_code == 400
    # Completed and submitted.
    assert client.post(url("report-edit", report.pk), form_data(grant)).status_code == 302
    assert client.post(url("report-submit", report.pk)).status_code == 302
    # The officer returns it.
    client.force_login(grant.officer)
    response = client.post(
        url("report-review", report.pk), {"decision": "return", "comment": "Толугураак жазыңыз."}
    )
    assert response.status_code == 302
    # The organisation reads the comment, edits and submits again in one step.
    client.force_login(grant.applicant)
    page = client.get(address)
    assert "Толугураак жазыңыз." in text(page)
    response = client.post(
        url("report-edit", report.pk),
        form_data(grant, activities="Толук отчёт.", submit=True),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.activities) == ("submitted", "Толук отчёт.")
    assert not grant.tranches[1].is_payable
    # The officer accepts it: the second tranche can be paid.
    client.force_login(grant.officer)
    assert client.post(url("report-review", report.pk), {"decision": "accept"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"
    assert grant.tranches[1].is_payable
    page = client.get(address)
    assert [e.action for e in page.context["events"]] == [
        "report_submitted",
        "report_returned",
        "report_submitted",
        "report_accepted",
    ]
    assert says(page, "can be paid")
    # Accepted: the organisation can no longer change it.
    client.force_login(grant.applicant)
    assert client.get(url("report-edit", report.pk)).status_code == 302
    assert url("report-edit", report.pk) not in text(client.get(address))


# Queries


def _report_page_queries(client, grant, report, user) -> int:
    client.force_login(user)
    client.get(url("report", report.pk))  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("report", report.pk))
    assert response.status_code == 200
    return len(queries)


def _add_rows(grant, report, n: int) -> None:
    """``n`` more budget lines and indicators, each answered in the report."""
    category = grant.agreement.budget_lines.first().category
    for index in range(n):
        line = GrantBudgetLine.objects.create(
            agreement=grant.agreement,
            category=category,
            description=f"Кошумча сап {index}",
            planned=Decimal("10"),
            order=100 + index,
        )
        indicator = GrantIndicator.objects.create(
            agreement=grant.agreement,
            indicator=f"Көрсөткүч {index}",
            baseline="0",
            target="5",
            order=100 + index,
        )
        ReportSpending.objects.create(report=report, line=line, amount=Decimal("1"))
        ReportResult.objects.create(report=report, indicator=indicator, achieved="3")
    implementation.add_report_attachment(
        user=grant.applicant, report=report, uploaded=pdf_upload(f"{n}.pdf")
    )


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_the_report_page_keeps_a_constant_query_count(client, grant, drafted, who):
    user = getattr(grant, who)
    _add_rows(grant, drafted, 1)
    few = _report_page_queries(client, grant, drafted, user)
    _add_rows(grant, drafted, 5)
    assert _report_page_queries(client, grant, drafted, user) == few
