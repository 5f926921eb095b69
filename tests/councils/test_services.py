"""Every guard of ``councils.services``, and the recommendations' due dates.

Messages are compared in English (the msgids): the tests run with English active.
"""

import datetime
import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from councils import services
from councils.models import (
    AgendaItem,
    AnnualReport,
    Council,
    CouncilMember,
    Meeting,
    MeetingDocument,
    Recommendation,
    WorkPlan,
)
from councils.services import ServiceError
from tests.competitions.factories import PDF_BYTES
from tests.factories import OfficerFactory, UserFactory
from tests.grants.helpers import frozen

from .factories import (
    AnnualReportFactory,
    CouncilMemberFactory,
    CouncilSecretaryFactory,
    MeetingFactory,
    RecommendationFactory,
    WorkPlanFactory,
    days_ago,
    moment_in,
)

pytestmark = pytest.mark.django_db

Status = Recommendation.Status
DISSOLVED = "The council is dissolved; its record is kept as it was."

# 00:30 on 10 May 2024 in Bishkek (UTC+6) is still 9 May in UTC.
BISHKEK_EARLY = datetime.datetime(2024, 5, 9, 18, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def problems(error: ServiceError) -> dict:
    """The messages by field (``__all__`` for the ones without a field)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


def refused(call, field: str = "__all__", message: str | None = None) -> dict:
    """``call()`` raises a ServiceError with a message on ``field`` (and that message)."""
    with pytest.raises(ServiceError) as caught:
        call()
    found = problems(caught.value)
    assert field in found, found
    if message is not None:
        assert message in found[field], found
    return found


def snapshot(instance, *fields) -> dict:
    """The stored values of ``fields`` (the row as the database holds it)."""
    return type(instance).objects.filter(pk=instance.pk).values(*fields).get()


def dissolve(council: Council) -> Council:
    Council.objects.filter(pk=council.pk).update(
        status=Council.Status.DISSOLVED,
        ended_on=datetime.date(2024, 1, 31),
        end_reason="Министрлик кайра түзүлдү.",
    )
    council.refresh_from_db()
    return council


def new_member(**kwargs) -> CouncilMember:
    values = {
        "full_name": "Жумабаев Нурлан",
        "position": CouncilMember.Position.MEMBER,
        "term_start": datetime.date(2024, 1, 1),
    }
    return CouncilMember(**(values | kwargs))


def new_meeting(**kwargs) -> Meeting:
    values = {"starts_at": moment_in(10), "place": "Бишкек ш., Тыныстанов к., 215"}
    return Meeting(**(values | kwargs))


# ---------------------------------------------------------------- who may change what


# Each secretary's service with valid arguments, for the council ``council``: only the
# user differs between the cases below.
def call_save_member(user, council):
    return services.save_member(user=user, council=council, member=new_member())


def call_end_term(user, council):
    member = CouncilMemberFactory(council=council)
    member = CouncilMember.objects.select_related("council").get(pk=member.pk)
    return services.end_term(
        user=user, member=member, term_end=timezone.localdate(), end_reason="Өз каалоосу."
    )


def call_save_meeting(user, council):
    return services.save_meeting(
        user=user, council=council, meeting=new_meeting(), agenda=["Жылдык отчет"]
    )


def call_publish_minutes(user, council):
    meeting = MeetingFactory(council=council, starts_at=moment_in(-1))
    return services.publish_minutes(
        user=user, meeting=Meeting.objects.get(pk=meeting.pk), minutes="Протокол.", present=[]
    )


def call_cancel_meeting(user, council):
    meeting = MeetingFactory(council=council)
    return services.cancel_meeting(
        user=user, meeting=Meeting.objects.get(pk=meeting.pk), reason="Кворум жок."
    )


def call_create_recommendation(user, council):
    return services.create_recommendation(
        user=user,
        council=council,
        addressed_to=council.state_body,
        title="Стандарттар жөнүндө",
        text="Стандарттарды кайра кароо.",
        adopted_on=timezone.localdate(),
    )


def call_update_council(user, council):
    return services.update_council(
        user=user, council=council, data={"description_ru": "Новое описание."}
    )


def pdf(name="document.pdf") -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


def call_add_meeting_document(user, council):
    meeting = MeetingFactory(council=council)
    return services.add_meeting_document(
        user=user,
        meeting=Meeting.objects.get(pk=meeting.pk),
        title="Күн тартибинин долбоору",
        upload=pdf(),
        file_type="pdf",
        size=len(PDF_BYTES),
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
    )


def call_save_paper(user, council):
    return services.save_paper(
        user=user, council=council, paper=WorkPlan(year=2025, text="Иш планы.")
    )


SECRETARY_SERVICES = [
    call_save_member,
    call_end_term,
    call_save_meeting,
    call_publish_minutes,
    call_cancel_meeting,
    call_create_recommendation,
    call_update_council,
    call_add_meeting_document,
    call_save_paper,
]


def changes(council) -> tuple:
    """What a refused call must not have touched."""
    return (
        CouncilMember.objects.filter(council=council).exclude(end_reason="").count(),
        Meeting.objects.filter(council=council).exclude(status=Meeting.Status.PLANNED).count(),
        Meeting.objects.filter(council=council, agenda__isnull=False).count(),
        Recommendation.objects.filter(council=council).count(),
        MeetingDocument.objects.filter(meeting__council=council).count(),
        WorkPlan.objects.filter(council=council).count(),
        Council.objects.get(pk=council.pk).description_ru,
    )


@pytest.mark.parametrize("call", SECRETARY_SERVICES)
def test_the_secretary_of_the_council_may(call, council, secretary):
    assert call(secretary, council) is not None


@pytest.mark.parametrize("call", SECRETARY_SERVICES)
def test_a_user_who_is_not_a_secretary_may_not(call, council, officer):
    before = changes(council)
    for user in (UserFactory(), officer, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            call(user, council)
    assert changes(council) == before


@pytest.mark.parametrize("call", SECRETARY_SERVICES)
def test_the_secretary_of_another_council_may_not(call, council, other_secretary):
    before = changes(council)
    with pytest.raises(PermissionDenied):
        call(other_secretary, council)
    assert changes(council) == before


@pytest.mark.parametrize("call", SECRETARY_SERVICES)
def test_a_dissolved_council_is_kept_as_it_ended(call, council, secretary):
    dissolve(council)
    before = changes(council)
    refused(lambda: call(secretary, council), message=DISSOLVED)
    assert changes(council) == before


# ---------------------------------------------------------------- members and terms


def test_save_member_adds_a_term_to_the_council_with_history(council, secretary):
    member = services.save_member(user=secretary, council=council, member=new_member())

    member.refresh_from_db()
    assert member.council == council
    assert member.history.count() == 1


def test_save_member_corrects_a_term(council, secretary):
    member = CouncilMemberFactory(council=council)
    member.position = CouncilMember.Position.CHAIR
    member.term_end = datetime.date(2026, 2, 28)

    services.save_member(user=secretary, council=council, member=member)

    assert snapshot(member, "position", "term_end") == {
        "position": "chair",
        "term_end": datetime.date(2026, 2, 28),
    }


def test_a_term_cannot_end_before_it_starts_and_nothing_is_saved(council, secretary):
    member = new_member(term_start=datetime.date(2024, 1, 1), term_end=datetime.date(2023, 12, 31))

    refused(
        lambda: services.save_member(user=secretary, council=council, member=member),
        "term_end",
        "The term cannot end before it starts.",
    )
    assert not CouncilMember.objects.exists()


def test_a_correction_ending_the_term_before_it_starts_changes_nothing(council, secretary):
    member = CouncilMemberFactory(council=council, term_start=datetime.date(2023, 3, 1))
    member.term_end = datetime.date(2023, 2, 28)

    refused(
        lambda: services.save_member(user=secretary, council=council, member=member), "term_end"
    )
    assert snapshot(member, "term_end")["term_end"] is None


def test_a_term_ending_the_day_it_starts_is_fine(council, secretary):
    day = datetime.date(2024, 1, 1)
    member = services.save_member(
        user=secretary, council=council, member=new_member(term_start=day, term_end=day)
    )
    assert snapshot(member, "term_end")["term_end"] == day


def test_an_end_reason_needs_the_end_date(council, secretary):
    member = new_member(end_reason="Өз каалоосу менен кетти.")

    refused(
        lambda: services.save_member(user=secretary, council=council, member=member),
        "end_reason",
        "Give the end date of the term too.",
    )
    assert not CouncilMember.objects.exists()


def test_save_member_refuses_a_member_of_another_council(council, other_council, secretary):
    member = CouncilMemberFactory(council=other_council, full_name="Осмонова Динара")
    member.full_name = "Өзгөртүлгөн"

    with pytest.raises(PermissionDenied):
        services.save_member(user=secretary, council=council, member=member)
    assert snapshot(member, "council", "full_name") == {
        "council": other_council.pk,
        "full_name": "Осмонова Динара",
    }


def test_end_term_ends_a_term_early_with_the_reason(council, secretary):
    # A three-year term: its planned end is ahead; the member resigns.
    member = CouncilMemberFactory(
        council=council, term_start=days_ago(400), term_end=days_ago(-700)
    )

    services.end_term(
        user=secretary, member=member, term_end=days_ago(1), end_reason="  Өз каалоосу.  "
    )

    assert snapshot(member, "term_end", "end_reason") == {
        "term_end": days_ago(1),
        "end_reason": "Өз каалоосу.",
    }


def test_end_term_refuses_a_term_that_has_already_ended(council, secretary):
    member = CouncilMemberFactory(
        council=council, term_start=days_ago(400), term_end=days_ago(1), end_reason="Мөөнөтү бүттү."
    )

    refused(
        lambda: services.end_term(
            user=secretary, member=member, term_end=days_ago(2), end_reason="Башка себеп."
        ),
        message="This term has already ended.",
    )
    assert snapshot(member, "term_end", "end_reason") == {
        "term_end": days_ago(1),
        "end_reason": "Мөөнөтү бүттү.",
    }


@pytest.mark.parametrize("reason", ["", "   "])
def test_end_term_needs_a_reason(council, secretary, reason):
    member = CouncilMemberFactory(council=council, term_start=days_ago(100))

    refused(
        lambda: services.end_term(
            user=secretary, member=member, term_end=days_ago(0), end_reason=reason
        ),
        "end_reason",
        "Say why the term ends.",
    )
    assert snapshot(member, "term_end", "end_reason") == {"term_end": None, "end_reason": ""}


def test_end_term_cannot_end_before_the_term_started(council, secretary):
    member = CouncilMemberFactory(council=council, term_start=days_ago(10))

    refused(
        lambda: services.end_term(
            user=secretary, member=member, term_end=days_ago(11), end_reason="Ката."
        ),
        "term_end",
    )
    assert snapshot(member, "term_end")["term_end"] is None


# ---------------------------------------------------------------- meetings


def agenda_of(meeting) -> list[tuple[int, str]]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("order", "pk")
        .values_list("order", "title")
    )


def test_save_meeting_plans_a_meeting_with_its_agenda_in_order(council, secretary):
    meeting = services.save_meeting(
        user=secretary,
        council=council,
        meeting=new_meeting(),
        agenda=["  Жылдык отчет ", "", "Иш планы", "   "],
    )

    meeting.refresh_from_db()
    assert meeting.council == council
    assert meeting.status == Meeting.Status.PLANNED
    assert agenda_of(meeting) == [(1, "Жылдык отчет"), (2, "Иш планы")]


def test_an_online_meeting_needs_no_place(council, secretary):
    meeting = services.save_meeting(
        user=secretary,
        council=council,
        meeting=new_meeting(place="", online_link="https://meet.example.org/council"),
        agenda=["Жылдык отчет"],
    )
    assert meeting.pk


@pytest.mark.parametrize("place", ["", "   "])
def test_a_meeting_needs_a_place_or_a_link(council, secretary, place):
    refused(
        lambda: services.save_meeting(
            user=secretary, council=council, meeting=new_meeting(place=place), agenda=["Отчет"]
        ),
        "place",
        "Give the place or the online link.",
    )
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("agenda", [[], ["", "   "]])
def test_a_meeting_needs_an_agenda_item(council, secretary, agenda):
    refused(
        lambda: services.save_meeting(
            user=secretary, council=council, meeting=new_meeting(), agenda=agenda
        ),
        message="Add at least one agenda item.",
    )
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists()


def test_a_cancelled_meeting_cannot_change(council, secretary):
    meeting = MeetingFactory(
        council=council, status=Meeting.Status.CANCELLED, cancel_reason="Кворум жок."
    )
    AgendaItem.objects.create(meeting=meeting, title="Эски маселе", order=1)
    meeting.place = "Башка жер"

    refused(
        lambda: services.save_meeting(
            user=secretary, council=council, meeting=meeting, agenda=["Жаңы маселе"]
        ),
        message="A cancelled meeting cannot change.",
    )
    assert snapshot(meeting, "place")["place"] == "Бишкек ш., Тыныстанов к., 215"
    assert agenda_of(meeting) == [(1, "Эски маселе")]


def test_save_meeting_refuses_a_meeting_of_another_council(council, other_council, secretary):
    meeting = MeetingFactory(council=other_council)
    meeting.place = "Башка жер"

    with pytest.raises(PermissionDenied):
        services.save_meeting(user=secretary, council=council, meeting=meeting, agenda=["Маселе"])
    assert snapshot(meeting, "council", "place") == {
        "council": other_council.pk,
        "place": "Бишкек ш., Тыныстанов к., 215",
    }
    assert not AgendaItem.objects.exists()


def test_saving_a_meeting_again_replaces_its_agenda_in_the_new_order(council, secretary):
    meeting = services.save_meeting(
        user=secretary,
        council=council,
        meeting=new_meeting(),
        agenda=["Биринчи", "Экинчи", "Үчүнчү"],
    )

    services.save_meeting(
        user=secretary, council=council, meeting=meeting, agenda=["Үчүнчү", "Жаңы", "Биринчи"]
    )

    assert agenda_of(meeting) == [(1, "Үчүнчү"), (2, "Жаңы"), (3, "Биринчи")]
    assert AgendaItem.objects.count() == 3


# ---------------------------------------------------------------- minutes


@pytest.fixture
def past_meeting(council):
    """A planned meeting that took place yesterday; minutes not yet published."""
    return MeetingFactory(council=council, starts_at=moment_in(-1))


@pytest.fixture
def sitting(council):
    """Two members on the council since last year, with open terms."""
    return [
        CouncilMemberFactory(council=council, full_name=name, term_start=days_ago(365))
        for name in ("Асанова Айгүл", "Бакиев Нурлан")
    ]


def minutes_state(meeting) -> dict:
    row = snapshot(meeting, "status", "minutes", "minutes_published_at", "guests_count")
    row["present"] = sorted(Meeting.objects.get(pk=meeting.pk).present.values_list("pk", flat=True))
    return row


def test_publish_minutes_records_the_meeting_as_held(past_meeting, secretary, sitting):
    meeting = services.publish_minutes(
        user=secretary,
        meeting=past_meeting,
        minutes="  Жылдык отчет бекитилди.  ",
        present=sitting,
        guests_count=4,
    )

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.minutes == "Жылдык отчет бекитилди."
    assert meeting.guests_count == 4
    assert meeting.minutes_published_at is not None
    assert meeting.has_minutes
    assert set(meeting.present.all()) == set(sitting)


def test_correcting_the_minutes_keeps_the_first_publication_time(past_meeting, secretary, sitting):
    services.publish_minutes(user=secretary, meeting=past_meeting, minutes="Биринчи.", present=[])
    first = snapshot(past_meeting, "minutes_published_at")["minutes_published_at"]

    services.publish_minutes(
        user=secretary, meeting=past_meeting, minutes="Оңдолгон.", present=sitting[:1]
    )

    assert snapshot(past_meeting, "minutes", "minutes_published_at") == {
        "minutes": "Оңдолгон.",
        "minutes_published_at": first,
    }
    assert minutes_state(past_meeting)["present"] == [sitting[0].pk]


def test_minutes_may_be_a_file_alone(past_meeting, secretary):
    services.publish_minutes(
        user=secretary,
        meeting=past_meeting,
        minutes="",
        present=[],
        minutes_file=ContentFile(PDF_BYTES, name="minutes.pdf"),
        minutes_file_type="pdf",
    )

    past_meeting.refresh_from_db()
    assert past_meeting.status == Meeting.Status.HELD
    assert past_meeting.minutes_file_type == "pdf"
    with past_meeting.minutes_file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_a_cancelled_meeting_has_no_minutes(council, secretary):
    meeting = MeetingFactory(
        council=council, starts_at=moment_in(-1), status=Meeting.Status.CANCELLED
    )
    before = minutes_state(meeting)

    refused(
        lambda: services.publish_minutes(
            user=secretary, meeting=meeting, minutes="Протокол.", present=[]
        ),
        message="A cancelled meeting has no minutes.",
    )
    assert minutes_state(meeting) == before


def test_minutes_wait_for_the_meeting(council, secretary, sitting):
    meeting = MeetingFactory(council=council, starts_at=moment_in(0.01))
    before = minutes_state(meeting)

    refused(
        lambda: services.publish_minutes(
            user=secretary, meeting=meeting, minutes="Протокол.", present=sitting
        ),
        message="Minutes are published after the meeting has taken place.",
    )
    assert minutes_state(meeting) == before


@pytest.mark.parametrize("minutes", ["", "  \n "])
def test_minutes_need_a_text_or_a_file(past_meeting, secretary, sitting, minutes):
    before = minutes_state(past_meeting)

    refused(
        lambda: services.publish_minutes(
            user=secretary, meeting=past_meeting, minutes=minutes, present=sitting
        ),
        "minutes",
        "Write the minutes or attach them as a file.",
    )
    assert minutes_state(past_meeting) == before


def test_only_members_sitting_on_the_day_can_be_present(
    council, other_council, past_meeting, secretary, sitting
):
    gone = CouncilMemberFactory(
        council=council, term_start=days_ago(400), term_end=days_ago(2), end_reason="Кетти."
    )
    not_yet = CouncilMemberFactory(council=council, term_start=days_ago(0))
    elsewhere = CouncilMemberFactory(council=other_council, term_start=days_ago(365))
    before = minutes_state(past_meeting)

    for stranger in (gone, not_yet, elsewhere):
        refused(
            lambda stranger=stranger: services.publish_minutes(
                user=secretary,
                meeting=past_meeting,
                minutes="Протокол.",
                present=[*sitting, stranger],
                guests_count=2,
            ),
            "present",
            "Only members of the council on the day of the meeting.",
        )
        assert minutes_state(past_meeting) == before
    assert minutes_state(past_meeting)["status"] == Meeting.Status.PLANNED


def test_who_sits_on_the_meeting_day_is_counted_in_bishkek_time(council, secretary):
    """00:30 on 10 May in Bishkek: a term that ended on 9 May is over, one starting
    on 10 May has begun, one ending on 10 May still runs."""
    meeting = MeetingFactory(council=council, starts_at=BISHKEK_EARLY)
    ended = CouncilMemberFactory(
        council=council, term_start=datetime.date(2023, 1, 1), term_end=datetime.date(2024, 5, 9)
    )
    starts = CouncilMemberFactory(council=council, term_start=datetime.date(2024, 5, 10))
    last_day = CouncilMemberFactory(
        council=council, term_start=datetime.date(2023, 1, 1), term_end=datetime.date(2024, 5, 10)
    )

    refused(
        lambda: services.publish_minutes(
            user=secretary, meeting=meeting, minutes="Протокол.", present=[ended]
        ),
        "present",
    )
    services.publish_minutes(
        user=secretary, meeting=meeting, minutes="Протокол.", present=[starts, last_day]
    )
    assert minutes_state(meeting)["present"] == sorted([starts.pk, last_day.pk])


def test_a_refusal_reports_every_problem_at_once(past_meeting, other_council, secretary):
    stranger = CouncilMemberFactory(council=other_council)

    found = refused(
        lambda: services.publish_minutes(
            user=secretary, meeting=past_meeting, minutes="", present=[stranger]
        ),
        "minutes",
    )
    assert "present" in found


# ---------------------------------------------------------------- cancelling


def test_cancel_meeting_with_the_reason(council, secretary):
    meeting = MeetingFactory(council=council)

    services.cancel_meeting(user=secretary, meeting=meeting, reason="  Кворум жок.  ")

    assert snapshot(meeting, "status", "cancel_reason") == {
        "status": Meeting.Status.CANCELLED,
        "cancel_reason": "Кворум жок.",
    }


@pytest.mark.parametrize("status", [Meeting.Status.HELD, Meeting.Status.CANCELLED])
def test_only_a_planned_meeting_can_be_cancelled(council, secretary, status):
    meeting = MeetingFactory(council=council, held=status == Meeting.Status.HELD, status=status)

    refused(
        lambda: services.cancel_meeting(user=secretary, meeting=meeting, reason="Кеч калды."),
        message="Only a planned meeting can be cancelled.",
    )
    assert snapshot(meeting, "status", "cancel_reason") == {"status": status, "cancel_reason": ""}


@pytest.mark.parametrize("reason", ["", "  "])
def test_cancelling_needs_a_reason(council, secretary, reason):
    meeting = MeetingFactory(council=council)

    refused(
        lambda: services.cancel_meeting(user=secretary, meeting=meeting, reason=reason),
        "reason",
        "Say why the meeting is cancelled.",
    )
    assert snapshot(meeting, "status")["status"] == Meeting.Status.PLANNED


# ---------------------------------------------------------------- recommendations


def recommend(user, council, **kwargs):
    values = {
        "addressed_to": council.state_body,
        "title": "Стандарттар жөнүндө",
        "text": "Социалдык кызматтардын стандарттарын кайра кароо.",
        "adopted_on": days_ago(3),
    }
    return services.create_recommendation(user=user, council=council, **(values | kwargs))


def test_a_recommendation_is_due_after_the_default_response_days(council, secretary):
    meeting = MeetingFactory(council=council, held=True)

    recommendation = recommend(
        secretary, council, meeting=meeting, title="  Стандарттар  ", adopted_on=days_ago(3)
    )

    recommendation.refresh_from_db()
    assert recommendation.meeting == meeting
    assert recommendation.addressed_to == council.state_body
    assert recommendation.title == "Стандарттар"
    assert recommendation.status == Status.SENT
    assert recommendation.response_due == days_ago(3) + datetime.timedelta(days=30)
    assert recommendation.responded_on is None


def test_the_default_due_date_follows_the_setting(council, secretary, settings):
    settings.RECOMMENDATION_RESPONSE_DAYS = 14

    recommendation = recommend(secretary, council, adopted_on=datetime.date(2024, 2, 20))

    assert recommendation.response_due == datetime.date(2024, 3, 5)


def test_a_due_date_can_be_given(council, secretary):
    adopted = datetime.date(2024, 2, 20)
    for due in (adopted, datetime.date(2024, 6, 1)):
        assert (
            recommend(secretary, council, adopted_on=adopted, response_due=due).response_due == due
        )


def test_a_recommendation_needs_a_meeting_of_this_council(council, other_council, secretary):
    meeting = MeetingFactory(council=other_council, held=True)

    refused(
        lambda: recommend(secretary, council, meeting=meeting),
        "meeting",
        "Choose a meeting of this council.",
    )
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize("status", [Meeting.Status.PLANNED, Meeting.Status.CANCELLED])
def test_a_recommendation_is_adopted_at_a_meeting_that_was_held(council, secretary, status):
    meeting = MeetingFactory(council=council, starts_at=moment_in(-2), status=status)

    refused(
        lambda: recommend(secretary, council, meeting=meeting),
        "meeting",
        "A recommendation is adopted at a meeting that was held.",
    )
    assert not Recommendation.objects.exists()


def test_a_recommendation_cannot_be_adopted_in_the_future(council, secretary):
    refused(
        lambda: recommend(secretary, council, adopted_on=days_ago(-1)),
        "adopted_on",
        "The adoption date cannot be in the future.",
    )
    assert not Recommendation.objects.exists()


def test_the_adoption_date_is_today_in_bishkek(council, secretary):
    with frozen(BISHKEK_EARLY):  # 10 May in Bishkek, 9 May in UTC
        recommendation = recommend(secretary, council, adopted_on=datetime.date(2024, 5, 10))
    assert recommendation.adopted_on == datetime.date(2024, 5, 10)


def test_a_response_cannot_be_due_before_the_adoption(council, secretary):
    refused(
        lambda: recommend(secretary, council, adopted_on=days_ago(3), response_due=days_ago(4)),
        "response_due",
        "The response cannot be due before the adoption.",
    )
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(("title", "text"), [("", "Текст."), ("Аталышы", ""), ("  ", "  ")])
def test_a_recommendation_needs_a_title_and_a_text(council, secretary, title, text):
    refused(
        lambda: recommend(secretary, council, title=title, text=text),
        "text",
        "Give the title and the text of the recommendation.",
    )
    assert not Recommendation.objects.exists()


# ---------------------------------------------------------------- responses


@pytest.fixture
def recommendation(council):
    """Sent to the council's state body three days ago; due in 27 days."""
    return RecommendationFactory(council=council, adopted_on=days_ago(3))


ANSWER = ("status", "response", "responded_on", "responded_by")


def test_an_officer_of_the_addressed_body_records_the_response(recommendation, officer):
    with frozen(BISHKEK_EARLY):  # 10 May in Bishkek, 9 May in UTC
        services.answer_recommendation(
            user=officer,
            recommendation=recommendation,
            status=Status.ACCEPTED,
            response="  Сунуш кабыл алынды.  ",
        )

    assert snapshot(recommendation, *ANSWER) == {
        "status": Status.ACCEPTED,
        "response": "Сунуш кабыл алынды.",
        "responded_on": datetime.date(2024, 5, 10),
        "responded_by": officer.pk,
    }


def test_a_response_to_an_unaddressed_body_is_refused(recommendation, other_officer):
    before = snapshot(recommendation, *ANSWER)

    with pytest.raises(PermissionDenied):
        services.answer_recommendation(
            user=other_officer,
            recommendation=recommendation,
            status=Status.ACCEPTED,
            response="Кабыл алынды.",
        )
    assert snapshot(recommendation, *ANSWER) == before


def test_only_officers_answer(recommendation, secretary, state_body):
    """Not the council's secretary, nor a non-officer member of the body, nor anyone."""
    from accounts.models import StateBodyMembership

    roles = [r for r in StateBodyMembership.Role.values if r != StateBodyMembership.Role.OFFICER]
    others = [secretary, UserFactory(), AnonymousUser()]
    others += [OfficerFactory(state_body=state_body, role=role).user for role in roles]
    before = snapshot(recommendation, *ANSWER)

    for user in others:
        with pytest.raises(PermissionDenied):
            services.answer_recommendation(
                user=user, recommendation=recommendation, status=Status.ACCEPTED, response="Ооба."
            )
    assert snapshot(recommendation, *ANSWER) == before


TRANSITIONS = [
    (start, to, to in Recommendation.TRANSITIONS[start]) for start in Status for to in Status
]


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    TRANSITIONS,
    ids=[f"{start.value}-{to.value}" for start, to, _ in TRANSITIONS],
)
def test_status_transitions(council, officer, start, to, allowed):
    answered = start not in Recommendation.AWAITING
    recommendation = RecommendationFactory(
        council=council,
        adopted_on=days_ago(10),
        status=start,
        response="Мурунку жооп." if start != Status.SENT else "",
        responded_on=days_ago(5) if answered else None,
    )
    before = snapshot(recommendation, *ANSWER)

    def answer():
        return services.answer_recommendation(
            user=officer, recommendation=recommendation, status=to.value, response="Жаңы жооп."
        )

    if allowed:
        answer()
        assert snapshot(recommendation, "status", "response") == {
            "status": to,
            "response": "Жаңы жооп.",
        }
    else:
        refused(answer, "status")
        assert snapshot(recommendation, *ANSWER) == before


