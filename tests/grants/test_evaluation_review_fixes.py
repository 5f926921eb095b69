"""Behaviour pinned after the review of the evaluation and the award decisions: each fix
proven through the services, the pages (messages in Kyrgyz) and the admin.

1. the version that counts, not the live copy; 2. blind scoring binds officers and chairs
with a seat; 3. a recusal binds every role; 4. the chair's own scorecard; 5. a scorecard
removed meanwhile; 6. admission after approval; 7. the query count of the approval checks;
8. renders that keep dying; 9. admin; 10. one seat per user; 11. declarations keep their
member; 12. answered appeals in the record of the evaluation.
"""

import datetime
import re
import threading
from decimal import Decimal
from html.parser import HTMLParser
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.templatetags.portal import som
from competitions import services as competition_services
from competitions.models import ChecklistItem, CommissionMember, Competition, Criterion
from grants import decisions, evaluation, permissions, rendering, services
from grants.models import (
    AmountReduction,
    Application,
    ApplicationEvent,
    ConflictDeclaration,
    DecisionDocument,
    EvaluationEvent,
    Outcome,
    Review,
    Score,
)
from grants.services import ServiceError
from grants.snapshots import submitted_content
from grants.tasks import render_pending_documents_task
from tests.competitions.factories import (
    ChecklistItemFactory,
    CommissionMemberFactory,
    CompetitionFactory,
    CriterionFactory,
)
from tests.factories import OfficerFactory, UserFactory

from . import evaluation as ev
from .factories import open_competition
from .helpers import close, pdf_text, says, text, tr, url

DECIDED = "The decision is approved; the evaluation can no longer change."
RECUSED = "You are recused from this application."
REMOVED = "This scorecard was removed from the evaluation."
OWN_SCORECARD = "The chair cannot reopen their own scorecard."
ALREADY_SEATED = "This person is already on the commission."
ON_RECORD = "This member took part in the evaluation and stays on record."
HIDDEN = "Hidden from you: your scorecard is not submitted yet, or you are recused."
RANKING_HIDDEN = (
    "The ranking is hidden from you while one of your own scorecards is not submitted, "
    "or while you are recused from an application."
)
PLACEMENTS = ("awarded a grant", "reserve list", "below the pass mark")
LIVE_TITLE = "Тапшырылбаган өзгөртүү"


def refusal(service, error=ServiceError, **kwargs):
    """The error ``service(**kwargs)`` raises, its messages in English."""
    with translation.override("en"), pytest.raises(error) as caught:
        service(**kwargs)
    return caught.value


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def seat_for(user, competition, *, role=CommissionMember.Role.MEMBER) -> CommissionMember:
    """A voting seat on the competition's commission for ``user`` (an officer, here)."""
    return CommissionMemberFactory(
        competition=competition, user=user, full_name="Кадыров Азамат", role=role, voting=True
    )


def edit_live(application, *, requested, title=LIVE_TITLE) -> None:
    """The organisation changes its copy after submitting and does not submit again."""
    Application.objects.filter(pk=application.pk).update(
        title=title, requested_total=Decimal(requested)
    )


def row_of(response, application) -> str:
    """The table row of ``application`` on the page, as the reader sees it."""
    for row in re.findall(r"<tr>.*?</tr>", text(response), re.S):
        if application.reference in row:
            return row
    raise AssertionError(f"{application.reference} is not in a row of the page")


def shows_score(row: str, score: str) -> bool:
    """``score`` ("70.00") in the row, with a point or a decimal comma."""
    whole, cents = score.split(".")
    return re.search(rf"\b{whole}[.,]{cents}\b", row) is not None


def placement_shown(row: str) -> bool:
    return any(tr(word) in row for word in PLACEMENTS)


@pytest.fixture
def evaluating(officer, state_body):
    """After the deadline: two admitted applications asking 120 000 and 90 000 som; a
    commission of three with the chair first; nobody assigned or declared yet."""
    competition = open_competition(state_body=state_body)
    ev.criteria(competition)
    members = ev.commission(competition, 3)
    applications = ev.admitted_applications(
        competition, 2, requested=[120000, 90000], officer=officer
    )
    close(competition, minutes_ago=180)
    return ev.Flow(competition, officer, members, applications).refresh()


# 1. The version that counts, not the live copy


