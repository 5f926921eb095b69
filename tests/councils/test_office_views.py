"""The council office (councils/views_office.py): the secretaries keep their council's page,
the officers of the addressed state body answer recommendations.

View by view: the page and its change (happy path); who may not reach it and what they
get (the login page; 404 for anyone who is not a secretary of that council, a secretary
of another council included; 404 for an officer of another body); the methods it
refuses; refused input (a 4xx, the message in Kyrgyz, nothing saved); a dissolved
council's pages refuse every change. The rules themselves are in test_services.py.
"""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
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
from tests.competitions.helpers import local_input
from tests.factories import OfficerFactory, StateBodyFactory
from tests.grants.helpers import (
    messages_of,
    pdf_bytes,
    png_bytes,
    says,
    text,
    text_file,
    tr,
    upload,
)

from .factories import (
    CouncilMemberFactory,
    CouncilSecretaryFactory,
    MeetingFactory,
    RecommendationFactory,
    WorkPlanFactory,
    days_ago,
    moment_in,
)

pytestmark = pytest.mark.django_db

LOGIN = "/ky/accounts/login/"
NOT_FOUND = "The page does not exist, or you do not have access to it."
DISSOLVED = "The council is dissolved; its record is kept as it was."
NOTHING_SAVED = "Please correct the errors below. Nothing was saved."
TOO_LARGE = "The file is too large (%(size)s). The limit is %(limit)s."
WRONG_TYPE = "This file type is not accepted. Upload one of: %(types)s."
REQUIRED = "This field is required."
INVALID_CHOICE = "Select a valid choice. %(value)s is not one of the available choices."
INVALID_OBJECT = "Select a valid choice. That choice is not one of the available choices."
Status = Recommendation.Status


def url(name: str, *args, language: str = "ky", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"councils:{name}", args=args or None, kwargs=kwargs or None)


def told(response, msgid: str) -> bool:
    """The message ``msgid``, in Kyrgyz, is on the page or waits for the next page
    (placeholders filled with anything)."""
    parts = re.split(r"%\(\w+\)[sd]", tr(msgid))
    regex = re.compile(".+?".join(re.escape(part.replace("%%", "%")) for part in parts), re.S)
    return says(response, msgid) or any(regex.search(message) for message in messages_of(response))


def sends_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def not_found(response) -> bool:
    return response.status_code == 404 and says(response, NOT_FOUND)


def refused(response, msgid: str) -> bool:
    """A 4xx re-rendering the form with ``msgid`` in Kyrgyz."""
    return 400 <= response.status_code < 500 and says(response, msgid)


def snapshot() -> dict:
    """Every row of the councils app (to show nothing was saved)."""
    models = (
        Council,
        CouncilMember,
        Meeting,
        AgendaItem,
        MeetingDocument,
        Recommendation,
        WorkPlan,
        AnnualReport,
    )
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    state["present"] = list(Meeting.present.through.objects.order_by("pk").values())
    return state


def stored_files(private_media, folder: str) -> list:
    root = private_media / "councils" / folder
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# The office of ``council`` and valid input for every page


@pytest.fixture
def office(council):
    """A sitting member and a meeting two days ago, still planned (its minutes not yet
    published), of ``council``."""
    member = CouncilMemberFactory(council=council, full_name="Асанов Бакыт")
    meeting = MeetingFactory(council=council, starts_at=moment_in(-2))
    meeting.agenda.create(title="Бюджет", order=1)
    return {"council": council, "member": member, "meeting": meeting}


def _path(name, office) -> str:
    council, member, meeting = office["council"], office["member"], office["meeting"]
    args = {
        "edit": (council.slug,),
        "member-create": (council.slug,),
        "member-edit": (council.slug, member.pk),
        "member-end": (council.slug, member.pk),
        "meeting-create": (council.slug,),
        "meeting-edit": (council.slug, meeting.pk),
        "meeting-minutes": (council.slug, meeting.pk),
        "meeting-cancel": (council.slug, meeting.pk),
        "meeting-documents": (council.slug, meeting.pk),
        "recommendation-create": (council.slug,),
        "paper-create": (council.slug, "plan"),
    }[name]
    return url(name, *args)


def _valid(name, office) -> dict:
    """POST data each page accepts from the council's secretary."""
    council, member = office["council"], office["member"]
    today = timezone.localdate()
    return {
        "edit": lambda: {
            "description_ky": "Жаңы сүрөттөмө.",
            "description_ru": "Новое описание.",
            "description_en": "",
            "email": "kenesh@example.kg",
            "phone": "+996 312 000000",
            "address": "Бишкек ш.",
            "legal_basis": "Токтом.",
        },
        "member-create": lambda: {
            "full_name": "Жаңы Мүчө",
            "position": CouncilMember.Position.MEMBER,
            "biography": "",
            "organization": "Коомдук бирикме",
            "email": "new@example.kg",
            "term_start": "2024-01-01",
            "term_end": "",
            "end_reason": "",
        },
        "member-edit": lambda: {
            "full_name": member.full_name,
            "position": CouncilMember.Position.CHAIR,
            "biography": "Төрага.",
            "organization": member.organization,
            "email": "",
            "term_start": member.term_start.isoformat(),
            "term_end": "",
            "end_reason": "",
        },
        "member-end": lambda: {"term_end": today.isoformat(), "end_reason": "Өз каалоосу"},
        "meeting-create": lambda: {
            "starts_at": local_input(moment_in(10)),
            "place": "Бишкек ш., Чүй пр., 106",
            "online_link": "",
            "agenda": "Биринчи маселе\n\nЭкинчи маселе\n",
        },
        "meeting-edit": lambda: {
            "starts_at": local_input(office["meeting"].starts_at),
            "place": "Жаңы жер",
            "online_link": "https://meet.example.kg/x",
            "agenda": "Бюджет\nОтчет",
        },
        "meeting-minutes": lambda: {
            "present": [member.pk],
            "guests_count": "3",
            "minutes": "Протоколдун тексти.",
        },
        "meeting-cancel": lambda: {"reason": "Кворум жок."},
        "meeting-documents": lambda: {
            "title": "Презентация",
            "file": upload("p.pdf", pdf_bytes(), "application/pdf"),
        },
        "recommendation-create": lambda: {
            "meeting": "",
            "addressed_to": council.state_body_id,
            "title": "Стандарттар жөнүндө",
            "text": "Сунуштайбыз.",
            "adopted_on": today.isoformat(),
            "response_due": "",
        },
        "paper-create": lambda: {"year": str(today.year), "text": "Жылдык план."},
    }[name]()


