"""The councils' feeds, parsed back with real parsers: the Atom feeds of new minutes and
recommendations (``feedparser``) and the iCalendar feeds of meetings (``icalendar``)."""

import datetime
import html
import re
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from councils.models import Meeting

from .factories import (
    CoordinationCouncilFactory,
    MeetingFactory,
    RecommendationFactory,
    moment_in,
)

pytestmark = pytest.mark.django_db

ATOM = "application/atom+xml; charset=utf-8"
CALENDAR = "text/calendar; charset=utf-8"


def url(name: str, *args, language: str = "ky") -> str:
    with translation.override(language):
        return reverse(f"councils:{name}", args=args or None)


def atom(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == ATOM
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def calendar(client, path: str) -> icalendar.Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == CALENDAR
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"\r\n" in response.content  # lines end with CRLF (RFC 5545)
    parsed = icalendar.Calendar.from_ical(response.content)
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"])
    return parsed


def paths(entries) -> list[str]:
    return [urlsplit(entry.link).path for entry in entries]


@pytest.fixture
def activity(council, other_council):
    """Published minutes and recommendations of two councils, and what is not published."""
    minuted = MeetingFactory(council=council, held=True, minutes="Протокол жарыяланды.")
    unpublished = MeetingFactory(
        council=council,
        starts_at=moment_in(-3),
        status=Meeting.Status.HELD,
        minutes="Жарыялана элек протокол.",
    )
    planned = MeetingFactory(council=council)
    recommendation = RecommendationFactory(council=council, title="Стандарттар < 2025 & кийин")
    theirs = MeetingFactory(council=other_council, held=True)
    their_recommendation = RecommendationFactory(council=other_council)
    return {
        "minuted": minuted,
        "unpublished": unpublished,
        "planned": planned,
        "recommendation": recommendation,
        "theirs": theirs,
        "their_recommendation": their_recommendation,
    }


def meeting_path(meeting) -> str:
    return url("meeting", meeting.council.slug, meeting.pk)


def recommendation_path(recommendation) -> str:
    return url("recommendation", recommendation.council.slug, recommendation.pk)


# Atom


def test_the_atom_feed_lists_published_minutes_and_recommendations(client, activity):
    feed = atom(client, url("feed"))

    expected = {
        meeting_path(activity["minuted"]),
        meeting_path(activity["theirs"]),
        recommendation_path(activity["recommendation"]),
        recommendation_path(activity["their_recommendation"]),
    }
    assert set(paths(feed.entries)) == expected
    assert len(feed.entries) == len(expected)
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids)
    assert all(entry.id and entry.title and entry.updated for entry in feed.entries)
    assert all(urlsplit(entry.link).scheme == "http" for entry in feed.entries)
    assert urlsplit(feed.feed.link).path == url("list")


def test_unpublished_minutes_and_planned_meetings_are_not_in_the_feed(client, activity):
    feed = atom(client, url("feed"))

    for key in ("unpublished", "planned"):
        assert meeting_path(activity[key]) not in paths(feed.entries)
    assert not any("Жарыялана элек" in entry.get("summary", "") for entry in feed.entries)


def test_the_entries_are_titled_with_the_council_and_the_title(client, activity):
    feed = atom(client, url("feed"))

    by_path = {urlsplit(entry.link).path: entry for entry in feed.entries}
    minutes = by_path[meeting_path(activity["minuted"])]
    assert activity["minuted"].council.name_ky in minutes.title
    recommendation = by_path[recommendation_path(activity["recommendation"])]
    assert "Стандарттар < 2025 & кийин" in recommendation.title
    assert activity["recommendation"].council.name_ky in recommendation.title


def reader_text(entry) -> str:
    """The summary as a feed reader shows it: HTML (the type the feed declares) to text."""
    assert entry.summary_detail.type in ("text/html", "text/plain")
    if entry.summary_detail.type == "text/plain":
        return entry.summary
    return html.unescape(re.sub(r"<[^>]+>", "", entry.summary))


def test_the_text_of_minutes_and_recommendations_reaches_the_reader_as_written(client, council):
    """Minutes and recommendations are plain text: a reader must show them as written,
    angle brackets included (the feed must not hand them over as HTML)."""
    minutes = MeetingFactory(
        council=council, held=True, minutes="«Үмүт» <фонд> жана <script>alert(1)</script> & башка."
    )
    recommendation = RecommendationFactory(council=council, text="Эрежелер <2025> & кийин.")

    feed = atom(client, url("feed"))

    by_path = {urlsplit(entry.link).path: entry for entry in feed.entries}
    assert "«Үмүт» <фонд> жана <script>alert(1)</script> & башка." in reader_text(
        by_path[meeting_path(minutes)]
    )
    assert "Эрежелер <2025> & кийин." in reader_text(by_path[recommendation_path(recommendation)])


def test_the_feed_lists_the_newest_first(client, council):
    older = RecommendationFactory(council=council, title="Эски")
    newer = RecommendationFactory(council=council, title="Жаңы")
    type(older).objects.filter(pk=older.pk).update(created_at=moment_in(-10))
    minutes = MeetingFactory(council=council, held=True)
    Meeting.objects.filter(pk=minutes.pk).update(minutes_published_at=moment_in(-5))

    feed = atom(client, url("feed"))

    assert paths(feed.entries) == [
        recommendation_path(newer),
        meeting_path(minutes),
        recommendation_path(older),
    ]


