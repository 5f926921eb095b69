"""What councils ask of grants (``grants.queries``): a state body's published
competitions and the grants it awarded, for a council's transparency block."""

import datetime

import pytest

from competitions.models import Competition
from grants import queries
from grants.models import Outcome
from tests.competitions.factories import CompetitionFactory, in_days
from tests.factories import StateBodyFactory
from tests.grants.evaluation import decided_competition
from tests.grants.factories import open_competition

pytestmark = pytest.mark.django_db


def test_state_body_competitions_are_the_published_ones_of_that_body_newest_first(
    state_body,
):
    later = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(60))
    earlier = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(20))
    in_evaluation = CompetitionFactory(state_body=state_body, evaluation=True)
    cancelled = CompetitionFactory(state_body=state_body, cancelled=True, deadline=in_days(10))
    CompetitionFactory(state_body=state_body)  # a draft
    CompetitionFactory(state_body=state_body, status=Competition.Status.CANCELLED)  # never out
    CompetitionFactory(state_body=StateBodyFactory(), published=True)

    assert list(queries.state_body_competitions(state_body)) == [
        later,
        earlier,
        cancelled,
        in_evaluation,
    ]


def test_a_body_without_published_competitions_has_none(state_body):
    CompetitionFactory(state_body=state_body)

    assert list(queries.state_body_competitions(state_body)) == []
    assert list(queries.state_body_awards(state_body)) == []


def test_state_body_awards_are_the_awarded_outcomes_of_that_body_newest_first(state_body):
    older = decided_competition(open_competition(state_body=state_body))
    newer = decided_competition(open_competition(state_body=state_body))
    elsewhere = decided_competition()
    older.decision.decided_on = older.decision.decided_on - datetime.timedelta(days=40)
    older.decision.save(update_fields=["decided_on"])
    # The default flow awards one grant, puts one on the reserve list and one below the
    # pass mark; the other body's awarded grant is not this body's.
    assert Outcome.objects.filter(result=Outcome.Result.AWARDED).count() == 3
    assert Outcome.objects.exclude(result=Outcome.Result.AWARDED).exists()

    awards = list(queries.state_body_awards(state_body))

    assert [(o.decision, o.result) for o in awards] == [
        (newer.decision, Outcome.Result.AWARDED),
        (older.decision, Outcome.Result.AWARDED),
    ]
    assert elsewhere.competition.state_body != state_body
    assert [o.application for o in awards] == [
        Outcome.objects.get(decision=newer.decision, result="awarded").application,
        Outcome.objects.get(decision=older.decision, result="awarded").application,
    ]