COUNCIL_PAGES = [
    "edit",
    "member-create",
    "member-edit",
    "member-end",
    "meeting-create",
    "meeting-edit",
    "meeting-minutes",
    "meeting-cancel",
    "meeting-documents",
    "recommendation-create",
    "paper-create",
]


# Who may reach the council's office pages


@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_the_secretary_reaches_every_page_of_the_office(client, office, secretary, name):
    client.force_login(secretary)

    response = client.get(_path(name, office))

    assert response.status_code == 200
    assert office["council"].name in text(response)
    assert not says(response, DISSOLVED)


@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, office, name):
    before = snapshot()

    assert sends_to_login(client.get(_path(name, office)))
    assert sends_to_login(client.post(_path(name, office), _valid(name, office)))
    assert snapshot() == before


@pytest.mark.parametrize("who", ["outsider", "other_secretary", "officer"])
@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_nobody_but_the_councils_secretaries_reaches_its_office(request, client, office, name, who):
    """A secretary of another council, an outsider, even an officer of the council's own
    state body: the office of this council does not exist for them."""
    client.force_login(request.getfixturevalue(who))
    before = snapshot()

    assert not_found(client.get(_path(name, office)))
    assert not_found(client.post(_path(name, office), _valid(name, office)))
    assert snapshot() == before


@pytest.mark.parametrize("name", ["member-edit", "member-end"])
def test_a_secretary_cannot_reach_another_councils_member_through_their_own(
    client, office, secretary, other_council, name
):
    theirs = CouncilMemberFactory(council=other_council)
    client.force_login(secretary)
    before = snapshot()

    path = url(name, office["council"].slug, theirs.pk)
    assert not_found(client.get(path))
    assert not_found(client.post(path, _valid(name, office)))
    assert snapshot() == before


@pytest.mark.parametrize(
    "name", ["meeting-edit", "meeting-minutes", "meeting-cancel", "meeting-documents"]
)
def test_a_secretary_cannot_reach_another_councils_meeting_through_their_own(
    client, office, secretary, other_council, name
):
    theirs = MeetingFactory(council=other_council, starts_at=moment_in(-2))
    client.force_login(secretary)
    before = snapshot()

    path = url(name, office["council"].slug, theirs.pk)
    assert not_found(client.get(path))
    assert not_found(client.post(path, _valid(name, office)))
    assert snapshot() == before


@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_the_office_pages_refuse_other_methods(client, office, secretary, name):
    client.force_login(secretary)
    before = snapshot()

    assert client.put(_path(name, office)).status_code == 405
    assert client.delete(_path(name, office)).status_code == 405
    assert client.patch(_path(name, office)).status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_a_dissolved_councils_office_refuses_every_change(client, office, secretary, name):
    Council.objects.filter(pk=office["council"].pk).update(
        status=Council.Status.DISSOLVED, ended_on=days_ago(1), end_reason="Жоюлду."
    )
    client.force_login(secretary)
    page = client.get(_path(name, office))
    assert page.status_code == 200
    assert says(page, DISSOLVED)
    assert '<form method="post"' not in text(page)
    before = snapshot()

    response = client.post(_path(name, office), _valid(name, office))

    assert refused(response, DISSOLVED)
    assert snapshot() == before


def test_a_secretary_of_two_councils_keeps_both(client, office, secretary, other_council):
    CouncilSecretaryFactory(council=other_council, user=secretary)
    client.force_login(secretary)

    assert client.get(url("edit", other_council.slug)).status_code == 200


# The workspace


def test_the_workspace_lists_the_secretarys_councils(client, office, secretary, other_council):
    client.force_login(secretary)

    response = client.get(url("workspace"))

    assert response.status_code == 200
    assert url("edit", office["council"].slug) in text(response)
    assert url("edit", other_council.slug) not in text(response)
    assert not says(response, "Recommendations awaiting your response")


def test_the_workspace_shows_an_officer_the_recommendations_awaiting_overdue_first(
    client, council, officer, other_council
):
    later = RecommendationFactory(council=council, title="Мөөнөтү бар")
    overdue = RecommendationFactory(
        council=council, title="Мөөнөтү өттү", adopted_on=days_ago(40), response_due=days_ago(2)
    )
    answered = RecommendationFactory(
        council=council, status=Status.ACCEPTED, response="Макул.", responded_on=days_ago(1)
    )
    elsewhere = RecommendationFactory(council=other_council)
    client.force_login(officer)

    response = client.get(url("workspace"))

    page = text(response)
    assert says(response, "Recommendations awaiting your response")
    assert page.index(url("answer", overdue.pk)) < page.index(url("answer", later.pk))
    assert url("answer", answered.pk) not in page
    assert url("answer", elsewhere.pk) not in page
    assert url("officer-recommendations") in page


