"""What other apps may ask of grants (councils show their state body's record)."""

from competitions.models import Competition

from .models import Outcome


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
