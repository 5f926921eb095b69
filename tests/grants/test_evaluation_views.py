"""The pages of the evaluation and the award decision (grants/evaluation_views.py), view by
view: the page itself; who may not reach it and what they get (the login page, 404 or
403); the methods it refuses; refused input (a 4xx, the message in Kyrgyz, nothing
saved). Then blind scoring, the reading rule of conflicts, the PDFs, verification, appeals
and query counts.

The journey through all of it is in test_evaluation_journey.py; the rules of the services
in test_evaluation.py.
"""

import datetime
import hashlib
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import OutboundEmail
from competitions.models import Competition
from grants import decisions, evaluation
from grants.models import (
    AmountReduction,
    Appeal,
    Application,
    AwardDecision,
    CommissionMeeting,
    ConflictDeclaration,
    DecisionDocument,
    EvaluationEvent,
    Outcome,
    Review,
    Score,
)
from tests.competitions.factories import CompetitionFactory
from tests.competitions.helpers import local_input
from tests.factories import MembershipFactory

from . import evaluation as ev
from .factories import open_competition
from .helpers import close, messages_of, says, text, tr, url

LOGIN = "/ky/accounts/login/"
NOT_FOUND = "The page does not exist, or you do not have access to it."
DENIED = (
    "Your account does not have the role needed for this page. If you think it should, "
    "contact the portal administrator."
)
REQUIRED = "This field is required."


def told(response, msgid: str) -> bool:
    """The message ``msgid``, in Kyrgyz, is on the page or waits for the next page
    (placeholders filled with anything)."""
    parts = re.split(r"%\(\w+\)[sd]", tr(msgid))
    regex = re.compile(".+?".join(re.escape(part.replace("%%", "%")) for part in parts), re.S)
    return says(response, msgid) or any(regex.search(message) for message in messages_of(response))


def sign_in(client, who) -> None:
    """Sign in a user, or the user of a commission seat."""
    client.force_login(getattr(who, "user", who))


def sends_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def not_found(response) -> bool:
    return response.status_code == 404 and says(response, NOT_FOUND)


def denied(response) -> bool:
    return response.status_code == 403 and says(response, DENIED)


def review_of(flow: ev.Flow, member, application=None) -> Review:
    return Review.objects.get(application=application or flow.applications[0], member=member)


def scorecard_data(competition, points, justification="Долбоор жакшы негизделген.", submit=True):
    """POST data of the scorecard: ``points`` in the order of the criteria ("" for none)."""
    data = {"submit" if submit else "save": ""}
    for criterion, value in zip(competition.criteria.all(), points, strict=True):
        data[f"points_{criterion.pk}"] = value
        data[f"justification_{criterion.pk}"] = justification
    return data


def scores_of(review: Review) -> list:
    return list(
        Score.objects.filter(review=review)
        .order_by("criterion__order")
        .values_list("points", "justification")
    )


# The competitions of these tests


@pytest.fixture
def evaluating(officer, state_body):
    """After the deadline (three hours ago): two applications admitted, asking 120 000 and
    90 000 som; a commission of three, the chair first. Nobody assigned or declared yet."""
    competition = open_competition(state_body=state_body)
    ev.criteria(competition)
    members = ev.commission(competition, 3)
    applications = ev.admitted_applications(
        competition, 2, requested=[120000, 90000], officer=officer
    )
    close(competition, minutes_ago=180)
    return ev.Flow(competition, officer, members, applications).refresh()


@pytest.fixture
def assigned(evaluating):
    """Both applications reviewed by the two members who are not the chair (drafts)."""
    for application in evaluating.applications:
        ev.assign(application, evaluating.members[1:], by=evaluating.officer)
    return evaluating


@pytest.fixture
def chair(evaluating):
    return evaluating.members[0]


@pytest.fixture
def member(evaluating):
    """A reviewer of both applications (once ``assigned``)."""
    return evaluating.members[1]


@pytest.fixture
def colleague(evaluating):
    """The other reviewer of both applications (once ``assigned``)."""
    return evaluating.members[2]


@pytest.fixture
def scored(officer):
    """Three applications scored by two reviewers each (100, 80 and 40 points); no meeting."""
    return ev.scored_competition(officer=officer)


@pytest.fixture
def decided(officer, django_capture_on_commit_callbacks):
    """``scored``, the meeting, the decision approved and every PDF rendered: the first
    application is awarded, the second on the reserve list, the third below the pass mark."""
    with django_capture_on_commit_callbacks(execute=True):
        flow = ev.decided_competition(officer=officer)
    assert set(flow.decision.documents.values_list("status", flat=True)) == {"done"}
    return flow


@pytest.fixture
def appealed(decided):
    """The applicant below the pass mark appealed."""
    application = decided.applications[2]
    return decisions.file_appeal(
        user=ev.applicant_of(application), application=application, text="Баллдар туура эмес."
    )


def unpublished(state_body) -> Competition:
    return CompetitionFactory(state_body=state_body)


# My reviews


def test_a_member_sees_the_admitted_applications_to_declare_on(client, assigned, member):
    client.force_login(member.user)
    response = client.get(url("reviews"))
    assert response.status_code == 200
    page = text(response)
    assert assigned.competition.reference in page
    for application in assigned.applications:
        assert application.reference in page
        assert application.organization.name in page
        assert url("conflict", application.pk) in page
        assert url("detail", application.pk) not in page  # not before the declaration


def test_after_declaring_a_member_reaches_the_scorecard(client, assigned, member, chair):
    first = assigned.applications[0]
    ev.clear(member, first)
    ev.clear(chair, first)
    client.force_login(member.user)
    page = text(client.get(url("reviews")))
    assert url("scorecard", review_of(assigned, member).pk) in page
    client.force_login(chair.user)
    page = text(client.get(url("reviews")))
    assert url("detail", first.pk) in page  # not assigned: reads only
    assert url("evaluation", reference=assigned.competition.reference) in page


