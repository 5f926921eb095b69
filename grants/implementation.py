"""Grant implementation: the agreement, tranches, reports, monitoring, termination.

Every change goes through a function here: it checks the permission, guards
the state with a message for the user (``ServiceError``, shown as a 4xx and
nothing saved), saves under a row lock of the agreement, writes an
``ImplementationEvent`` and queues its side effects after commit. The state
diagram is in ``grants/README.md``.
"""

import datetime
import logging
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import StateBodyMembership, User
from socialorder.emails import absolute_url, send_templated_email
from socialorder.pdf import render_pdf_pages
from socialorder.queue import delay_on_commit
from socialorder.uploads import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    display_name,
    sha256_of,
    validate_upload,
)

from . import permissions
from .models import (
    AgreementDocument,
    Application,
    GrantAgreement,
    GrantBudgetLine,
    GrantIndicator,
    ImplementationEvent,
    MonitoringVisit,
    Report,
    ReportAttachment,
    ReportResult,
    ReportSpending,
    Tranche,
    VisitFile,
)
from .rendering import queue_again, render_once, stale_documents
from .services import ServiceError

logger = logging.getLogger(__name__)

AGREEMENT_LANGUAGES = ("ky", "ru")
CENT = Decimal("0.01")
SCAN_TYPES = frozenset({PDF, JPEG, PNG})
REPORT_FILE_TYPES = frozenset({PDF, JPEG, PNG, XLSX, DOCX})
VISIT_FILE_TYPES = frozenset({PDF, JPEG, PNG, DOCX})
# How long after a report's period ends it is due, by default.
REPORT_DUE_DAYS = 15


def som(amount: Decimal) -> str:
    return _("%(amount)s som") % {"amount": number_format(amount, 2, force_grouping=True)}


def _event(agreement, action, *, user=None, to=None, report=None, tranche=None, note=""):
    """Record what happened; with ``to``, move the agreement after checking the transition."""
    from_status = agreement.status
    if to is not None:
        if to not in GrantAgreement.TRANSITIONS[agreement.status]:
            raise ServiceError(
                _("An agreement that is %(status)s cannot become %(to)s.")
                % {
                    "status": agreement.get_status_display(),
                    "to": GrantAgreement.Status(to).label,
                }
            )
        agreement.status = to
        agreement.save(update_fields=["status", "updated_at"])
    ImplementationEvent.objects.create(
        agreement=agreement,
        action=action,
        from_status=from_status if to else "",
        to_status=to or "",
        report=report,
        tranche=tranche,
        note=note,
        by=user,
    )


def _locked(agreement: GrantAgreement) -> GrantAgreement:
    return (
        GrantAgreement.objects.select_for_update(of=("self",))
        .select_related("application__competition__state_body", "application__organization")
        .get(pk=agreement.pk)
    )


def _require_officer(user, agreement_or_application):
    if not permissions.can_manage_agreement(user, agreement_or_application):
        raise PermissionDenied


def _require_applicant(user, agreement):
    if not permissions.is_applicant(user, agreement.application):
        raise PermissionDenied


# The agreement


def agreement_number(application: Application) -> str:
    """``SSO-2026-0001-A003`` becomes ``SSO-2026-0001-G003``: one grant per application."""
    prefix, _sep, number = application.reference.rpartition("-A")
    return f"{prefix}-G{number}"


def _scaled(amounts: list[Decimal], total: Decimal) -> list[Decimal]:
    """``amounts`` scaled to add up to ``total`` (the award may be less than requested)."""
    requested = sum(amounts, Decimal(0))
    if not amounts or requested == total or requested == 0:
        return list(amounts)
    scaled = [(amount * total / requested).quantize(CENT, ROUND_DOWN) for amount in amounts]
    scaled[-1] += total - sum(scaled, Decimal(0))
    return scaled


