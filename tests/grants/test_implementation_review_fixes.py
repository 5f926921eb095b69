"""Regression tests of the review of the implementation: each names the scenario it fixes."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone, translation

from accounts.models import ReminderLog
from accounts.reminders import send_reminders
from grants import implementation, queries
from grants.models import GrantAgreement, ImplementationEvent, Report, ReportSpending, Tranche
from grants.services import ServiceError

from .helpers import url
from .implementation import (
    PDF_BYTES,
    pdf_upload,
    report_content,
    running_agreement,
    signed_agreement,
    submitted_report,
)

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def day(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def tranche_reminders(on: datetime.date) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return send_reminders(on, codes={"tranche_due"})["tranche_due"]


def test_a_tranche_due_before_a_late_signature_is_reminded_on_the_day_of_signature():
    grant = signed_agreement()
    first = grant.tranches[0]
    # Drafted nine days before it was signed: the tranche was due on the start date.
    Tranche.objects.filter(pk=first.pk).update(due_date=day(-9))
    GrantAgreement.objects.filter(pk=grant.agreement.pk).update(signed_on=today())
    assert tranche_reminders(today()) == 1
    assert tranche_reminders(day(7)) == 1


def test_a_tranche_behind_an_unpaid_one_is_neither_reminded_nor_listed_as_payable():
    grant = signed_agreement()
    first, second = grant.tranches
    # The second tranche's report accepted out of turn (as data): still not payable.
    Report.objects.filter(pk=second.condition_report_id).update(status=Report.Status.ACCEPTED)
    Tranche.objects.filter(agreement=grant.agreement).update(due_date=today())
    assert tranche_reminders(today()) == 1
    assert list(ReminderLog.objects.values_list("object_id", flat=True)) == [first.pk]
    bodies = queries.state_bodies_of(grant.officer)
    payable = queries.officer_worklist(bodies, today())["payable_tranches"]
    assert [t.pk for t in payable] == [first.pk]


def test_a_report_is_not_reviewed_after_termination():
    grant = running_agreement()
    report = submitted_report(grant, 1)
    implementation.terminate_agreement(
        user=grant.officer, agreement=grant.agreement, reason="Иш токтотулду.", amount_to_return=0
    )
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        implementation.review_report(user=grant.officer, report=report, accept=True, comment="")
    assert "no longer reviewed" in " ".join(refused.value.messages)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_a_visit_cannot_be_dated_before_the_signature():
    grant = signed_agreement()
    before = grant.agreement.signed_on - datetime.timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        implementation.record_visit(
            user=grant.officer,
            agreement=grant.agreement,
            data={
                "visited_on": before,
                "visitors": "Асанова Гүлнара",
                "findings": "Текшерилди.",
                "rating": "good",
                "shared_with_organization": True,
            },
        )
    assert "visited_on" in refused.value.message_dict
    assert not grant.agreement.visits.exists()


def test_a_draft_of_another_report_does_not_count_against_a_line():
    grant = running_agreement()
    line = grant.agreement.budget_lines.get()
    first, final = grant.reports
    # The final report's draft already holds the whole line...
    ReportSpending.objects.create(report=final, line=line, amount=line.planned)
    # ...yet the interim report may report the line: the draft has not been submitted.
    content = report_content(grant, spent=[line.planned / 2])
    implementation.save_report(user=grant.applicant, report=first, **content)
    assert first.spending.get().amount == line.planned / 2


def test_officers_read_a_report_once_it_is_submitted(client):
    grant = running_agreement()
    report = grant.reports[0]
    implementation.save_report(user=grant.applicant, report=report, **report_content(grant))
    implementation.add_report_attachment(
        user=grant.applicant, report=report, uploaded=pdf_upload("чек.pdf")
    )
    attachment = report.attachments.get()
    client.force_login(grant.officer)
    page = client.get(url("report", report.pk))
    assert page.status_code == 200
    assert "Тренингдер өткөрүлдү." not in page.content.decode()
    assert client.get(url("report-attachments", report.pk)).status_code == 404
    assert client.get(url("report-attachment", report.pk, attachment.pk)).status_code == 404

    implementation.submit_report(user=grant.applicant, report=report)
    assert "Тренингдер өткөрүлдү." in client.get(url("report", report.pk)).content.decode()
    download = client.get(url("report-attachment", report.pk, attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_the_organisation_does_not_learn_of_visits_not_addressed_to_it(client):
    grant = signed_agreement()
    implementation.record_visit(
        user=grant.officer,
        agreement=grant.agreement,
        data={
            "visited_on": today(),
            "visitors": "Ички текшерүү",
            "findings": "Ички эскертүү.",
            "rating": "concerns",
            "shared_with_organization": False,
        },
    )
    assert grant.agreement.events.filter(action=ImplementationEvent.Action.VISIT).exists()
    client.force_login(grant.applicant)
    page = client.get(url("agreement", grant.agreement.pk))
    assert page.status_code == 200
    events = page.context["events"]
    assert all(event.action != ImplementationEvent.Action.VISIT for event in events)
    assert "Ички эскертүү." not in page.content.decode()


def test_a_visit_file_is_served_with_its_checked_type(client):
    grant = signed_agreement()
    visit = implementation.record_visit(
        user=grant.officer,
        agreement=grant.agreement,
        data={
            "visited_on": today(),
            "visitors": "Асанова Гүлнара",
            "findings": "Текшерилди.",
            "rating": "good",
            "shared_with_organization": True,
        },
        files=[pdf_upload("photo.html")],
    )
    stored = visit.files.get()
    client.force_login(grant.applicant)
    response = client.get(url("visit-file", visit.pk, stored.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_row_id_too_long_for_a_number_is_not_a_server_error(client):
    grant = running_agreement()
    report = grant.reports[0]
    client.force_login(grant.applicant)
    response = client.post(
        url("report-edit", report.pk),
        {"activities": "x", "beneficiaries_reached": "1", "amount_" + "9" * 5000: "1"},
    )
    assert response.status_code < 500
    report.refresh_from_db()
    assert report.activities == ""


def test_a_dropped_connection_is_reopened_once_and_does_not_fail_the_batch(db):
    from unittest import mock

    from accounts.models import OutboundEmail
    from socialorder import emails

    rows = [
        OutboundEmail.objects.create(
            to=f"r{n}@example.org", language="ky", template="t", subject="s", body_text="b"
        )
        for n in range(3)
    ]
    send = mail.EmailMultiAlternatives.send
    calls = []

    def drop_once(message, *args, **kwargs):
        calls.append(message.to[0])
        if len(calls) == 2:
            raise ConnectionResetError("connection reset by peer")
        return send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", drop_once):
        assert emails.deliver_emails([row.pk for row in rows]) == 3
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(OutboundEmail.objects.values_list("attempts", flat=True)) == [1, 1, 1]