@pytest.mark.parametrize("status", ["approved", "", "SENT", "Accepted"])
def test_an_unknown_status_is_a_clear_refusal(recommendation, officer, status):
    before = snapshot(recommendation, *ANSWER)

    found = refused(
        lambda: services.answer_recommendation(
            user=officer, recommendation=recommendation, status=status, response="Ооба."
        ),
        "status",
    )

    assert f"cannot become {status}." in found["status"][0]
    assert snapshot(recommendation, *ANSWER) == before


@pytest.mark.parametrize("response", ["", " \n "])
def test_a_response_needs_a_text(recommendation, officer, response):
    before = snapshot(recommendation, *ANSWER)

    refused(
        lambda: services.answer_recommendation(
            user=officer, recommendation=recommendation, status=Status.REJECTED, response=response
        ),
        "response",
        "Write the response of the state body.",
    )
    assert snapshot(recommendation, *ANSWER) == before


def test_under_consideration_is_not_yet_an_answer(recommendation, officer):
    services.answer_recommendation(
        user=officer,
        recommendation=recommendation,
        status=Status.CONSIDERING,
        response="Сунуш каралып жатат.",
    )

    recommendation.refresh_from_db()
    assert recommendation.status == Status.CONSIDERING
    assert recommendation.responded_on is None
    assert recommendation.responded_by == officer
    assert recommendation.answered_on_time is None

    services.answer_recommendation(
        user=officer,
        recommendation=recommendation,
        status=Status.PARTLY_ACCEPTED,
        response="Жарым-жартылай кабыл алынды.",
    )
    recommendation.refresh_from_db()
    assert recommendation.responded_on == timezone.localdate()


