"""The public pages of the councils registry (councils/views_public.py), read by anyone:
the registry with its filters, search and pages; a council's page with its compositions
by period, meetings, recommendations, figures, the commissions its members sat on and
its state body's grants; meetings, recommendations and files. The feeds are in
test_feeds.py, the office in test_office_views.py.
"""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation
from django.utils.text import capfirst

from councils import views_public
from councils.models import Council, CouncilMember, Meeting, MeetingDocument, Recommendation
from grants.models import Outcome
from tests.competitions.factories import CommissionMemberFactory, CompetitionFactory
from tests.factories import StateBodyFactory
from tests.grants.evaluation import decided_competition
from tests.grants.helpers import docx_bytes, pdf_bytes, png_bytes, says, text, tr

from .factories import (
    AnnualReportFactory,
    CoordinationCouncilFactory,
    CouncilFactory,
    CouncilMemberFactory,
    CouncilSecretaryFactory,
    MeetingFactory,
    RecommendationFactory,
    WorkPlanFactory,
    days_ago,
    moment_in,
)

pytestmark = pytest.mark.django_db

NOT_FOUND = "The page does not exist, or you do not have access to it."
NO_MATCH = "No council matches these filters. Clear the filters to see every council."
OVERDUE = "Response overdue"
MINUTES_LATER = "The minutes are published after the meeting."


def url(name: str, *args, language: str = "ky", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"councils:{name}", args=args or None, kwargs=kwargs or None)


def not_found(response) -> bool:
    return response.status_code == 404 and says(response, NOT_FOUND)


def day(value: datetime.date, language: str = "ky") -> str:
    """A date as the pages show it (``DATE_FORMAT`` of ``language``)."""
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def section(response, section_id: str) -> str:
    """The text of the page's ``<section id=...>``, up to the next section."""
    page = text(response)
    start = page.index(f'id="{section_id}"')
    end = page.find("<section", start)
    return page[start : end if end != -1 else len(page)]


def row_names(html: str) -> list[str]:
    """The names in the first column of the member tables in ``html``, in order."""
    return [name.strip() for name in re.findall(r'<th scope="row" class="fw-normal">([^<]+)', html)]


def periods_of(response) -> list[tuple[str, list[str]]]:
    """``(heading, names)`` of every past or current composition, newest first."""
    articles = section(response, "compositions").split("<article")[1:]
    result = []
    for article in articles:
        heading = re.search(r"<h3[^>]*>(.*?)</h3>", article, re.S).group(1)
        result.append((re.sub(r"<[^>]+>", " ", heading), row_names(article)))
    return result


def body(response) -> bytes:
    """The streamed body of a file response (read to the end, the test client closes it)."""
    return b"".join(response.streaming_content)


def stored(data: bytes, name: str) -> ContentFile:
    return ContentFile(data, name=name)


# The registry


@pytest.fixture
def registry(db):
    """Three councils of two bodies: an active public council, a dissolved advisory one and
    the Coordination Council (no state body)."""
    labour, health = StateBodyFactory(), StateBodyFactory()
    return {
        "labour": labour,
        "health": health,
        "public": CouncilFactory(
            state_body=labour,
            name_ky="Эмгек министрлигинин коомдук кеңеши",
            name_ru="Общественный совет министерства труда",
        ),
        "dissolved": CouncilFactory(
            state_body=health,
            kind=Council.Kind.ADVISORY,
            status=Council.Status.DISSOLVED,
            ended_on=datetime.date(2023, 6, 30),
            end_reason="Министрлик кайра түзүлдү.",
            name_ky="Саламаттык сактоо боюнча эксперттик кеңеш",
            name_ru="Экспертный совет по здравоохранению",
        ),
        "coordination": CoordinationCouncilFactory(),
    }


def listed(response, *councils, language: str = "ky") -> list[bool]:
    """Whether each council is linked from the registry page."""
    page = text(response)
    return [url("detail", council.slug, language=language) in page for council in councils]


def test_the_registry_lists_every_council_with_its_body_status_and_next_meeting(client, registry):
    meeting = MeetingFactory(council=registry["public"])
    CouncilMemberFactory(council=registry["public"])
    CouncilMemberFactory(council=registry["public"], term_end=days_ago(1))  # no longer sits

    response = client.get(url("list"))

    assert response.status_code == 200
    assert listed(response, registry["public"], registry["dissolved"], registry["coordination"])
    page = text(response)
    assert registry["public"].name_ky in page
    assert registry["labour"].name_ky in page
    assert capfirst(tr("dissolved")) in page
    assert day(datetime.date(2023, 6, 30)) in page
    assert url("meeting", registry["public"].slug, meeting.pk) in page
    row = page[page.index(registry["public"].name_ky) :]
    row = row[: row.index("</tr>")]
    assert re.search(r"<td>1</td>", row), row  # one member sits today


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "dissolved"}, ["dissolved"]),
        ({"status": "active"}, ["public", "coordination"]),
        ({"kind": "coordination"}, ["coordination"]),
        ({"kind": "advisory"}, ["dissolved"]),
        ({"kind": "public", "status": "dissolved"}, []),
    ],
)
def test_the_registry_filters_by_status_and_kind(client, registry, query, expected):
    response = client.get(url("list"), query)

    assert response.status_code == 200
    names = ["public", "dissolved", "coordination"]
    assert listed(response, *(registry[name] for name in names)) == [
        name in expected for name in names
    ]


