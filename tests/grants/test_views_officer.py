"""The customer's pages: the applications of a competition and the admission check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OutboundEmail
from grants.models import Application
from tests.competitions.factories import ChecklistItemFactory, CompetitionFactory

from .factories import ApplicationFactory, submitted_application
from .helpers import close, messages_of, shows, text, tr, url

LOGIN = "/ky/accounts/login/"


def applications_url(competition):
    return url("competition-applications", reference=competition.reference)


@pytest.fixture
def closed(submitted):
    close(submitted.competition)
    return submitted


# The applications of a competition


def test_after_the_deadline_the_officer_lists_the_submitted_applications(
    client, officer, applicant, organization, other_member, competition
):
    submitted = submitted_application(applicant, competition=competition, organization=organization)
    draft = ApplicationFactory(
        competition=competition,
        organization=other_member.organization_memberships.get().organization,
        complete=True,
    )
    withdrawn = ApplicationFactory(competition=competition, complete=True, status="withdrawn")
    close(competition)
    client.force_login(officer)
    response = client.get(applications_url(competition))
    assert response.status_code == 200
    assert [a.pk for a in response.context["page"]] == [submitted.pk]
    page = text(response)
    assert submitted.reference in page
    assert submitted.title in page
    assert submitted.organization.name in page
    assert url("admission", pk=submitted.pk) in page
    for hidden in (draft, withdrawn):
        assert hidden.title not in page
        assert hidden.organization.name not in page


def test_before_the_deadline_the_officer_sees_only_the_count(client, officer, submitted):
    client.force_login(officer)
    response = client.get(applications_url(submitted.competition))
    assert response.status_code == 200
    assert response.context["counts"] == {"submitted": 1}
    assert submitted.title not in text(response)
    assert submitted.organization.name not in text(response)
    assert shows(
        response,
        "Applications are sealed until the deadline: nobody outside the applying "
        "organisation sees their content before then.",
    )


def test_a_competition_without_applications_says_so_after_the_deadline(
    client, officer, competition
):
    close(competition)
    client.force_login(officer)
    assert shows(client.get(applications_url(competition)), "No applications were submitted.")


def _officer_queries(client, competition, count):
    for n in range(Application.objects.count(), count):
        ApplicationFactory(
            competition=competition,
            title=f"Долбоор {n}",
            status="submitted",
            reference=f"{competition.reference}-A{n + 1:03d}",
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(applications_url(competition))
    assert len(response.context["page"]) == count
    return len(queries)


def test_the_officers_list_keeps_a_constant_query_count(client, officer, competition):
    close(competition)
    client.force_login(officer)
    assert _officer_queries(client, competition, 3) == _officer_queries(client, competition, 15)


@pytest.mark.parametrize("user", ["other_officer", "applicant", "commission_member", "outsider"])
def test_only_officers_of_the_customer_see_the_list(request, client, user, closed):
    client.force_login(request.getfixturevalue(user))
    response = client.get(applications_url(closed.competition))
    assert response.status_code == 403
    assert closed.title not in text(response)


def test_another_bodys_officer_learns_nothing_of_an_unpublished_competition(
    client, other_officer, state_body
):
    draft = CompetitionFactory(state_body=state_body)
    client.force_login(other_officer)
    assert client.get(applications_url(draft)).status_code == 404


def test_an_unknown_competition_is_404(client, officer):
    client.force_login(officer)
    assert client.get(url("competition-applications", reference="SSO-0000-9999")).status_code == 404


def test_the_list_needs_a_signed_in_officer_and_get(client, officer, closed):
    address = applications_url(closed.competition)
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    client.force_login(officer)
    assert client.post(address).status_code == 405


# Admission check


def test_the_admission_page_checks_the_documents_against_the_checklist(client, officer, closed):
    optional = ChecklistItemFactory(competition=closed.competition, required=False, order=5)
    client.force_login(officer)
    response = client.get(url("admission", pk=closed.pk))
    assert response.status_code == 200
    assert response.context["missing"] == [optional]
    assert closed.title in text(response)


def test_the_officer_admits_and_the_applicant_is_told(client, officer, applicant, closed):
    client.force_login(officer)
    response = client.post(url("admission", pk=closed.pk), {"decision": "admit", "reason": ""})
    assert response.status_code == 302
    assert response["Location"] == applications_url(closed.competition)
    assert tr("The decision was recorded and the applicant notified.") in messages_of(response)
    closed.refresh_from_db()
    assert (closed.status, closed.admission_decided_by) == ("admitted", officer)
    assert OutboundEmail.objects.get().to == applicant.email


def test_the_officer_rejects_with_a_reason_the_applicant_sees(client, officer, applicant, closed):
    client.force_login(officer)
    client.post(url("admission", pk=closed.pk), {"decision": "reject", "reason": "Устав жок."})
    closed.refresh_from_db()
    assert (closed.status, closed.admission_reason) == ("rejected", "Устав жок.")
    client.force_login(applicant)
    assert "Устав жок." in text(client.get(url("detail", pk=closed.pk)))


def test_rejecting_without_a_reason_is_refused_with_a_message(client, officer, closed):
    client.force_login(officer)
    response = client.post(url("admission", pk=closed.pk), {"decision": "reject", "reason": " "})
    assert response.status_code == 400
    assert shows(response, "Give the reason for not admitting the application.")
    closed.refresh_from_db()
    assert closed.status == "submitted"
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="empty"),
        pytest.param({"decision": "maybe"}, id="unknown"),
    ],
)
def test_a_decision_is_required(client, officer, closed, data):
    client.force_login(officer)
    response = client.post(url("admission", pk=closed.pk), data)
    closed.refresh_from_db()
    assert closed.status == "submitted"
    assert response.status_code == 400


def test_the_same_decision_twice_is_refused_with_a_message(client, officer, closed):
    client.force_login(officer)
    client.post(url("admission", pk=closed.pk), {"decision": "admit"})
    response = client.post(url("admission", pk=closed.pk), {"decision": "admit"})
    assert response.status_code == 400
    assert shows(response, "The application already has this decision.")
    assert OutboundEmail.objects.count() == 1


@pytest.mark.parametrize(
    "user", ["other_officer", "commission_member", "applicant", "outsider", "admin_user"]
)
def test_nobody_but_the_customers_officers_reaches_the_admission_check(
    request, client, user, closed
):
    client.force_login(request.getfixturevalue(user))
    address = url("admission", pk=closed.pk)
    assert client.get(address).status_code == 404
    assert client.post(address, {"decision": "admit"}).status_code == 404
    closed.refresh_from_db()
    assert closed.status == "submitted"


def test_no_admission_check_before_the_deadline(client, officer, submitted):
    client.force_login(officer)
    address = url("admission", pk=submitted.pk)
    assert client.get(address).status_code == 404
    assert client.post(address, {"decision": "admit"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_applications_have_no_admission_check(client, officer, closed, status):
    Application.objects.filter(pk=closed.pk).update(status=status)
    client.force_login(officer)
    assert client.get(url("admission", pk=closed.pk)).status_code == 404


def test_admission_needs_a_signed_in_user_and_get_or_post(client, officer, closed):
    address = url("admission", pk=closed.pk)
    assert client.post(address, {"decision": "admit"})["Location"].startswith(LOGIN)
    client.force_login(officer)
    assert client.put(address).status_code == 405
    closed.refresh_from_db()
    assert closed.status == "submitted"
