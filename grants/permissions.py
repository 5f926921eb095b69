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

from .models import Application


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


def can_review(user, competition: Competition) -> bool:
    """Officers of the customer and members of the competition's commission."""
    if not user.is_authenticated:
        return False
    return (
        can_act_for_state_body(user, competition.state_body)
        or CommissionMember.objects.filter(competition=competition, user=user).exists()
    )


def can_view_application(user, application: Application) -> bool:
    """The organisation always; reviewers only once the application is unsealed."""
    if is_applicant(user, application):
        return True
    return is_unsealed(application) and can_review(user, application.competition)


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
