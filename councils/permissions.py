"""Who may do what with councils. Councils are public; secretaries (granted per council
by an administrator) keep their council's page; officers of a state body answer the
recommendations addressed to it."""

from accounts.permissions import can_act_for_state_body, is_officer

from .models import Council, CouncilSecretary, Meeting, Recommendation


def is_secretary(user, council: Council) -> bool:
    return (
        user.is_authenticated
        and CouncilSecretary.objects.filter(user=user, council=council).exists()
    )


def can_edit_council(user, council: Council) -> bool:
    """The council's secretaries; a dissolved council's record is kept as it ended."""
    return is_secretary(user, council) and council.status != Council.Status.DISSOLVED


def can_answer_recommendation(user, recommendation: Recommendation) -> bool:
    """Officers of the state body the recommendation is addressed to."""
    return can_act_for_state_body(user, recommendation.addressed_to)


def minutes_public(meeting: Meeting) -> bool:
    return meeting.minutes_published_at is not None


def can_answer_recommendations(user) -> bool:
    """Officers of any state body see the recommendations addressed to their bodies."""
    return is_officer(user)