def test_the_decision_counts_the_submitted_amount_and_title(officer, state_body):
    """Budget 200 000: the first (100 points) asked 120 000 when it was submitted, then
    lowered its live copy to 100 000. With the live amount the second (80 points, 90 000)
    would fit in what is left; with the amount submitted it goes to the reserve list."""
    competition = open_competition(state_body=state_body)
    ev.criteria(competition)
    Competition.objects.filter(pk=competition.pk).update(total_budget=Decimal("200000"))
    members = ev.commission(competition, 3)
    first, second = ev.submitted_applications(competition, 2, requested=[120000, 90000])
    (refused,) = ev.submitted_applications(competition, 1)
    edit_live(first, requested="100000")
    edit_live(refused, requested="85000", title="Четке кагылгандын жаңы аталышы")
    close(competition)
    ev.admit([first, second], officer=officer)
    ev.admit([refused], officer=officer, admit=False)
    flow = ev.Flow(competition, officer, members, [first, second], [refused]).refresh()
    evaluation.auto_assign(user=officer, competition=flow.competition)
    for application, points in zip(flow.applications, ([10, 5], [8, 4]), strict=True):
        for review in flow.reviews(application):
            ev.score(review, points)
    ev.meet(flow)
    flow = ev.approve(flow, render=True)

    first, second = flow.applications
    snapshot = first.current_version.snapshot
    assert first.requested_total == Decimal("100000")  # the live copy differs
    assert first.title == LIVE_TITLE
    assert snapshot["totals"]["requested"] == "120000.00"
    awarded = Outcome.objects.get(application=first)
    assert (awarded.result, awarded.amount) == (Outcome.Result.AWARDED, Decimal("120000"))
    reserve = Outcome.objects.get(application=second)
    assert (reserve.result, reserve.amount) == (Outcome.Result.RESERVE, Decimal("0"))

    results = flow.decision.results
    entry = next(e for e in results["ranked"] if e["application_id"] == first.pk)
    assert (entry["title"], entry["requested"], entry["amount"]) == (
        snapshot["project"]["title"],
        "120000.00",
        "120000.00",
    )
    assert results["budget"]["awarded"] == "120000.00"
    (rejected,) = results["rejected"]
    assert rejected["title"] == flow.rejected[0].current_version.snapshot["project"]["title"]

    # The PDFs print what was submitted.
    decision_pdf = DecisionDocument.objects.get(
        decision=flow.decision, kind=DecisionDocument.Kind.DECISION, language="ky"
    )
    letter = DecisionDocument.objects.get(application=first)
    for document in (decision_pdf, letter):
        assert document.status == DecisionDocument.Status.DONE
        printed = " ".join(pdf_text(document.file.read()).split())
        assert " ".join(snapshot["project"]["title"].split()) in printed
        assert LIVE_TITLE not in printed


@pytest.fixture
def edited(officer, state_body):
    """Two admitted applications that asked 85 000 som each; after submitting, the first
    raised its live copy to 200 000, the second lowered it to 60 000."""
    competition = open_competition(state_body=state_body)
    ev.criteria(competition)
    raised, lowered = ev.submitted_applications(competition, 2)
    edit_live(raised, requested="200000")
    edit_live(lowered, requested="60000")
    close(competition)
    ev.admit([raised, lowered], officer=officer)
    return [Application.objects.get(pk=a.pk) for a in (raised, lowered)]


def test_a_reduction_is_measured_against_the_submitted_amount(edited, officer):
    raised, lowered = edited
    error = refusal(
        evaluation.reduce_amount,
        user=officer,
        application=raised,
        amount=Decimal("90000"),
        reason="Бюджетке батыш үчүн.",
    )
    assert list(error.message_dict) == ["amount"]
    assert error.message_dict["amount"][0].startswith(
        "The reduced amount must be more than 0 and less than the 85000"
    )
    assert not AmountReduction.objects.exists()
    # Less than the 85 000 submitted, though more than the live 60 000.
    reduction = evaluation.reduce_amount(
        user=officer, application=lowered, amount=Decimal("70000"), reason="Бюджетке батыш үчүн."
    )
    assert reduction.amount == Decimal("70000")
    candidates = {c.application_id: c for c in evaluation.candidates(raised.competition)}
    assert candidates[raised.pk].requested == Decimal("85000")
    assert (candidates[lowered.pk].requested, candidates[lowered.pk].amount) == (
        Decimal("85000"),
        Decimal("70000"),
    )


def _amounts(submitted, live) -> tuple[str, str]:
    with translation.override("ky"):
        return som(Decimal(submitted)), som(Decimal(live))


def test_the_ranking_page_shows_the_submitted_amount(client, edited, officer):
    raised, _lowered = edited
    client.force_login(officer)
    response = client.get(url("decision", reference=raised.competition.reference))
    assert response.status_code == 200
    submitted, live = _amounts("85000", "200000")
    row = row_of(response, raised)
    assert submitted in row
    assert live not in row


def test_the_reduction_page_shows_the_submitted_amount(client, edited, officer):
    """The officer reduces from the amount the page says was requested: the one that counts."""
    raised, _lowered = edited
    client.force_login(officer)
    response = client.get(url("reduce", raised.pk))
    assert response.status_code == 200
    submitted, live = _amounts("85000", "200000")
    page = text(response)
    assert submitted in page, "the reduction page does not show the submitted 85 000 som"
    assert live not in page, "the reduction page shows the live 200 000 som"


# 2. Blind scoring binds officers and chairs who also sit on the commission


@pytest.fixture
def reviewing_officer(evaluating):
    """The officer sits on the commission too. X (the first application) is reviewed by
    two members who submitted 100 and 40 points (they diverge: 70 on average) and by the
    officer, assigned before the others submitted, whose scorecard is a draft; Y by the
    same two members, 80 points each."""
    flow = evaluating
    seat = seat_for(flow.officer, flow.competition)
    x, y = flow.applications
    (own,) = ev.assign(x, [seat], by=flow.officer)
    high, low = ev.assign(x, flow.members[1:], by=flow.officer)
    ev.score(high, [10, 5])
    ev.score(low, [5, 0])
    ev.score(own, [8, 4], submit=False)
    for review in ev.assign(y, flow.members[1:], by=flow.officer):
        ev.score(review, [8, 4])
    return flow, own


