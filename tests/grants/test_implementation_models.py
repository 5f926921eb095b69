"""The properties of the implementation models and the arithmetic of grants/implementation.py,
on rows built in memory (no database)."""

import datetime
from decimal import Decimal

import pytest

from grants import implementation
from grants.models import (
    AgreementDocument,
    Application,
    GrantAgreement,
    GrantBudgetLine,
    Report,
    Tranche,
)

Status = GrantAgreement.Status
RUNNING = {Status.SIGNED, Status.IN_IMPLEMENTATION}
# Tranches wait for their condition from signature on; after completion the last one,
# released by the final report, is still paid.
CONDITIONS_HOLD = {Status.SIGNED, Status.IN_IMPLEMENTATION, Status.COMPLETED}


def agreement(status=Status.DRAFT) -> GrantAgreement:
    return GrantAgreement(status=status, number="SSO-2026-0001-G001", amount=Decimal("1000"))


def on_signature(status, *, paid_on=None) -> Tranche:
    return Tranche(
        agreement=agreement(status),
        number=1,
        amount=Decimal("500"),
        condition=Tranche.Condition.SIGNATURE,
        paid_on=paid_on,
    )


def on_report(status, report_status, *, paid_on=None) -> Tranche:
    grant = agreement(status)
    report = Report(agreement=grant, number=1, kind=Report.Kind.INTERIM, status=report_status)
    return Tranche(
        agreement=grant,
        number=2,
        amount=Decimal("500"),
        condition=Tranche.Condition.REPORT,
        condition_report=report,
        paid_on=paid_on,
    )


@pytest.mark.parametrize("status", list(Status))
def test_a_signature_tranche_is_payable_once_signed_until_the_grant_ends_early(status):
    tranche = on_signature(status)
    assert tranche.condition_met is (status in CONDITIONS_HOLD)
    assert tranche.is_payable is (status in CONDITIONS_HOLD)
    assert not tranche.is_paid


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("report_status", list(Report.Status))
def test_a_report_tranche_waits_for_the_reports_acceptance(status, report_status):
    tranche = on_report(status, report_status)
    met = status in CONDITIONS_HOLD and report_status == Report.Status.ACCEPTED
    assert tranche.condition_met is met
    assert tranche.is_payable is met


def test_a_paid_tranche_is_no_longer_payable():
    paid = on_signature(Status.IN_IMPLEMENTATION, paid_on=datetime.date(2026, 5, 1))
    assert paid.is_paid
    assert paid.condition_met
    assert not paid.is_payable
    paid = on_report(Status.COMPLETED, Report.Status.ACCEPTED, paid_on=datetime.date(2026, 5, 1))
    assert paid.condition_met
    assert not paid.is_payable


@pytest.mark.parametrize("status", list(Report.Status))
def test_a_report_is_editable_before_submission_and_when_returned(status):
    report = Report(status=status)
    assert report.is_editable is (status in {Report.Status.DUE, Report.Status.RETURNED})


@pytest.mark.parametrize("status", list(Status))
def test_an_agreement_runs_from_signature_until_it_ends(status):
    assert agreement(status).is_running is (status in RUNNING)
    assert agreement(status).is_editable is (status == Status.DRAFT)


def test_every_status_has_its_transitions_and_the_ends_are_final():
    assert set(GrantAgreement.TRANSITIONS) == set(Status)
    assert GrantAgreement.TRANSITIONS[Status.COMPLETED] == set()
    assert GrantAgreement.TRANSITIONS[Status.TERMINATED] == set()
    # Termination only of a running grant; completion only in implementation.
    assert {s for s, to in GrantAgreement.TRANSITIONS.items() if Status.TERMINATED in to} == (
        RUNNING
    )
    assert {s for s, to in GrantAgreement.TRANSITIONS.items() if Status.COMPLETED in to} == {
        Status.IN_IMPLEMENTATION
    }
    assert set(GrantAgreement.PUBLIC) == set(Status) - {Status.DRAFT, Status.PREPARED}


def test_the_document_file_name_names_the_edition_and_language():
    document = AgreementDocument(agreement=agreement(), language="ru", edition=2)
    assert document.filename == "SSO-2026-0001-G001-2-ru.pdf"


def test_the_agreement_number_follows_the_application_reference():
    assert (
        implementation.agreement_number(Application(reference="SSO-2026-0001-A003"))
        == "SSO-2026-0001-G003"
    )
    # A competition reference with an "-A" of its own keeps it.
    assert (
        implementation.agreement_number(Application(reference="SSO-A-2026-A012"))
        == "SSO-A-2026-G012"
    )


@pytest.mark.parametrize(
    ("amounts", "total", "expected"),
    [
        (["50000", "30000", "40000"], "99999.99", ["41666.66", "24999.99", "33333.34"]),
        (["1", "1", "1"], "2", ["0.66", "0.66", "0.68"]),
        (["100", "200"], "300", ["100", "200"]),  # the award is the request: unchanged
        ([], "100", []),
    ],
)
def test_lines_are_scaled_to_the_award_to_the_cent(amounts, total, expected):
    scaled = implementation._scaled([Decimal(a) for a in amounts], Decimal(total))
    assert scaled == [Decimal(e) for e in expected]
    if amounts:
        assert sum(scaled) == Decimal(total)


@pytest.mark.parametrize(
    ("percent", "planned", "limit"),
    [(10, "60000.00", "66000.00"), (0, "60000.00", "60000.00"), (15, "333.33", "383.33")],
)
def test_the_variance_limit_of_a_line(settings, percent, planned, limit):
    settings.REPORT_LINE_VARIANCE_PERCENT = percent
    line = GrantBudgetLine(planned=Decimal(planned))
    assert implementation.variance_limit(line) == Decimal(limit)


def test_the_default_schedule_splits_the_grant_at_the_midpoint():
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)
    reports, tranches = implementation.default_schedule(start, end, Decimal("120000.01"))
    assert [(r["kind"], r["period_end"], r["due_date"]) for r in reports] == [
        (Report.Kind.INTERIM, datetime.date(2026, 4, 1), datetime.date(2026, 4, 16)),
        (Report.Kind.FINAL, end, datetime.date(2026, 7, 15)),
    ]
    assert [(t["amount"], t["condition"], t["report_number"]) for t in tranches] == [
        (Decimal("60000.00"), Tranche.Condition.SIGNATURE, None),
        (Decimal("60000.01"), Tranche.Condition.REPORT, 1),
    ]
    assert tranches[0]["due_date"] == start
    assert tranches[1]["due_date"] == datetime.date(2026, 5, 1)
