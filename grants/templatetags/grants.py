"""What the competition page shows about applications (the competitions app knows
nothing of grants; its template asks here)."""

from django import template
from django.utils import translation

from accounts.models import Organization
from competitions.models import CommissionMember
from grants import permissions
from grants.forms import StartApplicationForm
from grants.models import Appeal, Application, AwardDecision, DecisionDocument

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


@register.inclusion_tag("grants/includes/decision_results.html")
def decision_results(competition):
    """After the decision: results, scores per criterion, commission, recusals, PDFs, appeals."""
    decision = (
        AwardDecision.objects.filter(competition=competition).prefetch_related("documents").first()
    )
    if decision is None:
        return {"show": False}
    results = decision.results
    language = translation.get_language()

    def localised(value):
        return value.get(language) or value.get("ky") or "" if isinstance(value, dict) else value

    roles = dict(CommissionMember.Role.choices)
    appeals = Appeal.objects.filter(application__competition=competition).select_related(
        "application"
    )
    return {
        "show": True,
        "decision": decision,
        "criteria": [localised(c["name"]) for c in results["criteria"]],
        "ranked": results["ranked"],
        "below": results["below_pass_mark"],
        "rejected": results["rejected"],
        "recusals": results["recusals"],
        "budget": results["budget"],
        "commission": [
            {**m, "role_label": roles.get(m["role"], m["role"])} for m in results["commission"]
        ],
        "documents": [
            d
            for d in decision.documents.all()
            if d.kind == DecisionDocument.Kind.DECISION and d.status == DecisionDocument.Status.DONE
        ],
        "appeals": appeals,
    }


@register.simple_tag(takes_context=True)
def evaluation_roles(context, competition):
    """What the user may do in the evaluation: ``{"manage": bool, "officer": bool}``."""
    user = context["request"].user
    return {
        "manage": permissions.can_manage_evaluation(user, competition),
        "officer": permissions.is_officer(user, competition),
        "open": permissions.deadline_passed(competition) and competition.published_at is not None,
    }