def default_schedule(start: datetime.date, end: datetime.date, amount: Decimal):
    """Half on signature, half on acceptance of an interim report at the midpoint; a final
    report after the end. The officer changes it before preparing the agreement."""
    if (end - start).days < 2:
        # Too short for an interim report: everything on signature, one final report.
        due = end + datetime.timedelta(days=REPORT_DUE_DAYS)
        return (
            [{"kind": Report.Kind.FINAL, "period_end": end, "due_date": due}],
            [
                {
                    "amount": amount,
                    "due_date": start,
                    "condition": Tranche.Condition.SIGNATURE,
                    "report_number": None,
                }
            ],
        )
    middle = start + (end - start) / 2
    reports = [
        {"kind": Report.Kind.INTERIM, "period_end": middle},
        {"kind": Report.Kind.FINAL, "period_end": end},
    ]
    for report in reports:
        report["due_date"] = report["period_end"] + datetime.timedelta(days=REPORT_DUE_DAYS)
    first = (amount / 2).quantize(CENT, ROUND_DOWN)
    tranches = [
        {
            "amount": first,
            "due_date": start,
            "condition": Tranche.Condition.SIGNATURE,
            "report_number": None,
        },
        {
            "amount": amount - first,
            "due_date": reports[0]["due_date"] + datetime.timedelta(days=15),
            "condition": Tranche.Condition.REPORT,
            "report_number": 1,
        },
    ]
    return reports, tranches