def test_a_councils_feed_has_only_its_own_entries(client, council, activity):
    feed = atom(client, url("council-feed", council.slug))

    assert set(paths(feed.entries)) == {
        meeting_path(activity["minuted"]),
        recommendation_path(activity["recommendation"]),
    }
    assert council.name_ky in feed.feed.title
    assert urlsplit(feed.feed.link).path == url("detail", council.slug)


def test_the_feeds_are_in_the_language_of_the_address(client, council, activity):
    feed = atom(client, url("council-feed", council.slug, language="ru"))

    assert council.name_ru in feed.feed.title
    assert all(urlsplit(link).path.startswith("/ru/") for link in paths(feed.entries))


def test_an_empty_feed_is_still_a_valid_feed(client, db):
    feed = atom(client, url("feed"))

    assert feed.entries == []
    assert feed.feed.title


def test_the_coordination_councils_feed(client, db):
    coordination = CoordinationCouncilFactory()
    recommendation = RecommendationFactory(council=coordination)

    feed = atom(client, url("council-feed", coordination.slug))

    assert paths(feed.entries) == [recommendation_path(recommendation)]


def test_the_feed_of_an_unknown_council_is_not_found(client, db):
    assert client.get(url("council-feed", "no-such-council")).status_code == 404
    assert client.get(url("council-calendar", "no-such-council")).status_code == 404


# iCalendar


@pytest.fixture
def meetings(council, other_council):
    planned = MeetingFactory(
        council=council,
        place="Бишкек ш., Чүй пр., 106",
        starts_at=datetime.datetime(2030, 3, 5, 8, 0, tzinfo=datetime.UTC),
    )
    planned.agenda.create(title="Бюджетти талкуулоо: " + "узун маселе " * 10, order=1)
    planned.agenda.create(title="Ар кандай маселелер", order=2)
    online = MeetingFactory(council=council, place="", online_link="https://meet.example.kg/k")
    held = MeetingFactory(council=council, held=True)
    cancelled = MeetingFactory(
        council=council, status=Meeting.Status.CANCELLED, cancel_reason="Кворум жок."
    )
    theirs = MeetingFactory(council=other_council)
    ancient = MeetingFactory(council=council, held=True, starts_at=moment_in(-3 * 365))
    return {
        "planned": planned,
        "online": online,
        "held": held,
        "cancelled": cancelled,
        "theirs": theirs,
        "ancient": ancient,
    }


def events_by_url(parsed) -> dict:
    return {urlsplit(str(event["URL"])).path: event for event in parsed.walk("VEVENT")}


def test_the_calendar_has_one_event_per_meeting_of_the_last_two_years_and_ahead(client, meetings):
    parsed = calendar(client, url("calendar"))

    events = parsed.walk("VEVENT")
    expected = {meeting_path(meetings[key]) for key in meetings if key != "ancient"}
    assert set(events_by_url(parsed)) == expected
    assert len(events) == len(expected)
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    for event in events:
        assert str(event["SUMMARY"])
        assert event.decoded("DTSTART") < event.decoded("DTEND")
        assert event.get("DTSTAMP") is not None


def test_the_events_carry_the_time_place_agenda_and_status(client, council, meetings):
    events = events_by_url(calendar(client, url("calendar")))

    planned = events[meeting_path(meetings["planned"])]
    assert planned.decoded("DTSTART") == meetings["planned"].starts_at
    assert council.name_ky in str(planned["SUMMARY"])
    assert str(planned["LOCATION"]) == "Бишкек ш., Чүй пр., 106"
    description = str(planned["DESCRIPTION"])
    assert "1. Бюджетти талкуулоо: " + "узун маселе " * 9 in description
    assert "2. Ар кандай маселелер" in description
    assert str(planned["STATUS"]) == "CONFIRMED"
    online = events[meeting_path(meetings["online"])]
    assert str(online["LOCATION"]) == "https://meet.example.kg/k"
    cancelled = events[meeting_path(meetings["cancelled"])]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(events[meeting_path(meetings["held"])]["STATUS"]) == "CONFIRMED"


def test_a_councils_calendar_has_only_its_meetings(client, council, meetings):
    parsed = calendar(client, url("council-calendar", council.slug))

    assert set(events_by_url(parsed)) == {
        meeting_path(meetings[key]) for key in ("planned", "online", "held", "cancelled")
    }
    assert council.name_ky in str(parsed["X-WR-CALNAME"])


def test_a_calendar_keeps_the_uid_of_a_meeting_when_it_changes(client, meetings):
    before = events_by_url(calendar(client, url("calendar")))
    meeting = meetings["planned"]
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()

    after = events_by_url(calendar(client, url("calendar")))

    path = meeting_path(meeting)
    assert str(after[path]["UID"]) == str(before[path]["UID"])
    assert str(after[path]["STATUS"]) == "CANCELLED"


def test_an_empty_calendar_is_still_a_valid_calendar(client, db):
    parsed = calendar(client, url("calendar"))

    assert parsed.walk("VEVENT") == []


def test_the_calendar_includes_meetings_up_to_two_years_old(client, council):
    recent = MeetingFactory(council=council, held=True, starts_at=moment_in(-700))

    events = events_by_url(calendar(client, url("council-calendar", council.slug)))

    assert meeting_path(recent) in events