def test_the_registry_filters_by_state_body(client, registry):
    response = client.get(url("list"), {"state_body": registry["health"].pk})

    assert listed(response, registry["public"], registry["dissolved"]) == [False, True]
    # The filter offers the bodies that have councils.
    other = StateBodyFactory()
    options = text(client.get(url("list")))
    assert f'value="{registry["labour"].pk}"' in options
    assert f'value="{other.pk}"' not in options


@pytest.mark.parametrize(
    ("language", "query"),
    [
        ("ky", "эмгек"),  # Kyrgyz, lower case
        ("ky", "КОЛЛЕГИЯ труда"),  # the Russian name, in capitals, on the Kyrgyz page
        ("ru", "министерства труда"),
        ("ru", "Эмгек КЕҢЕШИ"),
    ],
)
def test_the_registry_searches_the_names_in_kyrgyz_and_russian(client, registry, language, query):
    Council.objects.filter(pk=registry["public"].pk).update(
        name_ru="Общественная коллегия министерства труда"
    )

    response = client.get(url("list", language=language), {"q": query})

    assert response.status_code == 200
    councils = (registry["public"], registry["dissolved"], registry["coordination"])
    assert listed(response, *councils, language=language) == [True, False, False]
    shown = {"ky": registry["public"].name_ky, "ru": "Общественная коллегия министерства труда"}
    assert shown[language] in text(response)


def test_every_word_of_the_search_must_match(client, registry):
    response = client.get(url("list"), {"q": "эмгек саламаттык"})

    assert not any(listed(response, registry["public"], registry["dissolved"]))
    assert says(response, NO_MATCH)


def test_a_registry_without_matches_says_so(client, registry):
    response = client.get(url("list"), {"q": "жок-мындай-кеңеш"})

    assert response.status_code == 200
    assert says(response, NO_MATCH)
    assert not any(
        listed(response, registry["public"], registry["dissolved"], registry["coordination"])
    )


def test_an_empty_registry_says_so(client, db):
    response = client.get(url("list"))

    assert response.status_code == 200
    assert says(response, NO_MATCH)


def test_unknown_filter_values_do_not_break_the_registry(client, registry):
    response = client.get(url("list"), {"status": "nonsense", "state_body": "x", "page": "zz"})

    assert response.status_code == 200


def test_the_registry_is_paginated_and_keeps_the_filters(client, db, monkeypatch):
    monkeypatch.setattr(views_public, "PAGE_SIZE", 2)
    names = ["Айыл чарба кеңеши", "Билим берүү кеңеши", "Саламаттык кеңеши"]
    councils = [CouncilFactory(name_ky=name) for name in names]
    advisory = CouncilFactory(kind=Council.Kind.ADVISORY, name_ky="Аба ырайы кеңеши")

    first = client.get(url("list"), {"kind": "public"})
    second = client.get(url("list"), {"kind": "public", "page": 2})
    beyond = client.get(url("list"), {"kind": "public", "page": 99})

    assert listed(first, *councils, advisory) == [True, True, False, False]
    assert listed(second, *councils, advisory) == [False, False, True, False]
    assert listed(beyond, *councils) == [False, False, True]  # the last page
    assert "?kind=public&amp;page=2" in first.content.decode()
    assert "?kind=public&amp;page=1" in second.content.decode()


def test_the_registry_answers_get_only(client, registry):
    assert client.post(url("list")).status_code == 405
    assert client.put(url("list")).status_code == 405