@pytest.mark.parametrize("user", ["outsider", "officer"])
def test_without_a_seat_the_reviews_page_lists_nothing(request, client, assigned, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(url("reviews"))
    assert response.status_code == 200
    assert says(response, "You sit on no competition commission.")
    for application in assigned.applications:
        assert application.reference not in text(response)


def test_the_reviews_page_needs_a_signed_in_user_and_get(client, member):
    assert sends_to_login(client.get(url("reviews")))
    client.force_login(member.user)
    assert client.post(url("reviews")).status_code == 405
    assert client.put(url("reviews")).status_code == 405


def _reviews_queries(client, n: int) -> int:
    """The queries of the reviews page of a member assigned to ``n`` applications, half
    of them declared on."""
    competition = open_competition()
    ev.criteria(competition)
    seat = ev.commission(competition, 1)[0]
    applications = ev.admitted_applications(competition, n)
    officer = ev.officer_of(competition)
    for index, application in enumerate(applications):
        ev.assign(application, [seat], by=officer)
        if index % 2:
            ev.clear(seat, application)
    client.force_login(seat.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("reviews"))
    assert response.status_code == 200
    assert len(response.context["groups"][0]["rows"]) == n
    return len(queries)


def test_the_reviews_page_keeps_a_constant_query_count(client, db):
    assert _reviews_queries(client, 2) == _reviews_queries(client, 6)


# The declaration of a conflict of interest


def test_a_reviewer_declares_no_conflict_and_goes_on_to_the_scorecard(client, assigned, member):
    application = assigned.applications[0]
    client.force_login(member.user)
    page = client.get(url("conflict", application.pk))
    assert page.status_code == 200
    assert application.organization.name in text(page)
    assert application.summary not in text(page)  # the content waits for the declaration
    response = client.post(url("conflict", application.pk), {"conflict": "no", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == url("scorecard", review_of(assigned, member).pk)
    assert told(response, "Your declaration is recorded.")
    declaration = ConflictDeclaration.objects.get(member=member, application=application)
    assert (declaration.has_conflict, declaration.detected) == (False, False)


def test_a_member_who_reviews_nothing_declares_and_goes_on_to_read(client, assigned, chair):
    application = assigned.applications[0]
    client.force_login(chair.user)
    response = client.post(url("conflict", application.pk), {"conflict": "no"})
    assert response.status_code == 302
    assert response["Location"] == url("detail", application.pk)


def test_a_declared_conflict_recuses_the_member(client, assigned, member):
    application = assigned.applications[0]
    client.force_login(member.user)
    response = client.post(
        url("conflict", application.pk), {"conflict": "yes", "note": "Уюмдун кеңешинин мүчөсүмүн."}
    )
    assert response.status_code == 302
    assert response["Location"] == url("reviews")
    assert told(response, "Your conflict is recorded; you are recused.")
    declaration = ConflictDeclaration.objects.get(member=member, application=application)
    assert (declaration.has_conflict, declaration.note) == (True, "Уюмдун кеңешинин мүчөсүмүн.")
    assert not Review.objects.filter(member=member, application=application).exists()
    page = client.get(url("conflict", application.pk))
    assert says(page, "You are recused from this application.")


def test_the_portal_records_a_conflict_it_sees_itself(client, assigned, member):
    application = assigned.applications[0]
    MembershipFactory(organization=application.organization, user=member.user, role="editor")
    client.force_login(member.user)
    response = client.post(url("conflict", application.pk), {"conflict": "no"})
    assert response.status_code == 302
    assert response["Location"] == url("reviews")
    assert told(response, "The portal found a conflict of interest: %(reason)s You are recused.")
    declaration = ConflictDeclaration.objects.get(member=member, application=application)
    assert (declaration.has_conflict, declaration.detected) == (True, True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"conflict": "yes", "note": "  "},
            "Say briefly what the conflict of interest is.",
            id="conflict-without-a-note",
        ),
        pytest.param({"note": "Жок."}, REQUIRED, id="no-choice"),
        pytest.param(
            {"conflict": "maybe"},
            "Select a valid choice. %(value)s is not one of the available choices.",
            id="unknown-choice",
        ),
    ],
)
def test_an_incomplete_declaration_is_refused_with_a_message(
    client, assigned, member, data, message
):
    application = assigned.applications[0]
    client.force_login(member.user)
    response = client.post(url("conflict", application.pk), data)
    assert response.status_code == 400
    assert says(response, message)
    assert not ConflictDeclaration.objects.exists()
    assert Review.objects.filter(member=member, application=application).exists()


def test_declaring_no_conflict_twice_is_refused_with_a_message(client, assigned, member):
    application = assigned.applications[0]
    ev.clear(member, application)
    declared = ConflictDeclaration.objects.get()
    client.force_login(member.user)
    response = client.post(url("conflict", application.pk), {"conflict": "no"})
    assert response.status_code == 400
    assert says(response, "You have already declared no conflict with this application.")
    assert list(ConflictDeclaration.objects.all()) == [declared]
    assert ConflictDeclaration.objects.get().declared_at == declared.declared_at


@pytest.mark.parametrize("data", [{"conflict": "no"}, {"conflict": "yes", "note": "Дагы."}])
def test_a_recusal_is_final_and_the_page_says_so(client, assigned, member, data):
    application = assigned.applications[0]
    evaluation.declare_conflict(
        user=member.user, application=application, has_conflict=True, note="Тууганым иштейт."
    )
    client.force_login(member.user)
    response = client.post(url("conflict", application.pk), data)
    assert response.status_code == 400
    assert says(response, "You are recused from this application; the declaration is final.")
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.has_conflict, declaration.note) == (True, "Тууганым иштейт.")


@pytest.mark.parametrize("user", ["outsider", "officer", "applicant"])
def test_only_the_commission_reaches_the_declaration(request, client, assigned, user):
    application = assigned.applications[0]
    client.force_login(request.getfixturevalue(user))
    address = url("conflict", application.pk)
    assert not_found(client.get(address))
    assert not_found(client.post(address, {"conflict": "no"}))
    assert not ConflictDeclaration.objects.exists()


def test_a_member_of_another_commission_gets_404_on_the_declaration(client, assigned, db):
    stranger = ev.commission(open_competition(), 1)[0]
    client.force_login(stranger.user)
    assert not_found(client.get(url("conflict", assigned.applications[0].pk)))


def test_no_declaration_before_the_deadline(client, submitted, commission_member):
    client.force_login(commission_member)
    assert not_found(client.get(url("conflict", submitted.pk)))
    assert not_found(client.post(url("conflict", submitted.pk), {"conflict": "no"}))
    assert not ConflictDeclaration.objects.exists()


def test_the_declaration_needs_a_signed_in_user_and_get_or_post(client, assigned, member):
    address = url("conflict", assigned.applications[0].pk)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address, {"conflict": "no"}))
    client.force_login(member.user)
    assert client.put(address).status_code == 405
    assert client.delete(address).status_code == 405
    assert not ConflictDeclaration.objects.exists()


# Reading the application: only after declaring no conflict


def content_of(application) -> dict:
    attachment = application.attachments.get()
    return {
        "detail": url("detail", pk=application.pk),
        "attachment-download": url(
            "attachment-download", pk=application.pk, attachment_pk=attachment.pk
        ),
    }


def test_a_member_who_declared_no_conflict_reads_the_application(client, assigned, member):
    application = assigned.applications[0]
    ev.clear(member, application)
    client.force_login(member.user)
    pages = content_of(application)
    response = client.get(pages["detail"])
    assert response.status_code == 200
    assert application.summary in text(response)
    assert client.get(pages["attachment-download"]).status_code == 200


def test_a_member_who_has_not_declared_cannot_open_the_application(client, assigned, member):
    application = assigned.applications[0]
    client.force_login(member.user)
    for name, address in content_of(application).items():
        response = client.get(address)
        assert not_found(response), name
    review = review_of(assigned, member)
    response = client.get(url("scorecard", review.pk))
    assert response.status_code == 302
    assert response["Location"] == url("conflict", application.pk)
    assert told(response, "Declare first whether you have a conflict of interest.")


def test_a_conflicted_member_cannot_open_the_application(client, assigned, member):
    application = assigned.applications[0]
    review = review_of(assigned, member)
    client.force_login(member.user)
    client.post(url("conflict", application.pk), {"conflict": "yes", "note": "Тууганым иштейт."})
    for name, address in content_of(application).items():
        response = client.get(address)
        assert not_found(response), name
        assert application.summary not in text(response)
    # The scorecard went with the recusal.
    assert not_found(client.get(url("scorecard", review.pk)))
    assert not_found(
        client.post(url("scorecard", review.pk), scorecard_data(assigned.competition, [9, 4]))
    )
    assert not Score.objects.exists()


# The scorecard


@pytest.fixture
def declared(assigned, member, colleague):
    """Both reviewers of the first application declared no conflict with it."""
    for seat in (member, colleague):
        ev.clear(seat, assigned.applications[0])
    return assigned


