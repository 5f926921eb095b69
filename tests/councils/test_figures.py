"""Per-council figures (``councils.figures``): meetings per year, recommendations by
status, the share of responses on time."""

import datetime

import pytest
from django.utils import translation

from councils import figures
from councils.models import Meeting, Recommendation

from .factories import MeetingFactory, RecommendationFactory, days_ago

pytestmark = pytest.mark.django_db

Status = Recommendation.Status
BISHKEK = datetime.timezone(datetime.timedelta(hours=6))


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """A moment in Bishkek time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BISHKEK)


def test_meetings_per_year_counts_held_meetings_only_oldest_year_first(council, other_council):
    for moment in (at(2022, 3, 1), at(2022, 11, 20), at(2023, 6, 5)):
        MeetingFactory(council=council, held=True, starts_at=moment)
    MeetingFactory(council=council, starts_at=at(2023, 9, 1))  # still planned
    MeetingFactory(council=council, starts_at=at(2023, 2, 1), status=Meeting.Status.CANCELLED)
    MeetingFactory(council=council, starts_at=at(2021, 2, 1), status=Meeting.Status.CANCELLED)
    MeetingFactory(council=other_council, held=True, starts_at=at(2022, 5, 5))
    MeetingFactory(council=other_council, held=True, starts_at=at(2020, 5, 5))

    assert figures.meetings_per_year(council) == [(2022, 2), (2023, 1)]


def test_meetings_per_year_follows_the_bishkek_calendar(council):
    # 00:30 on 1 January 2024 in Bishkek is still 2023 in UTC; 23:30 on 31 December
    # 2022 in Bishkek is 2022 in both.
    MeetingFactory(council=council, held=True, starts_at=at(2024, 1, 1, 0, 30))
    MeetingFactory(council=council, held=True, starts_at=at(2022, 12, 31, 23, 30))

    assert figures.meetings_per_year(council) == [(2022, 1), (2024, 1)]


def test_no_meetings_no_years(council):
    MeetingFactory(council=council)

    assert figures.meetings_per_year(council) == []


def test_recommendations_by_status_lists_every_status_in_the_workflow_order(council, other_council):
    RecommendationFactory.create_batch(2, council=council)
    RecommendationFactory(
        council=council, status=Status.ACCEPTED, response="Ооба.", responded_on=days_ago(0)
    )
    RecommendationFactory(council=other_council, status=Status.REJECTED, response="Жок.")

    with translation.override("en"):
        rows = [
            (value, str(label), n) for value, label, n in figures.recommendations_by_status(council)
        ]
    assert rows == [
        ("sent", "sent", 2),
        ("considering", "under consideration", 0),
        ("accepted", "accepted", 1),
        ("partly_accepted", "partly accepted", 0),
        ("rejected", "rejected", 0),
        ("implemented", "implemented", 0),
    ]


def test_a_council_without_recommendations_has_every_status_at_zero(council):
    rows = figures.recommendations_by_status(council)

    assert [value for value, _label, _n in rows] == list(Status.values)
    assert all(n == 0 for _value, _label, n in rows)


def answered(council, *, due_days_ago: int, answered_days_ago: int, status=Status.ACCEPTED):
    return RecommendationFactory(
        council=council,
        adopted_on=days_ago(due_days_ago + 30),
        response_due=days_ago(due_days_ago),
        status=status,
        response="Жооп.",
        responded_on=days_ago(answered_days_ago),
    )


def unanswered(council, *, due_days_ago: int, status=Status.SENT):
    return RecommendationFactory(
        council=council,
        adopted_on=days_ago(max(due_days_ago, 0) + 30),
        response_due=days_ago(due_days_ago),
        status=status,
    )


def test_responses_on_time_against_answered_late_and_overdue(council, other_council):
    answered(council, due_days_ago=10, answered_days_ago=12)  # on time
    answered(council, due_days_ago=10, answered_days_ago=10)  # on the due day: on time
    answered(council, due_days_ago=-20, answered_days_ago=0, status=Status.REJECTED)  # early
    answered(council, due_days_ago=10, answered_days_ago=3)  # late
    unanswered(council, due_days_ago=1)  # overdue
    unanswered(council, due_days_ago=5, status=Status.CONSIDERING)  # overdue, considering
    unanswered(council, due_days_ago=0)  # due today: not yet late
    unanswered(council, due_days_ago=-10)  # not yet due
    unanswered(other_council, due_days_ago=5)  # another council's

    # 3 on time of 6 answered or due: 3 on time, 1 late, 2 overdue.
    assert figures.responses_on_time(council) == (3, 6, 50)


def test_the_share_on_time_is_a_whole_percentage(council):
    answered(council, due_days_ago=10, answered_days_ago=12)
    answered(council, due_days_ago=10, answered_days_ago=11)
    answered(council, due_days_ago=10, answered_days_ago=2)

    assert figures.responses_on_time(council) == (2, 3, 67)


def test_implemented_keeps_the_date_of_the_answer(council):
    answered(council, due_days_ago=40, answered_days_ago=45, status=Status.IMPLEMENTED)

    assert figures.responses_on_time(council) == (1, 1, 100)


def test_all_overdue_is_zero_percent(council):
    unanswered(council, due_days_ago=3)

    assert figures.responses_on_time(council) == (0, 1, 0)


def test_nothing_due_is_no_percentage(council, other_council):
    assert figures.responses_on_time(council) == (0, 0, None)

    unanswered(council, due_days_ago=-5)
    unanswered(council, due_days_ago=0, status=Status.CONSIDERING)
    answered(other_council, due_days_ago=3, answered_days_ago=4)

    assert figures.responses_on_time(council) == (0, 0, None)