def test_the_workspace_of_someone_without_a_role_explains_who_may_work_here(client, outsider):
    client.force_login(outsider)

    response = client.get(url("workspace"))

    assert response.status_code == 200
    assert says(response, "You keep no council's page and answer no recommendations.")


def test_the_workspace_needs_a_signed_in_user_and_get(client, secretary):
    assert sends_to_login(client.get(url("workspace")))
    client.force_login(secretary)
    assert client.post(url("workspace")).status_code == 405


# The council's page


def test_the_secretary_keeps_the_councils_page_and_logo(client, office, secretary):
    client.force_login(secretary)
    data = {**_valid("edit", office), "logo": upload("logo.png", png_bytes(), "image/png")}

    response = client.post(url("edit", office["council"].slug), data)

    assert response.status_code == 302
    assert response["Location"] == url("edit", office["council"].slug)
    assert told(response, "The council's page was saved.")
    council = Council.objects.get(pk=office["council"].pk)
    assert (council.description_ky, council.description_ru) == (
        "Жаңы сүрөттөмө.",
        "Новое описание.",
    )
    assert (council.email, council.phone, council.legal_basis) == (
        "kenesh@example.kg",
        "+996 312 000000",
        "Токтом.",
    )
    assert council.name_ky == office["council"].name_ky  # not the secretary's to change
    logo = client.get(url("logo", council.slug))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == png_bytes()
    public = client.get(url("detail", council.slug))
    assert "Жаңы сүрөттөмө." in text(public)


def test_the_secretary_removes_the_logo(client, office, secretary):
    council = office["council"]
    council.logo.save("logo.png", upload("logo.png", png_bytes(), "image/png"))
    client.force_login(secretary)

    response = client.post(
        url("edit", council.slug), {**_valid("edit", office), "remove_logo": "on"}
    )

    assert response.status_code == 302
    assert not Council.objects.get(pk=council.pk).logo


@pytest.mark.parametrize(
    ("change", "msgid"),
    [
        ({"email": "not-an-address"}, "Enter a valid email address."),
        (
            {"logo": upload("logo.png", pdf_bytes(), "image/png")},
            "Upload a valid image. The file you uploaded was either not an image or a "
            "corrupted image.",
        ),
    ],
)
def test_a_bad_council_page_is_refused_and_nothing_saved(
    client, office, secretary, private_media, change, msgid
):
    client.force_login(secretary)
    before = snapshot()

    response = client.post(
        url("edit", office["council"].slug), {**_valid("edit", office), **change}
    )

    assert refused(response, msgid)
    assert says(response, NOTHING_SAVED)
    assert snapshot() == before
    assert stored_files(private_media, "logos") == []


def _office_queries(client, council, n: int) -> int:
    for index in range(n):
        member = CouncilMemberFactory(council=council)
        CouncilMemberFactory(council=council, term_end=datetime.date(2023, 12, 31))
        held = MeetingFactory(council=council, held=True)
        held.present.add(member)
        MeetingFactory(council=council)
        RecommendationFactory(council=council, meeting=held)
        WorkPlanFactory(council=council, year=1991 + index + 10 * n)
    path = url("edit", council.slug)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_councils_office_page_keeps_a_constant_query_count(client, office, secretary):
    client.force_login(secretary)

    assert _office_queries(client, office["council"], 2) == _office_queries(
        client, office["council"], 6
    )


# Members and terms


def test_the_secretary_adds_a_members_term(client, office, secretary):
    client.force_login(secretary)

    response = client.post(
        url("member-create", office["council"].slug), _valid("member-create", office)
    )

    assert response.status_code == 302
    assert response["Location"] == url("edit", office["council"].slug)
    assert told(response, "The term of %(name)s was saved.")
    member = CouncilMember.objects.get(full_name="Жаңы Мүчө")
    assert member.council == office["council"]
    assert (member.term_start, member.term_end) == (datetime.date(2024, 1, 1), None)
    assert member.history.count() == 1
    assert "Жаңы Мүчө" in text(client.get(url("detail", office["council"].slug)))


def test_the_secretary_corrects_a_term(client, office, secretary):
    client.force_login(secretary)
    member = office["member"]

    response = client.post(
        url("member-edit", office["council"].slug, member.pk), _valid("member-edit", office)
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.position, member.biography) == (CouncilMember.Position.CHAIR, "Төрага.")


@pytest.mark.parametrize("name", ["member-create", "member-edit"])
def test_a_term_that_ends_before_it_starts_is_refused(client, office, secretary, name):
    client.force_login(secretary)
    before = snapshot()
    data = {**_valid(name, office), "term_start": "2024-05-10", "term_end": "2024-05-09"}

    response = client.post(_path(name, office), data)

    assert refused(response, "The term cannot end before it starts.")
    assert response.context["form"].errors["term_end"]
    assert snapshot() == before


def test_an_end_reason_without_an_end_date_is_refused(client, office, secretary):
    client.force_login(secretary)
    before = snapshot()
    data = {**_valid("member-create", office), "end_reason": "Кетти"}

    response = client.post(_path("member-create", office), data)

    assert refused(response, "Give the end date of the term too.")
    assert snapshot() == before