def test_a_reviewer_saves_a_draft_then_submits(client, declared, member):
    competition = declared.competition
    review = review_of(declared, member)
    client.force_login(member.user)
    page = client.get(url("scorecard", review.pk))
    assert page.status_code == 200
    assert page.context["editable"] is True
    for criterion in competition.criteria.all():
        assert criterion.name in text(page)

    response = client.post(
        url("scorecard", review.pk), scorecard_data(competition, [7, ""], submit=False)
    )
    assert response.status_code == 302
    assert response["Location"] == url("scorecard", review.pk)
    assert told(response, "The draft scorecard is saved.")
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT
    assert [points for points, _ in scores_of(review)] == [7, None]

    response = client.post(url("scorecard", review.pk), scorecard_data(competition, [7, 3]))
    assert response.status_code == 302
    assert told(response, "Your scorecard is submitted and locked.")
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert review.total == Decimal("68.00")  # 4 × (2 × 7 + 3)
    page = client.get(url("scorecard", review.pk))
    assert page.context["editable"] is False
    assert '<form method="post" novalidate>' not in page.content.decode()


@pytest.mark.parametrize(
    ("points", "justification", "message"),
    [
        pytest.param(
            [11, 3],
            "Негиздеме.",
            "Points must be a whole number from 0 to %(max)d.",
            id="above-the-maximum",
        ),
        pytest.param(
            [7, 6],
            "Негиздеме.",
            "Points must be a whole number from 0 to %(max)d.",
            id="above-the-maximum-of-the-second",
        ),
        pytest.param(
            [-1, 3], "Негиздеме.", "Points must be a whole number from 0 to %(max)d.", id="negative"
        ),
        pytest.param(["жети", 3], "Негиздеме.", "Enter a whole number.", id="not-a-number"),
        pytest.param([7, 3], "  ", "Justify the points in a few words.", id="no-justification"),
        pytest.param(
            [7, ""], "Негиздеме.", "Give the points for this criterion.", id="points-missing"
        ),
    ],
)
def test_a_refused_scorecard_says_why_and_saves_nothing(
    client, declared, member, points, justification, message
):
    review = review_of(declared, member)
    client.force_login(member.user)
    response = client.post(
        url("scorecard", review.pk), scorecard_data(declared.competition, points, justification)
    )
    assert response.status_code == 400
    assert says(response, message)
    review.refresh_from_db()
    assert (review.status, review.total, review.submitted_at) == (Review.Status.DRAFT, None, None)
    assert not Score.objects.exists()
    assert not EvaluationEvent.objects.filter(
        action=EvaluationEvent.Action.REVIEW_SUBMITTED
    ).exists()


def test_a_draft_keeps_its_scores_when_a_later_save_is_refused(client, declared, member):
    review = review_of(declared, member)
    ev.score(review, [7, 3], submit=False)
    client.force_login(member.user)
    response = client.post(
        url("scorecard", review.pk), scorecard_data(declared.competition, [12, 3], submit=False)
    )
    assert response.status_code == 400
    assert says(response, "Points must be a whole number from 0 to %(max)d.")
    assert [points for points, _ in scores_of(review)] == [7, 3]


def test_a_submitted_scorecard_is_locked(client, declared, member):
    review = review_of(declared, member)
    ev.score(review, [7, 3])
    client.force_login(member.user)
    response = client.post(
        url("scorecard", review.pk), scorecard_data(declared.competition, [10, 5])
    )
    assert response.status_code == 400
    assert says(response, "This scorecard is submitted and locked; only the chair can reopen it.")
    review.refresh_from_db()
    assert review.total == Decimal("68.00")
    assert [points for points, _ in scores_of(review)] == [7, 3]


@pytest.mark.parametrize("user", ["colleague", "chair", "officer", "outsider"])
def test_another_members_scorecard_id_answers_404(request, client, declared, member, user):
    review = review_of(declared, member)
    ev.score(review, [7, 3], submit=False)
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    address = url("scorecard", review.pk)
    response = client.get(address)
    assert not_found(response)
    assert "Негиздемеси бар." not in text(response)
    response = client.post(address, scorecard_data(declared.competition, [1, 1]))
    assert not_found(response)
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT
    assert [points for points, _ in scores_of(review)] == [7, 3]


def test_the_scorecard_waits_for_the_declaration_and_saves_nothing(client, assigned, member):
    review = review_of(assigned, member)
    client.force_login(member.user)
    response = client.post(
        url("scorecard", review.pk), scorecard_data(assigned.competition, [7, 3])
    )
    assert response.status_code == 302
    assert response["Location"] == url("conflict", assigned.applications[0].pk)
    assert told(response, "Declare first whether you have a conflict of interest.")
    assert not Score.objects.exists()


def test_the_scorecard_needs_a_signed_in_user_and_get_or_post(client, declared, member):
    review = review_of(declared, member)
    address = url("scorecard", review.pk)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address, scorecard_data(declared.competition, [7, 3])))
    client.force_login(member.user)
    assert client.put(address).status_code == 405
    assert not Score.objects.exists()


# Blind scoring


def test_a_member_never_sees_other_scores_before_submitting(client, declared, member, colleague):
    reviewer_1 = tr("Reviewer %(n)s") % {"n": 1}
    ev.score(review_of(declared, colleague), [7, 3], justification="Колледжтин негиздемеси.")
    review = review_of(declared, member)
    client.force_login(member.user)

    for draft in (None, [5, 2]):
        if draft:
            ev.score(review, draft, submit=False)
        response = client.get(url("scorecard", review.pk))
        assert response.status_code == 200
        assert response.context["others"] == []
        page = text(response)
        assert reviewer_1 not in page
        assert tr("Other members' scores") not in page
        assert "Колледжтин негиздемеси." not in page

    client.post(url("scorecard", review.pk), scorecard_data(declared.competition, [9, 4]))
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    response = client.get(url("scorecard", review.pk))
    others = response.context["others"]
    assert [(o["label"], o["total"]) for o in others] == [(1, Decimal("68.00"))]
    assert [score.points for score in others[0]["scores"]] == [7, 3]
    page = text(response)
    assert reviewer_1 in page
    assert says(response, "Other members' scores")
    assert colleague.full_name not in page  # anonymous: "Reviewer 1"


def test_a_draft_of_another_member_is_never_shown(client, declared, member, colleague):
    ev.score(review_of(declared, colleague), [7, 3], submit=False)
    ev.score(review_of(declared, member), [9, 4])
    client.force_login(member.user)
    response = client.get(url("scorecard", review_of(declared, member).pk))
    assert response.context["others"] == []
    assert says(response, "No other member has submitted a scorecard yet.")


# Reopening a scorecard


@pytest.fixture
def submitted_review(declared, member):
    review = review_of(declared, member)
    ev.score(review, [7, 3])
    review.refresh_from_db()
    return review


def test_the_chair_reopens_a_submitted_scorecard(client, declared, chair, member, submitted_review):
    address = url("review-reopen", submitted_review.pk)
    client.force_login(chair.user)
    page = client.get(address)
    assert page.status_code == 200
    assert member.full_name in text(page)
    response = client.post(address, {"reason": "Баллдар аралашып кетти."})
    assert response.status_code == 302
    assert response["Location"] == url("evaluation", reference=declared.competition.reference)
    assert told(response, "The scorecard is reopened; the reviewer can change it.")
    submitted_review.refresh_from_db()
    assert (submitted_review.status, submitted_review.total) == (Review.Status.DRAFT, None)
    event = EvaluationEvent.objects.get(action=EvaluationEvent.Action.REOPENED)
    assert (event.by, event.member, event.note) == (chair.user, member, "Баллдар аралашып кетти.")
    # The reviewer may change it again.
    client.force_login(member.user)
    assert client.get(url("scorecard", submitted_review.pk)).context["editable"] is True