def test_an_officer_with_a_draft_does_not_see_the_scores_of_that_application(
    client, reviewing_officer
):
    flow, _own = reviewing_officer
    x, y = flow.applications
    # Every score is hidden while one of their own scorecards is a draft: the ranking of
    # the others would tell where X stands.
    assert permissions.scores_hidden_from(flow.officer, flow.competition) >= {x.pk, y.pk}
    client.force_login(flow.officer)
    response = client.get(url("evaluation", reference=flow.competition.reference))
    assert response.status_code == 200
    row = row_of(response, x)
    assert tr(HIDDEN) != HIDDEN
    assert tr(HIDDEN) in row
    assert not shows_score(row, "70.00")
    assert not placement_shown(row)
    assert tr("scores diverge") not in row
    other = row_of(response, y)
    assert tr(HIDDEN) in other
    assert not shows_score(other, "80.00")

    decision = client.get(url("decision", reference=flow.competition.reference))
    assert decision.status_code == 200
    assert says(decision, RANKING_HIDDEN)
    assert "70.00" not in text(decision)
    assert "80.00" not in text(decision)


def test_once_their_scorecard_is_in_the_officer_sees_the_scores(client, reviewing_officer):
    flow, own = reviewing_officer
    x = flow.applications[0]
    ev.score(own, [8, 4])  # 100, 40 and 80: 73.33 on average
    assert permissions.scores_hidden_from(flow.officer, flow.competition) == set()
    client.force_login(flow.officer)
    row = row_of(client.get(url("evaluation", reference=flow.competition.reference)), x)
    assert tr(HIDDEN) not in row
    assert shows_score(row, "73.33")
    assert placement_shown(row)
    assert tr("scores diverge") in row
    assert shows_score(
        row_of(client.get(url("decision", reference=x.competition.reference)), x), "73.33"
    )


def test_a_recused_officer_with_a_seat_never_sees_the_scores(client, evaluating):
    flow = evaluating
    x, _y = flow.applications
    seat_for(flow.officer, flow.competition)
    for review in ev.assign(x, flow.members[1:], by=flow.officer):
        ev.score(review, [10, 5])
    evaluation.declare_conflict(
        user=flow.officer, application=x, has_conflict=True, note="Уюмдун жетекчиси — тууганым."
    )
    assert permissions.scores_hidden_from(flow.officer, flow.competition) == {x.pk}
    client.force_login(flow.officer)
    row = row_of(client.get(url("evaluation", reference=flow.competition.reference)), x)
    assert tr(HIDDEN) in row
    assert not shows_score(row, "100.00")
    assert not placement_shown(row)
    decision = client.get(url("decision", reference=flow.competition.reference))
    assert says(decision, RANKING_HIDDEN)
    assert "100.00" not in text(decision)


def test_a_chair_with_a_draft_does_not_see_the_divergence(client, evaluating):
    flow = evaluating
    x = flow.applications[0]
    high, low = ev.assign(x, flow.members[1:], by=flow.officer)
    ev.score(high, [10, 5])
    ev.score(low, [5, 0])
    (own,) = ev.assign(x, [flow.chair], by=flow.officer)
    ev.score(own, [8, 4], submit=False)
    client.force_login(flow.chair.user)
    address = url("evaluation", reference=flow.competition.reference)
    assert tr("scores diverge") not in row_of(client.get(address), x)
    ev.score(own, [8, 4])
    assert tr("scores diverge") in row_of(client.get(address), x)


# 3. A recusal binds every role


def test_a_recused_officer_cannot_open_the_application_or_its_documents(client, evaluating):
    flow = evaluating
    x, y = flow.applications
    seat_for(flow.officer, flow.competition)
    evaluation.declare_conflict(
        user=flow.officer, application=x, has_conflict=True, note="Уюмдун негиздөөчүсү."
    )
    client.force_login(flow.officer)
    for application, status in ((x, 404), (y, 200)):
        document = submitted_content(application)["attachments"].first()
        assert client.get(url("detail", application.pk)).status_code == status
        response = client.get(url("attachment-download", application.pk, document.pk))
        assert response.status_code == status
    assert not permissions.can_view_application(flow.officer, x)
    assert permissions.can_view_application(flow.officer, y)


@pytest.fixture
def recused_chair(evaluating):
    """The chair declared a conflict with X; X has a submitted and a draft scorecard."""
    flow = evaluating
    x = flow.applications[0]
    submitted, draft = ev.assign(x, flow.members[1:], by=flow.officer)
    ev.score(submitted, [8, 4])
    evaluation.declare_conflict(
        user=flow.chair.user, application=x, has_conflict=True, note="Уюмда иштеген."
    )
    spare = ev.commission(flow.competition, 1, chair=False)[0]
    return flow, Review.objects.get(pk=submitted.pk), Review.objects.get(pk=draft.pk), spare