def _grow(council: Council, n: int, *, body=None) -> None:
    """``n`` more of each: members (with e-mails seated on commissions), meetings held with
    minutes and attendance, planned meetings, recommendations (answered and overdue),
    published competitions of the body."""
    for index in range(n):
        member = CouncilMemberFactory(council=council, email=f"m{council.pk}-{index}@example.kg")
        CouncilMemberFactory(council=council, term_end=datetime.date(2023, 12, 31))
        held = MeetingFactory(council=council, held=True)
        held.present.add(member)
        held.agenda.create(title=f"Маселе {index}", order=1)
        MeetingFactory(council=council)
        RecommendationFactory(council=council, meeting=held)
        RecommendationFactory(
            council=council,
            adopted_on=days_ago(60),
            response_due=days_ago(30),
            status=Recommendation.Status.ACCEPTED,
            response="Кабыл алынды.",
            responded_on=days_ago(31),
        )
        RecommendationFactory(council=council, adopted_on=days_ago(60), response_due=days_ago(3))
        if council.state_body is not None:
            competition = CompetitionFactory(state_body=council.state_body, published=True)
            CommissionMemberFactory(competition=competition, email=member.email.upper())
        if body is not None:
            WorkPlanFactory(council=council, year=2000 + index + 10 * n)


def _queries(client, path: str) -> int:
    client.get(path)  # anything cached once (content types, sites) is cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_registry_keeps_a_constant_query_count(client, db):
    councils = [CouncilFactory(), CouncilFactory(), CoordinationCouncilFactory()]
    for council in councils:
        _grow(council, 2)
    few = _queries(client, url("list"))
    for council in councils:
        _grow(council, 6)
    councils += [CouncilFactory(coordinated_by=councils[2]) for _ in range(4)]
    for council in councils[3:]:
        _grow(council, 8)

    assert _queries(client, url("list")) == few


@pytest.mark.parametrize("factory", [CouncilFactory, CoordinationCouncilFactory])
def test_a_council_page_keeps_a_constant_query_count(client, db, factory):
    council = factory()
    _grow(council, 2, body=True)
    if council.kind == Council.Kind.COORDINATION:
        CouncilFactory(coordinated_by=council)
    path = url("detail", council.slug)
    few = _queries(client, path)
    _grow(council, 6, body=True)
    if council.kind == Council.Kind.COORDINATION:
        for _ in range(5):
            CouncilFactory(coordinated_by=council)

    assert council.members.count() == 16
    assert council.meetings.count() == 16
    assert council.recommendations.count() == 24
    assert _queries(client, path) == few


def test_a_meeting_page_keeps_a_constant_query_count(client, council):
    meeting = MeetingFactory(council=council, held=True)

    def grow(n):
        for index in range(n):
            meeting.present.add(CouncilMemberFactory(council=council))
            meeting.agenda.create(title=f"Маселе {index}", order=index)
            MeetingDocument.objects.create(
                meeting=meeting,
                title=f"Документ {index}",
                file=stored(pdf_bytes(), "d.pdf"),
                file_type="pdf",
                size=len(pdf_bytes()),
                sha256="0" * 64,
            )
            RecommendationFactory(council=council, meeting=meeting)

    grow(2)
    path = url("meeting", council.slug, meeting.pk)
    few = _queries(client, path)
    grow(6)
    assert _queries(client, path) == few


# A council's page: compositions by period


@pytest.fixture
def terms(council):
    """Terms of the ``council`` that overlap, run on, end early and start anew:

    - Асанов Бакыт, chair: 2020-01-01 to 2021-12-31, then a second term from 2022-01-01;
    - Бекова Гүлнара, member: 2020-01-01, ended early on 2021-06-30 (a reason);
    - Дүйшөева Нургүл, deputy chair: 2020-01-01 to 2021-12-31;
    - Кадыров Эрлан, member: from 2021-03-01, open-ended (overlaps the first term);
    - Токтосунова Айжан, member: 2022-01-01, ended early on 2022-12-31 (a reason).
    """

    def term(name, start, end=None, position=CouncilMember.Position.MEMBER, reason=""):
        return CouncilMemberFactory(
            council=council,
            full_name=name,
            position=position,
            term_start=start,
            term_end=end,
            end_reason=reason,
            biography=f"{name}: өмүр баяны.",
            email=f"{name.split()[0].lower()}@example.kg",
        )

    chair = CouncilMember.Position.CHAIR
    return [
        term("Асанов Бакыт", datetime.date(2020, 1, 1), datetime.date(2021, 12, 31), chair),
        term("Асанов Бакыт", datetime.date(2022, 1, 1), None, chair),
        term(
            "Бекова Гүлнара",
            datetime.date(2020, 1, 1),
            datetime.date(2021, 6, 30),
            reason="Өз каалоосу менен кетти",
        ),
        term(
            "Дүйшөева Нургүл",
            datetime.date(2020, 1, 1),
            datetime.date(2021, 12, 31),
            CouncilMember.Position.DEPUTY,
        ),
        term("Кадыров Эрлан", datetime.date(2021, 3, 1)),
        term(
            "Токтосунова Айжан",
            datetime.date(2022, 1, 1),
            datetime.date(2022, 12, 31),
            reason="Башка ишке которулду",
        ),
    ]


