"""The public registry of grants and a grant's public page (grants/grant_views.py), and the
arithmetic of progress against the indicators (grants/queries.py).

Pages are read in English (``/en/``) so that the assertions name the source strings.
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from grants import implementation, queries
from grants.grant_views import PAGE_SIZE
from grants.models import (
    Application,
    GrantAgreement,
    GrantIndicator,
    Report,
    ReportResult,
    Tranche,
)
from tests.factories import OrganizationFactory, StateBodyFactory, region

from .factories import ApplicationFactory, ApplicationVersionFactory, open_competition
from .helpers import text
from .implementation import (
    BANK,
    accepted_report,
    drafted_agreement,
    prepared_agreement,
    running_agreement,
    submitted_report,
)

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count(1)


def registry_url(**query) -> str:
    with translation.override("en"):
        url = reverse("grants:registry")
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def grant_url(agreement) -> str:
    with translation.override("en"):
        return reverse("grants:grant", kwargs={"pk": agreement.pk})


def listed(response) -> list[GrantAgreement]:
    return list(response.context["page"].object_list)


def cheap_grant(
    *, state_body=None, status=GrantAgreement.Status.IN_IMPLEMENTATION, amount="100000", **app
):
    """A grant made straight in the database (no evaluation): an awarded application with a
    submitted version, its agreement, two tranches (the first paid) and two reports (the
    first accepted). For the lists, where only the rows matter."""
    n = next(NUMBERS)
    competition = open_competition(**({"state_body": state_body} if state_body else {}))
    application = ApplicationFactory(
        competition=competition,
        organization=app.pop("organization", None) or OrganizationFactory(),
        complete=True,
        **app,
    )
    version = ApplicationVersionFactory(application=application)
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.AWARDED,
        current_version=version,
        reference=f"{competition.reference}-A{n:03d}",
    )
    application.refresh_from_db()
    today = timezone.localdate()
    agreement = GrantAgreement.objects.create(
        application=application,
        number=f"CHEAP-{n:04d}-G001",
        status=status,
        amount=Decimal(amount),
        start_date=today,
        end_date=today + datetime.timedelta(days=180),
        signed_on=today,
        **BANK,
    )
    interim = Report.objects.create(
        agreement=agreement,
        number=1,
        kind=Report.Kind.INTERIM,
        period_end=today + datetime.timedelta(days=90),
        due_date=today + datetime.timedelta(days=105),
        status=Report.Status.ACCEPTED,
    )
    Report.objects.create(
        agreement=agreement,
        number=2,
        kind=Report.Kind.FINAL,
        period_end=today + datetime.timedelta(days=180),
        due_date=today + datetime.timedelta(days=195),
    )
    half = Decimal(amount) / 2
    Tranche.objects.create(
        agreement=agreement,
        number=1,
        amount=half,
        due_date=today,
        condition=Tranche.Condition.SIGNATURE,
        paid_on=today,
        payment_reference=f"ПП-{n}",
    )
    Tranche.objects.create(
        agreement=agreement,
        number=2,
        amount=Decimal(amount) - half,
        due_date=today + datetime.timedelta(days=120),
        condition=Tranche.Condition.REPORT,
        condition_report=interim,
    )
    return agreement


# The registry


def test_the_registry_lists_signed_grants_for_everyone(client):
    grant = running_agreement()
    drafted = cheap_grant(status=GrantAgreement.Status.DRAFT)
    prepared = cheap_grant(status=GrantAgreement.Status.PREPARED)

    response = client.get(registry_url())

    assert response.status_code == 200
    assert listed(response) == [grant.agreement]
    assert drafted not in listed(response)
    assert prepared not in listed(response)
    page = text(response)
    application = grant.agreement.application
    assert application.organization.name in page
    assert application.current_version.snapshot["project"]["title"] in page
    assert application.competition.reference in page
    assert application.competition.state_body.name in page
    row = listed(response)[0]
    assert row.paid == Decimal("60000")
    assert (row.tranches_paid, row.tranches_total) == (1, 2)
    assert (row.reports_accepted, row.reports_total) == (0, 2)
    assert [r.code for r in row.project_regions] == ["KG-GB"]
    assert "1 of 2 tranches" in page
    assert "0 of 2" in page
    assert response.context["totals"] == {
        "count": 1,
        "amount": Decimal("120000"),
        "paid": Decimal("60000"),
    }


def test_the_registry_has_an_empty_state(client, db):
    response = client.get(registry_url())
    assert response.status_code == 200
    assert "No grant agreement has been signed yet." in text(response)
    response = client.get(registry_url(q="жок нерсе"))
    assert "No grant matches these filters." in text(response)


def test_the_registry_refuses_post(client, db):
    assert client.post(registry_url()).status_code == 405


def test_the_registry_filters_by_customer_region_year_and_status(client, db):
    body = StateBodyFactory()
    mine = cheap_grant(state_body=body)
    other = cheap_grant()
    terminated = cheap_grant(status=GrantAgreement.Status.TERMINATED)
    osh = cheap_grant()
    osh.application.regions.set([region("KG-O")])
    version = ApplicationVersionFactory(application=osh.application, number=2)
    Application.objects.filter(pk=osh.application_id).update(current_version=version)

    assert listed(client.get(registry_url(state_body=body.pk))) == [mine]
    assert listed(client.get(registry_url(region=region("KG-O").pk))) == [osh]
    assert set(listed(client.get(registry_url(region=region("KG-GB").pk)))) == {
        mine,
        other,
        terminated,
    }
    assert listed(client.get(registry_url(status="terminated"))) == [terminated]
    year = timezone.localtime(mine.application.competition.deadline).year
    assert len(listed(client.get(registry_url(year=year)))) == 4
    response = client.get(registry_url(state_body=body.pk))
    assert response.context["totals"]["count"] == 1
    assert response.context["totals"]["paid"] == Decimal("50000")


def test_the_registry_searches_organisation_title_and_number(client, db):
    found = cheap_grant(organization=OrganizationFactory(name="Өнүгүү жолу"))
    cheap_grant()

    by_name = client.get(registry_url(q="Өнүгүү"))
    by_number = client.get(registry_url(q=found.number))
    title = found.application.current_version.snapshot["project"]["title"]
    by_title = client.get(registry_url(q=title.split(":")[0]))

    assert listed(by_name) == [found]
    assert listed(by_number) == [found]
    assert found in listed(by_title)


@pytest.mark.parametrize(
    "query",
    [
        {"state_body": "abc"},
        {"state_body": "999999"},
        {"region": "nowhere"},
        {"year": "1900"},
        {"year": "x"},
        {"status": "draft"},
        {"status": "bogus"},
        {"sort": "password"},
        {"page": "999"},
        {"page": "abc"},
        {"q": "x" * 500},
    ],
)
def test_bad_filters_are_ignored_and_named(client, db, query):
    grant = cheap_grant()

    response = client.get(registry_url(**query))

    assert response.status_code == 200
    assert listed(response) == [grant]
    if "page" not in query:
        assert response.context["filter_form"].errors


def test_the_registry_sorts_and_pages(client, db):
    grants = [cheap_grant(amount=str(100000 + n * 1000)) for n in range(PAGE_SIZE + 1)]

    first = client.get(registry_url(sort="-amount"))
    second = client.get(registry_url(sort="-amount", page=2))

    assert listed(first)[0] == grants[-1]
    assert listed(second) == [grants[0]]
    assert "sort=-amount&amp;page=2" in first.content.decode()
    assert second.context["totals"]["count"] == PAGE_SIZE + 1


def _registry_queries(client, count):
    for _ in range(GrantAgreement.objects.count(), count):
        cheap_grant()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(registry_url())
    assert len(listed(response)) == count
    return len(captured)


def test_the_registry_keeps_a_constant_query_count(client, db):
    assert _registry_queries(client, 2) == _registry_queries(client, 12)


# A grant's page


def test_a_grant_page_is_public_and_shows_no_bank_details(client):
    grant = running_agreement()

    response = client.get(grant_url(grant.agreement))

    assert response.status_code == 200
    page = text(response)
    assert grant.agreement.number in page
    assert grant.agreement.application.organization.name in page
    assert grant.agreement.application.competition.state_body.name in page
    for secret in (*BANK.values(), "ПП-0001"):
        assert secret not in page
    assert "Progress against the indicators" in page
    assert "not reported yet" in page


@pytest.mark.parametrize("make", [drafted_agreement, prepared_agreement])
def test_a_grant_not_signed_is_not_found(client, make):
    grant = make()
    client.force_login(grant.officer)
    assert client.get(grant_url(grant.agreement)).status_code == 404


def test_a_missing_grant_is_not_found(client, db):
    with translation.override("en"):
        url = reverse("grants:grant", kwargs={"pk": 999999})
    assert client.get(url).status_code == 404


def test_a_grant_page_refuses_post(client, db):
    assert client.post(grant_url(cheap_grant())).status_code == 405


def test_a_completed_grant_publishes_its_final_report_but_not_its_private_parts(client):
    grant = running_agreement()
    accepted_report(grant, 1, achieved="60")
    implementation.pay_tranche(
        user=grant.officer,
        tranche=grant.tranches[1],
        paid_on=timezone.localdate(),
        reference="ПП-0002",
    )
    final = accepted_report(grant, 2, achieved="90")
    Report.objects.filter(pk=final.pk).update(
        problems="Жашыруун көйгөй", review_comment="Кызматкердин жашыруун пикири"
    )
    grant.refresh()
    assert grant.agreement.status == GrantAgreement.Status.COMPLETED

    response = client.get(grant_url(grant.agreement))

    page = text(response)
    assert response.status_code == 200
    assert "Final report" in page
    assert "Тренингдер өткөрүлдү." in page
    assert "Жашыруун көйгөй" not in page
    assert "Кызматкердин жашыруун пикири" not in page
    assert "ПП-0002" not in page
    (public,) = response.context["final_reports"]
    assert public["spent"] == sum(line.spent for line in public["lines"])
    assert public["spent"] > 0
    (progress,) = response.context["progress"]
    # Target 120 from a baseline of 0 (the factory's indicator), 90 achieved: 75 %.
    assert progress.achieved == "90"
    assert progress.percent == 75
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="75"' in page
    assert "75% of the target" in page


def test_a_terminated_grant_shows_the_reason_and_the_return(client):
    grant = running_agreement()
    implementation.terminate_agreement(
        user=grant.officer,
        agreement=grant.agreement,
        reason="Долбоор токтотулду.",
        amount_to_return=Decimal("10000"),
    )

    response = client.get(grant_url(grant.agreement))

    page = text(response)
    assert "The agreement was terminated" in page
    assert "Долбоор токтотулду." in page
    assert response.context["agreement"].amount_to_return == Decimal("10000")


# Progress against the indicators


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("120", Decimal(120)),
        (" 1 200 ", Decimal(1200)),
        ("1\u00a0200", Decimal(1200)),
        ("12,5", Decimal("12.5")),
        ("80%", Decimal(80)),
        ("80 %", Decimal(80)),
        ("-3", Decimal(-3)),
        ("бир жүз", None),
        ("120 адам", None),
        ("", None),
        ("1.2.3", None),
        (None, None),
    ],
)
def test_parse_number(value, number):
    assert queries.parse_number(value) == number


@pytest.mark.parametrize(
    ("baseline", "target", "achieved", "percent"),
    [
        ("0", "120", "40", 33),
        ("0", "120", "120", 100),
        ("0", "100", "150", 150),
        ("жок", "120", "60", 50),
        ("50", "100", "75", 50),
        ("30", "10", "20", 50),  # a reduction: from 30 down to 10
        ("0", "0", "5", None),
        ("0", "көп", "40", None),
        ("0", "120", "жакшы", None),
    ],
)
def test_progress_percent(baseline, target, achieved, percent):
    assert queries.progress_percent(baseline, target, achieved) == percent


def test_the_bar_stays_within_its_track():
    indicator = GrantIndicator(indicator="x", baseline="0", target="10")
    assert queries.IndicatorProgress(indicator, percent=150).bar == 100
    assert queries.IndicatorProgress(indicator, percent=-20).bar == 0
    assert queries.IndicatorProgress(indicator).bar == 0


def test_progress_counts_the_latest_accepted_report_only():
    grant = running_agreement()
    accepted_report(grant, 1, achieved="30")
    indicator = grant.agreement.indicators.get()
    # A later report not accepted yet does not count.
    implementation.pay_tranche(
        user=grant.officer,
        tranche=grant.tranches[1],
        paid_on=timezone.localdate(),
        reference="ПП-0002",
    )
    submitted_report(grant, 2, achieved="100")

    (progress,) = queries.indicator_progress(grant.agreement)

    assert progress.indicator == indicator
    assert progress.achieved == "30"
    assert progress.report.number == 1
    assert progress.percent == 25
    assert ReportResult.objects.filter(indicator=indicator).count() == 2


def test_progress_of_text_values_has_no_percentage():
    grant = running_agreement()
    GrantIndicator.objects.filter(agreement=grant.agreement).update(target="бардык айылдар")
    accepted_report(grant, 1, achieved="жарымы")

    (progress,) = queries.indicator_progress(grant.agreement)

    assert progress.achieved == "жарымы"
    assert progress.percent is None