@transaction.atomic
def draft_agreement(*, user: User, application: Application) -> GrantAgreement:
    """Draft the agreement of an awarded application from its submitted version."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("competition__state_body", "current_version", "outcome")
        .get(pk=application.pk)
    )
    _require_officer(user, application)
    if application.status != Application.Status.AWARDED:
        raise ServiceError(_("Only an application awarded a grant gets an agreement."))
    if GrantAgreement.objects.filter(application=application).exists():
        raise ServiceError(_("This application already has an agreement."))
    amount = application.outcome.amount
    snapshot = application.current_version.snapshot
    project = snapshot["project"]
    today = timezone.localdate()
    start = datetime.date.fromisoformat(project["start_date"]) if project["start_date"] else today
    end = datetime.date.fromisoformat(project["end_date"]) if project["end_date"] else start
    if start < today:
        # The project's own dates have passed (the decision took time): it starts now and
        # keeps its length. The officer adjusts the dates in the draft.
        end, start = today + (max(end, start) - start), today
    end = max(end, start)
    agreement = GrantAgreement.objects.create(
        application=application,
        number=agreement_number(application),
        amount=amount,
        start_date=start,
        end_date=end,
        created_by=user,
    )
    from .models import BudgetCategory

    categories = {category.slug: category for category in BudgetCategory.objects.all()}
    lines = [row for row in snapshot["budget"] if Decimal(row["requested"]) > 0]
    planned = _scaled([Decimal(row["requested"]) for row in lines], amount)
    GrantBudgetLine.objects.bulk_create(
        GrantBudgetLine(
            agreement=agreement,
            category=categories.get(row["category"]) or categories["other"],
            description=row["description"],
            planned=value,
            order=order,
        )
        for order, (row, value) in enumerate(zip(lines, planned, strict=True))
    )
    GrantIndicator.objects.bulk_create(
        GrantIndicator(
            agreement=agreement,
            indicator=row["indicator"],
            baseline=row["baseline"],
            target=row["target"],
            order=order,
        )
        for order, row in enumerate(snapshot["results"])
    )
    reports, tranches = default_schedule(start, end, amount)
    _replace_schedule(agreement, reports, tranches)
    _event(agreement, ImplementationEvent.Action.CREATED, user=user)
    return agreement


def schedule_problems(agreement, terms: dict, reports: list[dict], tranches: list[dict]):
    """What is wrong with a schedule, by form: ``{"terms"|"reports"|"tranches": [msg]}``."""
    problems = {"terms": [], "reports": [], "tranches": []}
    start, end = terms["start_date"], terms["end_date"]
    if end < start:
        problems["terms"].append(_("The grant cannot end before it starts."))
    finals = [r for r in reports if r["kind"] == Report.Kind.FINAL]
    if len(finals) != 1:
        problems["reports"].append(_("The schedule needs exactly one final report."))
    elif max(r["period_end"] for r in reports) != finals[0]["period_end"] or any(
        r["period_end"] == finals[0]["period_end"] for r in reports if r is not finals[0]
    ):
        problems["reports"].append(_("The final report must be the last one."))
    for number, report in enumerate(reports, start=1):
        if not start <= report["period_end"] <= end:
            problems["reports"].append(
                _("Report %(number)s: its period must end within the grant's dates.")
                % {"number": number}
            )
        if report["due_date"] < report["period_end"]:
            problems["reports"].append(
                _("Report %(number)s: it cannot be due before its period ends.")
                % {"number": number}
            )
    if not tranches:
        problems["tranches"].append(_("The schedule needs at least one tranche."))
    total = sum((t["amount"] for t in tranches), Decimal(0))
    if tranches and total != agreement.amount:
        problems["tranches"].append(
            _("The tranches add up to %(total)s; they must add up to the grant, %(amount)s.")
            % {"total": som(total), "amount": som(agreement.amount)}
        )
    if tranches and tranches[0]["condition"] != Tranche.Condition.SIGNATURE:
        problems["tranches"].append(_("The first tranche is paid on signature of the agreement."))
    for number, tranche in enumerate(tranches, start=1):
        if tranche["amount"] <= 0:
            problems["tranches"].append(
                _("Tranche %(number)s: the amount must be more than zero.") % {"number": number}
            )
        if tranche["condition"] == Tranche.Condition.REPORT:
            linked = tranche.get("report_number")
            if not linked or not 1 <= linked <= len(reports):
                problems["tranches"].append(
                    _("Tranche %(number)s: choose the report whose acceptance releases it.")
                    % {"number": number}
                )
        elif tranche.get("report_number"):
            problems["tranches"].append(
                _("Tranche %(number)s: a tranche paid on signature names no report.")
                % {"number": number}
            )
    return {key: value for key, value in problems.items() if value}


def _replace_schedule(agreement, reports, tranches):
    agreement.tranches.all().delete()
    agreement.reports.all().delete()
    reports = sorted(reports, key=lambda r: r["period_end"])
    created = Report.objects.bulk_create(
        Report(
            agreement=agreement,
            number=number,
            kind=report["kind"],
            period_end=report["period_end"],
            due_date=report["due_date"],
        )
        for number, report in enumerate(reports, start=1)
    )
    by_number = {report.number: report for report in created}
    Tranche.objects.bulk_create(
        Tranche(
            agreement=agreement,
            number=number,
            amount=tranche["amount"],
            due_date=tranche["due_date"],
            condition=tranche["condition"],
            condition_report=by_number.get(tranche.get("report_number"))
            if tranche["condition"] == Tranche.Condition.REPORT
            else None,
        )
        for number, tranche in enumerate(tranches, start=1)
    )


TERM_FIELDS = ("start_date", "end_date", "bank_name", "bank_bic", "bank_account")


@transaction.atomic
def save_agreement(
    *, user: User, agreement: GrantAgreement, terms: dict, reports: list[dict], tranches
) -> GrantAgreement:
    """Change the terms and the schedule of a draft agreement, all or nothing.

    ``reports``: ``{"kind", "period_end", "due_date"}`` in order; ``tranches``:
    ``{"amount", "due_date", "condition", "report_number"}`` where ``report_number``
    is the position (from 1) in ``reports`` of the report whose acceptance releases it.
    """
    agreement = _locked(agreement)
    _require_officer(user, agreement)
    if not agreement.is_editable:
        raise ServiceError(_("The terms can be changed only while the agreement is a draft."))
    order = sorted(range(len(reports)), key=lambda i: reports[i]["period_end"])
    renumber = {old + 1: new + 1 for new, old in enumerate(order)}
    reports = [reports[i] for i in order]
    tranches = [
        {**t, "report_number": renumber.get(t.get("report_number"), t.get("report_number"))}
        for t in tranches
    ]
    problems = schedule_problems(agreement, terms, reports, tranches)
    if problems:
        raise ServiceError(problems)
    for name in TERM_FIELDS:
        setattr(agreement, name, terms[name])
    agreement.save(update_fields=[*TERM_FIELDS, "updated_at"])
    _replace_schedule(agreement, reports, tranches)
    _event(agreement, ImplementationEvent.Action.EDITED, user=user)
    return agreement


def preparation_problems(agreement: GrantAgreement) -> list[str]:
    """What the agreement lacks before it can be printed for signing."""
    problems = []
    if not (agreement.bank_name and agreement.bank_bic and agreement.bank_account):
        problems.append(_("Enter the organisation's bank details."))
    tranches = list(agreement.tranches.all())
    stored = list(agreement.reports.all())
    reports = [{"kind": r.kind, "period_end": r.period_end, "due_date": r.due_date} for r in stored]
    numbers = {r.pk: r.number for r in stored}
    schedule = schedule_problems(
        agreement,
        {"start_date": agreement.start_date, "end_date": agreement.end_date},
        reports,
        [
            {
                "amount": t.amount,
                "due_date": t.due_date,
                "condition": t.condition,
                "report_number": numbers.get(t.condition_report_id),
            }
            for t in tranches
        ],
    )
    for messages in schedule.values():
        problems.extend(messages)
    return problems


@transaction.atomic
def prepare_agreement(*, user: User, agreement: GrantAgreement) -> GrantAgreement:
    """Freeze the terms and render the agreement for signing, in Kyrgyz and Russian."""
    agreement = _locked(agreement)
    _require_officer(user, agreement)
    if agreement.status != GrantAgreement.Status.DRAFT:
        raise ServiceError(_("Only a draft agreement can be prepared for signing."))
    problems = preparation_problems(agreement)
    if problems:
        raise ServiceError(problems)
    _event(agreement, ImplementationEvent.Action.PREPARED, user=user, to="prepared")
    edition = (
        agreement.documents.order_by("-edition").values_list("edition", flat=True).first() or 0
    ) + 1
    documents = AgreementDocument.objects.bulk_create(
        AgreementDocument(agreement=agreement, language=language, edition=edition)
        for language in AGREEMENT_LANGUAGES
    )
    from .tasks import render_agreement_task

    for document in documents:
        delay_on_commit(render_agreement_task, document.pk)
    _notify(
        _members(agreement),
        template="emails/grants/agreement_prepared",
        context={
            "agreement": agreement,
        },
        url=("grants:agreement", [agreement.pk]),
    )
    return agreement


@transaction.atomic
def reopen_agreement(*, user: User, agreement: GrantAgreement, note: str) -> GrantAgreement:
    """Back to draft to correct the terms before signature; a new edition is printed later."""
    agreement = _locked(agreement)
    _require_officer(user, agreement)
    if not note.strip():
        raise ServiceError({"note": [_("Say what needs correcting.")]})
    _event(agreement, ImplementationEvent.Action.REOPENED, user=user, to="draft", note=note)
    return agreement


def latest_documents(agreement: GrantAgreement) -> list[AgreementDocument]:
    edition = agreement.documents.order_by("-edition").values_list("edition", flat=True).first()
    return list(agreement.documents.filter(edition=edition).order_by("language"))


@transaction.atomic
def mark_signed(*, user: User, agreement: GrantAgreement, signed_on, scan) -> GrantAgreement:
    """The officer uploads the scan of the signed agreement and marks it signed."""
    agreement = _locked(agreement)
    _require_officer(user, agreement)
    if agreement.status != GrantAgreement.Status.PREPARED:
        raise ServiceError(_("Only an agreement prepared for signing can be marked signed."))
    if not any(d.status == AgreementDocument.Status.DONE for d in latest_documents(agreement)):
        raise ServiceError(_("The agreement's PDF is not ready yet; sign the printed PDF."))
    if signed_on > timezone.localdate():
        raise ServiceError({"signed_on": [_("The date of signature cannot be in the future.")]})
    prepared_at = (
        agreement.events.filter(action=ImplementationEvent.Action.PREPARED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if prepared_at and signed_on < timezone.localtime(prepared_at).date():
        raise ServiceError(
            {"signed_on": [_("The agreement cannot be signed before it was prepared.")]}
        )
    kind = _checked(scan, allowed=SCAN_TYPES, field="scan")
    agreement.signed_scan_sha256 = sha256_of(scan)
    agreement.signed_scan.save(f"{agreement.number}-signed.{kind}", scan, save=False)
    agreement.signed_on = signed_on
    agreement.save(update_fields=["signed_scan", "signed_scan_sha256", "signed_on"])
    _event(agreement, ImplementationEvent.Action.SIGNED, user=user, to="signed")
    return agreement


# Tranches


def paid_total(agreement: GrantAgreement) -> Decimal:
    return agreement.tranches.exclude(paid_on=None).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)


def tranche_refusal(tranche: Tranche) -> str | None:
    """Why the tranche cannot be paid now, or ``None``."""
    agreement = tranche.agreement
    if tranche.is_paid:
        return _("This tranche is paid already.")
    if agreement.status in {GrantAgreement.Status.DRAFT, GrantAgreement.Status.PREPARED}:
        return _("No tranche is paid before the agreement is signed.")
    if agreement.status == GrantAgreement.Status.TERMINATED:
        return _("The agreement is terminated; no more tranches are paid.")
    if tranche.condition == Tranche.Condition.REPORT and not tranche.condition_met:
        return _("Its condition is not met: report %(number)s has not been accepted.") % {
            "number": tranche.condition_report.number
        }
    earlier = agreement.tranches.filter(number__lt=tranche.number, paid_on=None).first()
    if earlier is not None:
        return _("Tranche %(number)s must be paid first.") % {"number": earlier.number}
    return None


@transaction.atomic
def pay_tranche(*, user: User, tranche: Tranche, paid_on, reference: str) -> Tranche:
    """Record a tranche's payment. The first payment starts the implementation."""
    agreement = _locked(tranche.agreement)
    _require_officer(user, agreement)
    tranche = (
        Tranche.objects.select_for_update(of=("self",))
        .select_related("condition_report")
        .get(pk=tranche.pk)
    )
    tranche.agreement = agreement
    refusal = tranche_refusal(tranche)
    if refusal:
        raise ServiceError(refusal)
    if not reference.strip():
        raise ServiceError({"reference": [_("Enter the payment order's reference.")]})
    if paid_on > timezone.localdate():
        raise ServiceError({"paid_on": [_("The date of payment cannot be in the future.")]})
    if agreement.signed_on and paid_on < agreement.signed_on:
        raise ServiceError(
            {"paid_on": [_("A tranche cannot be paid before the agreement was signed.")]}
        )
    if paid_total(agreement) + tranche.amount > agreement.amount:
        raise ServiceError(_("The payments would exceed the grant."))
    tranche.paid_on = paid_on
    tranche.payment_reference = reference.strip()
    tranche.paid_by = user
    tranche.recorded_at = timezone.now()
    tranche.save(update_fields=["paid_on", "payment_reference", "paid_by", "recorded_at"])
    to = "in_implementation" if agreement.status == GrantAgreement.Status.SIGNED else None
    _event(agreement, ImplementationEvent.Action.TRANCHE_PAID, user=user, to=to, tranche=tranche)
    _notify(
        _members(agreement),
        template="emails/grants/tranche_paid",
        context={
            "agreement": agreement,
            "tranche": tranche,
        },
        url=("grants:agreement", [agreement.pk]),
    )
    return tranche


