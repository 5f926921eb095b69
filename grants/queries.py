"""What other apps may ask of grants (councils show their state body's record)."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce

from accounts.models import Region, StateBody, StateBodyMembership
from competitions.models import Competition
from socialorder.directories import MONEY

from .models import (
    Application,
    GrantAgreement,
    GrantBudgetLine,
    GrantIndicator,
    MonitoringVisit,
    Outcome,
    Report,
    ReportResult,
    Tranche,
)


def state_body_competitions(state_body):
    """The published competitions of a state body, newest first."""
    return Competition.objects.public().filter(state_body=state_body).order_by("-deadline")


def state_body_awards(state_body):
    """The grants a state body awarded: outcomes of approved decisions, newest first."""
    return (
        Outcome.objects.filter(
            result=Outcome.Result.AWARDED, decision__competition__state_body=state_body
        )
        .select_related("application__organization", "decision__competition")
        .order_by("-decision__decided_on", "rank")
    )


# Implementation: the public registry of grants and the workspaces.

# Grants being implemented: reports are written, tranches paid, visits made.
RUNNING = (GrantAgreement.Status.SIGNED, GrantAgreement.Status.IN_IMPLEMENTATION)


def _paid_total():
    """The sum of a grant's paid tranches, for ``annotate`` (a subquery: no row doubling)."""
    return Coalesce(
        Subquery(
            Tranche.objects.filter(agreement=OuterRef("pk"), paid_on__isnull=False)
            .values("agreement")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
        Value(Decimal(0)),
        output_field=DecimalField(**MONEY),
    )


def _count(model, **conditions):
    return Coalesce(
        Subquery(
            model.objects.filter(agreement=OuterRef("pk"), **conditions)
            .values("agreement")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        Value(0),
    )


def _project():
    return KeyTransform("project", "application__current_version__snapshot")


def with_listing(agreements):
    """Agreements with what a list of grants shows, in a fixed number of queries: the
    project's title and region codes (from the version that counts), the amount paid and
    the numbers of tranches (paid) and reports (accepted)."""
    return agreements.select_related(
        "application__organization",
        "application__competition__state_body",
    ).annotate(
        project_title=KeyTextTransform("title", _project()),
        region_codes=KeyTransform("regions", _project()),
        paid=_paid_total(),
        tranches_total=_count(Tranche),
        tranches_paid=_count(Tranche, paid_on__isnull=False),
        reports_total=_count(Report),
        reports_accepted=_count(Report, status=Report.Status.ACCEPTED),
    )


def public_grants():
    """Grants the registry lists: their agreement is signed (or later)."""
    return GrantAgreement.objects.filter(status__in=GrantAgreement.PUBLIC)


def region_names() -> dict[str, Region]:
    """The regions an application may name, by code (one query)."""
    return {region.code: region for region in Region.objects.filter(parent=None)}


def attach_regions(agreements) -> None:
    """Set ``project_regions`` on each listed agreement (``with_listing``) from its codes."""
    regions = region_names()
    for agreement in agreements:
        codes = agreement.region_codes or []
        agreement.project_regions = [regions[code] for code in codes if code in regions]


def in_region(agreements, region: Region):
    """Grants whose project (the version that counts) names ``region``."""
    needle = f'"{region.code}"'
    return agreements.filter(
        **{"application__current_version__snapshot__project__regions__icontains": needle}
    )


def registry_totals(agreements) -> dict:
    """The number of grants, their amount and what was paid of them."""
    totals = agreements.order_by().aggregate(count=Count("pk"), amount=Sum("amount"))
    paid = Tranche.objects.filter(
        agreement__in=agreements.order_by().values("pk"), paid_on__isnull=False
    ).aggregate(total=Sum("amount"))["total"]
    return {
        "count": totals["count"],
        "amount": totals["amount"] or Decimal(0),
        "paid": paid or Decimal(0),
    }


def parse_number(text: str) -> Decimal | None:
    """A value of an indicator as a number: ``"1 200"``, ``"12,5"``, ``"80 %"``; else None."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(text)).rstrip("%")
    if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", cleaned) is None:
        return None
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover (the pattern admits numbers only)
        return None


@dataclass
class IndicatorProgress:
    """How far one indicator got: the latest value achieved in an accepted report."""

    indicator: GrantIndicator
    achieved: str | None = None
    comment: str = ""
    report: Report | None = None
    # The share of the way from the baseline to the target, in per cent (may exceed 100).
    percent: int | None = None

    @property
    def bar(self) -> int:
        """The width of a progress bar: the percentage within 0..100."""
        return max(0, min(100, self.percent or 0))


def progress_percent(baseline: str, target: str, achieved: str) -> int | None:
    """The share of the way from the baseline to the target that ``achieved`` covers, in
    whole per cent; a baseline that is not a number counts as zero. ``None`` when the
    target or the value achieved is not a number, or the target equals the baseline."""
    target_value, achieved_value = parse_number(target), parse_number(achieved)
    if target_value is None or achieved_value is None:
        return None
    start = parse_number(baseline)
    if start is None:
        start = Decimal(0)
    if target_value == start:
        return None
    share = (achieved_value - start) * 100 / (target_value - start)
    return int(share.to_integral_value(rounding=ROUND_HALF_UP))


def indicator_progress(agreement: GrantAgreement) -> list[IndicatorProgress]:
    """Each indicator of the agreement with the latest value achieved in an accepted report
    (two queries)."""
    latest: dict[int, ReportResult] = {}
    results = (
        ReportResult.objects.filter(
            report__agreement=agreement, report__status=Report.Status.ACCEPTED
        )
        .exclude(achieved="")
        .select_related("report")
        .order_by("report__number")
    )
    for result in results:
        latest[result.indicator_id] = result
    progress = []
    for indicator in agreement.indicators.all():
        result = latest.get(indicator.pk)
        row = IndicatorProgress(indicator)
        if result is not None:
            row.achieved = result.achieved
            row.comment = result.comment
            row.report = result.report
            row.percent = progress_percent(indicator.baseline, indicator.target, result.achieved)
        progress.append(row)
    return progress


def public_report(report: Report) -> dict:
    """The public parts of an accepted final report: the narrative of what was done, the
    beneficiaries reached, the results, and per agreed budget line what was planned and
    what all accepted reports spent on it (no attachments, no officer's comment, no
    problems)."""
    accepted = Q(
        spending__report__agreement_id=report.agreement_id,
        spending__report__status=Report.Status.ACCEPTED,
    )
    lines = list(
        GrantBudgetLine.objects.filter(agreement_id=report.agreement_id)
        .select_related("category")
        .annotate(
            spent=Coalesce(
                Sum("spending__amount", filter=accepted),
                Value(Decimal(0)),
                output_field=DecimalField(**MONEY),
            )
        )
    )
    return {
        "report": report,
        "results": list(report.results.select_related("indicator")),
        "lines": lines,
        "planned": sum((line.planned for line in lines), Decimal(0)),
        "spent": sum((line.spent for line in lines), Decimal(0)),
    }


def state_bodies_of(user):
    """The state bodies the user acts for as an officer."""
    return StateBody.objects.filter(
        memberships__user=user, memberships__role=StateBodyMembership.Role.OFFICER
    ).distinct()


def member_agreements(user):
    """The agreements of the user's organisations."""
    return GrantAgreement.objects.filter(application__organization__memberships__user=user)


def has_grants(user) -> bool:
    """The user's organisations have a grant agreement (drafts included)."""
    return user.is_authenticated and member_agreements(user).exists()


def member_reports_due(user):
    """Reports the user's organisations still owe (not submitted, or returned), on grants
    being implemented, the earliest due first (so the overdue ones lead)."""
    return (
        Report.objects.filter(
            agreement__in=member_agreements(user).values("pk"),
            agreement__status__in=RUNNING,
            status__in=[Report.Status.DUE, Report.Status.RETURNED],
        )
        .select_related("agreement__application__organization")
        .order_by("due_date", "agreement__number", "number")
    )


def member_recent_payments(user, since):
    """Tranches paid to the user's organisations on or after ``since``, newest first."""
    return (
        Tranche.objects.filter(
            agreement__in=member_agreements(user).values("pk"), paid_on__gte=since
        )
        .select_related("agreement__application__organization")
        .order_by("-paid_on", "-pk")
    )


def officer_worklist(bodies, today) -> dict:
    """What the customer's officers of ``bodies`` have to do or follow, as querysets (each
    with what its rows show selected, so that a slice of it costs one query)."""
    agreements = GrantAgreement.objects.filter(application__competition__state_body__in=bodies)
    reports = Report.objects.filter(agreement__in=agreements.values("pk")).select_related(
        "agreement__application__organization"
    )
    listed = agreements.select_related("application__organization", "application__competition")
    return {
        "overdue_reports": reports.filter(
            agreement__status__in=RUNNING,
            status__in=[Report.Status.DUE, Report.Status.RETURNED],
            due_date__lt=today,
        ).order_by("due_date", "pk"),
        "submitted_reports": reports.filter(status=Report.Status.SUBMITTED).order_by(
            "submitted_at", "pk"
        ),
        # Tranche.is_payable in a query: next in order, the agreement signed and not
        # terminated, the condition met (on signature, or its report accepted).
        "payable_tranches": Tranche.objects.next_to_pay()
        .filter(
            agreement__in=agreements.values("pk"),
            agreement__status__in=[*RUNNING, GrantAgreement.Status.COMPLETED],
        )
        .filter(
            Q(condition=Tranche.Condition.SIGNATURE)
            | Q(condition_report__status=Report.Status.ACCEPTED)
        )
        .select_related("agreement__application__organization", "condition_report")
        .order_by("due_date", "agreement__number", "number"),
        "to_draft": Application.objects.filter(
            competition__state_body__in=bodies,
            status=Application.Status.AWARDED,
            agreement__isnull=True,
        )
        .select_related("organization", "competition", "outcome")
        .order_by("competition__reference", "reference"),
        "drafts": listed.filter(status=GrantAgreement.Status.DRAFT).order_by("number"),
        "awaiting_signature": listed.filter(status=GrantAgreement.Status.PREPARED).order_by(
            "number"
        ),
        "recent_visits": MonitoringVisit.objects.filter(agreement__in=agreements.values("pk"))
        .select_related("agreement__application__organization")
        .order_by("-visited_on", "-pk"),
        "not_visited": listed.filter(status__in=RUNNING)
        .exclude(pk__in=MonitoringVisit.objects.values("agreement"))
        .order_by("signed_on", "number"),
    }