def test_a_members_term_without_a_name_or_start_is_refused(client, office, secretary):
    client.force_login(secretary)
    before = snapshot()
    data = {**_valid("member-create", office), "full_name": "", "term_start": ""}

    response = client.post(_path("member-create", office), data)

    assert refused(response, REQUIRED)
    assert set(response.context["form"].errors) == {"full_name", "term_start"}
    assert snapshot() == before


def test_the_secretary_ends_a_term_early_with_the_reason(client, office, secretary):
    client.force_login(secretary)
    member = office["member"]

    response = client.post(_path("member-end", office), _valid("member-end", office))

    assert response.status_code == 302
    assert told(response, "The term of %(name)s was ended.")
    member.refresh_from_db()
    assert (member.term_end, member.end_reason) == (timezone.localdate(), "Өз каалоосу")


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        (
            {"term_end": "2020-01-01", "end_reason": "Кетти"},
            "The term cannot end before it starts.",
        ),
        ({"end_reason": ""}, "Say why the term ends."),
        ({"end_reason": "   "}, "Say why the term ends."),
        ({"term_end": ""}, REQUIRED),
    ],
)
def test_ending_a_term_with_bad_input_is_refused(client, office, secretary, data, msgid):
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("member-end", office), {**_valid("member-end", office), **data})

    assert refused(response, msgid)
    assert snapshot() == before


def test_a_term_that_has_already_ended_cannot_end_again(client, office, secretary):
    member = CouncilMemberFactory(
        council=office["council"], term_start=datetime.date(2022, 1, 1), term_end=days_ago(10)
    )
    client.force_login(secretary)
    before = snapshot()

    response = client.post(
        url("member-end", office["council"].slug, member.pk), _valid("member-end", office)
    )

    assert refused(response, "This term has already ended.")
    assert snapshot() == before


# Meetings


def test_the_secretary_plans_a_meeting_with_its_agenda(client, office, secretary):
    client.force_login(secretary)

    response = client.post(_path("meeting-create", office), _valid("meeting-create", office))

    assert response.status_code == 302
    assert told(response, "The meeting was planned; it is shown on the council's page.")
    meeting = Meeting.objects.exclude(pk=office["meeting"].pk).get()
    assert meeting.council == office["council"]
    assert meeting.status == Meeting.Status.PLANNED
    assert [item.title for item in meeting.agenda.all()] == ["Биринчи маселе", "Экинчи маселе"]
    public = client.get(url("detail", office["council"].slug))
    assert url("meeting", office["council"].slug, meeting.pk) in text(public)


def test_the_secretary_corrects_a_meeting_and_its_agenda(client, office, secretary):
    client.force_login(secretary)
    meeting = office["meeting"]

    response = client.post(_path("meeting-edit", office), _valid("meeting-edit", office))

    assert response.status_code == 302
    assert told(response, "The meeting was saved.")
    meeting.refresh_from_db()
    assert (meeting.place, meeting.online_link) == ("Жаңы жер", "https://meet.example.kg/x")
    assert [item.title for item in meeting.agenda.all()] == ["Бюджет", "Отчет"]


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        ({"place": " ", "online_link": ""}, "Give the place or the online link."),
        ({"agenda": ""}, "Add at least one agenda item."),
        ({"agenda": "\n  \n"}, "Add at least one agenda item."),
        ({"agenda": "x" * 501}, "An agenda item is longer than %(limit)d characters."),
        ({"starts_at": "эртең"}, "Enter a valid date/time."),
        ({"online_link": "not a link", "place": ""}, "Enter a valid URL."),
    ],
)
@pytest.mark.parametrize("name", ["meeting-create", "meeting-edit"])
def test_a_meeting_with_bad_input_is_refused(client, office, secretary, name, data, msgid):
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path(name, office), {**_valid(name, office), **data})

    assert refused(response, msgid)
    assert snapshot() == before


def test_a_cancelled_meeting_cannot_be_edited(client, office, secretary):
    Meeting.objects.filter(pk=office["meeting"].pk).update(
        status=Meeting.Status.CANCELLED, cancel_reason="Кворум жок."
    )
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("meeting-edit", office), _valid("meeting-edit", office))

    assert refused(response, "A cancelled meeting cannot change.")
    assert snapshot() == before