def test_reopening_needs_a_reason(client, chair, submitted_review):
    client.force_login(chair.user)
    response = client.post(url("review-reopen", submitted_review.pk), {"reason": "   "})
    assert response.status_code == 400
    assert says(response, REQUIRED)
    submitted_review.refresh_from_db()
    assert submitted_review.status == Review.Status.SUBMITTED
    assert submitted_review.total == Decimal("68.00")
    assert not EvaluationEvent.objects.filter(action=EvaluationEvent.Action.REOPENED).exists()


def test_a_draft_scorecard_cannot_be_reopened(client, declared, chair, member):
    review = review_of(declared, member)
    client.force_login(chair.user)
    response = client.post(url("review-reopen", review.pk), {"reason": "Дагы бир жолу."})
    assert response.status_code == 400
    assert says(response, "Only a submitted scorecard can be reopened.")
    assert not EvaluationEvent.objects.filter(action=EvaluationEvent.Action.REOPENED).exists()


def test_an_officer_without_a_seat_may_not_reopen(client, officer, submitted_review):
    client.force_login(officer)
    address = url("review-reopen", submitted_review.pk)
    assert denied(client.get(address))
    assert denied(client.post(address, {"reason": "Дагы бир жолу."}))
    submitted_review.refresh_from_db()
    assert submitted_review.status == Review.Status.SUBMITTED


@pytest.mark.parametrize("user", ["member", "colleague", "outsider", "applicant"])
def test_nobody_but_the_chair_and_officers_learns_of_a_scorecard_to_reopen(
    request, client, submitted_review, user
):
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    address = url("review-reopen", submitted_review.pk)
    assert not_found(client.get(address))
    assert not_found(client.post(address, {"reason": "Дагы бир жолу."}))
    submitted_review.refresh_from_db()
    assert submitted_review.status == Review.Status.SUBMITTED


def test_reopening_needs_a_signed_in_user_and_get_or_post(client, chair, submitted_review):
    address = url("review-reopen", submitted_review.pk)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address, {"reason": "Дагы бир жолу."}))
    client.force_login(chair.user)
    assert client.put(address).status_code == 405
    submitted_review.refresh_from_db()
    assert submitted_review.status == Review.Status.SUBMITTED


# The evaluation page


def test_the_officer_follows_the_evaluation(client, assigned, officer, member):
    client.force_login(officer)
    response = client.get(url("evaluation", reference=assigned.competition.reference))
    assert response.status_code == 200
    assert response.context["officer"] is True
    page = text(response)
    for application in assigned.applications:
        assert application.reference in page
        assert application.organization.name in page
    for seat in assigned.members:
        assert seat.full_name in page
    assert url("auto-assign", reference=assigned.competition.reference) in page
    assert url("unassign", review_of(assigned, member).pk) in page
    assert url("reduce", assigned.applications[0].pk) in page
    assert url("meeting", reference=assigned.competition.reference) in page


def test_the_evaluation_page_offers_to_assign_a_reviewer_by_hand(client, assigned, officer, chair):
    """The chair reviews nothing: the officer can assign them to each application."""
    client.force_login(officer)
    response = client.get(url("evaluation", reference=assigned.competition.reference))
    page = text(response)
    for application in assigned.applications:
        assert url("assign", application.pk) in page
        assert f'name="a{application.pk}-member"' in page
    assert f'value="{chair.pk}"' in page


def test_the_chair_follows_the_evaluation_without_the_ranking(client, assigned, chair):
    client.force_login(chair.user)
    response = client.get(url("evaluation", reference=assigned.competition.reference))
    assert response.status_code == 200
    assert (response.context["officer"], response.context["chair"]) == (False, True)
    assert response.context["placements"] == []
    assert url("meeting", reference=assigned.competition.reference) not in text(response)


@pytest.mark.parametrize("user", ["member", "outsider", "other_officer", "applicant"])
def test_only_the_officer_and_the_chair_see_the_evaluation(request, client, assigned, user):
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    response = client.get(url("evaluation", reference=assigned.competition.reference))
    assert denied(response)
    assert assigned.applications[0].organization.name not in text(response)


def test_an_unpublished_competition_has_no_evaluation_for_others(
    client, state_body, officer, outsider
):
    draft = unpublished(state_body)
    client.force_login(outsider)
    assert not_found(client.get(url("evaluation", reference=draft.reference)))
    client.force_login(officer)
    response = client.get(url("evaluation", reference=draft.reference))
    assert response.status_code == 200
    assert says(response, "The evaluation starts after the application deadline.")


def test_the_evaluation_page_needs_a_signed_in_user_and_get(client, assigned, officer):
    address = url("evaluation", reference=assigned.competition.reference)
    assert sends_to_login(client.get(address))
    client.force_login(officer)
    assert client.post(address).status_code == 405
    assert client.put(address).status_code == 405
    assert client.get(url("evaluation", reference="SSO-0000-9999")).status_code == 404


# Automatic assignment


@pytest.mark.parametrize("by", ["officer", "chair"])
def test_the_officer_or_the_chair_assigns_reviewers_automatically(request, client, evaluating, by):
    visitor = request.getfixturevalue(by)
    sign_in(client, visitor)
    response = client.post(url("auto-assign", reference=evaluating.competition.reference))
    assert response.status_code == 302
    assert response["Location"] == url("evaluation", reference=evaluating.competition.reference)
    assert told(response, "%(count)d reviewers assigned.")
    for application in evaluating.applications:
        assert Review.objects.filter(application=application, automatic=True).count() == 2


def test_automatic_assignment_says_which_applications_lack_reviewers(client, officer, state_body):
    competition = open_competition(state_body=state_body)
    ev.criteria(competition)
    ev.commission(competition, 1)
    (application,) = ev.admitted_applications(competition, 1, officer=officer)
    client.force_login(officer)
    response = client.post(url("auto-assign", reference=competition.reference))
    assert response.status_code == 302
    assert told(response, "Not enough members without a conflict for: %(references)s")
    assert application.reference in " ".join(messages_of(response))
    assert Review.objects.count() == 1


def test_automatic_assignment_before_the_deadline_is_refused_with_a_message(
    client, officer, competition
):
    ev.commission(competition, 3)
    client.force_login(officer)
    response = client.post(url("auto-assign", reference=competition.reference))
    assert response.status_code == 409
    assert told(response, "This competition is not being evaluated.")
    assert not Review.objects.exists()
    assert not EvaluationEvent.objects.exists()


@pytest.mark.parametrize("user", ["member", "outsider", "other_officer"])
def test_only_the_officer_and_the_chair_assign_automatically(request, client, evaluating, user):
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    assert denied(client.post(url("auto-assign", reference=evaluating.competition.reference)))
    assert not Review.objects.exists()


def test_automatic_assignment_of_an_unpublished_competition_is_404(client, state_body, outsider):
    client.force_login(outsider)
    assert not_found(client.post(url("auto-assign", reference=unpublished(state_body).reference)))


def test_automatic_assignment_needs_a_signed_in_user_and_post(client, evaluating, officer):
    address = url("auto-assign", reference=evaluating.competition.reference)
    assert sends_to_login(client.post(address))
    client.force_login(officer)
    assert client.get(address).status_code == 405
    assert client.put(address).status_code == 405
    assert not Review.objects.exists()