def test_the_current_composition_is_who_sits_today_chair_first(client, council, terms):
    response = client.get(url("detail", council.slug))

    assert response.status_code == 200
    current = section(response, "composition")
    assert row_names(current) == ["Асанов Бакыт", "Кадыров Эрлан"]
    assert "Кадыров Эрлан: өмүр баяны." in current  # biographies with the current members


def test_past_compositions_are_shown_by_period_newest_first(client, council, terms):
    response = client.get(url("detail", council.slug))

    periods = periods_of(response)
    assert [names for _heading, names in periods] == [
        ["Асанов Бакыт", "Кадыров Эрлан"],
        ["Асанов Бакыт", "Кадыров Эрлан", "Токтосунова Айжан"],
        ["Асанов Бакыт", "Дүйшөева Нургүл", "Кадыров Эрлан"],
        ["Асанов Бакыт", "Дүйшөева Нургүл", "Бекова Гүлнара", "Кадыров Эрлан"],
        ["Асанов Бакыт", "Дүйшөева Нургүл", "Бекова Гүлнара"],
    ]
    bounds = [
        (datetime.date(2023, 1, 1), None),
        (datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)),
        (datetime.date(2021, 7, 1), datetime.date(2021, 12, 31)),
        (datetime.date(2021, 3, 1), datetime.date(2021, 6, 30)),
        (datetime.date(2020, 1, 1), datetime.date(2021, 2, 28)),
    ]
    for (heading, _names), (start, end) in zip(periods, bounds, strict=True):
        assert day(start) in heading
        if end is None:
            assert re.sub(r"%\(start\)s", day(start), tr("Since %(start)s")) in " ".join(
                heading.split()
            )
        else:
            assert day(end) in heading
    articles = section(response, "compositions").split("<article")[1:]
    assert "text-bg-primary" in articles[0]  # the current one is marked
    assert not any("text-bg-primary" in article for article in articles[1:])


def test_a_term_ended_early_shows_its_reason_with_the_last_period_it_was_in(client, council, terms):
    response = client.get(url("detail", council.slug))

    articles = section(response, "compositions").split("<article")[1:]
    assert "Өз каалоосу менен кетти" in articles[3]  # 2021-03-01 to 2021-06-30
    assert "Өз каалоосу менен кетти" not in articles[4]
    assert "Башка ишке которулду" in articles[1]
    assert "Өз каалоосу менен кетти" not in section(response, "composition")


def test_a_term_covers_its_last_day_and_future_terms_are_not_shown_yet(client, council):
    CouncilMemberFactory(
        council=council,
        full_name="Бүгүн бүтөт",
        term_start=datetime.date(2022, 1, 1),
        term_end=days_ago(0),
    )
    CouncilMemberFactory(
        council=council,
        full_name="Кечээ бүткөн",
        term_start=datetime.date(2022, 1, 1),
        term_end=days_ago(1),
    )
    CouncilMemberFactory(council=council, full_name="Эртең келет", term_start=days_ago(-10))

    response = client.get(url("detail", council.slug))

    assert row_names(section(response, "composition")) == ["Бүгүн бүтөт"]
    assert "Кечээ бүткөн" in section(response, "compositions")
    assert "Эртең келет" not in text(response)


def test_a_council_without_members_says_so(client, council):
    response = client.get(url("detail", council.slug))

    assert says(response, "Nobody sits on the council today.")
    assert says(response, "No members have been recorded.")


def test_members_e_mails_are_never_shown(client, council, terms):
    meeting = MeetingFactory(council=council, held=True, starts_at=moment_in(-7))
    meeting.present.add(terms[1], terms[4])
    pages = [
        client.get(url("detail", council.slug)),
        client.get(url("meeting", council.slug, meeting.pk)),
        client.get(url("list")),
    ]
    for response in pages:
        assert response.status_code == 200
        page = text(response).lower()
        for member in terms:
            assert member.email.lower() not in page
        assert "@example.kg" not in page.replace(council.email.lower(), "")


# Recommendations on the council's page


def test_an_overdue_response_is_flagged_publicly(client, council):
    overdue = RecommendationFactory(
        council=council, title="Мөөнөтү өткөн", adopted_on=days_ago(40), response_due=days_ago(1)
    )
    waiting = RecommendationFactory(council=council, title="Мөөнөтү келе элек")
    late_answer = RecommendationFactory(
        council=council,
        title="Кечигип жооп берилген",
        adopted_on=days_ago(60),
        response_due=days_ago(30),
        status=Recommendation.Status.REJECTED,
        response="Четке кагылды.",
        responded_on=days_ago(10),
    )

    response = client.get(url("detail", council.slug))

    rows = section(response, "recommendations").split("<tr>")
    flagged = {
        recommendation.title: any(
            recommendation.title in row and tr(OVERDUE) in row for row in rows
        )
        for recommendation in (overdue, waiting, late_answer)
    }
    assert flagged == {overdue.title: True, waiting.title: False, late_answer.title: False}
    page = client.get(url("recommendation", council.slug, overdue.pk))
    assert says(page, "The response was due on %(date)s; %(body)s has not answered yet.")
    assert day(days_ago(1)) in text(page)
    late = client.get(url("recommendation", council.slug, late_answer.pk))
    assert not says(late, OVERDUE)
    assert says(late, "after the due date")