def test_the_secretary_publishes_the_minutes_and_attendance(client, office, secretary):
    client.force_login(secretary)
    meeting = office["meeting"]
    data = {
        **_valid("meeting-minutes", office),
        "minutes_file": upload("minutes.pdf", pdf_bytes(), "application/pdf"),
    }

    response = client.post(_path("meeting-minutes", office), data)

    assert response.status_code == 302
    assert told(response, "The minutes were published.")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.minutes_published_at is not None
    assert (meeting.minutes, meeting.guests_count) == ("Протоколдун тексти.", 3)
    assert meeting.minutes_file_type == "pdf"
    assert list(meeting.present.all()) == [office["member"]]
    client.logout()
    public = client.get(url("meeting", office["council"].slug, meeting.pk))
    assert "Протоколдун тексти." in text(public)
    assert "Асанов Бакыт" in text(public)
    download = client.get(url("minutes-file", meeting.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()


@pytest.mark.parametrize(
    ("minutes_file", "msgid"),
    [
        (lambda: upload("minutes.pdf", pdf_bytes() + b"0" * 400, "application/pdf"), TOO_LARGE),
        (lambda: upload("minutes.png", png_bytes(), "image/png"), WRONG_TYPE),
        (lambda: upload("minutes.pdf", png_bytes(), "application/pdf"), WRONG_TYPE),
        (lambda: text_file("minutes.pdf"), WRONG_TYPE),
        (lambda: text_file("minutes.txt"), WRONG_TYPE),
    ],
    ids=["oversized", "png", "png-named-pdf", "text-named-pdf", "text"],
)
def test_an_oversized_or_wrong_type_minutes_file_is_refused(
    client, office, secretary, settings, private_media, minutes_file, msgid
):
    settings.UPLOAD_MAX_BYTES = 300
    client.force_login(secretary)
    before = snapshot()
    data = {**_valid("meeting-minutes", office), "minutes_file": minutes_file()}

    response = client.post(_path("meeting-minutes", office), data)

    assert response.status_code == 400
    assert says(response, msgid)
    assert response.context["form"].errors["minutes_file"]
    assert snapshot() == before
    assert Meeting.objects.get(pk=office["meeting"].pk).minutes_published_at is None
    assert stored_files(private_media, "minutes") == []


def test_minutes_need_the_text_or_a_file(client, office, secretary):
    client.force_login(secretary)
    before = snapshot()
    data = {**_valid("meeting-minutes", office), "minutes": "  "}

    response = client.post(_path("meeting-minutes", office), data)

    assert refused(response, "Write the minutes or attach them as a file.")
    assert snapshot() == before


def test_minutes_list_only_the_members_sitting_on_the_day(client, office, secretary):
    gone = CouncilMemberFactory(
        council=office["council"],
        full_name="Мурунку Мүчө",
        term_start=datetime.date(2020, 1, 1),
        term_end=datetime.date(2021, 1, 1),
    )
    client.force_login(secretary)
    page = client.get(_path("meeting-minutes", office))
    assert "Асанов Бакыт" in text(page)
    assert "Мурунку Мүчө" not in text(page)
    before = snapshot()

    response = client.post(
        _path("meeting-minutes", office),
        {**_valid("meeting-minutes", office), "present": [gone.pk]},
    )

    assert refused(response, INVALID_CHOICE)
    assert snapshot() == before


def test_minutes_wait_until_the_meeting_took_place(client, office, secretary):
    future = MeetingFactory(council=office["council"])
    client.force_login(secretary)
    before = snapshot()
    path = url("meeting-minutes", office["council"].slug, future.pk)

    assert says(client.get(path), "Minutes are published after the meeting has taken place.")
    response = client.post(path, _valid("meeting-minutes", office))

    assert refused(response, "Minutes are published after the meeting has taken place.")
    assert snapshot() == before


def test_a_cancelled_meeting_has_no_minutes(client, office, secretary):
    Meeting.objects.filter(pk=office["meeting"].pk).update(status=Meeting.Status.CANCELLED)
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("meeting-minutes", office), _valid("meeting-minutes", office))

    assert refused(response, "A cancelled meeting has no minutes.")
    assert snapshot() == before


def test_the_secretary_cancels_a_planned_meeting_with_a_public_reason(client, office, secretary):
    client.force_login(secretary)

    response = client.post(_path("meeting-cancel", office), _valid("meeting-cancel", office))

    assert response.status_code == 302
    assert told(response, "The meeting was cancelled.")
    meeting = Meeting.objects.get(pk=office["meeting"].pk)
    assert (meeting.status, meeting.cancel_reason) == (Meeting.Status.CANCELLED, "Кворум жок.")
    public = client.get(url("meeting", office["council"].slug, meeting.pk))
    assert "Кворум жок." in text(public)


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(client, office, secretary, reason):
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("meeting-cancel", office), {"reason": reason})

    assert refused(response, "Say why the meeting is cancelled.")
    assert snapshot() == before


def test_only_a_planned_meeting_can_be_cancelled(client, office, secretary):
    held = MeetingFactory(council=office["council"], held=True)
    client.force_login(secretary)
    before = snapshot()

    response = client.post(
        url("meeting-cancel", office["council"].slug, held.pk), _valid("meeting-cancel", office)
    )

    assert refused(response, "Only a planned meeting can be cancelled.")
    assert snapshot() == before


def test_the_secretary_uploads_a_meeting_document(client, office, secretary):
    client.force_login(secretary)

    response = client.post(_path("meeting-documents", office), _valid("meeting-documents", office))

    assert response.status_code == 302
    assert response["Location"] == _path("meeting-documents", office)
    assert told(response, "The document was uploaded.")
    document = MeetingDocument.objects.get()
    assert (document.title, document.file_type, document.size) == (
        "Презентация",
        "pdf",
        len(pdf_bytes()),
    )
    page = client.get(_path("meeting-documents", office))
    assert url("document", document.pk) in text(page)


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        ({"file": lambda: upload("p.png", png_bytes(), "image/png")}, WRONG_TYPE),
        ({"file": lambda: text_file("p.pdf")}, WRONG_TYPE),
        ({"title": ""}, "Give the document a title."),
        ({"title": "   "}, "Give the document a title."),
        ({"file": None}, REQUIRED),
    ],
)
def test_a_bad_meeting_document_is_refused(client, office, secretary, private_media, data, msgid):
    client.force_login(secretary)
    before = snapshot()
    post = _valid("meeting-documents", office)
    for key, value in data.items():
        if value is None:
            del post[key]
        else:
            post[key] = value() if callable(value) else value

    response = client.post(_path("meeting-documents", office), post)

    assert refused(response, msgid)
    assert snapshot() == before
    assert stored_files(private_media, "documents") == []