# Reports


# Reports whose spending counts against the lines: submitted once (a draft not yet).
COUNTED_REPORTS = (Report.Status.SUBMITTED, Report.Status.RETURNED, Report.Status.ACCEPTED)


def variance_limit(line: GrantBudgetLine) -> Decimal:
    """The most that may be spent on a line over the grant: planned plus the variance."""
    share = Decimal(settings.REPORT_LINE_VARIANCE_PERCENT) / 100
    return (line.planned * (1 + share)).quantize(CENT)


def spending_problems(report: Report, spending: dict[int, Decimal]) -> dict[int | None, list[str]]:
    """Spending per line (``{line id: amount}``) that, with the other reports, goes over a
    line's variance or the grant. Keys are line ids, ``None`` for the whole grant."""
    agreement = report.agreement
    others = dict(
        ReportSpending.objects.filter(
            report__agreement=agreement, report__status__in=COUNTED_REPORTS
        )
        .exclude(report=report)
        .values("line")
        .annotate(total=Sum("amount"))
        .values_list("line", "total")
    )
    problems: dict[int | None, list[str]] = {}
    for line in agreement.budget_lines.all():
        amount = spending.get(line.pk, Decimal(0))
        if amount < 0:
            problems.setdefault(line.pk, []).append(_("An amount spent cannot be negative."))
            continue
        total = others.get(line.pk, Decimal(0)) + amount
        if total > variance_limit(line):
            problems.setdefault(line.pk, []).append(
                _(
                    "%(line)s: %(total)s spent in all reports is more than the %(limit)s "
                    "allowed (%(planned)s agreed plus %(percent)s%%)."
                )
                % {
                    "line": line.description,
                    "total": som(total),
                    "limit": som(variance_limit(line)),
                    "planned": som(line.planned),
                    "percent": settings.REPORT_LINE_VARIANCE_PERCENT,
                }
            )
    grand = sum(others.values(), Decimal(0)) + sum(spending.values(), Decimal(0))
    if grand > agreement.amount:
        problems.setdefault(None, []).append(
            _("%(total)s spent in all reports is more than the grant, %(amount)s.")
            % {"total": som(grand), "amount": som(agreement.amount)}
        )
    return problems