def test_the_council_page_shows_the_figures_with_tables(client, council):
    MeetingFactory(council=council, held=True)
    RecommendationFactory(council=council)
    RecommendationFactory(
        council=council,
        adopted_on=days_ago(40),
        response_due=days_ago(10),
        status=Recommendation.Status.ACCEPTED,
        response="Макул.",
        responded_on=days_ago(20),
    )
    RecommendationFactory(council=council, adopted_on=days_ago(40), response_due=days_ago(10))

    figures = section(client.get(url("detail", council.slug)), "figures")

    assert f"<caption>{tr('Meetings held per year')}</caption>" in figures
    assert f"<caption>{tr('Recommendations by status')}</caption>" in figures
    assert "<td>50%</td>" in figures  # one of two answered or due was answered on time


# The Coordination Council, dissolved councils


def test_the_coordination_council_lists_its_member_councils_meetings_and_recommendations(
    client, db
):
    coordination = CoordinationCouncilFactory()
    members = [
        CouncilFactory(coordinated_by=coordination, name_ky="Билим берүү министрлигинин кеңеши"),
        CouncilFactory(
            coordinated_by=coordination,
            status=Council.Status.DISSOLVED,
            ended_on=datetime.date(2024, 1, 31),
            name_ky="Жоюлган кеңеш",
        ),
    ]
    outside = CouncilFactory(name_ky="Координацияланбаган кеңеш")
    held = MeetingFactory(council=coordination, held=True)
    planned = MeetingFactory(council=coordination)
    elsewhere = MeetingFactory(council=members[0], held=True)
    recommendation = RecommendationFactory(council=coordination, title="Бардык кеңештерге")
    RecommendationFactory(council=members[0], title="Мүчө кеңештин сунушу")

    response = client.get(url("detail", coordination.slug))

    assert response.status_code == 200
    listing = section(response, "member-councils")
    for council in members:
        assert url("detail", council.slug) in listing
        assert council.name_ky in listing
    assert members[0].state_body.name_ky in listing
    assert outside.name_ky not in text(response)
    meetings = section(response, "meetings")
    assert url("meeting", coordination.slug, held.pk) in meetings
    assert url("meeting", coordination.slug, planned.pk) in meetings
    assert str(elsewhere.pk) not in re.findall(r"/meetings/(\d+)/", meetings)
    recommendations = section(response, "recommendations")
    assert url("recommendation", coordination.slug, recommendation.pk) in recommendations
    assert "Мүчө кеңештин сунушу" not in recommendations
    assert 'id="transparency"' not in text(response)  # no state body of its own
    member_page = client.get(url("detail", members[0].slug))
    assert url("detail", coordination.slug) in text(member_page)


def test_a_coordination_council_without_members_says_so(client, db):
    response = client.get(url("detail", CoordinationCouncilFactory().slug))

    assert says(response, "No council is coordinated by this council yet.")


def test_a_dissolved_council_shows_its_end_date_and_reason(client, db):
    council = CouncilFactory(
        status=Council.Status.DISSOLVED,
        ended_on=datetime.date(2023, 6, 30),
        end_reason="Министрлик кайра түзүлүп, кеңеш жоюлду.",
    )
    MeetingFactory(
        council=council,
        held=True,
        starts_at=datetime.datetime(2023, 5, 1, 4, 0, tzinfo=datetime.UTC),
    )

    response = client.get(url("detail", council.slug))

    assert response.status_code == 200
    assert says(response, "On %(date)s the council was dissolved.")
    assert tr("On %(date)s the council was dissolved.").replace(
        "%(date)s", day(datetime.date(2023, 6, 30))
    ) in text(response)
    assert "Министрлик кайра түзүлүп, кеңеш жоюлду." in text(response)
    assert says(response, "Its record is kept as it was when it ended.")
    ru = client.get(url("detail", council.slug, language="ru"))
    assert tr("On %(date)s the council was dissolved.", "ru").replace(
        "%(date)s", day(datetime.date(2023, 6, 30), "ru")
    ) in text(ru)