def test_an_oversized_meeting_document_is_refused(
    client, office, secretary, settings, private_media
):
    settings.UPLOAD_MAX_BYTES = 50
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("meeting-documents", office), _valid("meeting-documents", office))

    assert refused(response, TOO_LARGE)
    assert snapshot() == before
    assert stored_files(private_media, "documents") == []


def test_a_cancelled_meeting_takes_no_documents(client, office, secretary):
    Meeting.objects.filter(pk=office["meeting"].pk).update(status=Meeting.Status.CANCELLED)
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("meeting-documents", office), _valid("meeting-documents", office))

    assert refused(response, "A cancelled meeting cannot change.")
    assert snapshot() == before


# Recommendations


def test_the_secretary_records_a_recommendation_due_in_the_usual_days(
    client, office, secretary, settings
):
    settings.RECOMMENDATION_RESPONSE_DAYS = 45
    held = MeetingFactory(council=office["council"], held=True)
    client.force_login(secretary)
    data = {**_valid("recommendation-create", office), "meeting": held.pk}

    response = client.post(_path("recommendation-create", office), data)

    assert response.status_code == 302
    assert told(
        response, "The recommendation was sent to %(body)s; the response is due by %(date)s."
    )
    recommendation = Recommendation.objects.get()
    assert recommendation.meeting == held
    assert recommendation.addressed_to == office["council"].state_body
    assert recommendation.status == Status.SENT
    assert recommendation.response_due == timezone.localdate() + datetime.timedelta(days=45)
    public = client.get(url("recommendation", office["council"].slug, recommendation.pk))
    assert "Стандарттар жөнүндө" in text(public)


def test_a_recommendation_may_go_to_another_state_body_with_its_own_due_date(
    client, office, secretary
):
    body = StateBodyFactory()
    client.force_login(secretary)
    due = days_ago(-15)
    data = {
        **_valid("recommendation-create", office),
        "addressed_to": body.pk,
        "response_due": due.isoformat(),
    }

    assert client.post(_path("recommendation-create", office), data).status_code == 302
    recommendation = Recommendation.objects.get()
    assert (recommendation.addressed_to, recommendation.response_due) == (body, due)


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        ({"adopted_on": "future"}, "The adoption date cannot be in the future."),
        (
            {"adopted_on": "2024-05-10", "response_due": "2024-05-09"},
            "The response cannot be due before the adoption.",
        ),
        ({"title": "", "text": ""}, REQUIRED),
        ({"title": "  ", "text": "  "}, REQUIRED),  # stripped by the form
        ({"addressed_to": "999999"}, INVALID_OBJECT),
        ({"meeting": "planned"}, INVALID_OBJECT),  # not held
        ({"meeting": "elsewhere"}, INVALID_OBJECT),  # another council's
    ],
)
def test_a_recommendation_with_bad_input_is_refused(
    client, office, secretary, other_council, data, msgid
):
    meetings = {
        "planned": office["meeting"].pk,
        "elsewhere": MeetingFactory(council=other_council, held=True).pk,
    }
    data = {
        key: (
            days_ago(-1).isoformat()
            if value == "future"
            else meetings.get(value, value)
            if key == "meeting"
            else value
        )
        for key, value in data.items()
    }
    client.force_login(secretary)
    before = snapshot()

    response = client.post(
        _path("recommendation-create", office), {**_valid("recommendation-create", office), **data}
    )

    assert refused(response, msgid)
    assert snapshot() == before


# Plans and reports


@pytest.mark.parametrize(
    ("kind", "model", "msgid"),
    [
        ("plan", WorkPlan, "The work plan for %(year)d was published."),
        ("report", AnnualReport, "The annual report for %(year)d was published."),
    ],
)
def test_the_secretary_publishes_a_paper_with_its_file(
    client, office, secretary, kind, model, msgid
):
    client.force_login(secretary)
    data = {"year": "2024", "text": "", "file": upload("p.pdf", pdf_bytes(), "application/pdf")}

    response = client.post(url("paper-create", office["council"].slug, kind), data)

    assert response.status_code == 302
    assert told(response, msgid)
    paper = model.objects.get()
    assert (paper.council, paper.year, paper.file_type) == (office["council"], 2024, "pdf")
    download = client.get(url("paper-file", kind, paper.pk))
    assert b"".join(download.streaming_content) == pdf_bytes()


def test_a_second_paper_of_the_same_year_is_a_form_error(client, office, secretary):
    WorkPlanFactory(council=office["council"], year=2024)
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("paper-create", office), {"year": "2024", "text": "Экинчи."})

    assert refused(response, "There is already one for this year.")
    assert response.context["form"].errors["year"]
    assert snapshot() == before


def test_a_paper_of_the_same_year_published_meanwhile_is_a_form_error_not_a_500(
    client, office, secretary, monkeypatch
):
    """Two secretaries publish the same year at once: the check passes for both, the
    database refuses the second row; the second secretary is told, as above."""
    WorkPlanFactory(council=office["council"], year=2024)

    def save_unchecked(*, user, council, paper):
        with transaction.atomic():
            paper.council = council
            paper.save()
        return paper

    monkeypatch.setattr(services, "save_paper", save_unchecked)
    client.force_login(secretary)
    before = snapshot()

    response = client.post(_path("paper-create", office), {"year": "2024", "text": "Экинчи."})

    assert refused(response, "There is already one for this year.")
    assert snapshot() == before


