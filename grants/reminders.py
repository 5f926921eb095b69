"""The reminders of applications, evaluation and grants (see accounts/reminders.py).

Each function returns, for a day, what is due and who is to be reminded, and the
page where the work is done. The run sends each once per recipient, object and day.
"""

import datetime

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganizationMembership, User
from accounts.reminders import Due, officers_by_state_body, on_cadence, reminder
from competitions.models import Competition

from .models import Application, GrantAgreement, ImplementationEvent, Report, Review, Tranche

# Drafts are reminded this many days before the deadline.
DEADLINE_DAYS = (3, 1)
# Reports are reminded this many days before they are due.
REPORT_DUE_DAYS = 7


def _members_prefetch(path: str) -> Prefetch:
    return Prefetch(
        path,
        queryset=OrganizationMembership.objects.select_related("user"),
        to_attr="reminded_memberships",
    )


def _members(organization) -> list[User]:
    return [membership.user for membership in organization.reminded_memberships]


@reminder(
    "application_deadline",
    label=_("An application draft whose competition's deadline is 3 days or 1 day away"),
    template="emails/reminders/application_deadline",
)
def application_deadlines(today: datetime.date):
    for application in (
        Application.objects.filter(
            status=Application.Status.DRAFT,
            competition__status=Competition.Status.PUBLISHED,
            competition__deadline__gt=timezone.now(),
            # Only deadlines near enough to be reminded of on ``today`` (not every open draft).
            competition__deadline__lt=timezone.make_aware(
                datetime.datetime.combine(
                    today + datetime.timedelta(days=max(DEADLINE_DAYS) + 1), datetime.time.min
                )
            ),
        )
        .select_related("competition", "organization")
        .prefetch_related(_members_prefetch("organization__memberships"))
    ):
        days = (timezone.localtime(application.competition.deadline).date() - today).days
        if days in DEADLINE_DAYS:
            yield Due(
                obj=application,
                recipients=_members(application.organization),
                url=("grants:edit", [application.pk]),
                context={"application": application, "days": days},
            )


@reminder(
    "review_pending",
    label=_("A scorecard of the commission not yet submitted"),
    template="emails/reminders/review_pending",
)
def reviews_pending(today: datetime.date):
    for review in Review.objects.filter(
        status=Review.Status.DRAFT,
        application__competition__status=Competition.Status.EVALUATION,
    ).select_related("member__user", "application__competition"):
        if review.member.user is None:
            continue
        yield Due(
            obj=review,
            recipients=[review.member.user],
            url=("grants:scorecard", [review.pk]),
            context={"review": review, "competition": review.application.competition},
        )


def _open_reports():
    return (
        Report.objects.filter(
            status__in=[Report.Status.DUE, Report.Status.RETURNED],
            agreement__status__in=[
                GrantAgreement.Status.SIGNED,
                GrantAgreement.Status.IN_IMPLEMENTATION,
            ],
        )
        .select_related("agreement__application__organization")
        .prefetch_related(_members_prefetch("agreement__application__organization__memberships"))
    )


def _report_due(report: Report, **context) -> Due:
    """A report to the organisation's members, with the link to the report."""
    return Due(
        obj=report,
        recipients=_members(report.agreement.application.organization),
        url=("grants:report", [report.pk]),
        context={"report": report, "agreement": report.agreement, **context},
    )


@reminder(
    "report_due",
    label=_("A report of your grant due in 7 days"),
    template="emails/reminders/report_due",
)
def reports_due(today: datetime.date):
    for report in _open_reports().filter(due_date=today + datetime.timedelta(days=REPORT_DUE_DAYS)):
        yield _report_due(report)


@reminder(
    "report_overdue",
    label=_("A report of your grant that is overdue (weekly)"),
    template="emails/reminders/report_overdue",
)
def reports_overdue(today: datetime.date):
    for report in _open_reports().filter(due_date__lt=today):
        days = (today - report.due_date).days
        if on_cadence(days - 1):
            yield _report_due(report, days=days)


def _payable_since(tranche: Tranche) -> datetime.date:
    """The day the tranche became payable: the latest of its due date, the signature and
    its report's acceptance and the payment of the tranche before it (the weekly cadence
    counts from then)."""
    days = [tranche.due_date]
    if tranche.earlier_paid_on is not None:
        days.append(tranche.earlier_paid_on)
    if tranche.agreement.signed_on is not None:
        days.append(tranche.agreement.signed_on)
    report = tranche.condition_report
    if report is not None and report.reviewed_at is not None:
        days.append(timezone.localtime(report.reviewed_at).date())
    return max(days)


@reminder(
    "tranche_due",
    label=_("A tranche due for payment whose condition is met (weekly, officers)"),
    template="emails/reminders/tranche_due",
)
def tranches_due(today: datetime.date):
    tranches = [
        tranche
        for tranche in Tranche.objects.next_to_pay()
        .annotate(
            earlier_paid_on=Subquery(
                Tranche.objects.filter(
                    agreement=OuterRef("agreement"), number__lt=OuterRef("number")
                )
                .order_by("-paid_on")
                .values("paid_on")[:1]
            )
        )
        .filter(
            due_date__lte=today,
            agreement__status__in=[
                GrantAgreement.Status.SIGNED,
                GrantAgreement.Status.IN_IMPLEMENTATION,
                GrantAgreement.Status.COMPLETED,
            ],
        )
        .select_related(
            "agreement__application__competition",
            "agreement__application__organization",
            "condition_report",
        )
        if tranche.condition_met
    ]
    officers = officers_by_state_body(
        t.agreement.application.competition.state_body_id for t in tranches
    )
    for tranche in tranches:
        if on_cadence((today - _payable_since(tranche)).days):
            yield Due(
                obj=tranche,
                recipients=officers.get(
                    tranche.agreement.application.competition.state_body_id, []
                ),
                url=("grants:agreement", [tranche.agreement_id]),
                context={"tranche": tranche, "agreement": tranche.agreement},
            )


@reminder(
    "signature_pending",
    label=_("An agreement prepared for signing and not yet signed (weekly)"),
    template="emails/reminders/signature_pending",
)
def signatures_pending(today: datetime.date):
    agreements = list(
        GrantAgreement.objects.filter(status=GrantAgreement.Status.PREPARED)
        .select_related("application__competition__state_body", "application__organization")
        .prefetch_related(
            _members_prefetch("application__organization__memberships"),
            Prefetch(
                "events",
                queryset=ImplementationEvent.objects.filter(
                    action=ImplementationEvent.Action.PREPARED
                ).order_by("-at"),
                to_attr="preparations",
            ),
        )
    )
    officers = officers_by_state_body(a.application.competition.state_body_id for a in agreements)
    for agreement in agreements:
        if not agreement.preparations:
            continue
        days = (today - timezone.localtime(agreement.preparations[0].at).date()).days
        if days >= 1 and on_cadence(days - 1):
            yield Due(
                obj=agreement,
                recipients=officers.get(agreement.application.competition.state_body_id, [])
                + _members(agreement.application.organization),
                url=("grants:agreement", [agreement.pk]),
                context={"agreement": agreement, "days": days},
            )
