"""Questions from NCO members and the customer's public answers."""

import pytest
from django.core import mail

from competitions.models import Clarification

from .factories import ClarificationFactory, CompetitionFactory, in_days
from .helpers import text, tr


def detail(competition, language="ky"):
    return f"/{language}/competitions/{competition.reference}/"


def ask(competition):
    return f"{detail(competition)}ask/"


def officer_list(competition):
    return f"/ky/officer/competitions/{competition.reference}/clarifications/"


def answer(clarification):
    return f"{officer_list(clarification.competition)}{clarification.pk}/answer/"


# Asking


def test_nco_member_asks_before_the_deadline(client, nco_member, published, organization):
    client.force_login(nco_member)
    response = client.post(ask(published), {"question": "Өз салымы акчалай болушу керекпи?"})
    assert response.status_code == 302
    assert response["Location"] == detail(published)
    clarification = Clarification.objects.get()
    assert (clarification.competition, clarification.asked_by, clarification.organization) == (
        published,
        nco_member,
        organization,
    )
    page = text(client.get(detail(published)))
    assert tr("Your question was sent. The answer will be published on this page.") in page
    # Not public until it is answered.
    assert clarification.question not in page
    client.logout()
    assert clarification.question not in text(client.get(detail(published)))


def test_nco_member_sees_the_question_form(client, nco_member, published):
    client.force_login(nco_member)
    page = text(client.get(detail(published)))
    assert tr("Ask the customer a question") in page


def test_asking_requires_sign_in(client, published):
    response = client.post(ask(published), {"question": "Суроо?"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Clarification.objects.exists()


@pytest.mark.parametrize("user", ["outsider", "officer", "other_officer"])
def test_users_outside_any_nco_cannot_ask(client, published, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.post(ask(published), {"question": "Суроо?"}).status_code == 403
    assert not Clarification.objects.exists()


def test_questions_after_the_deadline_are_refused_with_a_message(client, nco_member, state_body):
    competition = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    client.force_login(nco_member)
    response = client.post(ask(competition), {"question": "Кеч калдымбы?"})
    assert response.status_code == 400
    assert tr("Questions are taken only until the deadline.") in text(response)
    assert not Clarification.objects.exists()


def test_an_empty_question_is_refused_with_a_message(client, nco_member, published):
    client.force_login(nco_member)
    response = client.post(ask(published), {"question": "   "})
    assert response.status_code == 400
    assert tr("Write your question.") in text(response)
    assert text(response).count(tr("Write your question.")) == 2  # message and field
    assert not Clarification.objects.exists()


def test_questions_about_a_draft_are_404(client, nco_member, draft):
    client.force_login(nco_member)
    assert client.post(ask(draft), {"question": "Суроо?"}).status_code == 404
    assert not Clarification.objects.exists()


def test_asking_refuses_get(client, nco_member, published):
    client.force_login(nco_member)
    assert client.get(ask(published)).status_code == 405


# Answering


@pytest.fixture
def question(published):
    return ClarificationFactory(competition=published, question="Өз салымы канча болушу керек?")


def test_officer_lists_questions_with_the_asking_organisation(
    client, officer, question, organization
):
    question.organization = organization
    question.save()
    client.force_login(officer)
    response = client.get(officer_list(question.competition))
    assert response.status_code == 200
    page = text(response)
    assert question.question in page
    assert organization.name in page


def test_officer_answers_in_public_and_the_asker_is_emailed(
    client, officer, question, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(answer(question), {"answer": "Кеминде 10 пайыз."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("Кеминде 10 пайыз.", officer)

    client.logout()
    page = text(client.get(detail(question.competition)))
    assert question.question in page
    assert "Кеминде 10 пайыз." in page

    [message] = mail.outbox
    assert message.to == [question.asked_by.email]
    assert question.competition.reference in message.subject
    assert "Кеминде 10 пайыз." in message.body


def test_an_empty_answer_is_refused_with_a_message(client, officer, question):
    client.force_login(officer)
    response = client.post(answer(question), {"answer": " "})
    assert response.status_code == 400
    assert tr("Write the answer.") in text(response)
    question.refresh_from_db()
    assert question.answer == ""
    assert not mail.outbox


def test_a_question_of_another_competition_is_404(client, officer, question, state_body):
    other = CompetitionFactory(state_body=state_body, published=True)
    client.force_login(officer)
    url = f"/ky/officer/competitions/{other.reference}/clarifications/{question.pk}/answer/"
    assert client.post(url, {"answer": "Ооба."}).status_code == 404
    question.refresh_from_db()
    assert question.answer == ""


@pytest.mark.parametrize("user", ["other_officer", "nco_member", "outsider"])
def test_only_officers_of_the_body_answer(client, question, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(officer_list(question.competition)).status_code == 403
    assert client.post(answer(question), {"answer": "Ооба."}).status_code == 403
    question.refresh_from_db()
    assert question.answer == ""


def test_answering_requires_sign_in(client, question):
    for response in (
        client.get(officer_list(question.competition)),
        client.post(answer(question), {"answer": "Ооба."}),
    ):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_answer_refuses_get_and_list_refuses_post(client, officer, question):
    client.force_login(officer)
    assert client.get(answer(question)).status_code == 405
    assert client.post(officer_list(question.competition)).status_code == 405
