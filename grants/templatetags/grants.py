"""What the competition page shows about applications (the competitions app knows
nothing of grants; its template asks here)."""

from django import template

from accounts.models import Organization
from grants import permissions
from grants.forms import StartApplicationForm
from grants.models import Application

register = template.Library()


@register.inclusion_tag("grants/includes/competition_panel.html", takes_context=True)
def application_panel(context, competition):
    """For NCO members: start an application, or go to theirs."""
    user = context["request"].user
    if not user.is_authenticated or not competition.published_at:
        return {"show": False}
    organizations = Organization.objects.for_member(user)
    mine = list(
        Application.objects.filter(
            competition=competition, organization__in=organizations
        ).select_related("organization")
    )
    started = {application.organization_id for application in mine}
    free = organizations.exclude(pk__in=started)
    return {
        "show": bool(mine) or (competition.is_open and free.exists()),
        "competition": competition,
        "mine": mine,
        "form": StartApplicationForm(organizations=free) if competition.is_open else None,
        "request": context["request"],
    }


@register.inclusion_tag("grants/includes/public_applications.html")
def public_applications(competition):
    """After the deadline: every submitted application, its admission status and reason."""
    if not permissions.deadline_passed(competition) or competition.published_at is None:
        return {"show": False}
    applications = (
        Application.objects.filter(competition=competition)
        .submitted()
        .select_related("organization", "current_version")
        .order_by("reference")
    )
    return {"show": True, "applications": applications}