# Assigning and removing a reviewer by hand


def assign_data(application, member) -> dict:
    return {f"a{application.pk}-member": member.pk if member else ""}


def test_the_officer_assigns_a_reviewer(client, assigned, officer, chair):
    application = assigned.applications[0]
    client.force_login(officer)
    response = client.post(url("assign", application.pk), assign_data(application, chair))
    assert response.status_code == 302
    assert response["Location"] == url("evaluation", reference=assigned.competition.reference)
    assert told(response, "The reviewer is assigned.")
    review = Review.objects.get(application=application, member=chair)
    assert (review.assigned_by, review.automatic) == (officer, False)


def test_the_chair_assigns_a_reviewer(client, evaluating, chair, member):
    application = evaluating.applications[0]
    client.force_login(chair.user)
    response = client.post(url("assign", application.pk), assign_data(application, member))
    assert response.status_code == 302
    assert Review.objects.get(application=application).member == member


@pytest.mark.parametrize(
    ("who", "message"),
    [
        pytest.param("nobody", "Choose a member of the commission.", id="no-member"),
        pytest.param("stranger", "Choose a member of the commission.", id="another-commission"),
        pytest.param(
            "member", "This member already reviews this application.", id="already-reviews"
        ),
        pytest.param("recused", "This member is recused from this application.", id="recused"),
        pytest.param(
            "observer", "Only voting members of the commission review applications.", id="observer"
        ),
    ],
)
def test_a_refused_assignment_says_why(client, assigned, officer, chair, member, who, message):
    application = assigned.applications[0]
    seat = {
        "nobody": None,
        "stranger": ev.commission(open_competition(), 1)[0],
        "member": member,
        "recused": chair,
        "observer": ev.observer(assigned.competition),
    }[who]
    if who == "recused":
        ConflictDeclaration.objects.create(
            application=application, member=chair, has_conflict=True, note="Тууганы."
        )
    before = list(Review.objects.order_by("pk").values_list("pk", "member_id"))
    client.force_login(officer)
    response = client.post(url("assign", application.pk), assign_data(application, seat))
    assert response.status_code == 400
    assert says(response, message)
    assert list(Review.objects.order_by("pk").values_list("pk", "member_id")) == before


@pytest.mark.parametrize("user", ["member", "outsider", "other_officer", "applicant"])
def test_nobody_else_assigns_a_reviewer(request, client, evaluating, chair, user):
    application = evaluating.applications[0]
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    response = client.post(url("assign", application.pk), assign_data(application, chair))
    assert not_found(response)
    assert not Review.objects.exists()


def test_assigning_needs_a_signed_in_user_and_post(client, evaluating, officer, chair):
    application = evaluating.applications[0]
    address = url("assign", application.pk)
    assert sends_to_login(client.post(address, assign_data(application, chair)))
    client.force_login(officer)
    assert client.get(address).status_code == 405
    assert client.put(address).status_code == 405
    assert not Review.objects.exists()


def test_the_officer_removes_a_reviewer_who_has_not_submitted(client, assigned, officer, member):
    review = review_of(assigned, member)
    client.force_login(officer)
    response = client.post(url("unassign", review.pk))
    assert response.status_code == 302
    assert response["Location"] == url("evaluation", reference=assigned.competition.reference)
    assert told(response, "The reviewer is removed from the application.")
    assert not Review.objects.filter(pk=review.pk).exists()


def test_a_submitted_scorecard_cannot_be_removed(client, officer, submitted_review):
    client.force_login(officer)
    response = client.post(url("unassign", submitted_review.pk))
    assert response.status_code == 409
    assert says(response, "A submitted scorecard cannot be removed; the chair can reopen it.")
    submitted_review.refresh_from_db()
    assert submitted_review.status == Review.Status.SUBMITTED


@pytest.mark.parametrize("user", ["member", "colleague", "outsider", "other_officer"])
def test_nobody_else_removes_a_reviewer(request, client, assigned, member, user):
    review = review_of(assigned, member)
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    assert not_found(client.post(url("unassign", review.pk)))
    assert Review.objects.filter(pk=review.pk).exists()


def test_removing_needs_a_signed_in_user_and_post(client, assigned, officer, member):
    address = url("unassign", review_of(assigned, member).pk)
    assert sends_to_login(client.post(address))
    client.force_login(officer)
    assert client.get(address).status_code == 405
    assert client.put(address).status_code == 405
    assert Review.objects.count() == 4


# Reducing an amount


def test_the_officer_reduces_an_amount_and_restores_it(client, evaluating, officer):
    application = evaluating.applications[0]  # asks 120 000
    address = url("reduce", application.pk)
    client.force_login(officer)
    page = client.get(address)
    assert page.status_code == 200
    assert application.organization.name in text(page)
    response = client.post(address, {"amount": "100000", "reason": "Бюджет жетишпейт."})
    assert response.status_code == 302
    assert response["Location"] == url("evaluation", reference=evaluating.competition.reference)
    assert told(response, "The reduced amount is recorded.")
    reduction = AmountReduction.objects.get(application=application)
    assert (reduction.amount, reduction.reason) == (Decimal("100000"), "Бюджет жетишпейт.")

    response = client.post(address, {"undo": ""})
    assert response.status_code == 302
    assert told(response, "The full requested amount is restored.")
    assert not AmountReduction.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"amount": "120000", "reason": "Бюджет."},
            "The reduced amount must be more than 0 and less than the %(requested)s som asked.",
            id="not-less",
        ),
        pytest.param(
            {"amount": "150000", "reason": "Бюджет."},
            "The reduced amount must be more than 0 and less than the %(requested)s som asked.",
            id="more",
        ),
        pytest.param(
            {"amount": "40000", "reason": "Бюджет."},
            "The amount cannot be less than the minimum grant of %(min)s som.",
            id="below-the-minimum-grant",
        ),
        pytest.param({"amount": "100000", "reason": " "}, REQUIRED, id="no-reason"),
        pytest.param({"amount": "", "reason": "Бюджет."}, REQUIRED, id="no-amount"),
        pytest.param(
            {"amount": "0", "reason": "Бюджет."},
            "Ensure this value is greater than or equal to %(limit_value)s.",
            id="zero",
        ),
    ],
)
def test_a_refused_reduction_says_why_and_changes_nothing(
    client, evaluating, officer, data, message
):
    application = evaluating.applications[0]
    client.force_login(officer)
    response = client.post(url("reduce", application.pk), data)
    assert response.status_code == 400
    assert says(response, message)
    assert not AmountReduction.objects.exists()
    assert not EvaluationEvent.objects.filter(action=EvaluationEvent.Action.AMOUNT_REDUCED).exists()


def test_restoring_an_amount_that_was_not_reduced_is_refused_with_a_message(
    client, evaluating, officer
):
    application = evaluating.applications[0]
    client.force_login(officer)
    response = client.post(url("reduce", application.pk), {"undo": ""})
    assert response.status_code == 409
    assert told(response, "The amount of this application was not reduced.")
    assert not EvaluationEvent.objects.filter(
        action=EvaluationEvent.Action.REDUCTION_UNDONE
    ).exists()