def test_reporting_it_implemented_keeps_the_date_of_the_answer(council, officer):
    recommendation = RecommendationFactory(
        council=council,
        adopted_on=days_ago(60),
        status=Status.ACCEPTED,
        response="Кабыл алынды.",
        responded_on=days_ago(40),
    )

    services.answer_recommendation(
        user=officer,
        recommendation=recommendation,
        status=Status.IMPLEMENTED,
        response="Аткарылды.",
    )

    recommendation.refresh_from_db()
    assert recommendation.status == Status.IMPLEMENTED
    assert recommendation.responded_on == days_ago(40)
    assert recommendation.answered_on_time is True


# ---------------------------------------------------------------- overdue and on time


def test_unanswered_past_the_due_date_is_overdue(council, officer):
    late = RecommendationFactory(council=council, adopted_on=days_ago(31), response_due=days_ago(1))
    considering = RecommendationFactory(
        council=council,
        adopted_on=days_ago(31),
        response_due=days_ago(1),
        status=Status.CONSIDERING,
        response="Каралып жатат.",
    )
    due_today = RecommendationFactory(
        council=council, adopted_on=days_ago(30), response_due=days_ago(0)
    )
    answered = RecommendationFactory(
        council=council,
        adopted_on=days_ago(31),
        response_due=days_ago(1),
        status=Status.REJECTED,
        response="Макул эмеспиз.",
        responded_on=days_ago(0),
    )

    assert set(Recommendation.objects.overdue()) == {late, considering}
    assert [r.is_overdue for r in (late, considering, due_today, answered)] == [
        True,
        True,
        False,
        False,
    ]
    assert set(Recommendation.objects.overdue(today=days_ago(-1))) == {late, considering, due_today}

    services.answer_recommendation(
        user=officer, recommendation=late, status=Status.ACCEPTED, response="Кабыл алынды."
    )
    late.refresh_from_db()
    assert not late.is_overdue
    assert set(Recommendation.objects.overdue()) == {considering}