def _locked_report(report: Report) -> tuple[GrantAgreement, Report]:
    agreement = _locked(report.agreement)
    report = Report.objects.select_for_update().get(pk=report.pk)
    report.agreement = agreement
    return agreement, report


def _guard_report_editable(agreement, report):
    if agreement.status not in {
        GrantAgreement.Status.SIGNED,
        GrantAgreement.Status.IN_IMPLEMENTATION,
    }:
        raise ServiceError(_("Reports are written while the grant is being implemented."))
    if not report.is_editable:
        raise ServiceError(
            _("This report is %(status)s; it can no longer be changed.")
            % {"status": report.get_status_display()}
        )


REPORT_FIELDS = ("activities", "beneficiaries_reached", "problems")


@transaction.atomic
def save_report(
    *,
    user: User,
    report: Report,
    narrative: dict,
    results: dict[int, tuple[str, str]],
    spending: dict[int, tuple[Decimal, str]],
) -> Report:
    """Save the organisation's draft of a report: narrative, results, spending per line.

    ``results``: ``{indicator id: (achieved, comment)}``; ``spending``:
    ``{budget line id: (amount, comment)}``, lines of this agreement only.
    """
    agreement, report = _locked_report(report)
    _require_applicant(user, agreement)
    _guard_report_editable(agreement, report)
    line_ids = set(agreement.budget_lines.values_list("pk", flat=True))
    indicator_ids = set(agreement.indicators.values_list("pk", flat=True))
    if not set(spending) <= line_ids or not set(results) <= indicator_ids:
        raise PermissionDenied
    problems = spending_problems(report, {pk: amount for pk, (amount, _c) in spending.items()})
    if problems:
        raise ServiceError({"spending": [m for messages in problems.values() for m in messages]})
    for name in REPORT_FIELDS:
        setattr(report, name, narrative[name])
    report.save(update_fields=[*REPORT_FIELDS, "updated_at"])
    # One statement per table, whatever the number of rows: an emptied result is removed,
    # the others are inserted or updated in place.
    emptied = [pk for pk, (achieved, comment) in results.items() if not (achieved or comment)]
    ReportResult.objects.filter(report=report, indicator_id__in=emptied).delete()
    ReportResult.objects.bulk_create(
        [
            ReportResult(report=report, indicator_id=pk, achieved=achieved, comment=comment)
            for pk, (achieved, comment) in results.items()
            if pk not in emptied
        ],
        update_conflicts=True,
        unique_fields=["report", "indicator"],
        update_fields=["achieved", "comment"],
    )
    ReportSpending.objects.bulk_create(
        [
            ReportSpending(report=report, line_id=pk, amount=amount, comment=comment)
            for pk, (amount, comment) in spending.items()
        ],
        update_conflicts=True,
        unique_fields=["report", "line"],
        update_fields=["amount", "comment"],
    )
    return report