@pytest.mark.parametrize("user", ["chair", "member", "outsider", "other_officer", "applicant"])
def test_only_the_officer_reduces_an_amount(request, client, evaluating, user):
    application = evaluating.applications[0]
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    address = url("reduce", application.pk)
    assert not_found(client.get(address))
    assert not_found(client.post(address, {"amount": "100000", "reason": "Бюджет."}))
    assert not AmountReduction.objects.exists()


def test_no_reduction_before_the_deadline(client, officer, submitted):
    client.force_login(officer)
    assert not_found(client.get(url("reduce", submitted.pk)))


def test_reducing_needs_a_signed_in_user_and_get_or_post(client, evaluating, officer):
    address = url("reduce", evaluating.applications[0].pk)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address, {"amount": "100000", "reason": "Бюджет."}))
    client.force_login(officer)
    assert client.put(address).status_code == 405
    assert not AmountReduction.objects.exists()


# The commission's meeting


def meeting_data(flow, present=None, **overrides) -> dict:
    return {
        "held_at": local_input(timezone.now() - datetime.timedelta(hours=1)),
        "place": "Бишкек, министрликтин залы",
        "present": [m.pk for m in (flow.members if present is None else present)],
        "minutes": "Бир добуштан.",
        **overrides,
    }


def test_the_officer_records_the_meeting_with_a_quorum(client, evaluating, officer):
    address = url("meeting", reference=evaluating.competition.reference)
    client.force_login(officer)
    page = client.get(address)
    assert page.status_code == 200
    for seat in evaluating.members:
        assert seat.full_name in text(page)
    response = client.post(address, meeting_data(evaluating))
    assert response.status_code == 302
    assert response["Location"] == url("decision", reference=evaluating.competition.reference)
    assert told(response, "The meeting is recorded; the quorum is met.")
    meeting = CommissionMeeting.objects.get(competition=evaluating.competition)
    assert set(meeting.present.all()) == set(evaluating.members)
    assert meeting.place == "Бишкек, министрликтин залы"


def test_a_meeting_without_a_quorum_is_recorded_with_a_warning(client, evaluating, officer):
    client.force_login(officer)
    response = client.post(
        url("meeting", reference=evaluating.competition.reference),
        meeting_data(evaluating, present=evaluating.members[:1]),
    )
    assert response.status_code == 302
    assert told(
        response,
        "The meeting is recorded, but there is no quorum: %(present)d voting members "
        "attended, %(quorum)d are needed.",
    )
    assert CommissionMeeting.objects.get().present.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"held_at": local_input(timezone.now() + datetime.timedelta(days=1))},
            "Record the meeting once it has taken place.",
            id="future",
        ),
        pytest.param(
            {"held_at": local_input(timezone.now() - datetime.timedelta(days=3))},
            "The meeting cannot be before the application deadline.",
            id="before-the-deadline",
        ),
        pytest.param({"held_at": "эртең"}, "Enter a valid date/time.", id="not-a-date"),
        pytest.param({"place": "  "}, REQUIRED, id="no-place"),
    ],
)
def test_a_refused_meeting_says_why_and_records_nothing(
    client, evaluating, officer, overrides, message
):
    client.force_login(officer)
    response = client.post(
        url("meeting", reference=evaluating.competition.reference),
        meeting_data(evaluating, **overrides),
    )
    assert response.status_code == 400
    assert says(response, message)
    assert not CommissionMeeting.objects.exists()
    assert not EvaluationEvent.objects.filter(action=EvaluationEvent.Action.MEETING).exists()


@pytest.mark.parametrize("user", ["chair", "member", "outsider", "other_officer"])
def test_only_the_officer_records_the_meeting(request, client, evaluating, user):
    visitor = request.getfixturevalue(user)
    sign_in(client, visitor)
    address = url("meeting", reference=evaluating.competition.reference)
    assert denied(client.get(address))
    assert denied(client.post(address, meeting_data(evaluating)))
    assert not CommissionMeeting.objects.exists()


def test_the_meeting_of_an_unpublished_competition_is_404(client, state_body, outsider):
    client.force_login(outsider)
    assert not_found(client.get(url("meeting", reference=unpublished(state_body).reference)))


def test_the_meeting_needs_a_signed_in_user_and_get_or_post(client, evaluating, officer):
    address = url("meeting", reference=evaluating.competition.reference)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address, meeting_data(evaluating)))
    client.force_login(officer)
    assert client.put(address).status_code == 405
    assert not CommissionMeeting.objects.exists()


# The decision


def test_before_approval_the_decision_page_lists_what_stops_it(client, assigned, officer):
    client.force_login(officer)
    response = client.get(url("decision", reference=assigned.competition.reference))
    assert response.status_code == 200
    assert response.context["award"] is None
    assert says(response, "The decision cannot be approved yet:")
    assert says(response, "Record the commission's meeting first.")
    assert says(response, "%(count)d assigned scorecards are not submitted yet.")
    assert says(response, "%(reference)s has %(done)d of the %(needed)d reviews it needs.")
    assert len(response.context["problems"]) == 4
    assert response.context["placements"]


def test_the_officer_approves_and_the_page_then_lists_the_documents(
    client, scored, officer, django_capture_on_commit_callbacks
):
    ev.meet(scored)
    address = url("decision", reference=scored.competition.reference)
    client.force_login(officer)
    page = client.get(address)
    assert page.status_code == 200
    assert page.context["problems"] == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address)
    assert response.status_code == 302
    assert told(response, "The decision %(number)s is approved. Its PDFs are being rendered.")
    decision = AwardDecision.objects.get(competition=scored.competition)
    assert Outcome.objects.filter(decision=decision).count() == 3

    page = client.get(address)
    assert page.status_code == 200
    documents = page.context["documents"]
    assert len(documents) == 5  # the decision in Kyrgyz and Russian, three letters
    assert {d.status for d in documents} == {DecisionDocument.Status.DONE}
    content = text(page)
    assert decision.number in content
    assert "problems" not in page.context
    for document in documents:
        assert url("document", document.pk) in content
    assert url("verify", decision.verification_code) in content


def test_approving_without_a_quorum_is_refused_with_400(client, scored, officer):
    ev.meet(scored, present=scored.members[:1])
    client.force_login(officer)
    response = client.post(url("decision", reference=scored.competition.reference))
    assert response.status_code == 400
    assert says(
        response,
        "There is no quorum: %(present)d voting members attended the meeting, "
        "%(quorum)d are needed.",
    )
    assert not AwardDecision.objects.exists()
    assert not Outcome.objects.exists()
    assert not DecisionDocument.objects.exists()
    assert {a.status for a in Application.objects.filter(competition=scored.competition)} == {
        Application.Status.ADMITTED
    }
    assert Competition.objects.get(pk=scored.competition.pk).status == Competition.Status.PUBLISHED


def test_approving_twice_is_refused_with_409(client, decided, officer):
    before = (Outcome.objects.count(), DecisionDocument.objects.count())
    client.force_login(officer)
    response = client.post(url("decision", reference=decided.competition.reference))
    assert response.status_code == 409
    assert says(response, "The decision of this competition is already approved.")
    assert list(AwardDecision.objects.all()) == [decided.decision]
    assert (Outcome.objects.count(), DecisionDocument.objects.count()) == before


@pytest.mark.parametrize("user", ["chair", "member", "outsider", "other_officer"])
def test_only_the_officer_reaches_the_decision(request, client, scored, user):
    ev.meet(scored)
    seats = {"chair": scored.members[0], "member": scored.members[1]}
    visitor = seats.get(user) or request.getfixturevalue(user)
    sign_in(client, visitor)
    address = url("decision", reference=scored.competition.reference)
    assert denied(client.get(address))
    assert denied(client.post(address))
    assert not AwardDecision.objects.exists()