def test_overdue_is_counted_in_bishkek_time(council):
    """At 00:30 on 10 May in Bishkek, a response due on 9 May is overdue."""
    recommendation = RecommendationFactory(
        council=council,
        adopted_on=datetime.date(2024, 4, 9),
        response_due=datetime.date(2024, 5, 9),
    )
    with frozen(BISHKEK_EARLY):
        assert recommendation.is_overdue
        assert list(Recommendation.objects.overdue()) == [recommendation]


def test_answered_on_time(council):
    due = days_ago(5)

    def answered(on):
        return RecommendationFactory.build(
            council=council,
            adopted_on=days_ago(35),
            response_due=due,
            status=Status.ACCEPTED,
            responded_on=on,
        )

    assert answered(None).answered_on_time is None
    assert answered(days_ago(6)).answered_on_time is True
    assert answered(due).answered_on_time is True
    assert answered(days_ago(4)).answered_on_time is False


# ---------------------------------------------------------------- the council's page


def test_update_council_keeps_the_page_with_history(council, secretary):
    services.update_council(
        user=secretary,
        council=council,
        data={
            "description_ky": "Жаңы сүрөттөмө.",
            "description_ru": "Новое описание.",
            "email": "kenesh@example.kg",
            "phone": "+996 312 111111",
        },
    )

    assert snapshot(council, "description_ky", "description_ru", "email", "phone") == {
        "description_ky": "Жаңы сүрөттөмө.",
        "description_ru": "Новое описание.",
        "email": "kenesh@example.kg",
        "phone": "+996 312 111111",
    }
    assert council.history.latest().description_ru == "Новое описание."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_ky", "Башка ат"),
        ("status", Council.Status.SUSPENDED),
        ("kind", Council.Kind.ADVISORY),
        ("established_on", datetime.date(2001, 1, 1)),
        ("slug", "another"),
    ],
)
def test_update_council_leaves_the_rest_to_administrators(council, secretary, field, value):
    fields = ("name_ky", "status", "kind", "established_on", "slug", "description_ru")
    before = snapshot(council, *fields)

    with pytest.raises(PermissionDenied):
        services.update_council(
            user=secretary, council=council, data={"description_ru": "Жаңы.", field: value}
        )
    assert snapshot(council, *fields) == before