def report_problems(report: Report) -> list[str]:
    """What a report lacks before it can be submitted."""
    problems = []
    if not report.activities.strip():
        problems.append(_("Describe the activities carried out."))
    if report.beneficiaries_reached is None:
        problems.append(_("Enter the number of beneficiaries reached."))
    answered = set(report.results.exclude(achieved="").values_list("indicator_id", flat=True))
    missing = report.agreement.indicators.exclude(pk__in=answered)
    for indicator in missing:
        problems.append(
            _("Enter what was achieved for “%(indicator)s”.") % {"indicator": indicator.indicator}
        )
    spent = dict(report.spending.values_list("line_id", "amount"))
    for messages in spending_problems(report, spent).values():
        problems.extend(messages)
    if report.kind == Report.Kind.FINAL:
        earlier = report.agreement.reports.exclude(pk=report.pk).exclude(
            status=Report.Status.ACCEPTED
        )
        if earlier.exists():
            problems.append(
                _("The final report is submitted once the earlier reports are accepted.")
            )
    return problems


@transaction.atomic
def submit_report(*, user: User, report: Report) -> Report:
    agreement, report = _locked_report(report)
    _require_applicant(user, agreement)
    _guard_report_editable(agreement, report)
    problems = report_problems(report)
    if problems:
        raise ServiceError(problems)
    previous = report.status
    report.status = Report.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    _event(
        agreement,
        ImplementationEvent.Action.REPORT_SUBMITTED,
        user=user,
        report=report,
        note=previous,
    )
    _notify(
        officers(agreement),
        template="emails/grants/report_submitted",
        context={
            "agreement": agreement,
            "report": report,
        },
        url=("grants:report", [report.pk]),
    )
    return report