def test_a_report_may_share_the_year_of_a_plan(client, office, secretary):
    WorkPlanFactory(council=office["council"], year=2024)
    client.force_login(secretary)

    response = client.post(
        url("paper-create", office["council"].slug, "report"), {"year": "2024", "text": "Отчет."}
    )

    assert response.status_code == 302
    assert AnnualReport.objects.get().year == 2024


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        ({"year": "2024", "text": " "}, "Write the text or attach a file."),
        (
            {"year": "1990", "text": "Эски."},
            "Ensure this value is greater than or equal to %(limit_value)s.",
        ),
        (
            {"year": "3000", "text": "Келечек."},
            "Ensure this value is less than or equal to %(limit_value)s.",
        ),
        ({"year": "", "text": "Жылы жок."}, REQUIRED),
        (
            {"year": "2024", "text": "", "file": lambda: upload("p.png", png_bytes(), "image/png")},
            WRONG_TYPE,
        ),
    ],
)
def test_a_paper_with_bad_input_is_refused(client, office, secretary, private_media, data, msgid):
    client.force_login(secretary)
    before = snapshot()
    data = {key: value() if callable(value) else value for key, value in data.items()}

    response = client.post(_path("paper-create", office), data)

    assert refused(response, msgid)
    assert snapshot() == before
    assert stored_files(private_media, "papers") == []


def test_an_unknown_kind_of_paper_is_not_found(client, office, secretary):
    client.force_login(secretary)

    assert not_found(client.get(url("paper-create", office["council"].slug, "minutes")))
    assert not_found(client.post(url("paper-create", office["council"].slug, "minutes"), {}))


# The officers' answers


@pytest.fixture
def addressed(council):
    """A recommendation of ``council`` to its state body, awaiting the response."""
    return RecommendationFactory(council=council, title="Стандарттарды кайра кароо")


def test_an_officer_of_the_addressed_body_answers(client, addressed, officer):
    client.force_login(officer)
    page = client.get(url("answer", addressed.pk))
    assert page.status_code == 200
    assert addressed.text in text(page)

    response = client.post(
        url("answer", addressed.pk),
        {"status": Status.ACCEPTED, "response": "Министрлик сунушту кабыл алды."},
    )

    assert response.status_code == 302
    assert response["Location"] == url("officer-recommendations")
    assert told(response, "The response was recorded; it is shown on the council's page.")
    addressed.refresh_from_db()
    assert addressed.status == Status.ACCEPTED
    assert addressed.response == "Министрлик сунушту кабыл алды."
    assert (addressed.responded_on, addressed.responded_by) == (timezone.localdate(), officer)
    client.logout()
    public = client.get(url("recommendation", addressed.council.slug, addressed.pk))
    assert "Министрлик сунушту кабыл алды." in text(public)


def test_under_consideration_is_no_answer_yet(client, addressed, officer):
    client.force_login(officer)

    response = client.post(
        url("answer", addressed.pk), {"status": Status.CONSIDERING, "response": "Каралууда."}
    )

    assert response.status_code == 302
    addressed.refresh_from_db()
    assert (addressed.status, addressed.responded_on) == (Status.CONSIDERING, None)


@pytest.mark.parametrize("who", ["other_officer", "secretary", "outsider"])
def test_only_officers_of_the_addressed_body_may_answer(request, client, addressed, who):
    client.force_login(request.getfixturevalue(who))
    before = snapshot()

    assert not_found(client.get(url("answer", addressed.pk)))
    response = client.post(
        url("answer", addressed.pk), {"status": Status.REJECTED, "response": "Жок."}
    )

    assert not_found(response)
    assert snapshot() == before


def test_an_officer_of_another_body_cannot_answer_even_for_a_council_of_their_own_body(
    client, council, other_council, other_officer
):
    """The council of ``other_officer``'s body addressed ``council``'s body: the officer of
    the council's body answers, not the officer of the council's own body."""
    theirs = RecommendationFactory(council=other_council, addressed_to=council.state_body)
    client.force_login(other_officer)
    before = snapshot()

    assert not_found(
        client.post(url("answer", theirs.pk), {"status": "accepted", "response": "Ок"})
    )
    assert snapshot() == before


def test_answering_needs_a_signed_in_user_and_get_or_post(client, addressed, officer):
    assert sends_to_login(client.get(url("answer", addressed.pk)))
    assert sends_to_login(client.post(url("answer", addressed.pk), {"status": "accepted"}))
    client.force_login(officer)
    before = snapshot()
    assert client.put(url("answer", addressed.pk)).status_code == 405
    assert client.delete(url("answer", addressed.pk)).status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        (
            {"status": Status.IMPLEMENTED, "response": "Аткарылды."},
            "A recommendation that is %(status)s cannot become %(to)s.",
        ),
        (
            {"status": Status.SENT, "response": "Жиберилди."},
            "A recommendation that is %(status)s cannot become %(to)s.",
        ),
        ({"status": "approved", "response": "Ок."}, INVALID_CHOICE),
        ({"status": Status.ACCEPTED, "response": ""}, "Write the response of the state body."),
        ({"status": Status.ACCEPTED, "response": "   "}, "Write the response of the state body."),
        ({"response": "Статусу жок."}, REQUIRED),
    ],
)
def test_an_answer_with_a_disallowed_status_or_no_response_is_refused(
    client, addressed, officer, data, msgid
):
    client.force_login(officer)
    before = snapshot()

    response = client.post(url("answer", addressed.pk), data)

    assert refused(response, msgid)
    assert snapshot() == before


