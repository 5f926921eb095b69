"""The reminders of public councils (see accounts/reminders.py)."""

import datetime

from django.utils.translation import gettext_lazy as _

from accounts.reminders import Due, officers_by_state_body, on_cadence, reminder

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
    officers = officers_by_state_body(r.addressed_to_id for r in recommendations)
    for recommendation in recommendations:
        days = (today - recommendation.response_due).days
        if on_cadence(days - 1):
            yield Due(
                obj=recommendation,
                recipients=officers.get(recommendation.addressed_to_id, []),
                url=("councils:answer", [recommendation.pk]),
                context={"recommendation": recommendation, "days": days},
            )
