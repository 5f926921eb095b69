"""Who may do what with programmes and competitions."""

from accounts.models import OrganizationMembership
from accounts.permissions import can_act_for_state_body

from .models import Competition, Programme


def can_edit_programme(user, programme: Programme) -> bool:
    """Officers of the programme's state body."""
    return can_act_for_state_body(user, programme.state_body)


def can_edit_competition(user, competition: Competition) -> bool:
    """Officers of the competition's state body."""
    return can_act_for_state_body(user, competition.state_body)


def can_view_competition(user, competition: Competition) -> bool:
    """Everyone once it was published; before that only the body's officers."""
    if competition.published_at is not None:
        return True
    return can_edit_competition(user, competition)


def is_nco_member(user) -> bool:
    return user.is_authenticated and OrganizationMembership.objects.filter(user=user).exists()


def can_ask_clarification(user, competition: Competition) -> bool:
    """A member of an NCO, while the competition accepts applications."""
    return competition.is_open and is_nco_member(user)


def can_follow_competition(user, competition: Competition) -> bool:
    return competition.published_at is not None and is_nco_member(user)
