"""The implementation services (grants/implementation.py): the agreement and its schedule,
its preparation and signature, tranches, reports, attachments, monitoring visits,
termination and the return of funds. Every guard of every service, and that a refusal
changes nothing."""

import datetime
import hashlib
import io
import threading
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.utils import timezone, translation

from accounts.models import OutboundEmail
from competitions.models import Competition
from grants import evaluation, implementation, permissions, services
from grants.models import (
    AgreementDocument,
    Application,
    GrantAgreement,
    ImplementationEvent,
    MonitoringVisit,
    Report,
    ReportAttachment,
    ReportResult,
    ReportSpending,
    ResultIndicator,
    Tranche,
    VisitFile,
)
from grants.services import ServiceError
from grants.tasks import render_agreement_task
from tests.factories import MembershipFactory, OfficerFactory, UserFactory

from . import evaluation as ev
from .factories import (
    ApplicationFactory,
    BudgetLineFactory,
    ResultIndicatorFactory,
    budget_category,
    open_competition,
)
from .helpers import close
from .implementation import (
    BANK,
    PDF_BYTES,
    Grant,
    accepted_report,
    days,
    drafted_agreement,
    pdf_upload,
    report_content,
    submitted_report,
)

pytestmark = pytest.mark.django_db

# One application of 120 000 som, awarded in full: the cheapest decided competition.
SMALL = {"requested": (120000,), "points": ([10, 5],)}
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 40
TEXT_BYTES = b"Not a PDF at all, whatever the name says."
STAFF_LINE = "Социалдык кызматкердин эмгек акысы"
MATERIALS_LINE = "Материалдар"


def refusal(service, **kwargs) -> ServiceError:
    """The ServiceError ``service(**kwargs)`` raises, its messages in English."""
    with translation.override("en"), pytest.raises(ServiceError) as error:
        service(**kwargs)
    return error.value


def messages(error: ServiceError) -> list[str]:
    return list(error.messages)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def events(grant: Grant, action=None) -> list[ImplementationEvent]:
    queryset = ImplementationEvent.objects.filter(agreement=grant.agreement)
    if action:
        queryset = queryset.filter(action=action)
    return list(queryset.order_by("pk"))


def emails(template: str) -> set[tuple[str, str]]:
    return set(
        OutboundEmail.objects.filter(template=f"emails/grants/{template}").values_list(
            "to", "language"
        )
    )


def schedule_rows(grant: Grant) -> tuple[list, list]:
    """Every column of the agreement's reports and tranches, to compare before and after."""
    agreement = grant.agreement
    return (
        list(agreement.reports.order_by("pk").values()),
        list(agreement.tranches.order_by("pk").values()),
    )


def grant_row(grant: Grant) -> dict:
    return GrantAgreement.objects.filter(pk=grant.agreement.pk).values().get()


# Building grants quickly


def awarded_flow(
    *,
    lines=("60000.00", "60000.00"),
    start: datetime.date | None = None,
    length_days: int = 120,
    reduce_to=None,
) -> ev.Flow:
    """A decided competition whose one application asks for ``lines`` (one budget line per
    amount: staff, then materials, then other) and, with ``start``, runs from ``start`` for
    ``length_days``; with ``reduce_to`` the officer awards that amount instead."""
    competition = open_competition()
    Competition.objects.filter(pk=competition.pk).update(total_budget=Decimal("200000"))
    ev.criteria(competition)
    officer = ev.officer_of(competition)
    members = ev.commission(competition, 3)
    owner = MembershipFactory(role="owner").user
    application = ApplicationFactory(
        competition=competition,
        organization=owner.organization_memberships.get().organization,
        created_by=owner,
        complete=True,
    )
    application.budget_lines.all().delete()
    slugs = ("staff", "materials", "other")
    for order, amount in enumerate(lines):
        amount = Decimal(amount)
        BudgetLineFactory(
            application=application,
            category=budget_category(slugs[order]),
            description=(STAFF_LINE, MATERIALS_LINE, "Башка чыгымдар")[order],
            quantity=Decimal(1),
            unit_cost=amount * 5 / 4,
            requested=amount,
            own_contribution=amount / 4,
            order=order,
        )
    if start is not None:
        end = start + datetime.timedelta(days=length_days)
        Application.objects.filter(pk=application.pk).update(start_date=start, end_date=end)
        application.activities.update(start=start, end=start + datetime.timedelta(days=20))
        application.refresh_from_db()
    services.recompute_totals(application)
    services.submit_application(user=owner, application=application)
    close(competition)
    ev.admit([application], officer=officer)
    flow = ev.Flow(competition, officer, members, [application]).refresh()
    evaluation.auto_assign(user=officer, competition=flow.competition)
    for review in flow.reviews():
        ev.score(review, [10, 5])
    if reduce_to is not None:
        evaluation.reduce_amount(
            user=officer,
            application=flow.applications[0],
            amount=Decimal(reduce_to),
            reason="Бюджет жетишсиз.",
        )
    ev.meet(flow)
    return ev.approve(flow)


def draft(flow: ev.Flow, application: Application | None = None) -> Grant:
    """The officer drafts the agreement of the (first) awarded application; bank details set."""
    application = application or next(a for a in flow.applications if a.status == "awarded")
    agreement = implementation.draft_agreement(user=flow.officer, application=application)
    GrantAgreement.objects.filter(pk=agreement.pk).update(**BANK)
    return Grant(agreement, flow.officer, ev.applicant_of(application)).refresh()


