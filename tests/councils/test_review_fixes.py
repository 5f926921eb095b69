"""Regression tests for the review of the councils app: dates out of range, huge numbers,
the adoption date and the meeting, locked meetings, the officer's list order."""

import datetime

import pytest
from django.utils import timezone, translation

from councils import compositions, services
from councils.models import CouncilMember, Meeting, Recommendation
from councils.services import ServiceError

from .factories import CouncilMemberFactory, MeetingFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_meeting_in_year_one_is_refused_and_the_council_page_stays_up(client, council, secretary):
    meeting = Meeting(starts_at=datetime.datetime(1, 1, 2, tzinfo=datetime.UTC), place="Бишкек ш.")
    with pytest.raises(ServiceError) as refusal:
        services.save_meeting(user=secretary, council=council, meeting=meeting, agenda=["Бир"])
    assert "starts_at" in refusal.value.message_dict
    assert not Meeting.objects.exists()
    assert client.get(f"/ky/councils/{council.slug}/").status_code == 200


def test_a_term_ending_in_year_9999_is_refused(council, secretary):
    member = CouncilMember(
        full_name="Асанов Бакыт",
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(9999, 12, 31),
    )
    with pytest.raises(ServiceError) as refusal:
        services.save_member(user=secretary, council=council, member=member)
    assert "term_end" in refusal.value.message_dict
    assert not CouncilMember.objects.exists()


def test_periods_take_the_last_possible_day_as_an_open_term():
    member = CouncilMember(
        full_name="Асанов Бакыт", term_start=datetime.date(2024, 1, 1), term_end=datetime.date.max
    )
    [period] = compositions.periods([member])
    assert period.start == datetime.date(2024, 1, 1)
    assert period.end is None


def test_a_huge_number_of_guests_is_refused_not_a_server_error(council, secretary):
    meeting = MeetingFactory(council=council, held=True, minutes_published_at=None)
    with pytest.raises(ServiceError) as refusal:
        services.publish_minutes(
            user=secretary,
            meeting=meeting,
            minutes="Протокол.",
            present=[],
            guests_count=99_999_999_999,
        )
    assert "guests_count" in refusal.value.message_dict
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is None


def test_a_recommendation_is_not_adopted_before_its_meeting(council, secretary):
    meeting = MeetingFactory(council=council, held=True)
    before = timezone.localdate(meeting.starts_at) - datetime.timedelta(days=3)
    with pytest.raises(ServiceError) as refusal:
        services.create_recommendation(
            user=secretary,
            council=council,
            meeting=meeting,
            addressed_to=council.state_body,
            title="Сунуштама",
            text="Тексти.",
            adopted_on=before,
        )
    assert "adopted_on" in refusal.value.message_dict
    assert not Recommendation.objects.exists()


def test_a_meeting_cancelled_meanwhile_cannot_be_edited(council, secretary):
    meeting = MeetingFactory(council=council)
    stale = Meeting.objects.get(pk=meeting.pk)
    services.cancel_meeting(user=secretary, meeting=meeting, reason="Кворум жок.")
    stale.place = "Башка жер"
    with pytest.raises(ServiceError):
        services.save_meeting(user=secretary, council=council, meeting=stale, agenda=["Бир"])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.place != "Башка жер"


def test_the_officer_list_shows_the_overdue_first(client, council, officer):
    today = timezone.localdate()
    answered = RecommendationFactory(
        council=council,
        adopted_on=today - datetime.timedelta(days=5),
        status=Recommendation.Status.ACCEPTED,
        response="Кабыл алынды.",
        responded_on=today,
    )
    recent = RecommendationFactory(council=council, adopted_on=today)
    overdue = RecommendationFactory(
        council=council,
        adopted_on=today - datetime.timedelta(days=60),
        response_due=today - datetime.timedelta(days=30),
    )
    client.force_login(officer)
    response = client.get("/ky/officer/recommendations/")
    assert response.status_code == 200
    listed = [r.pk for r in response.context["page"]]
    assert listed == [overdue.pk, recent.pk, answered.pk]


def test_a_re_appointed_member_is_one_composition(council):
    first = CouncilMemberFactory(
        council=council,
        full_name="Асанов Бакыт",
        email="asanov@example.kg",
        term_start=datetime.date(2019, 1, 1),
        term_end=datetime.date(2022, 12, 31),
    )
    second = CouncilMemberFactory(
        council=council,
        full_name="Асанов Бакыт",
        email="ASANOV@example.kg",
        term_start=datetime.date(2023, 1, 1),
        term_end=None,
    )
    [period] = compositions.periods([first, second])
    assert period.start == datetime.date(2019, 1, 1)
    assert period.end is None