def test_a_recused_chair_does_not_steer_the_evaluation_of_that_application(recused_chair):
    flow, submitted, draft, spare = recused_chair
    x, y = flow.applications
    chair = flow.chair.user
    before = list(Review.objects.order_by("pk").values_list("pk", "member", "status"))
    for service, kwargs in (
        (evaluation.assign_reviewer, {"application": x, "member": spare}),
        (evaluation.unassign_reviewer, {"review": draft}),
        (evaluation.reopen_review, {"review": submitted, "reason": "Кайра карагыла."}),
    ):
        error = refusal(service, user=chair, **kwargs)
        assert error.messages == [RECUSED], service.__name__
    assert list(Review.objects.order_by("pk").values_list("pk", "member", "status")) == before
    assert not EvaluationEvent.objects.filter(
        action__in=["assigned", "unassigned", "reopened"], by=chair
    ).exists()
    # The other application is theirs to steer.
    assert evaluation.assign_reviewer(user=chair, application=y, member=spare).member == spare


def test_the_page_tells_a_recused_chair_why_in_kyrgyz(client, recused_chair):
    flow, _submitted, _draft, spare = recused_chair
    x = flow.applications[0]
    client.force_login(flow.chair.user)
    response = client.post(url("assign", x.pk), {f"a{x.pk}-member": spare.pk})
    assert response.status_code == 400
    assert tr(RECUSED) != RECUSED
    assert says(response, RECUSED)
    assert not Review.objects.filter(member=spare).exists()


def test_a_recused_officer_does_not_reduce_that_application(evaluating):
    flow = evaluating
    x, y = flow.applications
    seat_for(flow.officer, flow.competition)
    evaluation.declare_conflict(
        user=flow.officer, application=x, has_conflict=True, note="Тууганым иштейт."
    )
    error = refusal(
        evaluation.reduce_amount,
        user=flow.officer,
        application=x,
        amount=Decimal("100000"),
        reason="Бюджет.",
    )
    assert error.messages == [RECUSED]
    assert not AmountReduction.objects.exists()
    assert not EvaluationEvent.objects.filter(action="amount_reduced").exists()
    evaluation.reduce_amount(
        user=flow.officer, application=y, amount=Decimal("80000"), reason="Бюджет."
    )
    assert AmountReduction.objects.get().application == y


def test_a_recused_officer_does_not_undo_a_reduction_of_that_application(evaluating, state_body):
    """Undoing a reduction sets the amount of the application as much as reducing it."""
    flow = evaluating
    x = flow.applications[0]
    colleague = OfficerFactory(state_body=state_body).user
    evaluation.reduce_amount(
        user=colleague, application=x, amount=Decimal("100000"), reason="Бюджет."
    )
    seat_for(flow.officer, flow.competition)
    evaluation.declare_conflict(
        user=flow.officer, application=x, has_conflict=True, note="Тууганым иштейт."
    )
    error = refusal(evaluation.undo_reduction, user=flow.officer, application=x)
    assert error.messages == [RECUSED]
    assert AmountReduction.objects.get(application=x).amount == Decimal("100000")
    assert not EvaluationEvent.objects.filter(action="reduction_undone").exists()


# 4. The chair's own scorecard


def test_the_chair_cannot_reopen_their_own_scorecard(client, evaluating):
    flow = evaluating
    (own,) = ev.assign(flow.applications[0], [flow.chair], by=flow.officer)
    ev.score(own, [8, 4])
    error = refusal(evaluation.reopen_review, user=flow.chair.user, review=own, reason="Ката.")
    assert error.messages == [OWN_SCORECARD]
    own.refresh_from_db()
    assert (own.status, own.total) == (Review.Status.SUBMITTED, Decimal("80.00"))
    assert not EvaluationEvent.objects.filter(action="reopened").exists()
    # The page says so, in Kyrgyz.
    client.force_login(flow.chair.user)
    response = client.post(url("review-reopen", own.pk), {"reason": "Ката кетти."})
    assert tr(OWN_SCORECARD) != OWN_SCORECARD
    assert says(response, OWN_SCORECARD)
    own.refresh_from_db()
    assert own.status == Review.Status.SUBMITTED


# 5. A scorecard removed meanwhile


def test_saving_a_scorecard_removed_meanwhile_is_refused(evaluating):
    flow = evaluating
    member = flow.members[1]
    (review,) = ev.assign(flow.applications[0], [member], by=flow.officer)
    ev.clear(member, flow.applications[0])
    loaded = Review.objects.select_related("member", "application__competition").get(pk=review.pk)
    evaluation.unassign_reviewer(user=flow.officer, review=review)
    error = refusal(
        evaluation.save_scores,
        user=member.user,
        review=loaded,
        entries=ev.entries(flow.competition, [8, 4]),
        submit=True,
    )
    assert error.messages == [REMOVED]
    assert not Score.objects.exists()


def test_reopening_a_scorecard_removed_meanwhile_is_refused(evaluating):
    flow = evaluating
    x = flow.applications[0]
    member = flow.members[1]
    (review,) = ev.assign(x, [member], by=flow.officer)
    ev.score(review, [8, 4])
    loaded = Review.objects.get(pk=review.pk)
    # The reviewer discovers a conflict: the scorecard is voided.
    evaluation.declare_conflict(user=member.user, application=x, has_conflict=True, note="Кийин.")
    error = refusal(evaluation.reopen_review, user=flow.chair.user, review=loaded, reason="Себеп.")
    assert error.messages == [REMOVED]
    assert not EvaluationEvent.objects.filter(action="reopened").exists()