def test_add_meeting_document(council, secretary):
    meeting = MeetingFactory(council=council)

    document = services.add_meeting_document(
        user=secretary,
        meeting=meeting,
        title="  Презентация  ",
        upload=pdf(),
        file_type="pdf",
        size=len(PDF_BYTES),
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
    )

    document.refresh_from_db()
    assert document.meeting == meeting
    assert document.title == "Презентация"
    with document.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def add_document(user, meeting, title="Презентация"):
    return services.add_meeting_document(
        user=user,
        meeting=meeting,
        title=title,
        upload=pdf(),
        file_type="pdf",
        size=len(PDF_BYTES),
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
    )


def test_a_cancelled_meeting_takes_no_documents(council, secretary):
    meeting = MeetingFactory(council=council, status=Meeting.Status.CANCELLED)

    refused(lambda: add_document(secretary, meeting), message="A cancelled meeting cannot change.")
    assert not MeetingDocument.objects.exists()


@pytest.mark.parametrize("title", ["", "   "])
def test_a_document_needs_a_title(council, secretary, title):
    meeting = MeetingFactory(council=council, held=True)

    refused(lambda: add_document(secretary, meeting, title), "title", "Give the document a title.")
    assert not MeetingDocument.objects.exists()


def test_a_document_of_another_councils_meeting_is_refused(other_council, secretary):
    meeting = MeetingFactory(council=other_council)

    with pytest.raises(PermissionDenied):
        add_document(secretary, meeting)
    assert not MeetingDocument.objects.exists()