def test_the_decision_of_an_unpublished_competition_is_404(client, state_body, outsider):
    client.force_login(outsider)
    assert not_found(client.get(url("decision", reference=unpublished(state_body).reference)))


def test_the_decision_needs_a_signed_in_user_and_get_or_post(client, scored, officer):
    ev.meet(scored)
    address = url("decision", reference=scored.competition.reference)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address))
    client.force_login(officer)
    assert client.put(address).status_code == 405
    assert client.delete(address).status_code == 405
    assert not AwardDecision.objects.exists()


# The progress of the PDFs


def test_the_status_fragment_lists_every_document_and_its_status(client, decided, officer):
    DecisionDocument.objects.filter(
        decision=decided.decision, kind=DecisionDocument.Kind.LETTER
    ).update(status=DecisionDocument.Status.QUEUED)
    client.force_login(officer)
    response = client.get(url("decision-status", reference=decided.competition.reference))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    for document in decided.decision.documents.all():
        assert f'data-document="{document.pk}" data-status="{document.status}"' in content
    assert content.count('data-status="done"') == 2
    assert content.count('data-status="queued"') == 3
    assert 'data-pending="111"' in content
    assert says(response, "Documents of the decision")


def test_the_status_fragment_waits_for_the_decision(client, scored, officer):
    client.force_login(officer)
    assert (
        client.get(url("decision-status", reference=scored.competition.reference)).status_code
        == 404
    )


@pytest.mark.parametrize("user", ["chair", "outsider", "applicant"])
def test_only_the_officer_follows_the_rendering(request, client, decided, user):
    visitor = decided.chair.user if user == "chair" else request.getfixturevalue(user)
    client.force_login(visitor)
    assert (
        client.get(url("decision-status", reference=decided.competition.reference)).status_code
        == 403
    )


def test_the_status_fragment_needs_a_signed_in_user_and_get(client, decided, officer):
    address = url("decision-status", reference=decided.competition.reference)
    assert sends_to_login(client.get(address))
    client.force_login(officer)
    assert client.post(address).status_code == 405


# Rendering a failed document again


@pytest.fixture
def failed(decided):
    document = decided.decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ru")
    DecisionDocument.objects.filter(pk=document.pk).update(
        status=DecisionDocument.Status.FAILED, error="OSError: диск толук"
    )
    document.refresh_from_db()
    return document


def test_the_officer_renders_a_failed_document_again(
    client, decided, officer, failed, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(url("decision", reference=decided.competition.reference))
    assert url("document-retry", failed.pk) in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("document-retry", failed.pk))
    assert response.status_code == 302
    assert response["Location"] == url("decision", reference=decided.competition.reference)
    assert told(response, "The document is queued again.")
    failed.refresh_from_db()
    assert (failed.status, failed.error) == (DecisionDocument.Status.DONE, "")


def test_only_a_failed_document_is_rendered_again(client, decided, officer, failed):
    done = decided.decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ky")
    client.force_login(officer)
    response = client.post(url("document-retry", done.pk))
    assert response.status_code == 409
    assert told(response, "Only a failed document can be rendered again.")
    fresh = DecisionDocument.objects.get(pk=done.pk)
    assert (fresh.status, fresh.attempts, fresh.sha256) == (done.status, done.attempts, done.sha256)


@pytest.mark.parametrize("user", ["chair", "outsider", "applicant", "other_officer"])
def test_nobody_else_renders_a_document_again(request, client, decided, failed, user):
    visitor = decided.chair.user if user == "chair" else request.getfixturevalue(user)
    client.force_login(visitor)
    assert not_found(client.post(url("document-retry", failed.pk)))
    failed.refresh_from_db()
    assert failed.status == DecisionDocument.Status.FAILED


def test_rendering_again_needs_a_signed_in_user_and_post(client, officer, failed):
    address = url("document-retry", failed.pk)
    assert sends_to_login(client.post(address))
    client.force_login(officer)
    assert client.get(address).status_code == 405
    assert client.put(address).status_code == 405
    failed.refresh_from_db()
    assert failed.status == DecisionDocument.Status.FAILED


# Downloading the PDFs


def download(response) -> bytes:
    return b"".join(response.streaming_content)


