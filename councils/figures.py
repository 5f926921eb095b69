"""Per-council figures for the public page: each also shown as an accessible table."""

from collections import Counter

from django.db.models import Count
from django.db.models.functions import ExtractYear

from .models import Council, Meeting, Recommendation


def meetings_per_year(council: Council) -> list[tuple[int, int]]:
    """Held meetings by year, oldest first (Bishkek time)."""
    rows = (
        Meeting.objects.filter(council=council, status=Meeting.Status.HELD)
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    return [(row["year"], row["n"]) for row in rows]


def recommendations_by_status(council: Council) -> list[tuple[str, str, int]]:
    """``(status, label, count)`` for every status, in the order of the workflow."""
    counts = Counter(
        Recommendation.objects.filter(council=council).values_list("status", flat=True)
    )
    return [(value, label, counts.get(value, 0)) for value, label in Recommendation.Status.choices]


def responses_on_time(council: Council) -> tuple[int, int, int | None]:
    """``(answered on time, answered or overdue, percent)``: of the recommendations that
    were answered or are past their due date, how many were answered by the due date."""
    answered = list(
        Recommendation.objects.filter(council=council)
        .exclude(responded_on=None)
        .values_list("responded_on", "response_due")
    )
    on_time = sum(1 for responded, due in answered if responded <= due)
    overdue = Recommendation.objects.filter(council=council).overdue().count()
    total = len(answered) + overdue
    # Half up (``round`` would round 12.5 to 12).
    return on_time, total, int(on_time * 100 / total + 0.5) if total else None
