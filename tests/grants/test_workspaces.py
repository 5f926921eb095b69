"""The organisation's "My grants" and the officer's "Grants to manage" (grants/grant_views.py),
and the ways to them: the navigation, the applications workspace, the officer workspace.

Pages are read in English (``/en/``) so that the assertions name the source strings.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from grants import implementation
from grants.models import GrantAgreement, MonitoringVisit, Report
from tests.factories import MembershipFactory, OfficerFactory

from .evaluation import decided_competition
from .helpers import text
from .implementation import (
    accepted_report,
    drafted_agreement,
    prepared_agreement,
    running_agreement,
    signed_agreement,
    submitted_report,
)
from .test_registry_views import cheap_grant

pytestmark = pytest.mark.django_db


def url(name, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


MY_GRANTS = "grants:my-grants"
OFFICER_GRANTS = "grants:officer-grants"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# My grants


def test_my_grants_shows_what_is_due_next(client):
    grant = running_agreement()
    first, final = grant.reports
    Report.objects.filter(pk=first.pk).update(due_date=days(-3))
    client.force_login(grant.applicant)

    response = client.get(url(MY_GRANTS))

    assert response.status_code == 200
    page = text(response)
    assert [r.pk for r in response.context["reports_due"]] == [first.pk, final.pk]
    assert url("grants:report", pk=first.pk) in page
    assert url("grants:agreement", pk=grant.agreement.pk) in page
    assert "overdue" in page
    (payment,) = response.context["recent_payments"]
    assert payment == grant.tranches[0]
    assert "ПП-0001" not in page
    assert list(response.context["page"]) == [grant.agreement]


def test_my_grants_lists_returned_reports_and_not_accepted_ones(client):
    grant = running_agreement()
    report = submitted_report(grant, 1)
    implementation.review_report(
        user=grant.officer, report=report, accept=False, comment="Чыгымдарды тактаңыз."
    )
    client.force_login(grant.applicant)

    response = client.get(url(MY_GRANTS))

    assert response.context["reports_due"][0].status == Report.Status.RETURNED
    assert "returned for changes" in text(response)


def test_my_grants_names_agreements_awaiting_signature(client):
    grant = prepared_agreement(render=False)
    client.force_login(grant.applicant)

    response = client.get(url(MY_GRANTS))

    assert list(response.context["awaiting_signature"]) == [grant.agreement]
    assert response.context["reports_due"] == []
    assert "Agreements awaiting signature" in text(response)


def test_my_grants_shows_only_the_users_organisations(client, outsider):
    grant = running_agreement()
    cheap_grant()
    client.force_login(grant.applicant)
    assert list(client.get(url(MY_GRANTS)).context["page"]) == [grant.agreement]


def test_my_grants_has_an_empty_state(client, outsider):
    running_agreement()
    client.force_login(outsider)

    response = client.get(url(MY_GRANTS))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "Your organisations have no grants yet." in text(response)


def test_my_grants_needs_a_login(client):
    response = client.get(url(MY_GRANTS))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_grants_refuses_post(client, outsider):
    client.force_login(outsider)
    assert client.post(url(MY_GRANTS)).status_code == 405


@pytest.mark.parametrize("page", ["999", "abc", "-1"])
def test_my_grants_takes_any_page_number(client, page):
    grant = running_agreement()
    client.force_login(grant.applicant)
    response = client.get(url(MY_GRANTS), {"page": page})
    assert response.status_code == 200
    assert list(response.context["page"]) == [grant.agreement]


# Grants to manage


def test_the_officer_sees_what_needs_doing(client):
    grant = running_agreement()
    first, _final = grant.reports
    Report.objects.filter(pk=first.pk).update(due_date=days(-2))
    awarded = decided_competition(officer=grant.officer).applications[0]
    client.force_login(grant.officer)

    response = client.get(url(OFFICER_GRANTS))

    assert response.status_code == 200
    page = text(response)
    assert response.context["overdue_reports"]["rows"] == [first]
    assert response.context["to_draft"]["rows"] == [awarded]
    assert url("grants:agreement-create", pk=awarded.pk) in page
    assert response.context["not_visited"]["rows"] == [grant.agreement]
    assert url("grants:visit-create", pk=grant.agreement.pk) in page
    assert response.context["payable_tranches"]["rows"] == []
    assert response.context["submitted_reports"]["count"] == 0


def test_the_officer_sees_reports_to_review_and_tranches_to_pay(client):
    grant = running_agreement()
    accepted_report(grant, 1)
    client.force_login(grant.officer)

    response = client.get(url(OFFICER_GRANTS))

    (tranche,) = response.context["payable_tranches"]["rows"]
    assert tranche == grant.tranches[1]
    assert tranche.is_payable
    assert url("grants:agreement", pk=grant.agreement.pk) in text(response)

    implementation.pay_tranche(
        user=grant.officer, tranche=tranche, paid_on=timezone.localdate(), reference="ПП-2"
    )
    final = submitted_report(grant, 2)
    response = client.get(url(OFFICER_GRANTS))
    assert response.context["payable_tranches"]["rows"] == []
    assert response.context["submitted_reports"]["rows"] == [final]
    assert url("grants:report", pk=final.pk) in text(response)


def test_the_officer_sees_drafts_agreements_to_sign_and_visits(client):
    drafted = drafted_agreement()
    signed = signed_agreement(officer=drafted.officer)
    prepared = prepared_agreement(officer=drafted.officer, render=False)
    implementation.record_visit(
        user=signed.officer,
        agreement=signed.agreement,
        data={
            "visited_on": timezone.localdate(),
            "visitors": "Асанова Айгүл",
            "findings": "Баары жакшы.",
            "rating": MonitoringVisit.Rating.GOOD,
        },
    )
    client.force_login(drafted.officer)

    response = client.get(url(OFFICER_GRANTS))

    assert response.context["drafts"]["rows"] == [drafted.agreement]
    assert response.context["awaiting_signature"]["rows"] == [prepared.agreement]
    assert [v.agreement for v in response.context["recent_visits"]["rows"]] == [signed.agreement]
    assert response.context["not_visited"]["rows"] == []
    # A payable tranche of the signed agreement (on signature):
    assert response.context["payable_tranches"]["rows"] == [signed.tranches[0]]


def test_an_officer_of_another_body_sees_none_of_it(client, other_officer):
    running_agreement()
    client.force_login(other_officer)

    response = client.get(url(OFFICER_GRANTS))

    assert response.status_code == 200
    for name in ("overdue_reports", "payable_tranches", "not_visited", "to_draft"):
        assert response.context[name]["count"] == 0


@pytest.mark.parametrize("user", ["outsider", "owner"])
def test_only_officers_reach_grants_to_manage(request, client, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url(OFFICER_GRANTS)).status_code == 403


def test_grants_to_manage_needs_a_login(client):
    response = client.get(url(OFFICER_GRANTS))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_grants_to_manage_refuses_post(client, officer):
    client.force_login(officer)
    assert client.post(url(OFFICER_GRANTS)).status_code == 405


def test_grants_to_manage_lists_are_bounded(client, officer, state_body):
    from grants.grant_views import LIST_SIZE

    for _ in range(LIST_SIZE + 2):
        cheap_grant(state_body=state_body)
    client.force_login(officer)

    response = client.get(url(OFFICER_GRANTS))

    assert len(response.context["not_visited"]["rows"]) == LIST_SIZE
    assert response.context["not_visited"]["count"] == LIST_SIZE + 2
    assert f"Showing {LIST_SIZE} of {LIST_SIZE + 2}." in text(response)


def _officer_queries(client, state_body, count):
    for _ in range(GrantAgreement.objects.count(), count):
        agreement = cheap_grant(state_body=state_body)
        Report.objects.filter(agreement=agreement, number=2).update(
            status=Report.Status.SUBMITTED, submitted_at=timezone.now()
        )
        Report.objects.filter(agreement=agreement, number=1).update(
            status=Report.Status.DUE, due_date=days(-1)
        )
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(OFFICER_GRANTS))
    assert response.context["not_visited"]["count"] == count
    assert response.context["submitted_reports"]["count"] == count
    return len(captured)


def test_grants_to_manage_keeps_a_constant_query_count(client, officer, state_body):
    client.force_login(officer)
    assert _officer_queries(client, state_body, 2) == _officer_queries(client, state_body, 12)


def _member_queries(client, user, count):
    for _ in range(GrantAgreement.objects.count(), count):
        agreement = cheap_grant()
        MembershipFactory(user=user, organization=agreement.application.organization)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(MY_GRANTS))
    assert response.context["page"].paginator.count == count
    return len(captured)


def test_my_grants_keeps_a_constant_query_count(client, outsider):
    client.force_login(outsider)
    assert _member_queries(client, outsider, 2) == _member_queries(client, outsider, 12)


# The ways in


def test_the_navigation_links_the_grant_pages(client, officer, outsider):
    grant = running_agreement()
    home = url("home")
    assert url("grants:registry") in client.get(home).content.decode()

    client.force_login(grant.applicant)
    page = client.get(home).content.decode()
    assert url(MY_GRANTS) in page
    assert url(OFFICER_GRANTS) not in page

    client.force_login(grant.officer)
    assert url(OFFICER_GRANTS) in client.get(home).content.decode()

    client.force_login(outsider)
    assert url(MY_GRANTS) not in client.get(home).content.decode()


def test_the_applications_workspace_points_to_my_grants(client, owner):
    grant = running_agreement()
    client.force_login(grant.applicant)

    response = client.get(url("grants:workspace"))

    assert "What is due next" in text(response)
    assert url(MY_GRANTS) in text(response)

    client.force_login(owner)
    assert "What is due next" not in text(client.get(url("grants:workspace")))


def test_the_officer_workspace_points_to_grants_to_manage(client, officer):
    client.force_login(officer)
    assert url(OFFICER_GRANTS) in text(client.get(url("accounts:officer-workspace")))


def test_another_officer_with_an_organisation_sees_both(client, state_body):
    user = OfficerFactory(state_body=state_body).user
    MembershipFactory(user=user)
    client.force_login(user)
    page = client.get(url("home")).content.decode()
    assert url(MY_GRANTS) in page
    assert url(OFFICER_GRANTS) in page