def test_a_suspended_council_says_so(client, db):
    council = CouncilFactory(status=Council.Status.SUSPENDED, status_since=days_ago(5))

    assert says(client.get(url("detail", council.slug)), "The council's work is suspended.")


def test_an_unknown_council_is_not_found(client, db):
    assert not_found(client.get(url("detail", "no-such-council")))


def test_council_pages_answer_get_only(client, council):
    meeting = MeetingFactory(council=council)
    recommendation = RecommendationFactory(council=council)
    for path in (
        url("detail", council.slug),
        url("meeting", council.slug, meeting.pk),
        url("recommendation", council.slug, recommendation.pk),
        url("calendar"),
        url("council-calendar", council.slug),
    ):
        assert client.post(path).status_code == 405, path


# Plans and reports on the council's page


def test_work_plans_and_annual_reports_are_listed_with_their_files(client, council):
    plan = WorkPlanFactory(council=council, year=2024, text="Пландын тексти.")
    report = AnnualReportFactory(council=council, year=2023, text="")
    report.file.save("report.pdf", stored(pdf_bytes(), "report.pdf"), save=False)
    report.file_type = "pdf"
    report.save()

    papers = section(client.get(url("detail", council.slug)), "papers")

    assert "Пландын тексти." in papers
    assert url("paper-file", "report", report.pk) in papers
    assert url("paper-file", "plan", plan.pk) not in papers  # no file


# A meeting's page


def test_a_planned_meeting_shows_its_agenda_and_no_minutes(client, council):
    meeting = MeetingFactory(council=council, online_link="https://meet.example.kg/kenesh")
    meeting.agenda.create(title="Бюджетти талкуулоо", order=1)
    meeting.agenda.create(title="Ар кандай маселелер", order=2)

    response = client.get(url("meeting", council.slug, meeting.pk))

    assert response.status_code == 200
    page = text(response)
    assert page.index("Бюджетти талкуулоо") < page.index("Ар кандай маселелер")
    assert "https://meet.example.kg/kenesh" in page
    assert says(response, MINUTES_LATER)
    assert 'id="attendance-title"' not in page


def test_minutes_and_attendance_wait_until_they_are_published(client, council):
    present = CouncilMemberFactory(council=council, full_name="Катышкан Мүчө")
    meeting = MeetingFactory(
        council=council,
        starts_at=moment_in(-3),
        status=Meeting.Status.HELD,
        minutes="Жарыялана элек протоколдун тексти.",
        guests_count=4,
    )
    meeting.present.add(present)
    meeting.minutes_file.save("m.pdf", stored(pdf_bytes(), "m.pdf"), save=False)
    meeting.minutes_file_type = "pdf"
    meeting.save()
    path = url("meeting", council.slug, meeting.pk)

    hidden = client.get(path)

    assert hidden.status_code == 200
    for secret in ("Жарыялана элек протоколдун тексти.", "Катышкан Мүчө"):
        assert secret not in text(hidden)
    assert url("minutes-file", meeting.pk) not in text(hidden)
    assert says(hidden, MINUTES_LATER)
    assert not_found(client.get(url("minutes-file", meeting.pk)))

    Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=moment_in(-1))
    shown = client.get(path)

    assert "Жарыялана элек протоколдун тексти." in text(shown)
    assert "Катышкан Мүчө" in text(shown)
    assert url("minutes-file", meeting.pk) in text(shown)
    assert re.search(r"\b4\b", section(shown, "attendance-title"))
    assert not says(shown, MINUTES_LATER)


def test_a_cancelled_meeting_shows_the_reason(client, council):
    meeting = MeetingFactory(
        council=council, status=Meeting.Status.CANCELLED, cancel_reason="Кворум болгон жок."
    )

    response = client.get(url("meeting", council.slug, meeting.pk))

    assert says(response, "This meeting was cancelled.")
    assert "Кворум болгон жок." in text(response)


def test_another_councils_meeting_is_not_found_under_this_council(client, council, other_council):
    theirs = MeetingFactory(council=other_council, held=True)

    assert not_found(client.get(url("meeting", council.slug, theirs.pk)))
    assert client.get(url("meeting", other_council.slug, theirs.pk)).status_code == 200
    assert not_found(client.get(url("meeting", council.slug, 999999)))


def test_a_meeting_lists_the_recommendations_adopted_at_it(client, council):
    meeting = MeetingFactory(council=council, held=True)
    recommendation = RecommendationFactory(council=council, meeting=meeting)

    response = client.get(url("meeting", council.slug, meeting.pk))

    assert url("recommendation", council.slug, recommendation.pk) in text(response)


# A recommendation's page