@transaction.atomic
def review_report(*, user: User, report: Report, accept: bool, comment: str) -> Report:
    """The officer accepts a submitted report or returns it with a comment.

    Accepting releases the tranches it conditions; accepting the final report
    completes the grant.
    """
    agreement, report = _locked_report(report)
    _require_officer(user, agreement)
    if not agreement.is_running:
        raise ServiceError(
            _("The agreement is %(status)s; its reports are no longer reviewed.")
            % {"status": agreement.get_status_display()}
        )
    if report.status != Report.Status.SUBMITTED:
        raise ServiceError(
            _("Only a submitted report is accepted or returned; this one is %(status)s.")
            % {"status": report.get_status_display()}
        )
    comment = comment.strip()
    if not accept and not comment:
        raise ServiceError({"comment": [_("Say what the organisation should change.")]})
    completes = accept and report.kind == Report.Kind.FINAL
    if completes and agreement.status != GrantAgreement.Status.IN_IMPLEMENTATION:
        raise ServiceError(_("No tranche has been paid; the grant cannot be completed yet."))
    report.status = Report.Status.ACCEPTED if accept else Report.Status.RETURNED
    report.review_comment = comment
    report.reviewed_at = timezone.now()
    report.reviewed_by = user
    report.save(
        update_fields=["status", "review_comment", "reviewed_at", "reviewed_by", "updated_at"]
    )
    action = (
        ImplementationEvent.Action.REPORT_ACCEPTED
        if accept
        else ImplementationEvent.Action.REPORT_RETURNED
    )
    _event(agreement, action, user=user, report=report, note=comment)
    if completes:
        agreement.completed_on = timezone.localdate()
        agreement.save(update_fields=["completed_on"])
        _event(agreement, ImplementationEvent.Action.COMPLETED, user=user, to="completed")
    _notify(
        _members(agreement),
        template="emails/grants/report_reviewed",
        context={
            "agreement": agreement,
            "report": report,
        },
        url=("grants:report", [report.pk]),
    )
    return report


@transaction.atomic
def add_report_attachment(*, user: User, report: Report, uploaded) -> ReportAttachment:
    agreement, report = _locked_report(report)
    _require_applicant(user, agreement)
    _guard_report_editable(agreement, report)
    kind = _checked(uploaded, allowed=REPORT_FILE_TYPES, field="file")
    used = report.attachments.aggregate(total=Sum("size"))["total"] or 0
    if used + uploaded.size > settings.APPLICATION_MAX_BYTES:
        raise ServiceError({"file": [_("The report's documents together would be too large.")]})
    return _stored(ReportAttachment(report=report, uploaded_by=user), uploaded, kind)


@transaction.atomic
def remove_report_attachment(*, user: User, attachment: ReportAttachment) -> None:
    agreement, report = _locked_report(attachment.report)
    _require_applicant(user, agreement)
    _guard_report_editable(agreement, report)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _checked(uploaded, *, allowed, field: str) -> str:
    """The file's type read from its content, or a refusal shown on ``field``."""
    try:
        return validate_upload(uploaded, allowed=allowed)
    except ValidationError as error:
        raise ServiceError({field: error.messages}) from None


def _stored(record, uploaded, kind: str):
    """Save a checked upload under a generated name; the uploaded name is only displayed."""
    record.original_name = display_name(uploaded.name)
    record.file_type = kind
    record.size = uploaded.size
    record.sha256 = sha256_of(uploaded)
    record.file.save("upload", uploaded, save=False)
    record.save()
    return record


# Monitoring, termination, return of funds


@transaction.atomic
def record_visit(*, user: User, agreement: GrantAgreement, data: dict, files=()) -> MonitoringVisit:
    agreement = _locked(agreement)
    _require_officer(user, agreement)
    if agreement.status in {GrantAgreement.Status.DRAFT, GrantAgreement.Status.PREPARED}:
        raise ServiceError(_("Visits are recorded once the agreement is signed."))
    if data["visited_on"] > timezone.localdate():
        raise ServiceError({"visited_on": [_("The date of the visit cannot be in the future.")]})
    if agreement.signed_on and data["visited_on"] < agreement.signed_on:
        raise ServiceError(
            {"visited_on": [_("A monitoring visit cannot be dated before the signature.")]}
        )
    checked = [(f, _checked(f, allowed=VISIT_FILE_TYPES, field="files")) for f in files]
    visit = MonitoringVisit.objects.create(agreement=agreement, recorded_by=user, **data)
    for uploaded, kind in checked:
        _stored(VisitFile(visit=visit), uploaded, kind)
    _event(agreement, ImplementationEvent.Action.VISIT, user=user)
    return visit


