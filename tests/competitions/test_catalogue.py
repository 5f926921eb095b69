"""The public catalogue: /<lang>/competitions/."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions import views
from tests.factories import StateBodyFactory, region

from .factories import CompetitionFactory, in_days, service_area
from .helpers import text, tr

URL = "/ky/competitions/"


def listed(response) -> list[str]:
    return [competition.reference for competition in response.context["page"]]


def test_everyone_sees_published_competitions_but_never_drafts(client, published, draft):
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == [published.reference]
    assert published.title_ky in text(response)
    assert draft.title_ky not in text(response)


def test_drafts_stay_hidden_from_their_own_officers_in_the_catalogue(client, officer, draft):
    client.force_login(officer)
    assert listed(client.get(URL)) == []


def test_cancelled_and_evaluated_competitions_stay_listed(client, state_body):
    cancelled = CompetitionFactory(state_body=state_body, cancelled=True)
    evaluated = CompetitionFactory(state_body=state_body, evaluation=True)
    never_published = CompetitionFactory(state_body=state_body, status="cancelled")
    references = listed(client.get(URL))
    assert sorted(references) == sorted([cancelled.reference, evaluated.reference])
    assert never_published.reference not in references


def test_a_passed_deadline_shows_as_evaluation_before_the_beat_task_runs(client, state_body):
    CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    response = client.get(URL)
    [competition] = response.context["page"]
    assert competition.status == "published"
    assert competition.public_status == tr("evaluation")
    assert not competition.is_open
    page = text(response)
    assert tr("evaluation") in page
    assert tr("accepting applications") not in page


def test_empty_catalogue_says_so_and_how_to_widen_the_search(client, db):
    response = client.get(URL, {"q": "жок-мындай-сөз"})
    assert response.status_code == 200
    assert listed(response) == []
    assert tr(
        "No competition matches these filters. Clear the filters to see every competition."
    ) in text(response)


def test_catalogue_refuses_other_methods(client, db):
    assert client.post(URL).status_code == 405


def test_bad_filter_values_are_reported_and_ignored(client, published):
    response = client.get(URL, {"grant_min": "көп", "region": "999999"})
    assert response.status_code == 200
    assert listed(response) == [published.reference]
    assert not response.context["filter_form"].is_valid()
    assert tr("Enter a number.") in text(response)


# Filters


@pytest.fixture
def mixed(state_body):
    """Four public competitions that differ in every filtered term."""
    other_body = StateBodyFactory()
    return {
        "open_bishkek": CompetitionFactory(
            state_body=state_body,
            published=True,
            regions=[region("KG-GB")],
            service_area=service_area("elderly"),
            min_grant=Decimal(50_000),
            max_grant=Decimal(200_000),
        ),
        "open_osh": CompetitionFactory(
            state_body=other_body,
            published=True,
            regions=[region("KG-O"), region("KG-GO")],
            service_area=service_area("youth"),
            min_grant=Decimal(500_000),
            max_grant=Decimal(900_000),
        ),
        "passed": CompetitionFactory(
            state_body=state_body,
            published=True,
            deadline=in_days(-1),
            regions=[region("KG-N")],
        ),
        "evaluation": CompetitionFactory(
            state_body=other_body, evaluation=True, regions=[region("KG-GB")]
        ),
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "open"}, {"open_bishkek", "open_osh"}),
        ({"status": "evaluation"}, {"passed", "evaluation"}),
        ({"region": "KG-GB"}, {"open_bishkek", "evaluation"}),
        ({"region": "KG-O"}, {"open_osh"}),
        ({"area": "youth"}, {"open_osh"}),
        ({"grant_min": "300000"}, {"open_osh"}),
        ({"grant_max": "100000"}, {"open_bishkek", "passed", "evaluation"}),
        ({"status": "open", "region": "KG-GB"}, {"open_bishkek"}),
        ({"status": "cancelled"}, set()),
    ],
)
def test_filters(client, mixed, filters, expected):
    query = dict(filters)
    if "region" in query:
        query["region"] = region(query["region"]).pk
    if "area" in query:
        query["area"] = service_area(query["area"]).pk
    response = client.get(URL, query)
    assert response.status_code == 200
    assert set(listed(response)) == {mixed[name].reference for name in expected}


def test_filter_by_state_body(client, mixed, state_body):
    response = client.get(URL, {"state_body": state_body.pk})
    assert set(listed(response)) == {mixed["open_bishkek"].reference, mixed["passed"].reference}


def test_a_competition_in_two_regions_is_listed_once(client, mixed):
    response = client.get(URL, {"grant_min": "300000"})
    assert listed(response) == [mixed["open_osh"].reference]
    assert response.context["page"].paginator.count == 1


# Text search (PostgreSQL full text)


@pytest.fixture
def searchable(state_body):
    target = CompetitionFactory(
        state_body=state_body,
        published=True,
        title_ky="Майыптуулугу бар балдарга реабилитация",
        title_ru="Реабилитация детей с инвалидностью",
        title_en="Rehabilitation of children with disabilities",
    )
    other = CompetitionFactory(
        state_body=state_body,
        published=True,
        title_ky="Жаштарды кесипке окутуу",
        title_ru="Профессиональное обучение молодёжи",
        title_en="Vocational training for youth",
    )
    return target, other


@pytest.mark.parametrize(
    "query",
    [
        "реабилитация",  # Kyrgyz title, word for word
        "Майыптуулугу",  # Kyrgyz title, any case
        "реабилитации",  # Russian title, another case of the same word (stemmed)
        "детям инвалидностью",  # Russian, inflected, several words
        "Rehabilitation",
    ],
)
def test_search_finds_words_of_the_title_in_kyrgyz_and_russian(client, searchable, query):
    target, _other = searchable
    assert listed(client.get(URL, {"q": query})) == [target.reference]


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_search_works_on_every_language_version_of_the_page(client, searchable, language):
    _target, other = searchable
    response = client.get(f"/{language}/competitions/", {"q": "молодёжи"})
    assert listed(response) == [other.reference]


def test_search_by_reference(client, searchable):
    target, _other = searchable
    assert listed(client.get(URL, {"q": target.reference})) == [target.reference]


def test_search_does_not_reveal_drafts(client, state_body):
    CompetitionFactory(state_body=state_body, title_ru="Секретный черновик")
    assert listed(client.get(URL, {"q": "черновик"})) == []


def test_search_combines_with_region_filter(client, searchable):
    target, _other = searchable
    response = client.get(URL, {"q": "реабилитация", "region": region("KG-GB").pk})
    assert listed(response) == [target.reference]
    response = client.get(URL, {"q": "реабилитация", "region": region("KG-T").pk})
    assert listed(response) == []


# Sorting and pages


def test_default_sort_is_the_soonest_deadline_first(client, state_body):
    later = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(50))
    sooner = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(30))
    assert listed(client.get(URL)) == [sooner.reference, later.reference]
    assert listed(client.get(URL, {"sort": "deadline"})) == [sooner.reference, later.reference]


def test_sort_by_newest_publication(client, state_body):
    older = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(30))
    newer = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(50))
    older.published_at = newer.published_at - datetime.timedelta(days=3)
    older.save(update_fields=["published_at"])
    assert listed(client.get(URL, {"sort": "-published"})) == [newer.reference, older.reference]


def test_second_page_keeps_the_filters(client, state_body, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    competitions = [
        CompetitionFactory(state_body=state_body, published=True, deadline=in_days(30 + n))
        for n in range(5)
    ]
    CompetitionFactory(published=True)  # another body: filtered out

    first = client.get(URL, {"state_body": state_body.pk})
    assert listed(first) == [c.reference for c in competitions[:2]]
    assert f"state_body={state_body.pk}&amp;page=2" in first.content.decode()

    second = client.get(URL, {"state_body": state_body.pk, "page": 2})
    assert listed(second) == [c.reference for c in competitions[2:4]]
    last = client.get(URL, {"state_body": state_body.pk, "page": 99})
    assert listed(last) == [competitions[4].reference]


# Queries


def _queries(client, count, state_body):
    for n in range(count):
        CompetitionFactory(
            state_body=state_body,
            published=True,
            deadline=in_days(30 + n),
            regions=[region("KG-GB"), region("KG-C"), region("KG-O")],
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"status": "open"})
    assert response.status_code == 200
    assert len(response.context["page"]) == min(count, views.PAGE_SIZE)
    return len(queries)


def test_catalogue_query_count_does_not_grow_with_the_competitions(client, state_body):
    few = _queries(client, 5, state_body)
    many = _queries(client, 45, state_body)  # 50 in all
    assert few == many