def test_anyone_downloads_the_decision_pdf(client, decided):
    document = decided.decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ky")
    response = client.get(url("document", document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert document.filename in response["Content-Disposition"]
    content = download(response)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == document.sha256


@pytest.fixture
def letter(decided):
    return decided.decision.documents.get(
        kind=DecisionDocument.Kind.LETTER, application=decided.applications[0]
    )


@pytest.mark.parametrize("user", ["applicant", "officer"])
def test_a_letter_goes_to_its_applicant_and_the_officers(request, client, decided, letter, user):
    visitor = ev.applicant_of(decided.applications[0]) if user == "applicant" else decided.officer
    client.force_login(visitor)
    response = client.get(url("document", letter.pk))
    assert response.status_code == 200
    assert hashlib.sha256(download(response)).hexdigest() == letter.sha256


@pytest.mark.parametrize("user", [None, "outsider", "another-applicant", "chair", "other_officer"])
def test_nobody_else_downloads_a_letter(request, client, decided, letter, user):
    if user == "another-applicant":
        client.force_login(ev.applicant_of(decided.applications[1]))
    elif user == "chair":
        client.force_login(decided.chair.user)
    elif user:
        client.force_login(request.getfixturevalue(user))
    assert not_found(client.get(url("document", letter.pk)))


def test_a_document_not_rendered_yet_is_404(client, decided):
    document = decided.decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ky")
    DecisionDocument.objects.filter(pk=document.pk).update(status=DecisionDocument.Status.RUNNING)
    assert not_found(client.get(url("document", document.pk)))


def test_downloading_answers_only_get(client, decided):
    document = decided.decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ky")
    assert client.post(url("document", document.pk)).status_code == 405
    assert client.put(url("document", document.pk)).status_code == 405


# Verification


def pdf_upload(content: bytes, name="decision.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def decision_pdf(decided) -> tuple[DecisionDocument, bytes]:
    document = decided.decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ru")
    with document.file.open("rb") as file:
        return document, file.read()


def test_anyone_sees_the_verification_page(client, decided):
    code = decided.decision.verification_code
    for address in (url("verify", code), url("verify", code.lower())):
        response = client.get(address)
        assert response.status_code == 200
        page = text(response)
        assert decided.decision.number in page
        assert decided.decision.results_sha256 in page
        for document in decided.decision.documents.filter(kind=DecisionDocument.Kind.DECISION):
            assert document.sha256 in page


def test_the_approved_pdf_is_verified(client, decided, decision_pdf):
    document, content = decision_pdf
    response = client.post(
        url("verify", decided.decision.verification_code), {"file": pdf_upload(content)}
    )
    assert response.status_code == 200
    assert says(response, "This file is the approved decision (%(language)s). Its SHA-256 matches.")
    assert response.context["result"]["match"] == document
    assert document.sha256 in text(response)


def test_a_different_file_is_not_the_decision(client, decided, decision_pdf):
    _document, content = decision_pdf
    changed = content.replace(b"%%EOF", b"%%EOF ", 1)
    response = client.post(
        url("verify", decided.decision.verification_code), {"file": pdf_upload(changed)}
    )
    assert response.status_code == 422
    assert says(response, "This file is not the approved decision: its SHA-256 differs.")
    assert hashlib.sha256(changed).hexdigest() in text(response)


def test_verifying_without_a_file_says_so_with_400(client, decided):
    # What a browser sends when no file was chosen: the form's other fields, no file.
    response = client.post(
        url("verify", decided.decision.verification_code), {"csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 400
    assert says(response, REQUIRED)
    assert response.context["result"] is None


def test_an_empty_verification_request_says_what_is_missing(client, decided):
    response = client.post(url("verify", decided.decision.verification_code), {})
    assert response.status_code == 400
    assert says(response, REQUIRED)


def test_an_unknown_code_is_404(client, decided, decision_pdf):
    assert not_found(client.get(url("verify", "ABCDEFGHJK")))
    assert not_found(
        client.post(url("verify", "ABCDEFGHJK"), {"file": pdf_upload(decision_pdf[1])})
    )


def test_verification_answers_get_and_post(client, decided):
    assert client.put(url("verify", decided.decision.verification_code)).status_code == 405


# Appeals


@pytest.fixture
def appellant(decided):
    return ev.applicant_of(decided.applications[2])


def test_the_applicant_appeals_within_the_period(client, decided, appellant):
    application = decided.applications[2]
    address = url("appeal", application.pk)
    client.force_login(appellant)
    page = client.get(address)
    assert page.status_code == 200
    assert page.context["appeal"] is None
    response = client.post(address, {"text": "Уставыбыз тиркелген болчу."})
    assert response.status_code == 302
    assert told(response, "The appeal is filed. The customer will answer it.")
    appeal = Appeal.objects.get(application=application)
    assert (appeal.status, appeal.text, appeal.filed_by) == (
        Appeal.Status.FILED,
        "Уставыбыз тиркелген болчу.",
        appellant,
    )
    assert OutboundEmail.objects.filter(to=decided.competition.contact_email).exists()
    page = client.get(address)
    assert page.context["appeal"] == appeal
    assert "Уставыбыз тиркелген болчу." in text(page)


def test_an_application_is_appealed_once(client, decided, appellant, appealed):
    client.force_login(appellant)
    address = url("appeal", appealed.application_id)
    response = client.post(address, {"text": "Дагы бир жолу."})
    assert response.status_code == 409
    assert told(response, "This application already has an appeal.")
    assert list(Appeal.objects.all()) == [appealed]
    assert Appeal.objects.get().text == "Баллдар туура эмес."


def test_after_the_period_an_appeal_is_refused(client, decided, appellant):
    AwardDecision.objects.filter(pk=decided.decision.pk).update(
        appeal_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    application = decided.applications[2]
    address = url("appeal", application.pk)
    client.force_login(appellant)
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"] == url("detail", application.pk)
    assert told(response, "This outcome can no longer be appealed.")
    response = client.post(address, {"text": "Кечиктик."})
    assert response.status_code == 403
    assert told(response, "This outcome can no longer be appealed.")
    assert not Appeal.objects.exists()


def test_an_appeal_needs_its_grounds(client, decided, appellant):
    client.force_login(appellant)
    response = client.post(url("appeal", decided.applications[2].pk), {"text": "  "})
    assert response.status_code == 400
    assert says(response, REQUIRED)
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("user", ["outsider", "officer", "another-applicant", "chair"])
def test_nobody_but_the_applicant_appeals(request, client, decided, user):
    visitor = {
        "another-applicant": lambda: ev.applicant_of(decided.applications[0]),
        "chair": lambda: decided.chair.user,
    }.get(user, lambda: request.getfixturevalue(user))()
    client.force_login(visitor)
    address = url("appeal", decided.applications[2].pk)
    assert not_found(client.get(address))
    assert not_found(client.post(address, {"text": "Баллдар туура эмес."}))
    assert not Appeal.objects.exists()


def test_appealing_needs_a_signed_in_user_and_get_or_post(client, decided, appellant):
    address = url("appeal", decided.applications[2].pk)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address, {"text": "Баллдар туура эмес."}))
    client.force_login(appellant)
    assert client.put(address).status_code == 405
    assert not Appeal.objects.exists()


# Answering an appeal


def test_the_officer_answers_an_appeal(client, decided, officer, appealed, appellant):
    address = url("appeal-answer", appealed.pk)
    client.force_login(officer)
    page = client.get(address)
    assert page.status_code == 200
    assert "Баллдар туура эмес." in text(page)
    response = client.post(address, {"decision": "dismissed", "response": "Баллдар туура."})
    assert response.status_code == 302
    assert response["Location"] == url("decision", reference=decided.competition.reference)
    assert told(response, "The response is recorded and the applicant notified.")
    appealed.refresh_from_db()
    assert (appealed.status, appealed.response, appealed.responded_by) == (
        Appeal.Status.DISMISSED,
        "Баллдар туура.",
        officer,
    )
    assert OutboundEmail.objects.filter(to=appellant.email).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"decision": "upheld", "response": "  "}, REQUIRED, id="no-response"),
        pytest.param({"response": "Туура."}, REQUIRED, id="no-decision"),
    ],
)
def test_an_answer_needs_a_decision_and_a_response(client, officer, appealed, data, message):
    client.force_login(officer)
    response = client.post(url("appeal-answer", appealed.pk), data)
    assert response.status_code == 400
    assert says(response, message)
    appealed.refresh_from_db()
    assert (appealed.status, appealed.response, appealed.responded_at) == (
        Appeal.Status.FILED,
        "",
        None,
    )


def test_an_appeal_is_answered_once(client, officer, appealed):
    client.force_login(officer)
    address = url("appeal-answer", appealed.pk)
    client.post(address, {"decision": "upheld", "response": "Туура."})
    response = client.post(address, {"decision": "dismissed", "response": "Жок, туура эмес."})
    assert response.status_code == 400
    assert says(response, "This appeal has already been answered.")
    appealed.refresh_from_db()
    assert (appealed.status, appealed.response) == (Appeal.Status.UPHELD, "Туура.")


@pytest.mark.parametrize("user", ["appellant", "chair", "outsider", "other_officer"])
def test_only_the_officer_answers_an_appeal(request, client, decided, appealed, user):
    visitor = decided.chair.user if user == "chair" else request.getfixturevalue(user)
    client.force_login(visitor)
    address = url("appeal-answer", appealed.pk)
    assert not_found(client.get(address))
    assert not_found(client.post(address, {"decision": "upheld", "response": "Туура."}))
    appealed.refresh_from_db()
    assert appealed.status == Appeal.Status.FILED


def test_answering_needs_a_signed_in_user_and_get_or_post(client, officer, appealed):
    address = url("appeal-answer", appealed.pk)
    assert sends_to_login(client.get(address))
    assert sends_to_login(client.post(address, {"decision": "upheld", "response": "Туура."}))
    client.force_login(officer)
    assert client.put(address).status_code == 405
    appealed.refresh_from_db()
    assert appealed.status == Appeal.Status.FILED


# The public results


def _results_queries(client, n: int) -> int:
    """The queries of the public page of a decided competition with ``n`` applications."""
    flow = ev.decided_competition(requested=[60000] * n, points=[[10, 5]] * n)
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/ky/competitions/{flow.competition.reference}/")
    assert response.status_code == 200
    assert flow.decision.number in text(response)
    for application in flow.applications:
        assert application.organization.name in text(response)
    return len(queries)


def test_the_public_results_keep_a_constant_query_count(client, db):
    assert _results_queries(client, 2) == _results_queries(client, 6)