def test_a_disallowed_status_is_an_error_on_the_status_field(client, addressed, officer):
    client.force_login(officer)

    response = client.post(
        url("answer", addressed.pk), {"status": Status.IMPLEMENTED, "response": "Аткарылды."}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["status"] == [
        tr("A recommendation that is %(status)s cannot become %(to)s.")
        % {"status": tr("sent"), "to": tr("implemented")}
    ]


def test_the_form_offers_only_the_statuses_it_may_move_to(client, addressed, officer):
    client.force_login(officer)

    page = text(client.get(url("answer", addressed.pk)))

    for status in (Status.CONSIDERING, Status.ACCEPTED, Status.PARTLY_ACCEPTED, Status.REJECTED):
        assert f'value="{status}"' in page
    for status in (Status.SENT, Status.IMPLEMENTED):
        assert f'value="{status}"' not in page


def test_an_accepted_recommendation_may_be_reported_implemented(client, addressed, officer):
    Recommendation.objects.filter(pk=addressed.pk).update(
        status=Status.ACCEPTED, response="Кабыл алынды.", responded_on=days_ago(3)
    )
    client.force_login(officer)

    response = client.post(
        url("answer", addressed.pk), {"status": Status.IMPLEMENTED, "response": "Аткарылды."}
    )

    assert response.status_code == 302
    addressed.refresh_from_db()
    assert (addressed.status, addressed.responded_on) == (Status.IMPLEMENTED, days_ago(3))


def test_a_final_status_cannot_change(client, addressed, officer):
    Recommendation.objects.filter(pk=addressed.pk).update(
        status=Status.REJECTED, response="Четке кагылды.", responded_on=days_ago(3)
    )
    client.force_login(officer)
    page = client.get(url("answer", addressed.pk))
    assert says(page, "The recommendation has its final status; it cannot change any more.")
    before = snapshot()

    response = client.post(
        url("answer", addressed.pk), {"status": Status.ACCEPTED, "response": "Кайра."}
    )

    assert refused(response, "A recommendation that is %(status)s cannot become %(to)s.")
    assert snapshot() == before


# The officer's list of recommendations


@pytest.fixture
def to_answer(council, other_council):
    """Recommendations to the officer's body in every state, and one to another body."""
    return {
        "awaiting": RecommendationFactory(council=council, title="Күтүүдө"),
        "considering": RecommendationFactory(
            council=council, title="Каралууда", status=Status.CONSIDERING
        ),
        "overdue": RecommendationFactory(
            council=council,
            title="Мөөнөтү өткөн",
            adopted_on=days_ago(40),
            response_due=days_ago(5),
        ),
        "answered": RecommendationFactory(
            council=council,
            title="Жооп берилген",
            adopted_on=days_ago(40),
            response_due=days_ago(5),
            status=Status.PARTLY_ACCEPTED,
            response="Жарым-жартылай.",
            responded_on=days_ago(7),
        ),
        "elsewhere": RecommendationFactory(council=other_council, title="Башка органга"),
    }


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("", {"awaiting", "considering", "overdue", "answered"}),
        ("awaiting", {"awaiting", "considering", "overdue"}),
        ("overdue", {"overdue"}),
        ("answered", {"answered"}),
        ("nonsense", {"awaiting", "considering", "overdue", "answered"}),
    ],
)
def test_the_officer_lists_the_recommendations_to_their_bodies(
    client, officer, to_answer, state, expected
):
    client.force_login(officer)

    response = client.get(url("officer-recommendations"), {"state": state} if state else {})

    assert response.status_code == 200
    page = text(response)
    shown = {key for key, rec in to_answer.items() if url("answer", rec.pk) in page}
    assert shown == expected


def test_the_overdue_are_flagged_and_listed_first_when_filtering(client, officer, to_answer):
    client.force_login(officer)

    page = text(client.get(url("officer-recommendations"), {"state": "awaiting"}))

    assert page.index(url("answer", to_answer["overdue"].pk)) < page.index(
        url("answer", to_answer["awaiting"].pk)
    )
    row = page[page.index(url("answer", to_answer["overdue"].pk)) :]
    assert tr("overdue") in row[: row.index("</tr>")]


def test_an_officer_of_several_bodies_sees_them_all(client, officer, to_answer, other_council):
    OfficerFactory(user=officer, state_body=other_council.state_body)
    client.force_login(officer)

    page = text(client.get(url("officer-recommendations")))

    assert url("answer", to_answer["elsewhere"].pk) in page


def test_an_officer_without_recommendations_is_told_so(client, other_officer, to_answer):
    client.force_login(other_officer)

    response = client.get(url("officer-recommendations"), {"state": "overdue"})

    assert says(response, "No recommendations here.")


@pytest.mark.parametrize("who", ["outsider", "secretary"])
def test_the_officers_list_is_for_officers(request, client, council, who):
    assert sends_to_login(client.get(url("officer-recommendations")))
    client.force_login(request.getfixturevalue(who))

    assert client.get(url("officer-recommendations")).status_code == 403


def test_the_officers_list_answers_get_only(client, officer):
    client.force_login(officer)

    assert client.post(url("officer-recommendations")).status_code == 405
