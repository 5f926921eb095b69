"""The reminders of public councils (see accounts/reminders.py)."""

import datetime

from django.utils.translation import gettext_lazy as _

from accounts.models import StateBodyMembership
from accounts.reminders import Due, on_cadence, reminder

from .models import Recommendation


@reminder(
    "recommendation_overdue",
    label=_("A council's recommendation to your state body awaiting a response (weekly)"),
    template="emails/reminders/recommendation_overdue",
)
def recommendations_overdue(today: datetime.date):
    recommendations = list(
        Recommendation.objects.overdue(today).select_related("council", "addressed_to")
    )
    officers: dict[int, list] = {}
    for membership in StateBodyMembership.objects.filter(
        state_body_id__in={r.addressed_to_id for r in recommendations},
        role=StateBodyMembership.Role.OFFICER,
    ).select_related("user"):
        officers.setdefault(membership.state_body_id, []).append(membership.user)
    for recommendation in recommendations:
        days = (today - recommendation.response_due).days
        if on_cadence(days - 1):
            yield Due(
                obj=recommendation,
                recipients=officers.get(recommendation.addressed_to_id, []),
                url=("councils:answer", [recommendation.pk]),
                context={"recommendation": recommendation, "days": days},
            )