def test_removing_a_scorecard_removed_meanwhile_is_refused(evaluating):
    flow = evaluating
    (review,) = ev.assign(flow.applications[0], [flow.members[1]], by=flow.officer)
    loaded = Review.objects.get(pk=review.pk)
    evaluation.unassign_reviewer(user=flow.chair.user, review=review)
    error = refusal(evaluation.unassign_reviewer, user=flow.officer, review=loaded)
    assert error.messages == [REMOVED]
    assert EvaluationEvent.objects.filter(action="unassigned").count() == 1


# 6. Admission after approval


def test_admission_cannot_change_after_the_decision(officer):
    flow = ev.decided_competition(officer=officer, rejected=1)
    rejected, awarded = flow.rejected[0], flow.applications[0]
    events = ApplicationEvent.objects.count()
    error = refusal(
        services.decide_admission, user=officer, application=rejected, admit=True, reason=""
    )
    assert error.messages == [DECIDED]
    error = refusal(
        services.decide_admission,
        user=officer,
        application=awarded,
        admit=False,
        reason="Кеч табылды.",
    )
    assert error.messages == [DECIDED]
    flow.refresh()
    assert flow.rejected[0].status == Application.Status.REJECTED
    assert flow.applications[0].status == Application.Status.AWARDED
    assert ApplicationEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_an_admission_waits_for_an_approval_in_progress_and_is_then_refused(seeded):
    """The approval holds the competition's lock; an admission decision taken meanwhile
    waits for it (it locks the competition first) and then finds the decision approved."""
    officer = OfficerFactory().user
    flow = ev.scored_competition(officer=officer, rejected=1)
    ev.meet(flow)
    rejected = flow.rejected[0]
    locked, release = threading.Event(), threading.Event()
    result = {}

    def approve():
        try:
            with transaction.atomic():
                Competition.objects.select_for_update().get(pk=flow.competition.pk)
                locked.set()
                release.wait(30)
                decisions.approve_decision(user=officer, competition=flow.competition)
        finally:
            connection.close()

    def admit():
        try:
            with translation.override("en"):
                services.decide_admission(user=officer, application=rejected, admit=True, reason="")
        except ServiceError as error:
            result["messages"] = error.messages
        else:
            result["messages"] = []
        finally:
            connection.close()

    with mock.patch.object(decisions, "delay_on_commit"):
        approver = threading.Thread(target=approve)
        approver.start()
        try:
            assert locked.wait(30)
            admitter = threading.Thread(target=admit)
            admitter.start()
            admitter.join(1.5)
            waited = admitter.is_alive()
            status_meanwhile = Application.objects.get(pk=rejected.pk).status
        finally:
            release.set()
            approver.join(60)
        admitter.join(60)
    assert waited, "decide_admission did not wait for the competition's lock"
    assert status_meanwhile == Application.Status.REJECTED
    assert not approver.is_alive()
    assert not admitter.is_alive()
    assert result["messages"] == [DECIDED]
    rejected.refresh_from_db()
    assert rejected.status == Application.Status.REJECTED
    assert Outcome.objects.get(application=rejected).result == Outcome.Result.NOT_ADMITTED


# 7. The approval checks run a constant number of queries


def _approval_queries(state_body, n: int) -> int:
    competition = open_competition(state_body=state_body)
    ev.criteria(competition)
    members = ev.commission(competition, 3)
    applications = ev.admitted_applications(competition, n)
    flow = ev.Flow(competition, ev.officer_of(competition), members, applications).refresh()
    ev.meet(flow)
    # One submitted scorecard each: every application still lacks a review.
    for application in applications:
        (review,) = ev.assign(application, members[1:2], by=flow.officer)
        ev.score(review, [8, 4])
    with CaptureQueriesContext(connection) as queries:
        problems = decisions.approval_problems(flow.competition)
    assert len(problems) == n
    return len(queries)


def test_the_approval_checks_run_a_constant_number_of_queries(state_body):
    assert _approval_queries(state_body, 2) == _approval_queries(state_body, 6)


# 8. Renders that keep dying


def _running(document, *, started, attempts) -> None:
    DecisionDocument.objects.filter(pk=document.pk).update(
        status=DecisionDocument.Status.RUNNING,
        queued_at=ago(hours=1),
        started_at=started,
        attempts=attempts,
    )


@pytest.fixture
def dying(officer):
    """Three renders stuck running: one stale after its last attempt, one stale with an
    attempt left, one on its last attempt that started a minute ago."""
    ev.decided_competition(officer=officer)
    dead, retried, recent = DecisionDocument.objects.order_by("pk")[:3]
    _running(dead, started=ago(minutes=10), attempts=rendering.MAX_ATTEMPTS)
    _running(retried, started=ago(minutes=10), attempts=rendering.MAX_ATTEMPTS - 1)
    _running(recent, started=ago(minutes=1), attempts=rendering.MAX_ATTEMPTS)
    return dead, retried, recent


def test_the_sweep_fails_a_render_that_died_too_often(dying):
    dead, retried, recent = dying
    pending = decisions.documents_to_render()
    assert retried.pk in pending
    assert dead.pk not in pending
    assert recent.pk not in pending
    dead.refresh_from_db()
    assert dead.status == DecisionDocument.Status.FAILED
    assert str(rendering.MAX_ATTEMPTS) in dead.error
    assert dead.finished_at is not None
    recent.refresh_from_db()
    assert recent.status == DecisionDocument.Status.RUNNING
    # Failed, it is the officer's to retry; the next sweeps leave it alone.
    assert dead.pk not in decisions.documents_to_render()


