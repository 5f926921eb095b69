"""Who may read and change applications. The sealed rule lives here.

Before the competition's deadline nobody but the organisation's own members
reads an application's content: not the customer's officers, not the
commission, not administrators' web views. After the deadline the customer's
officers and the competition's commission read submitted applications.
"""

from django.utils import timezone

from accounts.models import OrganizationMembership
from accounts.permissions import can_act_for_state_body
from competitions.models import CommissionMember, Competition

from .models import (
    Appeal,
    Application,
    ConflictDeclaration,
    GrantAgreement,
    MonitoringVisit,
    Report,
    Review,
)


def is_applicant(user, application: Application) -> bool:
    """An owner or editor of the applying organisation."""
    return (
        user.is_authenticated
        and OrganizationMembership.objects.filter(
            user=user, organization_id=application.organization_id
        ).exists()
    )


def deadline_passed(competition: Competition, now=None) -> bool:
    return (now or timezone.now()) >= competition.deadline


def is_unsealed(application: Application, now=None) -> bool:
    """Content may be read by the customer: the deadline passed and it was submitted."""
    return deadline_passed(application.competition, now) and application.status not in {
        Application.Status.DRAFT,
        Application.Status.WITHDRAWN,
    }


def can_view_application(user, application: Application) -> bool:
    """The organisation always. Once the application is unsealed, the customer's officers,
    and commission members who declared no conflict of interest with it."""
    if is_applicant(user, application):
        return True
    if not is_unsealed(application) or is_recused_user(user, application):
        return False
    return can_act_for_state_body(user, application.competition.state_body) or can_read_as_member(
        user, application
    )


def can_edit_application(user, application: Application) -> bool:
    """The organisation, until the deadline (drafts, submitted and withdrawn)."""
    return (
        is_applicant(user, application)
        and not deadline_passed(application.competition)
        and application.competition.status == Competition.Status.PUBLISHED
        and application.status
        in {Application.Status.DRAFT, Application.Status.SUBMITTED, Application.Status.WITHDRAWN}
    )


def can_start_application(user, organization, competition: Competition) -> bool:
    return (
        user.is_authenticated
        and OrganizationMembership.objects.filter(user=user, organization=organization).exists()
        and competition.is_open
    )


def can_decide_admission(user, application: Application) -> bool:
    """Officers of the customer, after the deadline."""
    return is_unsealed(application) and can_act_for_state_body(
        user, application.competition.state_body
    )


# Evaluation


def commission_seat(user, competition: Competition) -> CommissionMember | None:
    """The user's seat on the competition's commission, if any."""
    if not user.is_authenticated:
        return None
    return CommissionMember.objects.filter(competition=competition, user=user).first()


def is_chair(user, competition: Competition) -> bool:
    seat = commission_seat(user, competition)
    return seat is not None and seat.role == CommissionMember.Role.CHAIR


def is_officer(user, competition: Competition) -> bool:
    return can_act_for_state_body(user, competition.state_body)


def can_manage_evaluation(user, competition: Competition) -> bool:
    """Assign reviewers and follow the evaluation: the customer's officers and the chair."""
    return is_officer(user, competition) or is_chair(user, competition)


def has_cleared_conflict(member: CommissionMember, application: Application) -> bool:
    """The member declared no conflict with this application (and none was detected)."""
    return ConflictDeclaration.objects.filter(
        member=member, application=application, has_conflict=False
    ).exists()


def can_read_as_member(user, application: Application) -> bool:
    """A commission member reads an unsealed application only after declaring no conflict."""
    seat = commission_seat(user, application.competition)
    return seat is not None and has_cleared_conflict(seat, application)


def may_see_other_scores(member: CommissionMember, application: Application) -> bool:
    """Blind scoring: a reviewer sees the others' scores once their own are submitted."""
    return Review.objects.filter(
        member=member, application=application, status=Review.Status.SUBMITTED
    ).exists()


def can_approve_decision(user, competition: Competition) -> bool:
    """Record the meeting, reduce amounts, approve: the customer's officers."""
    return is_officer(user, competition)


def can_appeal(user, application: Application, now=None) -> bool:
    """The applicant, while the decision's appeal period runs, once."""
    decision = getattr(application.competition, "award_decision", None)
    return (
        decision is not None
        and is_applicant(user, application)
        and hasattr(application, "outcome")
        and (now or timezone.now()) <= decision.appeal_until
        and not Appeal.objects.filter(application=application).exists()
    )


def is_recused_user(user, application: Application) -> bool:
    """The user sits on the commission and stepped away from this application (an officer
    with a seat included: the recusal binds them in every role)."""
    seat = commission_seat(user, application.competition)
    return (
        seat is not None
        and ConflictDeclaration.objects.filter(
            member=seat, application=application, has_conflict=True
        ).exists()
    )


def scores_hidden_from(user, competition: Competition) -> set[int]:
    """Applications whose scores a commission member may not see: every application while
    one of their own scorecards is not submitted (the ranking would tell), and those they
    are recused from. Officers and chairs with a seat are bound by it too."""
    seat = commission_seat(user, competition)
    if seat is None:
        return set()
    recused = set(
        ConflictDeclaration.objects.filter(member=seat, has_conflict=True).values_list(
            "application_id", flat=True
        )
    )
    if Review.objects.filter(member=seat).exclude(status=Review.Status.SUBMITTED).exists():
        return recused | set(
            Application.objects.filter(competition=competition).values_list("pk", flat=True)
        )
    return recused


# Implementation: agreements, tranches, reports, visits


def _application_of(obj) -> Application:
    return obj if isinstance(obj, Application) else obj.application


def can_manage_agreement(user, agreement_or_application) -> bool:
    """Draft, prepare and sign agreements, pay tranches, review reports, record visits:
    the customer's officers."""
    return is_officer(user, _application_of(agreement_or_application).competition)


def can_view_agreement(user, agreement: GrantAgreement) -> bool:
    """The agreement's working page: the customer's officers and the organisation."""
    return can_manage_agreement(user, agreement) or is_applicant(user, agreement.application)


def can_edit_report(user, report: Report) -> bool:
    """The organisation, while the report is not submitted (or was returned) and the grant runs."""
    return (
        is_applicant(user, report.agreement.application)
        and report.is_editable
        and report.agreement.is_running
    )


def can_read_report(user, report: Report) -> bool:
    """Its content and documents: the organisation always; the customer's officers once it
    has been submitted (a draft is the organisation's working copy)."""
    return is_applicant(user, report.agreement.application) or (
        report.submitted_at is not None and can_manage_agreement(user, report.agreement)
    )


def can_review_report(user, report: Report) -> bool:
    return (
        can_manage_agreement(user, report.agreement)
        and report.status == Report.Status.SUBMITTED
        and report.agreement.is_running
    )


def can_view_visit(user, visit: MonitoringVisit) -> bool:
    """Officers see every visit; the organisation the findings addressed to it."""
    agreement = visit.agreement
    return can_manage_agreement(user, agreement) or (
        visit.shared_with_organization and is_applicant(user, agreement.application)
    )


def is_public_grant(agreement: GrantAgreement) -> bool:
    """The registry lists a grant once its agreement is signed."""
    return agreement.status in GrantAgreement.PUBLIC


def is_public_report(report: Report) -> bool:
    """The public parts of an accepted final report are published on the grant's page."""
    return report.kind == Report.Kind.FINAL and report.status == Report.Status.ACCEPTED