def test_a_recommendation_shows_the_response_and_status(client, council):
    meeting = MeetingFactory(council=council, held=True)
    recommendation = RecommendationFactory(
        council=council,
        meeting=meeting,
        adopted_on=days_ago(20),
        response_due=days_ago(-10),
        status=Recommendation.Status.PARTLY_ACCEPTED,
        response="Министрлик сунуштун бир бөлүгүн кабыл алды.",
        responded_on=days_ago(5),
    )

    response = client.get(url("recommendation", council.slug, recommendation.pk))

    assert response.status_code == 200
    page = text(response)
    assert recommendation.title in page
    assert recommendation.text in page
    assert "Министрлик сунуштун бир бөлүгүн кабыл алды." in page
    assert capfirst(tr("partly accepted")) in page
    assert says(response, "Answered on %(date)s")
    assert day(days_ago(5)) in page
    assert council.state_body.name_ky in page
    assert url("meeting", council.slug, meeting.pk) in page
    assert not says(response, OVERDUE)


def test_a_recommendation_without_a_response_says_so(client, council):
    recommendation = RecommendationFactory(council=council)

    response = client.get(url("recommendation", council.slug, recommendation.pk))

    assert says(response, "No response yet.")
    assert capfirst(tr("sent")) in text(response)


def test_another_councils_recommendation_is_not_found_under_this_council(
    client, council, other_council
):
    theirs = RecommendationFactory(council=other_council)

    assert not_found(client.get(url("recommendation", council.slug, theirs.pk)))


# Files