@transaction.atomic
def terminate_agreement(
    *, user: User, agreement: GrantAgreement, reason: str, amount_to_return: Decimal
) -> GrantAgreement:
    agreement = _locked(agreement)
    _require_officer(user, agreement)
    if not reason.strip():
        raise ServiceError({"reason": [_("Give the reason for termination.")]})
    paid = paid_total(agreement)
    if amount_to_return < 0 or amount_to_return > paid:
        raise ServiceError(
            {
                "amount_to_return": [
                    _("The amount to return must be between zero and the %(paid)s paid.")
                    % {"paid": som(paid)}
                ]
            }
        )
    agreement.termination_reason = reason.strip()
    agreement.terminated_on = timezone.localdate()
    agreement.amount_to_return = amount_to_return
    agreement.save(update_fields=["termination_reason", "terminated_on", "amount_to_return"])
    _event(
        agreement, ImplementationEvent.Action.TERMINATED, user=user, to="terminated", note=reason
    )
    return agreement


@transaction.atomic
def record_return(*, user: User, agreement: GrantAgreement, amount: Decimal, note: str = ""):
    """Record money the organisation returned after termination."""
    agreement = _locked(agreement)
    _require_officer(user, agreement)
    if agreement.status != GrantAgreement.Status.TERMINATED:
        raise ServiceError(_("Returns are recorded for a terminated agreement."))
    outstanding = agreement.amount_to_return - agreement.amount_returned
    if amount <= 0 or amount > outstanding:
        raise ServiceError(
            {
                "amount": [
                    _("The amount must be more than zero and at most the %(due)s outstanding.")
                    % {"due": som(outstanding)}
                ]
            }
        )
    agreement.amount_returned = F("amount_returned") + amount
    agreement.save(update_fields=["amount_returned"])
    agreement.refresh_from_db(fields=["amount_returned"])
    _event(agreement, ImplementationEvent.Action.RETURN, user=user, note=f"{amount} {note}".strip())
    return agreement


# People


def _notify(people, *, template: str, context: dict, url: tuple[str, list]) -> None:
    """E-mail each person in their language, with the link to the page where to act."""
    viewname, args = url
    for person in people:
        send_templated_email(
            to=person.email,
            template=template,
            context={**context, "url": absolute_url(viewname, language=person.language, args=args)},
            language=person.language,
        )


def _members(agreement: GrantAgreement) -> list[User]:
    """The organisation's members, who receive its e-mails."""
    return list(
        User.objects.filter(
            organization_memberships__organization_id=agreement.application.organization_id,
            is_active=True,
        ).distinct()
    )


def officers(agreement: GrantAgreement) -> list[User]:
    """The customer's officers."""
    return list(
        User.objects.filter(
            state_body_memberships__state_body_id=agreement.application.competition.state_body_id,
            state_body_memberships__role=StateBodyMembership.Role.OFFICER,
            is_active=True,
        ).distinct()
    )


# The agreement's PDF


def document_context(agreement: GrantAgreement, language: str) -> dict:
    application = agreement.application
    return {
        "agreement": agreement,
        "application": application,
        "competition": application.competition,
        "organization": application.organization,
        "title": application.current_version.snapshot["project"]["title"],
        "budget_lines": list(agreement.budget_lines.select_related("category")),
        "indicators": list(agreement.indicators.all()),
        "reports": list(agreement.reports.all()),
        "tranches": list(agreement.tranches.select_related("condition_report")),
        "variance": settings.REPORT_LINE_VARIANCE_PERCENT,
        "language": language,
    }


def _render(document: AgreementDocument) -> tuple[bytes, int]:
    return render_pdf_pages(
        "pdf/grant_agreement.html",
        document_context(document.agreement, document.language),
        language=document.language,
    )


def render_agreement_document(document_id: int, *, skip_locked: bool = False) -> bool:
    """Render one agreement PDF once; ``False`` when it is done or being rendered."""
    return render_once(
        AgreementDocument.objects.select_related("agreement__application__competition__state_body"),
        document_id,
        render=_render,
        skip_locked=skip_locked,
    )


def agreement_documents_to_render(*, older_than_minutes: int = 5) -> list[int]:
    """Queued documents whose task missed the broker, and renders that died."""
    return stale_documents(AgreementDocument, older_than_minutes=older_than_minutes)


@transaction.atomic
def retry_agreement_document(*, user: User, document: AgreementDocument) -> AgreementDocument:
    _require_officer(user, document.agreement)
    if document.status != AgreementDocument.Status.FAILED:
        raise ServiceError(_("Only a failed document can be rendered again."))
    queue_again(document)
    from .tasks import render_agreement_task

    delay_on_commit(render_agreement_task, document.pk)
    return document