def test_the_beat_task_renders_what_the_sweep_returns_skipping_locked_rows(dying):
    dead, retried, _recent = dying
    with mock.patch.object(decisions, "render_document", wraps=decisions.render_document) as render:
        result = render_pending_documents_task.apply()
    assert result.get() == 1
    assert render.call_args_list == [mock.call(retried.pk, skip_locked=True)]
    retried.refresh_from_db()
    assert retried.status == DecisionDocument.Status.DONE
    dead.refresh_from_db()
    assert dead.status == DecisionDocument.Status.FAILED


# 9. Admin


class _FormFields(HTMLParser):
    """What a browser posts from the admin's change form: inputs, selects, textareas."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "on": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["on"].append(value)
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["on"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]
            self.data[self.select["name"]] = chosen
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            value = self.data[self.textarea][0]
            self.data[self.textarea][0] = value[1:] if value.startswith("\n") else value
            self.textarea = None


def posted_form(response, form_id) -> dict:
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    return {**parser.data, "_save": "Save"}


def competition_change(competition) -> str:
    return f"/admin/competitions/competition/{competition.pk}/change/"


def criterion_inlines(response):
    return [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.model in (Criterion, ChecklistItem)
    ]


@pytest.fixture
def published(state_body):
    competition = open_competition(state_body=state_body)
    CriterionFactory(competition=competition, max_points=10, order=1)
    return competition


@pytest.fixture
def draft(state_body):
    competition = CompetitionFactory(state_body=state_body)
    CriterionFactory(competition=competition, max_points=10, order=1)
    return competition


def test_the_admin_freezes_the_terms_of_a_published_competition(admin_client, published):
    response = admin_client.get(competition_change(published))
    assert response.status_code == 200
    model_admin = admin.site._registry[Competition]
    readonly = model_admin.get_readonly_fields(response.wsgi_request, published)
    assert set(Competition.FROZEN_FIELDS) <= set(readonly)
    page = response.content.decode()
    for field in ("total_budget", "deadline", "pass_mark", "quorum", "min_grant", "regions"):
        assert f'name="{field}' not in page, field
    inlines = criterion_inlines(response)
    assert len(inlines) == 2
    for formset in inlines:
        assert not formset.has_add_permission, formset.opts.model
        assert not formset.has_change_permission, formset.opts.model
        assert not formset.has_delete_permission, formset.opts.model


def test_posting_to_the_admin_does_not_change_a_published_competition(admin_client, published):
    before = Competition.objects.get(pk=published.pk)
    criterion = published.criteria.get()
    data = posted_form(admin_client.get(competition_change(published)), "competition_form")
    data.update(
        {
            "total_budget": "1",
            "deadline_0": "2000-01-01",
            "deadline_1": "00:00:00",
            "pass_mark": "1",
            "criteria-0-id": str(criterion.pk),
            "criteria-0-max_points": "99",
            "criteria-0-DELETE": "on",
        }
    )
    response = admin_client.post(competition_change(published), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    after = Competition.objects.get(pk=published.pk)
    assert (after.total_budget, after.deadline, after.pass_mark) == (
        before.total_budget,
        before.deadline,
        before.pass_mark,
    )
    assert list(published.criteria.values_list("pk", "max_points")) == [(criterion.pk, 10)]


def test_a_draft_competition_stays_editable_in_the_admin(admin_client, draft):
    response = admin_client.get(competition_change(draft))
    page = response.content.decode()
    assert 'name="total_budget"' in page
    assert 'name="deadline' in page
    for formset in criterion_inlines(response):
        assert formset.has_add_permission
        assert formset.has_change_permission
        assert formset.has_delete_permission
    data = posted_form(response, "competition_form")
    data["total_budget"] = "900000.00"
    data["criteria-0-max_points"] = "20"
    response = admin_client.post(competition_change(draft), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert Competition.objects.get(pk=draft.pk).total_budget == Decimal("900000.00")
    assert draft.criteria.get().max_points == 20


FROZEN_CHILDREN = [
    pytest.param("criterion", "criteria", {"max_points": "99"}, id="criterion"),
    pytest.param("checklistitem", "checklist", {"name_ky": "Башка документ"}, id="checklist"),
]


def _child_admin(model, row, action="change") -> str:
    return f"/admin/competitions/{model}/{row.pk}/{action}/"


@pytest.mark.parametrize(("model", "rows", "change"), FROZEN_CHILDREN)
def test_the_criteria_and_checklist_of_a_published_competition_are_frozen_in_their_own_admin(
    admin_client, published, model, rows, change
):
    """The criterion and checklist admins reach the same rows as the inlines."""
    row = getattr(published, rows).first()
    before = {field: getattr(row, field) for field in change}
    data = posted_form(admin_client.get(_child_admin(model, row)), f"{model}_form")
    admin_client.post(_child_admin(model, row), {**data, **change})
    row.refresh_from_db()
    assert {field: getattr(row, field) for field in change} == before
    assert admin_client.get(_child_admin(model, row, "delete")).status_code == 403
    count = getattr(published, rows).count()
    admin_client.post(f"/admin/competitions/{model}/add/", {**data, **change})
    assert getattr(published, rows).count() == count


@pytest.mark.parametrize(("model", "rows", "change"), FROZEN_CHILDREN)
def test_the_criteria_and_checklist_of_a_draft_change_in_their_own_admin(
    admin_client, draft, model, rows, change
):
    if model == "checklistitem":
        ChecklistItemFactory(competition=draft, order=1)
    row = getattr(draft, rows).first()
    data = posted_form(admin_client.get(_child_admin(model, row)), f"{model}_form")
    response = admin_client.post(_child_admin(model, row), {**data, **change})
    assert response.status_code == 302
    row.refresh_from_db()
    assert {field: str(getattr(row, field)) for field in change} == change


def _declared(flow, seat):
    evaluation.declare_conflict(
        user=seat.user, application=flow.applications[0], has_conflict=False
    )


def _reviewing(flow, seat):
    ev.assign(flow.applications[0], [seat], by=flow.officer)


def _attended(flow, seat):
    ev.meet(flow, [seat])


def member_admin(seat, action="change") -> str:
    return f"/admin/competitions/commissionmember/{seat.pk}/{action}/"


@pytest.mark.parametrize("record", [_declared, _reviewing, _attended], ids=lambda f: f.__name__)
def test_a_commission_member_on_record_stays_in_the_admin(admin_client, evaluating, record):
    seat = evaluating.members[1]
    record(evaluating, seat)
    page = admin_client.get(member_admin(seat)).content.decode()
    for field in ("user", "voting", "role", "email", "competition"):
        assert f'name="{field}"' not in page, field
    assert admin_client.get(member_admin(seat, "delete")).status_code == 403
    assert admin_client.post(member_admin(seat, "delete"), {"post": "yes"}).status_code == 403
    admin_client.post(
        "/admin/competitions/commissionmember/",
        {"action": "delete_selected", "_selected_action": [seat.pk], "post": "yes"},
    )
    seat.refresh_from_db()
    assert seat.user == evaluating.members[1].user


def test_a_commission_member_without_a_record_can_be_deleted_in_the_admin(admin_client, evaluating):
    seat = evaluating.members[2]
    page = admin_client.get(member_admin(seat)).content.decode()
    assert 'name="voting"' in page
    assert admin_client.get(member_admin(seat, "delete")).status_code == 200
    response = admin_client.post(member_admin(seat, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not CommissionMember.objects.filter(pk=seat.pk).exists()


def test_scores_are_listed_in_the_admin_only_once_decided(admin_client, officer):
    decided = ev.decided_competition(officer=officer)
    pending = ev.scored_competition(officer=officer)
    pending_review = pending.reviews().first()
    reviews = Review.objects.filter(application__competition=decided.competition)
    scores = Score.objects.filter(review__application__competition=decided.competition)
    assert reviews.exists()
    assert scores.exists()
    for model, rows in (("review", reviews), ("score", scores)):
        listing = admin_client.get(f"/admin/grants/{model}/")
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == rows.count(), model
        assert {row.pk for row in listing.context["cl"].result_list} == set(
            rows.values_list("pk", flat=True)
        )
    # Not even by its address before the decision.
    change = admin_client.get(f"/admin/grants/review/{pending_review.pk}/change/")
    assert change.status_code == 302
    assert change["Location"] == "/admin/"
    ev.meet(pending)
    ev.approve(pending)
    listing = admin_client.get("/admin/grants/review/")
    assert listing.context["cl"].result_count == Review.objects.count()
    listing = admin_client.get("/admin/grants/score/")
    assert listing.context["cl"].result_count == Score.objects.count()


# 10. One seat per user


SECOND_ADDRESS = "ekinchi.darek@example.org"


@pytest.fixture
def person(db):
    """A signed-up user with a second confirmed address."""
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=SECOND_ADDRESS, verified=True, primary=False)
    return user


def appoint(competition, officer, email) -> CommissionMember:
    return competition_services.appoint_commission_member(
        competition=competition,
        user=officer,
        email=email,
        full_name="",
        role=CommissionMember.Role.MEMBER,
        voting=True,
    )


def test_a_seated_user_is_not_appointed_again_by_their_other_address(competition, officer, person):
    """Seated by the second address (linked on claiming it), then appointed by the address
    of the account."""
    appoint(competition, officer, SECOND_ADDRESS)
    competition_services.claim_commission_seats(user=person)
    assert competition.commission.get().user == person
    error = refusal(
        appoint,
        error=competition_services.ServiceError,
        competition=competition,
        officer=officer,
        email=person.email,
    )
    assert error.messages == [ALREADY_SEATED]
    assert competition.commission.count() == 1


def test_a_seated_user_is_not_appointed_again_by_their_second_address(competition, officer, person):
    """Seated by the address of the account, then appointed by their second confirmed
    address: that is the same person, and a second seat is a second vote."""
    appoint(competition, officer, person.email)
    error = refusal(
        appoint,
        error=competition_services.ServiceError,
        competition=competition,
        officer=officer,
        email=SECOND_ADDRESS,
    )
    assert error.messages == [ALREADY_SEATED]
    assert competition.commission.count() == 1


def test_claiming_links_one_seat_per_competition(state_body, person):
    first = open_competition(state_body=state_body)
    second = open_competition(state_body=state_body)
    for email in (person.email, SECOND_ADDRESS):
        CommissionMemberFactory(competition=first, user=None, email=email)
    CommissionMemberFactory(competition=second, user=None, email=SECOND_ADDRESS)
    assert competition_services.claim_commission_seats(user=person) == 2
    assert first.commission.filter(user=person).count() == 1
    assert first.commission.filter(user=None).count() == 1
    assert second.commission.get().user == person
    # Claiming again links nothing more.
    assert competition_services.claim_commission_seats(user=person) == 0
    assert first.commission.filter(user=person).count() == 1


def test_the_database_refuses_a_second_seat_of_a_user(competition):
    seat = CommissionMemberFactory(competition=competition)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionMember.objects.create(
            competition=competition, user=seat.user, email="boshka@example.org", full_name="Экинчи"
        )
    assert competition.commission.count() == 1
    # Seats not yet linked, and the same user on another commission, are fine.
    for email in ("birinchi@example.org", "ekinchi@example.org"):
        CommissionMember.objects.create(
            competition=competition, email=email, full_name="Чакырылган"
        )
    other = open_competition(state_body=competition.state_body)
    CommissionMember.objects.create(competition=other, user=seat.user, email=seat.email)
    assert CommissionMember.objects.filter(user=seat.user).count() == 2


# 11. Declarations keep their member


def test_a_member_who_declared_is_never_deleted(evaluating):
    flow = evaluating
    seat = flow.members[2]
    evaluation.declare_conflict(
        user=seat.user, application=flow.applications[0], has_conflict=False
    )
    assert not seat.reviews.exists()
    assert not seat.meetings_attended.exists()
    with pytest.raises(ProtectedError), transaction.atomic():
        seat.delete()
    error = refusal(
        competition_services.remove_commission_member,
        error=competition_services.ServiceError,
        member=seat,
        user=flow.officer,
    )
    assert error.messages == [ON_RECORD]
    assert ConflictDeclaration.objects.get().member == seat
    assert CommissionMember.objects.filter(pk=seat.pk).exists()


# 12. Answered appeals in the record of the evaluation


def test_the_record_of_the_evaluation_names_the_answer_to_an_appeal(client, officer):
    flow = ev.decided_competition(officer=officer)
    answered = {}
    for application, upheld in zip(flow.applications[:2], (True, False), strict=True):
        appeal = decisions.file_appeal(
            user=ev.applicant_of(application), application=application, text="Упай туура эмес."
        )
        decisions.answer_appeal(user=officer, appeal=appeal, upheld=upheld, response="Жооп.")
        answered[application.reference] = "upheld" if upheld else "dismissed"
    client.force_login(officer)
    response = client.get(url("evaluation", reference=flow.competition.reference))
    assert response.status_code == 200
    items = [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", text(response), re.S)]
    for reference, word in answered.items():
        assert tr(word) != word
        lines = [item for item in items if reference in item and item.endswith(f": {tr(word)}")]
        assert len(lines) == 1, (reference, word)
    assert not [item for item in items if re.search(r": (upheld|dismissed)$", item)]


# Officers who saw the scores do not review afterwards; recused users do not open the pages.


def test_an_officer_who_saw_the_scores_is_not_assigned_to_review(evaluating):
    flow = evaluating
    x = flow.applications[0]
    seat = seat_for(flow.officer, flow.competition)
    (review,) = ev.assign(x, flow.members[1:2], by=flow.officer)
    ev.score(review, [10, 5])
    error = refusal(evaluation.assign_reviewer, user=flow.officer, application=x, member=seat)
    assert error.messages == [
        "This member may have seen the scores of this application and cannot review it."
    ]
    assert not Review.objects.filter(member=seat).exists()
    # Automatic assignment passes them over for it too.
    evaluation.auto_assign(user=flow.officer, competition=flow.competition)
    assert not Review.objects.filter(member=seat, application=x).exists()
    assert Review.objects.filter(member=seat, application=flow.applications[1]).exists()


def test_a_recused_officer_does_not_open_the_reduction_page(client, evaluating):
    flow = evaluating
    x = flow.applications[0]
    seat_for(flow.officer, flow.competition)
    evaluation.declare_conflict(
        user=flow.officer, application=x, has_conflict=True, note="Тууганым иштейт."
    )
    client.force_login(flow.officer)
    assert client.get(url("reduce", x.pk)).status_code == 403
    assert client.get(url("reduce", flow.applications[1].pk)).status_code == 200


def test_a_recused_chair_does_not_open_the_reopen_page(client, evaluating):
    flow = evaluating
    x = flow.applications[0]
    (review,) = ev.assign(x, flow.members[1:2], by=flow.officer)
    ev.score(review, [10, 5])
    evaluation.declare_conflict(
        user=flow.chair.user, application=x, has_conflict=True, note="Тууганым иштейт."
    )
    client.force_login(flow.chair.user)
    assert client.get(url("review-reopen", review.pk)).status_code == 403


def test_a_recused_chair_leaves_that_application_out_of_automatic_assignment(evaluating):
    flow = evaluating
    x, y = flow.applications
    evaluation.declare_conflict(
        user=flow.chair.user, application=x, has_conflict=True, note="Тууганым иштейт."
    )
    evaluation.auto_assign(user=flow.chair.user, competition=flow.competition)
    assert not Review.objects.filter(application=x).exists()
    assert Review.objects.filter(application=y).count() == flow.competition.reviews_per_application