def test_published_minutes_are_served_as_their_type_without_sniffing(client, council):
    meeting = MeetingFactory(council=council, held=True)
    meeting.minutes_file.save("m.pdf", stored(pdf_bytes(), "m.pdf"), save=False)
    meeting.minutes_file_type = "pdf"
    meeting.save()

    response = client.get(url("minutes-file", meeting.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert body(response) == pdf_bytes()


def test_minutes_without_a_file_or_unknown_meetings_have_no_file(client, council):
    meeting = MeetingFactory(council=council, held=True)

    assert not_found(client.get(url("minutes-file", meeting.pk)))
    assert not_found(client.get(url("minutes-file", 999999)))


def _document(meeting, data=None, file_type="docx") -> MeetingDocument:
    data = docx_bytes() if data is None else data
    return MeetingDocument.objects.create(
        meeting=meeting,
        title="Күн тартибинин долбоору",
        file=stored(data, f"d.{file_type}"),
        file_type=file_type,
        size=len(data),
        sha256="0" * 64,
    )


@pytest.mark.parametrize("state", ["planned", "published"])
def test_documents_of_planned_and_minuted_meetings_are_public(client, council, state):
    meeting = MeetingFactory(council=council, held=state == "published")
    document = _document(meeting)

    page = client.get(url("meeting", council.slug, meeting.pk))
    response = client.get(url("document", document.pk))

    assert url("document", document.pk) in text(page)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == docx_bytes()


@pytest.mark.parametrize("status", [Meeting.Status.HELD, Meeting.Status.CANCELLED])
def test_documents_of_unminuted_meetings_are_for_the_secretaries_only(client, council, status):
    meeting = MeetingFactory(council=council, status=status, starts_at=moment_in(-2))
    document = _document(meeting, pdf_bytes(), "pdf")

    assert url("document", document.pk) not in text(
        client.get(url("meeting", council.slug, meeting.pk))
    )
    assert not_found(client.get(url("document", document.pk)))
    client.force_login(CouncilSecretaryFactory(council=other_council_of(council)).user)
    assert not_found(client.get(url("document", document.pk)))
    client.force_login(CouncilSecretaryFactory(council=council).user)
    response = client.get(url("document", document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body(response)


def other_council_of(council: Council) -> Council:
    return CouncilFactory(state_body=council.state_body)


def test_an_unknown_document_is_not_found(client, db):
    assert not_found(client.get(url("document", 999999)))


@pytest.mark.parametrize("kind", ["plan", "report"])
def test_paper_files_are_served_and_papers_without_a_file_are_not(client, council, kind):
    factory = WorkPlanFactory if kind == "plan" else AnnualReportFactory
    paper = factory(council=council, text="")
    paper.file.save("p.pdf", stored(pdf_bytes(), "p.pdf"), save=False)
    paper.file_type = "pdf"
    paper.save()
    bare = factory(council=council, year=2001)

    response = client.get(url("paper-file", kind, paper.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f"{council.slug}-{kind}-{paper.year}.pdf" in response["Content-Disposition"]
    assert body(response) == pdf_bytes()
    assert not_found(client.get(url("paper-file", kind, bare.pk)))
    assert not_found(client.get(url("paper-file", kind, 999999)))
    assert not_found(client.get(url("paper-file", "minutes", paper.pk)))


def test_the_logo_is_served_as_an_image_without_sniffing(client, council):
    council.logo.save("logo.png", stored(png_bytes(), "logo.png"))

    response = client.get(url("logo", council.slug))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == png_bytes()
    assert url("logo", council.slug) in text(client.get(url("detail", council.slug)))


def test_no_logo_or_a_logo_that_is_not_an_image_is_not_found(client, council, other_council):
    assert not_found(client.get(url("logo", council.slug)))
    assert url("logo", council.slug) not in text(client.get(url("detail", council.slug)))
    other_council.logo.save("logo.png", stored(b"<svg onload=alert(1)></svg>", "logo.png"))
    assert not_found(client.get(url("logo", other_council.slug)))
    assert not_found(client.get(url("logo", "no-such-council")))


def test_a_file_missing_on_disk_is_not_found(client, council):
    meeting = MeetingFactory(council=council, held=True)
    meeting.minutes_file = "councils/minutes/2024/gone.pdf"
    meeting.minutes_file_type = "pdf"
    meeting.save()

    assert not_found(client.get(url("minutes-file", meeting.pk)))


# Links to the grant system


def test_the_transparency_block_shows_the_bodys_competitions_and_awards(client, council, officer):
    flow = decided_competition(officer=officer)
    assert flow.competition.state_body == council.state_body
    awarded = Outcome.objects.get(decision=flow.decision, result=Outcome.Result.AWARDED)
    not_awarded = Outcome.objects.filter(decision=flow.decision).exclude(pk=awarded.pk)
    elsewhere = CompetitionFactory(published=True)
    draft = CompetitionFactory(state_body=council.state_body)

    response = client.get(url("detail", council.slug))

    block = section(response, "transparency")
    assert flow.competition.reference in block
    assert awarded.application.organization.name in block
    for outcome in not_awarded:
        assert outcome.application.organization.name not in block
    assert elsewhere.reference not in block
    assert draft.reference not in block


def test_a_body_without_competitions_says_so(client, council):
    response = client.get(url("detail", council.slug))

    assert says(response, "The state body has published no competition.")
    assert says(response, "The state body has awarded no grant yet.")


def test_the_commissions_its_members_sat_on_are_listed_without_the_e_mail(client, council):
    CouncilMemberFactory(council=council, full_name="Асанов Бакыт", email="B.Asanov@Example.kg")
    CouncilMemberFactory(
        council=council,
        full_name="Мурунку Мүчө",
        email="former@example.kg",
        term_start=datetime.date(2019, 3, 1),
        term_end=datetime.date(2020, 3, 1),
    )
    # Decided competitions only: their decision names the commission publicly.
    sat = CompetitionFactory(evaluation=True, status="decided")  # any body's competition
    earlier = CompetitionFactory(evaluation=True, status="closed")
    draft = CompetitionFactory()
    other = CompetitionFactory(evaluation=True, status="decided")
    undecided = CompetitionFactory(evaluation=True)
    expert = CompetitionFactory(evaluation=True, status="decided")
    CommissionMemberFactory(
        competition=sat,
        user=None,
        email="b.asanov@example.kg",
        full_name="Асанов Бакыт",
        role="council",
    )
    CommissionMemberFactory(
        competition=earlier,
        user=None,
        email="FORMER@example.kg",
        full_name="Мурунку Мүчө",
        role="observer",
    )
    CommissionMemberFactory(
        competition=undecided,
        user=None,
        email="b.asanov@example.kg",
        full_name="Асанов Бакыт",
        role="council",
    )
    # A reviewer's seat (not as the council's representative or observer) stays unlisted.
    CommissionMemberFactory(
        competition=expert, user=None, email="b.asanov@example.kg", full_name="Асанов Бакыт"
    )
    CommissionMemberFactory(
        competition=draft, user=None, email="b.asanov@example.kg", full_name="Асанов Бакыт"
    )
    CommissionMemberFactory(
        competition=other, user=None, email="stranger@example.kg", full_name="Бөтөн Адам"
    )

    response = client.get(url("detail", council.slug))

    seats = section(response, "commissions")
    assert sat.reference in seats
    assert earlier.reference in seats  # a past member's seat counts too
    assert capfirst(tr("public council representative")) in seats
    assert draft.reference not in seats
    assert other.reference not in seats
    assert undecided.reference not in seats
    assert expert.reference not in seats
    assert "Бөтөн Адам" not in seats
    page = text(response).lower()
    for email in ("b.asanov@example.kg", "former@example.kg", "stranger@example.kg"):
        assert email not in page


def test_a_council_whose_members_sat_on_no_commission_says_so(client, council):
    CouncilMemberFactory(council=council, email="")

    assert says(
        client.get(url("detail", council.slug)),
        "None of its members has sat on a competition commission.",
    )