@pytest.mark.parametrize("model", [WorkPlan, AnnualReport])
def test_save_paper_one_a_year_text_or_file(council, other_council, secretary, model):
    by_text = services.save_paper(
        user=secretary, council=council, paper=model(year=2024, text="  Текст.  ")
    )
    by_file = services.save_paper(
        user=secretary, council=council, paper=model(year=2025, file=pdf(), file_type="pdf")
    )
    # Another council's paper of the same year is no obstacle.
    services.save_paper(
        user=CouncilSecretaryFactory(council=other_council).user,
        council=other_council,
        paper=model(year=2024, text="Башка кеңеш."),
    )

    assert by_text.council == council
    assert by_file.council == council
    assert list(model.objects.filter(council=council).values_list("year", flat=True)) == [
        2025,
        2024,
    ]


@pytest.mark.parametrize("model", [WorkPlan, AnnualReport])
@pytest.mark.parametrize("text", ["", "   ", None])
def test_a_paper_needs_a_text_or_a_file(council, secretary, model, text):
    refused(
        lambda: services.save_paper(
            user=secretary, council=council, paper=model(year=2024, text=text)
        ),
        "text",
        "Write the text or attach a file.",
    )
    assert not model.objects.exists()


@pytest.mark.parametrize(
    ("model", "factory"), [(WorkPlan, WorkPlanFactory), (AnnualReport, AnnualReportFactory)]
)
def test_one_paper_a_year(council, secretary, model, factory):
    factory(council=council, year=2024, text="Биринчи.")

    refused(
        lambda: services.save_paper(
            user=secretary, council=council, paper=model(year=2024, text="Экинчи.")
        ),
        "year",
        "There is already one for this year.",
    )
    assert list(model.objects.values_list("text", flat=True)) == ["Биринчи."]


