"""``seed_demo_councils``: three demo councils with their history, and a demo secretary."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import StateBody, User
from councils import compositions
from councils.models import (
    AgendaItem,
    AnnualReport,
    Council,
    CouncilMember,
    CouncilSecretary,
    Meeting,
    Recommendation,
    WorkPlan,
)

ONE_DAY = datetime.timedelta(days=1)
MODELS = (
    User,
    Council,
    CouncilMember,
    CouncilSecretary,
    Meeting,
    AgendaItem,
    Recommendation,
    WorkPlan,
    AnnualReport,
)


def state():
    """What a second run must leave as it is."""
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "meetings": list(
            Meeting.objects.order_by("pk").values_list(
                "status", "starts_at", "minutes_published_at", "updated_at"
            )
        ),
        "recommendations": list(
            Recommendation.objects.order_by("pk").values_list("status", "responded_on")
        ),
        "present": Meeting.present.through.objects.count(),
    }


def compositions_of(council):
    """The periods grouped into compositions: runs of periods with no day between them."""
    runs = []
    for period in reversed(compositions.periods(council.members.all())):
        if runs and runs[-1][-1].end is not None and runs[-1][-1].end + ONE_DAY == period.start:
            runs[-1].append(period)
        else:
            runs.append([period])
    return runs


@pytest.fixture
def demo(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo_councils")
    first = capsys.readouterr().out
    before = state()
    call_command("seed_demo_councils")
    again = capsys.readouterr().out
    return {"first": first, "again": again, "before": before}


def test_it_runs_twice_without_duplicates(demo):
    assert state() == demo["before"]
    assert "Demo councils loaded: coordination-council, mlsd-public-council" in demo["first"]
    assert "nothing changed" in demo["again"]
    assert Council.objects.count() == 3


def test_the_three_councils_have_their_kinds_and_statuses(demo):
    ministry = Council.objects.get(slug="mlsd-public-council")
    coordination = Council.objects.get(slug="coordination-council")
    dissolved = Council.objects.get(slug="mlsd-chuy-public-council")

    assert (ministry.kind, ministry.status) == ("public", "active")
    assert ministry.state_body.slug == "mlsd"
    assert ministry.name_ky
    assert ministry.name_ru
    assert ministry.name_en
    assert ministry.description_ky
    assert ministry.description_ru
    assert ministry.description_en
    assert "№ 74" in ministry.legal_basis
    assert ministry.email
    assert ministry.phone

    assert (coordination.kind, coordination.status) == ("coordination", "active")
    assert coordination.state_body is None
    assert list(coordination.member_councils.all()) == [ministry]
    assert coordination.members.count() >= 3
    assert coordination.meetings.filter(status="held").exists()
    addressed = set(coordination.recommendations.values_list("addressed_to__slug", flat=True))
    assert addressed
    assert addressed <= set(StateBody.objects.values_list("slug", flat=True))

    assert (dissolved.kind, dissolved.status) == ("public", "dissolved")
    assert dissolved.state_body.slug == "mlsd-chuy"
    assert dissolved.ended_on
    assert dissolved.end_reason
    assert all(m.term_end and m.term_end <= dissolved.ended_on for m in dissolved.members.all())
    assert not dissolved.members.on(timezone.localdate()).exists()
    assert dissolved.meetings.filter(status="held").count() == 2
    assert all(m.starts_at.date() < dissolved.ended_on for m in dissolved.meetings.all())


def test_the_ministry_council_has_two_compositions(demo):
    ministry = Council.objects.get(slug="mlsd-public-council")
    first, current = compositions_of(ministry)

    assert first[0].start == datetime.date(2019, 4, 15)
    assert first[-1].end == datetime.date(2022, 4, 14)
    assert len(first[0].members) == 9
    assert {m.position for m in first[0].members} == {"chair", "deputy", "secretary", "member"}
    assert current[0].start == datetime.date(2023, 3, 1)
    # The one who left early, with the reason; the one whose term runs on.
    early = ministry.members.get(full_name="Мамбетова Чолпон Эркиновна")
    assert early.term_end < datetime.date(2022, 4, 14)
    assert early.end_reason
    assert early not in first[-1].members
    assert ministry.members.filter(term_end=None).count() == 1
    # Some people continue in a new term row; others are new.
    first_names = {m.full_name for m in first[0].members}
    sitting = ministry.members.on(timezone.localdate())
    continuing = {m.full_name for m in sitting} & first_names
    assert 2 <= len(continuing) < sitting.count()
    chairs = ministry.members.filter(position="chair").order_by("term_start")
    assert [c.full_name for c in chairs] == [
        "Абдыкадыров Эрлан Маратович",
        "Садыкова Бурул Асановна",
    ]


def test_meetings_and_recommendations_of_the_ministry_council(demo):
    ministry = Council.objects.get(slug="mlsd-public-council")
    now = timezone.now()
    held = ministry.meetings.filter(status="held")
    assert held.count() >= 5
    assert {m.starts_at.year for m in held} >= {2024, 2025, 2026}
    for meeting in held:
        assert 2 <= meeting.agenda.count() <= 4
        assert meeting.minutes
        assert meeting.has_minutes
        assert meeting.starts_at < meeting.minutes_published_at <= now
        day = timezone.localdate(meeting.starts_at)
        sitting = set(ministry.members.on(day))
        assert meeting.present.exists()
        assert set(meeting.present.all()) <= sitting
    cancelled = ministry.meetings.get(status="cancelled")
    assert cancelled.cancel_reason
    planned = ministry.meetings.filter(status="planned")
    assert planned.exists()
    assert all(m.starts_at > now for m in planned)

    recommendations = Recommendation.objects.filter(council=ministry)
    assert set(recommendations.values_list("status", flat=True)) == set(
        Recommendation.Status.values
    )
    overdue = recommendations.overdue()
    assert overdue.count() == 1
    assert overdue.get().adopted_on < timezone.localdate() - datetime.timedelta(days=30)
    assert overdue.get().status == "sent"
    assert not overdue.get().response
    for recommendation in recommendations.exclude(status__in=Recommendation.AWAITING):
        assert recommendation.response
        assert recommendation.responded_by.email == "officer@example.org"
        assert recommendation.adopted_on <= recommendation.responded_on < timezone.localdate()
    assert all(r.meeting.status == "held" for r in recommendations)
    this_year = timezone.localdate().year
    assert WorkPlan.objects.get(council=ministry).year == this_year
    assert AnnualReport.objects.get(council=ministry).year == this_year - 1


def test_the_secretary_keeps_the_ministry_council(demo):
    secretary = User.objects.get(email="council.secretary@example.org")
    assert secretary.check_password("demo-portal-2026")
    assert list(
        CouncilSecretary.objects.filter(user=secretary).values_list("council__slug", flat=True)
    ) == ["mlsd-public-council"]
    assert "council.secretary@example.org" in demo["first"]
    assert "demo-portal-2026" in demo["first"]


def test_it_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", force=True)
    with pytest.raises(CommandError):
        call_command("seed_demo_councils")
    assert not Council.objects.exists()
    call_command("seed_demo_councils", force=True)
    assert Council.objects.count() == 3