def prepared(grant: Grant) -> Grant:
    """Prepared for signing, its PDFs marked ready without rendering them (fast)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        implementation.prepare_agreement(user=grant.officer, agreement=grant.agreement)
    AgreementDocument.objects.filter(agreement=grant.agreement).update(
        status=AgreementDocument.Status.DONE
    )
    return grant.refresh()


def signed(grant: Grant, signed_on: datetime.date | None = None) -> Grant:
    prepared(grant)
    implementation.mark_signed(
        user=grant.officer,
        agreement=grant.agreement,
        signed_on=signed_on or timezone.localdate(),
        scan=pdf_upload(),
    )
    return grant.refresh()


def pay(grant: Grant, number: int = 1, *, paid_on=None, reference: str = "ПП-0001") -> Tranche:
    tranche = grant.agreement.tranches.get(number=number)
    return implementation.pay_tranche(
        user=grant.officer,
        tranche=tranche,
        paid_on=paid_on or timezone.localdate(),
        reference=reference,
    )


def running(grant: Grant) -> Grant:
    """Signed and the first tranche paid."""
    signed(grant)
    pay(grant)
    return grant.refresh()


def small_draft() -> Grant:
    return drafted_agreement(**SMALL)


def small_signed() -> Grant:
    return signed(small_draft())


def small_running() -> Grant:
    return running(small_draft())


def two_lines_running() -> Grant:
    """Running; two agreed lines of 60 000 som (the staff line first)."""
    return running(draft(awarded_flow()))


# draft_agreement


def test_only_the_customers_officer_drafts_the_agreement():
    flow = ev.decided_competition(**SMALL)
    application = flow.applications[0]
    for user in (ev.applicant_of(application), UserFactory(), OfficerFactory().user):
        with pytest.raises(PermissionDenied):
            implementation.draft_agreement(user=user, application=application)
    assert not GrantAgreement.objects.exists()


def test_only_an_awarded_application_gets_an_agreement():
    flow = ev.decided_competition(requested=(120000, 90000), points=([10, 5], [8, 4]))
    reserve = flow.applications[1]
    assert reserve.status == Application.Status.RESERVE
    error = refusal(implementation.draft_agreement, user=flow.officer, application=reserve)
    assert messages(error) == ["Only an application awarded a grant gets an agreement."]
    assert not GrantAgreement.objects.exists()


def test_an_application_gets_one_agreement():
    grant = small_draft()
    application = grant.agreement.application
    error = refusal(implementation.draft_agreement, user=grant.officer, application=application)
    assert messages(error) == ["This application already has an agreement."]
    assert GrantAgreement.objects.count() == 1


def test_the_draft_takes_the_award_and_the_default_schedule():
    grant = small_draft()
    agreement = grant.agreement
    application = agreement.application
    assert agreement.status == GrantAgreement.Status.DRAFT
    assert agreement.number == application.reference.replace("-A", "-G")
    assert agreement.number == implementation.agreement_number(application)
    assert agreement.amount == application.outcome.amount == Decimal("120000.00")
    assert agreement.created_by == grant.officer
    # The project's dates passed while the competition was decided: it starts today and
    # keeps its length (factory project: 1 March to 31 August).
    project = application.current_version.snapshot["project"]
    length = datetime.date.fromisoformat(project["end_date"]) - datetime.date.fromisoformat(
        project["start_date"]
    )
    assert agreement.start_date == timezone.localdate()
    assert agreement.end_date - agreement.start_date == length
    interim, final = grant.reports
    assert (interim.number, interim.kind, final.number, final.kind) == (
        1,
        Report.Kind.INTERIM,
        2,
        Report.Kind.FINAL,
    )
    assert agreement.start_date < interim.period_end < final.period_end == agreement.end_date
    for report in (interim, final):
        assert report.due_date == report.period_end + datetime.timedelta(days=15)
        assert report.status == Report.Status.DUE
    first, second = grant.tranches
    assert first.amount + second.amount == agreement.amount
    assert (first.condition, first.condition_report, first.due_date) == (
        Tranche.Condition.SIGNATURE,
        None,
        agreement.start_date,
    )
    assert (second.condition, second.condition_report) == (Tranche.Condition.REPORT, interim)
    assert [(e.action, e.by, e.to_status) for e in events(grant)] == [
        (ImplementationEvent.Action.CREATED, grant.officer, "")
    ]


def test_future_project_dates_are_kept():
    start = days(40)
    grant = draft(awarded_flow(start=start, length_days=120))
    assert (grant.agreement.start_date, grant.agreement.end_date) == (
        start,
        start + datetime.timedelta(days=120),
    )


def test_budget_lines_are_scaled_to_a_reduced_award_to_the_cent():
    flow = awarded_flow(lines=("50000.00", "30000.00", "40000.00"), reduce_to="99999.99")
    outcome = flow.applications[0].outcome
    assert outcome.amount == Decimal("99999.99")
    grant = draft(flow)
    lines = list(grant.agreement.budget_lines.order_by("order"))
    assert [(line.category.slug, line.planned) for line in lines] == [
        ("staff", Decimal("41666.66")),
        ("materials", Decimal("24999.99")),
        ("other", Decimal("33333.34")),
    ]
    assert sum(line.planned for line in lines) == grant.agreement.amount == Decimal("99999.99")
    assert sum(t.amount for t in grant.tranches) == Decimal("99999.99")


def test_the_agreement_copies_the_submitted_version_not_the_live_copy():
    flow = awarded_flow(lines=("70000.00", "50000.00"))
    application = flow.applications[0]
    submitted = application.current_version.snapshot
    # The organisation edits its live copy after the submission.
    ResultIndicator.objects.filter(application=application).update(
        indicator="Өзгөртүлгөн көрсөткүч", target="999"
    )
    ResultIndicatorFactory(application=application, indicator="Кошумча көрсөткүч")
    application.budget_lines.update(description="Өзгөртүлгөн сап", requested=Decimal("1"))
    grant = draft(flow)
    assert [
        (i.indicator, i.baseline, i.target) for i in grant.agreement.indicators.order_by("order")
    ] == [(r["indicator"], r["baseline"], r["target"]) for r in submitted["results"]]
    assert [
        (line.description, line.planned) for line in grant.agreement.budget_lines.order_by("order")
    ] == [(STAFF_LINE, Decimal("70000.00")), (MATERIALS_LINE, Decimal("50000.00"))]


def test_default_schedule_of_a_short_project_is_one_report_and_one_tranche():
    start = datetime.date(2026, 5, 1)
    reports, tranches = implementation.default_schedule(
        start, start + datetime.timedelta(days=1), Decimal("1000.01")
    )
    assert reports == [
        {
            "kind": Report.Kind.FINAL,
            "period_end": datetime.date(2026, 5, 2),
            "due_date": datetime.date(2026, 5, 17),
        }
    ]
    assert tranches == [
        {
            "amount": Decimal("1000.01"),
            "due_date": start,
            "condition": Tranche.Condition.SIGNATURE,
            "report_number": None,
        }
    ]
    reports, tranches = implementation.default_schedule(
        start, start + datetime.timedelta(days=2), Decimal("1000.01")
    )
    assert [r["kind"] for r in reports] == [Report.Kind.INTERIM, Report.Kind.FINAL]
    assert [t["amount"] for t in tranches] == [Decimal("500.00"), Decimal("500.01")]
    assert [t["report_number"] for t in tranches] == [None, 1]


# save_agreement and schedule_problems


def terms_of(grant: Grant, **changes) -> dict:
    agreement = grant.agreement
    terms = {name: getattr(agreement, name) for name in implementation.TERM_FIELDS}
    return {**terms, **changes}


def report_row(kind, period_end, due_date=None):
    return {
        "kind": kind,
        "period_end": period_end,
        "due_date": due_date or period_end + datetime.timedelta(days=10),
    }


def tranche_row(amount, condition=Tranche.Condition.SIGNATURE, report_number=None, due=None):
    return {
        "amount": Decimal(amount),
        "due_date": due or timezone.localdate(),
        "condition": condition,
        "report_number": report_number,
    }


def three_part_schedule(grant: Grant) -> tuple[list, list]:
    """Two interim reports and a final one; 40 000 on signature and after each interim."""
    start, end = grant.agreement.start_date, grant.agreement.end_date
    reports = [
        report_row(Report.Kind.INTERIM, start + datetime.timedelta(days=30)),
        report_row(Report.Kind.INTERIM, start + datetime.timedelta(days=90)),
        report_row(Report.Kind.FINAL, end),
    ]
    tranches = [
        tranche_row("40000"),
        tranche_row("40000", Tranche.Condition.REPORT, 1),
        tranche_row("40000", Tranche.Condition.REPORT, 2),
    ]
    return reports, tranches


def test_the_officer_saves_terms_and_schedule():
    grant = small_draft()
    reports, tranches = three_part_schedule(grant)
    end = grant.agreement.end_date - datetime.timedelta(days=10)
    reports[2]["period_end"] = end
    implementation.save_agreement(
        user=grant.officer,
        agreement=grant.agreement,
        terms=terms_of(grant, end_date=end, bank_name="КЫРГЫЗСТАН банкы"),
        reports=reports,
        tranches=tranches,
    )
    grant.refresh()
    assert (grant.agreement.end_date, grant.agreement.bank_name) == (end, "КЫРГЫЗСТАН банкы")
    assert [(r.number, r.kind, r.period_end) for r in grant.reports] == [
        (n, row["kind"], row["period_end"]) for n, row in enumerate(reports, start=1)
    ]
    assert [
        (t.number, t.amount, t.condition, t.condition_report and t.condition_report.number)
        for t in grant.tranches
    ] == [
        (1, Decimal("40000"), "signature", None),
        (2, Decimal("40000"), "report", 1),
        (3, Decimal("40000"), "report", 2),
    ]
    assert events(grant)[-1].action == ImplementationEvent.Action.EDITED


def test_reports_given_out_of_order_are_renumbered_and_tranches_follow():
    grant = small_draft()
    start, end = grant.agreement.start_date, grant.agreement.end_date
    reports = [
        report_row(Report.Kind.FINAL, end),
        report_row(Report.Kind.INTERIM, start + datetime.timedelta(days=90)),
        report_row(Report.Kind.INTERIM, start + datetime.timedelta(days=30)),
    ]
    tranches = [
        tranche_row("40000"),
        tranche_row("50000", Tranche.Condition.REPORT, 3),  # the 30-day interim
        tranche_row("30000", Tranche.Condition.REPORT, 1),  # the final report
    ]
    implementation.save_agreement(
        user=grant.officer,
        agreement=grant.agreement,
        terms=terms_of(grant),
        reports=reports,
        tranches=tranches,
    )
    grant.refresh()
    assert [(r.number, r.period_end) for r in grant.reports] == [
        (1, start + datetime.timedelta(days=30)),
        (2, start + datetime.timedelta(days=90)),
        (3, end),
    ]
    assert grant.reports[2].kind == Report.Kind.FINAL
    linked = {t.amount: t.condition_report and t.condition_report.number for t in grant.tranches}
    assert linked == {Decimal("40000"): None, Decimal("50000"): 1, Decimal("30000"): 3}


def schedule_cases():
    """(name, change of the three-part schedule, the form that is refused, the message)."""
    interim, final = Report.Kind.INTERIM, Report.Kind.FINAL
    report = Tranche.Condition.REPORT

    def tranches(*rows):
        return lambda g, r, t: (r, list(rows))

    def reports_edit(edit):
        def change(grant, reports, tranches):
            edit(grant, reports)
            return reports, tranches

        return change

    return [
        (
            "tranches short of the grant",
            tranches(tranche_row("40000"), tranche_row("40000", report, 1)),
            "tranches",
            "The tranches add up to 80,000.00 som; they must add up to the grant, 120,000.00 som.",
        ),
        (
            "tranches over the grant",
            tranches(tranche_row("80000"), tranche_row("40000.01", report, 1)),
            "tranches",
            "The tranches add up to 120,000.01 som; they must add up to the grant, 120,000.00 som.",
        ),
        (
            "no tranche",
            tranches(),
            "tranches",
            "The schedule needs at least one tranche.",
        ),
        (
            "first tranche on a report",
            tranches(tranche_row("60000", report, 1), tranche_row("60000")),
            "tranches",
            "The first tranche is paid on signature of the agreement.",
        ),
        (
            "report tranche without a report",
            tranches(tranche_row("60000"), tranche_row("60000", report, None)),
            "tranches",
            "Tranche 2: choose the report whose acceptance releases it.",
        ),
        (
            "report tranche naming a report out of range",
            tranches(tranche_row("60000"), tranche_row("60000", report, 4)),
            "tranches",
            "Tranche 2: choose the report whose acceptance releases it.",
        ),
        (
            "report tranche naming report 0",
            tranches(tranche_row("60000"), tranche_row("60000", report, 0)),
            "tranches",
            "Tranche 2: choose the report whose acceptance releases it.",
        ),
        (
            "signature tranche naming a report",
            tranches(tranche_row("60000"), tranche_row("60000", report_number=1)),
            "tranches",
            "Tranche 2: a tranche paid on signature names no report.",
        ),
        (
            "tranche of zero",
            tranches(tranche_row("120000"), tranche_row("0", report, 1)),
            "tranches",
            "Tranche 2: the amount must be more than zero.",
        ),
        (
            "no final report",
            reports_edit(lambda g, r: r[2].update(kind=interim)),
            "reports",
            "The schedule needs exactly one final report.",
        ),
        (
            "two final reports",
            reports_edit(lambda g, r: r[1].update(kind=final)),
            "reports",
            "The schedule needs exactly one final report.",
        ),
        (
            "final report before an interim one",
            reports_edit(
                lambda g, r: r[2].update(period_end=g.agreement.start_date + datetime.timedelta(60))
            ),
            "reports",
            "The final report must be the last one.",
        ),
        (
            "final report ending with an interim one",
            reports_edit(lambda g, r: r[1].update(period_end=r[2]["period_end"])),
            "reports",
            "The final report must be the last one.",
        ),
        (
            "period ending after the grant",
            reports_edit(
                lambda g, r: r[2].update(
                    period_end=g.agreement.end_date + datetime.timedelta(days=1),
                    due_date=g.agreement.end_date + datetime.timedelta(days=20),
                )
            ),
            "reports",
            "Report 3: its period must end within the grant's dates.",
        ),
        (
            "period ending before the grant",
            reports_edit(
                lambda g, r: r[0].update(
                    period_end=g.agreement.start_date - datetime.timedelta(days=1)
                )
            ),
            "reports",
            "Report 1: its period must end within the grant's dates.",
        ),
        (
            "due before the period ends",
            reports_edit(
                lambda g, r: r[1].update(due_date=r[1]["period_end"] - datetime.timedelta(days=1))
            ),
            "reports",
            "Report 2: it cannot be due before its period ends.",
        ),
    ]


def test_a_wrong_schedule_is_refused_and_nothing_changes():
    """Every case against the same draft (one decided competition, not sixteen): each
    refusal must leave the reports, the tranches and the terms exactly as they were."""
    grant = small_draft()
    before, row = schedule_rows(grant), grant_row(grant)
    for name, change, form, message in schedule_cases():
        reports, tranches = change(grant, *three_part_schedule(grant))
        error = refusal(
            implementation.save_agreement,
            user=grant.officer,
            agreement=grant.agreement,
            terms=terms_of(grant, bank_name="Башка банк"),
            reports=reports,
            tranches=tranches,
        )
        assert message in error.message_dict.get(form, []), (name, error.message_dict)
        assert schedule_rows(grant) == before, name
        assert grant_row(grant) == row, name
    assert [e.action for e in events(grant)] == [ImplementationEvent.Action.CREATED]


def test_the_grant_cannot_end_before_it_starts():
    grant = small_draft()
    before = schedule_rows(grant)
    reports, tranches = three_part_schedule(grant)
    start = grant.agreement.start_date
    error = refusal(
        implementation.save_agreement,
        user=grant.officer,
        agreement=grant.agreement,
        terms=terms_of(grant, end_date=start - datetime.timedelta(days=1)),
        reports=reports,
        tranches=tranches,
    )
    assert error.message_dict["terms"] == ["The grant cannot end before it starts."]
    assert schedule_rows(grant) == before
    assert grant.refresh().agreement.end_date > start


def test_schedule_problems_of_a_good_schedule_are_none():
    grant = small_draft()
    reports, tranches = three_part_schedule(grant)
    assert (
        implementation.schedule_problems(grant.agreement, terms_of(grant), reports, tranches) == {}
    )


def test_only_a_draft_is_edited_and_only_by_the_officer():
    grant = small_draft()
    reports, tranches = three_part_schedule(grant)
    kwargs = {
        "agreement": grant.agreement,
        "terms": terms_of(grant),
        "reports": reports,
        "tranches": tranches,
    }
    for user in (grant.applicant, OfficerFactory().user):
        with pytest.raises(PermissionDenied):
            implementation.save_agreement(user=user, **kwargs)
    prepared(grant)
    before = schedule_rows(grant)
    error = refusal(implementation.save_agreement, user=grant.officer, **kwargs)
    assert messages(error) == ["The terms can be changed only while the agreement is a draft."]
    assert schedule_rows(grant) == before


# prepare_agreement and reopen_agreement


def test_preparation_without_bank_details_is_refused():
    grant = small_draft()
    GrantAgreement.objects.filter(pk=grant.agreement.pk).update(bank_account="")
    error = refusal(implementation.prepare_agreement, user=grant.officer, agreement=grant.agreement)
    assert messages(error) == ["Enter the organisation's bank details."]
    assert grant.refresh().agreement.status == GrantAgreement.Status.DRAFT
    assert not AgreementDocument.objects.exists()
    assert not emails("agreement_prepared")
    with translation.override("en"):
        problems = implementation.preparation_problems(grant.agreement)
    assert problems == ["Enter the organisation's bank details."]


def test_preparation_is_the_officers():
    grant = small_draft()
    for user in (grant.applicant, UserFactory(), OfficerFactory().user):
        with pytest.raises(PermissionDenied):
            implementation.prepare_agreement(user=user, agreement=grant.agreement)
    assert grant.refresh().agreement.status == GrantAgreement.Status.DRAFT


def test_preparing_queues_both_languages_and_tells_the_organisation():
    grant = small_draft()
    organization = grant.agreement.application.organization
    russian = MembershipFactory(
        organization=organization, role="editor", user=UserFactory(language="ru")
    ).user
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        implementation.prepare_agreement(user=grant.officer, agreement=grant.agreement)
    grant.refresh()
    assert grant.agreement.status == GrantAgreement.Status.PREPARED
    documents = implementation.latest_documents(grant.agreement)
    assert [(d.language, d.edition, d.status) for d in documents] == [
        ("ky", 1, AgreementDocument.Status.QUEUED),
        ("ru", 1, AgreementDocument.Status.QUEUED),
    ]
    # Each PDF is rendered by its task once the preparation commits (the rendering itself
    # is the worker's test).
    queued = [
        args
        for task, args in (getattr(callback, "args", (None, None)) for callback in callbacks)
        if task is render_agreement_task
    ]
    assert sorted(queued) == sorted((d.pk,) for d in documents)
    [event] = events(grant, ImplementationEvent.Action.PREPARED)
    assert (event.from_status, event.to_status, event.by) == ("draft", "prepared", grant.officer)
    assert emails("agreement_prepared") == {
        (grant.applicant.email, grant.applicant.language),
        (russian.email, "ru"),
    }


def test_only_a_draft_is_prepared():
    grant = prepared(small_draft())
    error = refusal(implementation.prepare_agreement, user=grant.officer, agreement=grant.agreement)
    assert messages(error) == ["Only a draft agreement can be prepared for signing."]
    assert AgreementDocument.objects.filter(agreement=grant.agreement).count() == 2


def test_reopening_and_preparing_again_prints_a_new_edition():
    grant = prepared(small_draft())
    implementation.reopen_agreement(
        user=grant.officer, agreement=grant.agreement, note="Банктын реквизиттери туура эмес."
    )
    grant.refresh()
    assert grant.agreement.status == GrantAgreement.Status.DRAFT
    [event] = events(grant, ImplementationEvent.Action.REOPENED)
    assert (event.from_status, event.to_status, event.note) == (
        "prepared",
        "draft",
        "Банктын реквизиттери туура эмес.",
    )
    with TestCase.captureOnCommitCallbacks(execute=False):
        implementation.prepare_agreement(user=grant.officer, agreement=grant.agreement)
    latest = implementation.latest_documents(grant.agreement)
    assert [(d.language, d.edition, d.status) for d in latest] == [
        ("ky", 2, AgreementDocument.Status.QUEUED),
        ("ru", 2, AgreementDocument.Status.QUEUED),
    ]
    assert AgreementDocument.objects.filter(agreement=grant.agreement, edition=1).count() == 2


def test_reopening_needs_a_note_and_a_prepared_agreement():
    grant = small_draft()
    error = refusal(
        implementation.reopen_agreement, user=grant.officer, agreement=grant.agreement, note="x"
    )
    assert messages(error) == ["An agreement that is draft cannot become draft."]
    prepared(grant)
    error = refusal(
        implementation.reopen_agreement, user=grant.officer, agreement=grant.agreement, note="  "
    )
    assert error.message_dict == {"note": ["Say what needs correcting."]}
    assert grant.refresh().agreement.status == GrantAgreement.Status.PREPARED
    with pytest.raises(PermissionDenied):
        implementation.reopen_agreement(user=grant.applicant, agreement=grant.agreement, note="x")
    implementation.mark_signed(
        user=grant.officer,
        agreement=grant.agreement,
        signed_on=timezone.localdate(),
        scan=pdf_upload(),
    )
    error = refusal(
        implementation.reopen_agreement, user=grant.officer, agreement=grant.agreement, note="x"
    )
    assert messages(error) == ["An agreement that is signed cannot become draft."]
    assert grant.refresh().agreement.status == GrantAgreement.Status.SIGNED
    assert not events(grant, ImplementationEvent.Action.REOPENED)


# mark_signed


def sign(grant: Grant, *, signed_on=None, scan=None, user=None):
    return implementation.mark_signed(
        user=user or grant.officer,
        agreement=grant.agreement,
        signed_on=signed_on or timezone.localdate(),
        scan=scan or pdf_upload(),
    )


def test_only_a_prepared_agreement_is_signed():
    grant = small_draft()
    error = refusal(sign, grant=grant)
    assert messages(error) == ["Only an agreement prepared for signing can be marked signed."]
    prepared(grant)
    for user in (grant.applicant, OfficerFactory().user):
        with pytest.raises(PermissionDenied):
            sign(grant, user=user)
    sign(grant)
    error = refusal(sign, grant=grant)
    assert messages(error) == ["Only an agreement prepared for signing can be marked signed."]


def test_signing_waits_for_the_pdf():
    grant = small_draft()
    with TestCase.captureOnCommitCallbacks(execute=False):
        implementation.prepare_agreement(user=grant.officer, agreement=grant.agreement)
    error = refusal(sign, grant=grant)
    assert messages(error) == ["The agreement's PDF is not ready yet; sign the printed PDF."]
    grant.refresh()
    assert grant.agreement.status == GrantAgreement.Status.PREPARED
    assert not grant.agreement.signed_scan


def test_the_date_of_signature_is_between_preparation_and_today():
    grant = prepared(small_draft())
    error = refusal(sign, grant=grant, signed_on=days(1))
    assert error.message_dict == {"signed_on": ["The date of signature cannot be in the future."]}
    error = refusal(sign, grant=grant, signed_on=days(-1))
    assert error.message_dict == {
        "signed_on": ["The agreement cannot be signed before it was prepared."]
    }
    grant.refresh()
    assert (grant.agreement.status, grant.agreement.signed_on) == ("prepared", None)
    # Prepared ten days ago: signed five days ago is fine.
    ImplementationEvent.objects.filter(
        agreement=grant.agreement, action=ImplementationEvent.Action.PREPARED
    ).update(at=timezone.now() - datetime.timedelta(days=10))
    sign(grant, signed_on=days(-5))
    assert grant.refresh().agreement.signed_on == days(-5)


@pytest.mark.parametrize(
    ("content", "kind"), [(PDF_BYTES, "pdf"), (PNG_BYTES, "png"), (JPEG_BYTES, "jpeg")]
)
def test_the_signed_scan_is_stored_with_its_sha256(content, kind):
    grant = prepared(small_draft())
    sign(grant, scan=upload("скан.pdf", content))
    agreement = grant.refresh().agreement
    assert agreement.status == GrantAgreement.Status.SIGNED
    assert agreement.signed_on == timezone.localdate()
    assert agreement.signed_scan_sha256 == hashlib.sha256(content).hexdigest()
    assert agreement.signed_scan.name.endswith(f"{agreement.number}-signed.{kind}")
    with agreement.signed_scan.open("rb") as stored:
        assert stored.read() == content
    [event] = events(grant, ImplementationEvent.Action.SIGNED)
    assert (event.from_status, event.to_status) == ("prepared", "signed")


def test_a_scan_is_checked_by_content_and_size(settings):
    grant = prepared(small_draft())
    error = refusal(sign, grant=grant, scan=upload("signed.pdf", TEXT_BYTES, "application/pdf"))
    assert error.message_dict == {
        "scan": ["This file type is not accepted. Upload one of: JPEG, PDF, PNG."]
    }
    error = refusal(sign, grant=grant, scan=upload("signed.xlsx", xlsx_bytes()))
    assert list(error.message_dict) == ["scan"]
    settings.UPLOAD_MAX_BYTES = len(PDF_BYTES) - 1
    error = refusal(sign, grant=grant)
    assert list(error.message_dict) == ["scan"]
    assert "too large" in error.message_dict["scan"][0]
    agreement = grant.refresh().agreement
    assert (agreement.status, agreement.signed_scan_sha256) == ("prepared", "")
    assert not events(grant, ImplementationEvent.Action.SIGNED)


# pay_tranche and tranche_refusal


def test_no_tranche_is_paid_before_signature():
    grant = small_draft()
    first = grant.tranches[0]
    with translation.override("en"):
        assert implementation.tranche_refusal(first) == (
            "No tranche is paid before the agreement is signed."
        )
    prepared(grant)
    error = refusal(pay, grant=grant)
    assert messages(error) == ["No tranche is paid before the agreement is signed."]
    assert grant.tranches[0].paid_on is None


def test_paying_is_the_officers():
    grant = small_signed()
    for user in (grant.applicant, UserFactory(), OfficerFactory().user):
        with pytest.raises(PermissionDenied):
            implementation.pay_tranche(
                user=user, tranche=grant.tranches[0], paid_on=timezone.localdate(), reference="1"
            )
    assert grant.tranches[0].paid_on is None


def test_the_first_payment_starts_the_implementation():
    grant = small_signed()
    first = grant.tranches[0]
    with translation.override("en"):
        assert implementation.tranche_refusal(first) is None
    tranche = pay(grant, reference="  ПП-17  ")
    assert (tranche.paid_on, tranche.payment_reference, tranche.paid_by) == (
        timezone.localdate(),
        "ПП-17",
        grant.officer,
    )
    assert tranche.recorded_at is not None
    assert grant.refresh().agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION
    [event] = events(grant, ImplementationEvent.Action.TRANCHE_PAID)
    assert (event.from_status, event.to_status, event.tranche) == (
        "signed",
        "in_implementation",
        tranche,
    )
    assert emails("tranche_paid") == {(grant.applicant.email, grant.applicant.language)}
    assert implementation.paid_total(grant.agreement) == Decimal("60000.00")


def test_an_unmet_report_condition_refuses_the_payment_and_changes_nothing():
    grant = small_running()
    second = grant.tranches[1]
    error = refusal(pay, grant=grant, number=2)
    assert messages(error) == ["Its condition is not met: report 1 has not been accepted."]
    second.refresh_from_db()
    assert (second.paid_on, second.payment_reference) == (None, "")
    assert len(events(grant, ImplementationEvent.Action.TRANCHE_PAID)) == 1
    # Once report 1 is accepted, tranche 2 is paid; the grant stays in implementation.
    accepted_report(grant, 1)
    tranche = pay(grant, number=2, reference="ПП-0002")
    assert tranche.is_paid
    assert grant.refresh().agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION
    last = events(grant, ImplementationEvent.Action.TRANCHE_PAID)[-1]
    assert (last.tranche, last.to_status) == (tranche, "")
    assert implementation.paid_total(grant.agreement) == grant.agreement.amount


def test_an_earlier_tranche_is_paid_first():
    grant = small_signed()
    accepted_report(grant, 1)
    error = refusal(pay, grant=grant, number=2)
    assert messages(error) == ["Tranche 1 must be paid first."]
    assert [t.paid_on for t in grant.tranches] == [None, None]


def test_a_tranche_is_paid_once():
    grant = small_running()
    error = refusal(pay, grant=grant, reference="ПП-0099")
    assert messages(error) == ["This tranche is paid already."]
    assert grant.tranches[0].payment_reference == "ПП-0001"
    assert len(events(grant, ImplementationEvent.Action.TRANCHE_PAID)) == 1


def test_the_payment_needs_a_reference_and_a_date_from_signature_to_today():
    grant = prepared(small_draft())
    ImplementationEvent.objects.filter(
        agreement=grant.agreement, action=ImplementationEvent.Action.PREPARED
    ).update(at=timezone.now() - datetime.timedelta(days=10))
    sign(grant, signed_on=days(-5))
    grant.refresh()
    error = refusal(pay, grant=grant, reference="   ")
    assert error.message_dict == {"reference": ["Enter the payment order's reference."]}
    error = refusal(pay, grant=grant, paid_on=days(1))
    assert error.message_dict == {"paid_on": ["The date of payment cannot be in the future."]}
    error = refusal(pay, grant=grant, paid_on=days(-6))
    assert error.message_dict == {
        "paid_on": ["A tranche cannot be paid before the agreement was signed."]
    }
    assert grant.tranches[0].paid_on is None
    assert grant.refresh().agreement.status == GrantAgreement.Status.SIGNED
    assert pay(grant, paid_on=days(-5)).paid_on == days(-5)


def test_payments_never_exceed_the_grant():
    grant = small_running()
    accepted_report(grant, 1)
    # A schedule changed behind the portal's back: tranche 2 would go over the award.
    Tranche.objects.filter(pk=grant.tranches[1].pk).update(amount=Decimal("60000.01"))
    error = refusal(pay, grant=grant, number=2)
    assert messages(error) == ["The payments would exceed the grant."]
    assert grant.tranches[1].paid_on is None
    assert implementation.paid_total(grant.agreement) == Decimal("60000.00")


def test_a_terminated_agreement_pays_nothing_more():
    grant = small_signed()
    implementation.terminate_agreement(
        user=grant.officer,
        agreement=grant.agreement,
        reason="Уюм ишин токтотту.",
        amount_to_return=Decimal(0),
    )
    error = refusal(pay, grant=grant)
    assert messages(error) == ["The agreement is terminated; no more tranches are paid."]
    assert grant.tranches[0].paid_on is None


def final_conditioned(grant: Grant) -> Grant:
    """Half on signature, half on acceptance of the final report (report 2)."""
    start, end = grant.agreement.start_date, grant.agreement.end_date
    implementation.save_agreement(
        user=grant.officer,
        agreement=grant.agreement,
        terms=terms_of(grant),
        reports=[
            report_row(Report.Kind.INTERIM, start + datetime.timedelta(days=30)),
            report_row(Report.Kind.FINAL, end),
        ],
        tranches=[
            tranche_row("60000"),
            tranche_row("60000", Tranche.Condition.REPORT, 2),
        ],
    )
    return grant.refresh()


def test_after_completion_the_tranche_of_the_final_report_is_paid():
    grant = running(final_conditioned(small_draft()))
    accepted_report(grant, 1, spent=[Decimal("30000")])
    accepted_report(grant, 2, spent=[Decimal("30000")])
    agreement = grant.refresh().agreement
    assert agreement.status == GrantAgreement.Status.COMPLETED
    last = grant.tranches[1]
    assert last.condition_met
    assert last.is_payable
    paid = pay(grant, number=2, reference="ПП-0002")
    assert paid.is_paid
    assert grant.refresh().agreement.status == GrantAgreement.Status.COMPLETED
    assert implementation.paid_total(grant.agreement) == Decimal("120000.00")


# save_report and spending_problems


def save(grant: Grant, number: int = 1, *, user=None, **content):
    report = grant.agreement.reports.get(number=number)
    return implementation.save_report(
        user=user or grant.applicant, report=report, **report_content(grant, **content)
    )


def report_state(report: Report) -> tuple:
    report = Report.objects.get(pk=report.pk)
    return (
        report.status,
        report.activities,
        report.beneficiaries_reached,
        report.problems,
        list(report.results.values_list("indicator_id", "achieved", "comment")),
        list(report.spending.values_list("line_id", "amount", "comment")),
    )


def test_the_organisation_saves_its_report():
    grant = small_running()
    organization = grant.agreement.application.organization
    editor = MembershipFactory(organization=organization, role="editor").user
    report = save(grant, user=editor, spent=[Decimal("12345.67")])
    report.refresh_from_db()
    assert (report.status, report.activities, report.beneficiaries_reached) == (
        Report.Status.DUE,
        "Тренингдер өткөрүлдү.",
        40,
    )
    [indicator] = grant.agreement.indicators.all()
    [line] = grant.agreement.budget_lines.all()
    assert list(report.results.values_list("indicator", "achieved")) == [(indicator.pk, "40")]
    assert list(report.spending.values_list("line", "amount")) == [(line.pk, Decimal("12345.67"))]
    # Saving again updates the rows; an empty result removes it.
    implementation.save_report(
        user=grant.applicant,
        report=report,
        narrative={"activities": "Жаңы", "beneficiaries_reached": 12, "problems": "Жок"},
        results={indicator.pk: ("", "")},
        spending={line.pk: (Decimal("100.00"), "Квитанция")},
    )
    assert not ReportResult.objects.filter(report=report).exists()
    assert list(report.spending.values_list("amount", "comment")) == [
        (Decimal("100.00"), "Квитанция")
    ]
    report.refresh_from_db()
    assert (report.activities, report.beneficiaries_reached, report.problems) == (
        "Жаңы",
        12,
        "Жок",
    )


def test_only_the_organisation_writes_its_report():
    grant = small_running()
    report = grant.reports[0]
    before = report_state(report)
    other_member = MembershipFactory(role="owner").user
    for user in (grant.officer, other_member, UserFactory()):
        with pytest.raises(PermissionDenied):
            save(grant, user=user)
    assert report_state(report) == before


def test_reports_are_written_while_the_grant_runs():
    grant = prepared(small_draft())
    error = refusal(save, grant=grant)
    assert messages(error) == ["Reports are written while the grant is being implemented."]
    assert not ReportSpending.objects.exists()


def test_a_submitted_or_accepted_report_is_not_changed():
    grant = small_running()
    report = submitted_report(grant, 1)
    error = refusal(save, grant=grant, spent=[Decimal("1")])
    assert messages(error) == ["This report is submitted; it can no longer be changed."]
    implementation.review_report(user=grant.officer, report=report, accept=True, comment="")
    before = report_state(report)
    error = refusal(save, grant=grant, spent=[Decimal("1")])
    assert messages(error) == ["This report is accepted; it can no longer be changed."]
    assert report_state(report) == before


def test_lines_and_indicators_of_another_agreement_are_refused():
    flow = ev.decided_competition(requested=(120000, 80000), points=([10, 5], [8, 4]))
    grant, other = draft(flow, flow.applications[0]), draft(flow, flow.applications[1])
    running(grant)
    report = grant.reports[0]
    before = report_state(report)
    foreign_line = other.agreement.budget_lines.get()
    foreign_indicator = other.agreement.indicators.get()
    own = report_content(grant)
    with pytest.raises(PermissionDenied):
        implementation.save_report(
            user=grant.applicant,
            report=report,
            narrative=own["narrative"],
            results=own["results"],
            spending={**own["spending"], foreign_line.pk: (Decimal("1.00"), "")},
        )
    with pytest.raises(PermissionDenied):
        implementation.save_report(
            user=grant.applicant,
            report=report,
            narrative=own["narrative"],
            results={**own["results"], foreign_indicator.pk: ("5", "")},
            spending=own["spending"],
        )
    assert report_state(report) == before
    assert not ReportSpending.objects.filter(line=foreign_line).exists()


def test_spending_over_a_line_beyond_the_variance_across_reports_is_refused(settings):
    settings.REPORT_LINE_VARIANCE_PERCENT = 10
    grant = two_lines_running()
    staff, _materials = grant.agreement.budget_lines.order_by("order")
    assert implementation.variance_limit(staff) == Decimal("66000.00")
    save(grant, 1, spent=[Decimal("40000"), Decimal("0")])
    # Submitted (as data): a draft's spending does not count against the lines yet.
    Report.objects.filter(pk=grant.reports[0].pk).update(
        status=Report.Status.SUBMITTED, submitted_at=timezone.now()
    )
    final = grant.reports[1]
    before = report_state(final)
    error = refusal(save, grant=grant, number=2, spent=[Decimal("26000.01"), Decimal("0")])
    assert error.message_dict == {
        "spending": [
            f"{STAFF_LINE}: 66,000.01 som spent in all reports is more than the 66,000.00 som "
            "allowed (60,000.00 som agreed plus 10%)."
        ]
    }
    assert report_state(final) == before
    # Exactly at the limit is accepted.
    save(grant, 2, spent=[Decimal("26000.00"), Decimal("0")])
    assert final.spending.get(line=staff).amount == Decimal("26000.00")


def test_with_no_variance_a_line_is_spent_at_most_as_agreed(settings):
    settings.REPORT_LINE_VARIANCE_PERCENT = 0
    grant = two_lines_running()
    _staff, materials = grant.agreement.budget_lines.order_by("order")
    report = grant.reports[0]
    before = report_state(report)
    error = refusal(save, grant=grant, spent=[Decimal("0"), Decimal("60000.01")])
    assert list(error.message_dict) == ["spending"]
    assert MATERIALS_LINE in error.message_dict["spending"][0]
    assert report_state(report) == before
    save(grant, spent=[Decimal("60000.00"), Decimal("60000.00")])
    assert report.spending.get(line=materials).amount == Decimal("60000.00")


def test_spending_over_the_grant_or_negative_is_refused(settings):
    settings.REPORT_LINE_VARIANCE_PERCENT = 10
    grant = two_lines_running()
    report = grant.reports[0]
    before = report_state(report)
    # Each line within its 66 000, together over the 120 000 of the grant.
    error = refusal(save, grant=grant, spent=[Decimal("66000"), Decimal("54000.01")])
    assert error.message_dict == {
        "spending": ["120,000.01 som spent in all reports is more than the grant, 120,000.00 som."]
    }
    error = refusal(save, grant=grant, spent=[Decimal("-1"), Decimal("0")])
    assert error.message_dict == {"spending": ["An amount spent cannot be negative."]}
    assert report_state(report) == before
    staff, _materials = grant.agreement.budget_lines.order_by("order")
    assert implementation.spending_problems(report, {staff.pk: Decimal("66000")}) == {}


# report_problems and submit_report


def test_an_incomplete_report_is_not_submitted():
    grant = small_running()
    report = grant.reports[0]
    implementation.save_report(
        user=grant.applicant,
        report=report,
        narrative={"activities": "  ", "beneficiaries_reached": None, "problems": ""},
        results={},
        spending={},
    )
    before = report_state(report)
    indicator = grant.agreement.indicators.get()
    error = refusal(implementation.submit_report, user=grant.applicant, report=report)
    assert messages(error) == [
        "Describe the activities carried out.",
        "Enter the number of beneficiaries reached.",
        f"Enter what was achieved for “{indicator.indicator}”.",
    ]
    assert report_state(report) == before
    assert Report.objects.get(pk=report.pk).submitted_at is None
    assert not events(grant, ImplementationEvent.Action.REPORT_SUBMITTED)
    assert not emails("report_submitted")


def test_the_final_report_waits_for_the_earlier_ones():
    grant = small_running()
    save(grant, 2)
    final = grant.reports[1]
    error = refusal(implementation.submit_report, user=grant.applicant, report=final)
    assert messages(error) == [
        "The final report is submitted once the earlier reports are accepted."
    ]
    assert Report.objects.get(pk=final.pk).status == Report.Status.DUE
    submitted_report(grant, 1)
    error = refusal(implementation.submit_report, user=grant.applicant, report=final)
    assert messages(error) == [
        "The final report is submitted once the earlier reports are accepted."
    ]


def test_submitting_a_report_tells_the_customers_officers():
    grant = small_running()
    state_body = grant.agreement.application.competition.state_body
    colleague = OfficerFactory(state_body=state_body, user=UserFactory(language="ru")).user
    OfficerFactory()  # of another state body: not told
    save(grant)
    report = grant.reports[0]
    with pytest.raises(PermissionDenied):
        implementation.submit_report(user=grant.officer, report=report)
    implementation.submit_report(user=grant.applicant, report=report)
    report.refresh_from_db()
    assert (report.status, report.submitted_by) == (Report.Status.SUBMITTED, grant.applicant)
    assert report.submitted_at is not None
    [event] = events(grant, ImplementationEvent.Action.REPORT_SUBMITTED)
    assert (event.report, event.note) == (report, "due")
    assert emails("report_submitted") == {
        (grant.officer.email, grant.officer.language),
        (colleague.email, "ru"),
    }


def test_a_returned_report_is_corrected_and_submitted_again():
    grant = small_running()
    report = submitted_report(grant, 1)
    implementation.review_report(
        user=grant.officer, report=report, accept=False, comment="Чыгымдарды тактаңыз."
    )
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (
        Report.Status.RETURNED,
        "Чыгымдарды тактаңыз.",
    )
    assert report.is_editable
    save(grant, 1, spent=[Decimal("1000")])
    implementation.submit_report(user=grant.applicant, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert [e.note for e in events(grant, ImplementationEvent.Action.REPORT_SUBMITTED)] == [
        "due",
        "returned",
    ]


# review_report


def test_reviewing_is_the_officers_and_only_of_a_submitted_report():
    grant = small_running()
    report = grant.reports[0]
    error = refusal(
        implementation.review_report, user=grant.officer, report=report, accept=True, comment=""
    )
    assert messages(error) == [
        "Only a submitted report is accepted or returned; this one is not submitted."
    ]
    submitted_report(grant, 1)
    for user in (grant.applicant, OfficerFactory().user):
        with pytest.raises(PermissionDenied):
            implementation.review_report(user=user, report=report, accept=True, comment="")
    error = refusal(
        implementation.review_report, user=grant.officer, report=report, accept=False, comment=" "
    )
    assert error.message_dict == {"comment": ["Say what the organisation should change."]}
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED
    assert not emails("report_reviewed")
    implementation.review_report(user=grant.officer, report=report, accept=True, comment="")
    error = refusal(
        implementation.review_report, user=grant.officer, report=report, accept=False, comment="x"
    )
    assert messages(error) == [
        "Only a submitted report is accepted or returned; this one is accepted."
    ]


def test_accepting_the_interim_report_releases_its_tranche():
    grant = small_running()
    second = grant.tranches[1]
    assert not second.condition_met
    assert not second.is_payable
    submitted_report(grant, 1)
    report = implementation.review_report(
        user=grant.officer, report=grant.reports[0], accept=True, comment="Жакшы."
    )
    assert (report.status, report.reviewed_by, report.review_comment) == (
        Report.Status.ACCEPTED,
        grant.officer,
        "Жакшы.",
    )
    second = grant.tranches[1]
    assert second.condition_met
    assert second.is_payable
    with translation.override("en"):
        assert implementation.tranche_refusal(second) is None
    assert grant.refresh().agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION
    assert emails("report_reviewed") == {(grant.applicant.email, grant.applicant.language)}


def test_the_final_report_completes_the_grant_only_in_implementation():
    grant = small_signed()
    accepted_report(grant, 1)
    final = submitted_report(grant, 2)
    error = refusal(
        implementation.review_report, user=grant.officer, report=final, accept=True, comment=""
    )
    assert messages(error) == ["No tranche has been paid; the grant cannot be completed yet."]
    assert Report.objects.get(pk=final.pk).status == Report.Status.SUBMITTED
    agreement = grant.refresh().agreement
    assert (agreement.status, agreement.completed_on) == ("signed", None)
    pay(grant)
    implementation.review_report(user=grant.officer, report=final, accept=True, comment="")
    agreement = grant.refresh().agreement
    assert (agreement.status, agreement.completed_on) == ("completed", timezone.localdate())
    [event] = events(grant, ImplementationEvent.Action.COMPLETED)
    assert (event.from_status, event.to_status) == ("in_implementation", "completed")


# Report attachments


def attach(grant: Grant, uploaded, *, user=None, number: int = 1):
    return implementation.add_report_attachment(
        user=user or grant.applicant,
        report=grant.agreement.reports.get(number=number),
        uploaded=uploaded,
    )


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF_BYTES, "pdf"), (PNG_BYTES, "png"), (JPEG_BYTES, "jpeg"), (None, "xlsx")],
)
def test_the_organisation_attaches_documents_to_its_report(content, kind):
    grant = small_running()
    content = content if content is not None else xlsx_bytes()
    attachment = attach(grant, upload("C:\\Чектер\\чек.dat", content))
    assert (attachment.original_name, attachment.file_type, attachment.size) == (
        "чек.dat",
        kind,
        len(content),
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == grant.applicant
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_report_attachments_are_checked():
    grant = small_running()
    error = refusal(attach, grant=grant, uploaded=upload("receipt.pdf", TEXT_BYTES))
    assert error.message_dict == {
        "file": ["This file type is not accepted. Upload one of: DOCX, JPEG, PDF, PNG, XLSX."]
    }
    for user in (grant.officer, MembershipFactory(role="owner").user):
        with pytest.raises(PermissionDenied):
            attach(grant, pdf_upload(), user=user)
    assert not ReportAttachment.objects.exists()


def test_report_attachments_respect_the_size_limits(settings):
    grant = small_running()
    settings.UPLOAD_MAX_BYTES = len(PDF_BYTES) - 1
    error = refusal(attach, grant=grant, uploaded=pdf_upload())
    assert "too large" in error.message_dict["file"][0]
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    settings.APPLICATION_MAX_BYTES = 2 * len(PDF_BYTES) - 1
    attach(grant, pdf_upload())
    error = refusal(attach, grant=grant, uploaded=pdf_upload())
    assert error.message_dict == {"file": ["The report's documents together would be too large."]}
    assert ReportAttachment.objects.count() == 1


def test_attachments_change_only_while_the_report_is_editable(private_media):
    grant = small_running()
    attachment = attach(grant, pdf_upload())
    submitted_report(grant, 1)
    error = refusal(attach, grant=grant, uploaded=pdf_upload())
    assert messages(error) == ["This report is submitted; it can no longer be changed."]
    error = refusal(
        implementation.remove_report_attachment, user=grant.applicant, attachment=attachment
    )
    assert messages(error) == ["This report is submitted; it can no longer be changed."]
    assert ReportAttachment.objects.filter(pk=attachment.pk).exists()
    assert (private_media / attachment.file.name).exists()


def test_removing_an_attachment_deletes_the_file_after_commit(private_media):
    grant = small_running()
    attachment = attach(grant, pdf_upload())
    path = private_media / attachment.file.name
    with pytest.raises(PermissionDenied):
        implementation.remove_report_attachment(user=grant.officer, attachment=attachment)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        implementation.remove_report_attachment(user=grant.applicant, attachment=attachment)
    assert not ReportAttachment.objects.filter(pk=attachment.pk).exists()
    assert path.exists()  # the transaction might still roll back
    for callback in callbacks:
        callback()
    assert not path.exists()


# record_visit


def visit_data(**changes) -> dict:
    return {
        "visited_on": timezone.localdate(),
        "visitors": "Асанова Гүлнара",
        "findings": "Иш-чаралар пландагыдай өтүүдө.",
        "rating": MonitoringVisit.Rating.GOOD,
        "shared_with_organization": True,
        **changes,
    }


def visit(grant: Grant, *, user=None, files=(), **changes):
    return implementation.record_visit(
        user=user or grant.officer,
        agreement=grant.agreement,
        data=visit_data(**changes),
        files=files,
    )


def test_visits_are_recorded_once_signed():
    grant = small_draft()
    error = refusal(visit, grant=grant)
    assert messages(error) == ["Visits are recorded once the agreement is signed."]
    prepared(grant)
    error = refusal(visit, grant=grant)
    assert messages(error) == ["Visits are recorded once the agreement is signed."]
    sign(grant)
    for user in (grant.applicant, OfficerFactory().user):
        with pytest.raises(PermissionDenied):
            visit(grant, user=user)
    recorded = visit(grant, files=[upload("сүрөт.png", PNG_BYTES), pdf_upload("акт.pdf")])
    assert (recorded.recorded_by, recorded.rating) == (grant.officer, "good")
    assert [(f.original_name, f.file_type, f.sha256) for f in recorded.files.all()] == [
        ("сүрөт.png", "png", hashlib.sha256(PNG_BYTES).hexdigest()),
        ("акт.pdf", "pdf", hashlib.sha256(PDF_BYTES).hexdigest()),
    ]
    assert len(events(grant, ImplementationEvent.Action.VISIT)) == 1
    # After termination the officer still records what was found.
    implementation.terminate_agreement(
        user=grant.officer, agreement=grant.agreement, reason="Бузуу.", amount_to_return=0
    )
    visit(grant)
    assert grant.agreement.visits.count() == 2


def test_a_visit_is_not_in_the_future_and_its_files_are_checked():
    grant = small_signed()
    error = refusal(visit, grant=grant, visited_on=days(1))
    assert error.message_dict == {"visited_on": ["The date of the visit cannot be in the future."]}
    error = refusal(
        visit, grant=grant, files=[pdf_upload(), upload("photo.png", TEXT_BYTES, "image/png")]
    )
    assert error.message_dict == {
        "files": ["This file type is not accepted. Upload one of: DOCX, JPEG, PDF, PNG."]
    }
    assert not MonitoringVisit.objects.exists()
    assert not VisitFile.objects.exists()
    assert not events(grant, ImplementationEvent.Action.VISIT)


def test_findings_kept_from_the_organisation():
    grant = small_signed()
    kept = visit(grant, shared_with_organization=False, rating=MonitoringVisit.Rating.POOR)
    shared = visit(grant)
    assert not permissions.can_view_visit(grant.applicant, kept)
    assert permissions.can_view_visit(grant.officer, kept)
    assert permissions.can_view_visit(grant.applicant, shared)


# terminate_agreement and record_return


def terminate(grant: Grant, reason="Уюм келишимди бузду.", amount=Decimal(0), user=None):
    return implementation.terminate_agreement(
        user=user or grant.officer,
        agreement=grant.agreement,
        reason=reason,
        amount_to_return=Decimal(amount),
    )


def test_termination_needs_a_reason_and_an_amount_within_what_was_paid():
    grant = small_running()
    row = grant_row(grant)
    error = refusal(terminate, grant=grant, reason="  ")
    assert error.message_dict == {"reason": ["Give the reason for termination."]}
    for amount in ("-0.01", "60000.01"):
        error = refusal(terminate, grant=grant, amount=amount)
        assert error.message_dict == {
            "amount_to_return": [
                "The amount to return must be between zero and the 60,000.00 som paid."
            ]
        }
    with pytest.raises(PermissionDenied):
        terminate(grant, user=grant.applicant)
    assert grant_row(grant) == row
    terminate(grant, reason="  Бузуу.  ", amount="60000")
    agreement = grant.refresh().agreement
    assert (agreement.status, agreement.termination_reason, agreement.amount_to_return) == (
        "terminated",
        "Бузуу.",
        Decimal("60000.00"),
    )
    assert agreement.terminated_on == timezone.localdate()
    [event] = events(grant, ImplementationEvent.Action.TERMINATED)
    assert (event.from_status, event.to_status) == ("in_implementation", "terminated")


def test_only_a_running_grant_is_terminated():
    grant = small_draft()
    error = refusal(terminate, grant=grant)
    assert messages(error) == ["An agreement that is draft cannot become terminated."]
    prepared(grant)
    error = refusal(terminate, grant=grant)
    assert messages(error) == ["An agreement that is awaiting signature cannot become terminated."]
    agreement = grant.refresh().agreement
    assert (agreement.termination_reason, agreement.terminated_on) == ("", None)
    sign(grant)
    terminate(grant)
    assert grant.refresh().agreement.status == GrantAgreement.Status.TERMINATED
    error = refusal(terminate, grant=grant)
    assert messages(error) == ["An agreement that is terminated cannot become terminated."]


def test_a_completed_grant_is_not_terminated():
    grant = small_running()
    accepted_report(grant, 1)
    accepted_report(grant, 2)
    error = refusal(terminate, grant=grant)
    assert messages(error) == ["An agreement that is completed cannot become terminated."]
    agreement = grant.refresh().agreement
    assert (agreement.status, agreement.termination_reason) == ("completed", "")


def test_returns_accumulate_up_to_the_amount_to_return():
    grant = small_running()
    ret = implementation.record_return
    error = refusal(ret, user=grant.officer, agreement=grant.agreement, amount=Decimal("1"))
    assert messages(error) == ["Returns are recorded for a terminated agreement."]
    terminate(grant, amount="60000")
    for amount in ("0", "-5", "60000.01"):
        error = refusal(ret, user=grant.officer, agreement=grant.agreement, amount=Decimal(amount))
        assert error.message_dict == {
            "amount": [
                "The amount must be more than zero and at most the 60,000.00 som outstanding."
            ]
        }
    with pytest.raises(PermissionDenied):
        ret(user=grant.applicant, agreement=grant.agreement, amount=Decimal("1"))
    ret(user=grant.officer, agreement=grant.agreement, amount=Decimal("20000"), note="ПП-77")
    agreement = ret(user=grant.officer, agreement=grant.agreement, amount=Decimal("40000"))
    assert agreement.amount_returned == Decimal("60000.00")
    assert grant.refresh().agreement.amount_returned == Decimal("60000.00")
    assert [e.note for e in events(grant, ImplementationEvent.Action.RETURN)] == [
        "20000 ПП-77",
        "40000",
    ]
    error = refusal(ret, user=grant.officer, agreement=grant.agreement, amount=Decimal("0.01"))
    assert error.message_dict == {
        "amount": ["The amount must be more than zero and at most the 0.00 som outstanding."]
    }


# Two officers record the same payment at once


@pytest.mark.django_db(transaction=True)
def test_two_officers_paying_the_same_tranche_at_once_pay_it_once(seeded, monkeypatch):
    # Outside a test transaction every commit runs its callbacks: skip the PDF renders
    # of the decision and the agreement while the grant is built (``signed`` marks the
    # agreement's PDFs ready).
    with monkeypatch.context() as patched:
        for module in ("grants.decisions", "grants.implementation"):
            patched.setattr(f"{module}.delay_on_commit", lambda task, *args: None)
        grant = small_signed()
    colleague = OfficerFactory(state_body=grant.agreement.application.competition.state_body).user
    tranche_id = grant.tranches[0].pk
    barrier = threading.Barrier(2)
    outcomes: list = []
    lock = threading.Lock()

    def record(user, reference):
        try:
            barrier.wait(timeout=30)
            implementation.pay_tranche(
                user=user,
                tranche=Tranche.objects.get(pk=tranche_id),
                paid_on=timezone.localdate(),
                reference=reference,
            )
            result = "paid"
        except ServiceError as error:
            result = list(error.messages)
        except BaseException as error:  # reported below
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append((reference, result))

    threads = [
        threading.Thread(target=record, args=(grant.officer, "ПП-A")),
        threading.Thread(target=record, args=(colleague, "ПП-B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    results = sorted(str(result) for _reference, result in outcomes)
    assert len(outcomes) == 2
    assert results.count("paid") == 1, outcomes
    tranche = Tranche.objects.get(pk=tranche_id)
    winner = next(reference for reference, result in outcomes if result == "paid")
    assert tranche.payment_reference == winner
    assert len(events(grant, ImplementationEvent.Action.TRANCHE_PAID)) == 1
    assert grant.refresh().agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION
    assert implementation.paid_total(grant.agreement) == Decimal("60000.00")