def test_a_plan_and_a_report_of_the_same_year(council, secretary):
    services.save_paper(user=secretary, council=council, paper=WorkPlan(year=2024, text="План."))
    services.save_paper(
        user=secretary, council=council, paper=AnnualReport(year=2024, text="Отчет.")
    )

    assert WorkPlan.objects.filter(council=council).count() == 1
    assert AnnualReport.objects.filter(council=council).count() == 1


# ---------------------------------------------------------------- history and permissions


def test_a_council_change_has_history(state_body):
    """Every change has history, the council's own included (in both languages)."""
    council = Council.objects.create(
        slug="mlsd-public-council",
        state_body=state_body,
        name_ky="Эмгек министрлигинин коомдук кеңеши",
        name_ru="Общественный совет Министерства труда",
        established_on=datetime.date(2015, 4, 1),
    )
    council.name_ru = "Общественный совет Минтруда"
    council.save()

    assert council.history.count() == 2
    assert council.history.earliest().name_ru == "Общественный совет Министерства труда"


def test_the_services_changes_have_history(council, secretary, officer):
    member = services.save_member(user=secretary, council=council, member=new_member())
    services.end_term(user=secretary, member=member, term_end=days_ago(0), end_reason="Кетти.")
    meeting = services.save_meeting(
        user=secretary, council=council, meeting=new_meeting(), agenda=["Отчет"]
    )
    services.cancel_meeting(user=secretary, meeting=meeting, reason="Кворум жок.")
    recommendation = recommend(secretary, council)
    services.answer_recommendation(
        user=officer, recommendation=recommendation, status=Status.REJECTED, response="Жок."
    )

    assert member.history.count() == 2
    assert meeting.history.count() == 2
    assert recommendation.history.count() == 2


def test_permissions(council, secretary, other_secretary, officer, other_officer):
    from councils import permissions

    recommendation = RecommendationFactory(council=council)
    assert permissions.can_edit_council(secretary, council)
    assert not permissions.can_edit_council(other_secretary, council)
    assert not permissions.can_edit_council(AnonymousUser(), council)
    assert permissions.can_answer_recommendation(officer, recommendation)
    assert not permissions.can_answer_recommendation(other_officer, recommendation)
    assert not permissions.can_answer_recommendation(secretary, recommendation)

    dissolve(council)
    assert permissions.is_secretary(secretary, council)
    assert not permissions.can_edit_council(secretary, council)
    # The addressed body still answers a dissolved council's recommendation.
    assert permissions.can_answer_recommendation(officer, recommendation)
