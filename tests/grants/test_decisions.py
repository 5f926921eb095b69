"""The commission's meeting, the award decision, its PDFs, verification and appeals
(grants/decisions.py)."""

import datetime
import hashlib
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from accounts.models import OutboundEmail, User
from competitions.models import Competition, StatusChange
from grants import decisions, evaluation, permissions, services
from grants.models import (
    Appeal,
    Application,
    ApplicationEvent,
    AwardDecision,
    CommissionMeeting,
    DecisionDocument,
    EvaluationEvent,
    Outcome,
    document_path,
)
from grants.services import ServiceError
from tests.factories import MembershipFactory

from . import evaluation as ev
from .factories import open_competition
from .helpers import pdf_text


def refusal(service, **kwargs) -> ServiceError:
    """The ServiceError ``service(**kwargs)`` raises, its messages in English."""
    with translation.override("en"), pytest.raises(ServiceError) as error:
        service(**kwargs)
    return error.value


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


@pytest.fixture
def flow(officer):
    """Scored, not yet met: 120 000 (100 points), 90 000 (80), 60 000 (40); budget 200 000;
    three voting members, the chair first; quorum 3."""
    return ev.scored_competition(officer=officer)


def nothing_decided(flow):
    """No trace of a decision: no rows, statuses as they were."""
    flow.refresh()
    assert not AwardDecision.objects.exists()
    assert not Outcome.objects.exists()
    assert not DecisionDocument.objects.exists()
    assert flow.competition.status == Competition.Status.PUBLISHED
    assert not StatusChange.objects.filter(competition=flow.competition).exists()
    assert {a.status for a in flow.applications} == {Application.Status.ADMITTED}
    assert not ApplicationEvent.objects.filter(
        to_status__in=["awarded", "reserve", "not_awarded"]
    ).exists()


# record_meeting


def test_the_officer_records_the_meeting(flow):
    held_at = flow.competition.deadline + datetime.timedelta(seconds=30)
    meeting = ev.meet(flow, flow.members[:2], held_at=held_at, place="  Бишкек  ")
    assert (meeting.held_at, meeting.place, meeting.recorded_by) == (
        held_at,
        "Бишкек",
        flow.officer,
    )
    assert set(meeting.present.all()) == set(flow.members[:2])
    assert EvaluationEvent.objects.filter(action=EvaluationEvent.Action.MEETING).count() == 1


def test_recording_the_meeting_again_corrects_it(flow):
    ev.meet(flow, flow.members[:1])
    ev.meet(flow, flow.members, place="Ош")
    meeting = CommissionMeeting.objects.get()
    assert meeting.place == "Ош"
    assert set(meeting.present.all()) == set(flow.members)


@pytest.mark.parametrize("who", ["chair", "member", "other_officer", "outsider"])
def test_only_the_officer_records_the_meeting(request, who, flow):
    if who == "chair":
        user = flow.chair.user
    elif who == "member":
        user = flow.members[1].user
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        decisions.record_meeting(
            user=user,
            competition=flow.competition,
            held_at=ago(minutes=1),
            place="Бишкек",
            present=flow.members,
        )
    assert not CommissionMeeting.objects.exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            lambda flow: {"held_at": timezone.now() + datetime.timedelta(hours=1)},
            {"held_at": ["Record the meeting once it has taken place."]},
        ),
        (
            lambda flow: {"held_at": flow.competition.deadline - datetime.timedelta(minutes=1)},
            {"held_at": ["The meeting cannot be before the application deadline."]},
        ),
        (lambda flow: {"place": "   "}, {"place": ["Say where the meeting took place."]}),
        (
            lambda flow: {"present": [*flow.members, ev.commission(open_competition(), 1)[0]]},
            {"present": ["Only members of this commission can be present."]},
        ),
    ],
    ids=["future", "before-deadline", "no-place", "stranger"],
)
def test_the_meeting_is_checked(changes, errors, flow):
    arguments = {
        "user": flow.officer,
        "competition": flow.competition,
        "held_at": ago(minutes=1),
        "place": "Бишкек",
        "present": flow.members,
        **changes(flow),
    }
    assert refusal(decisions.record_meeting, **arguments).message_dict == errors
    assert not CommissionMeeting.objects.exists()


def test_a_meeting_exactly_at_the_deadline_is_accepted(flow):
    assert ev.meet(flow, held_at=flow.competition.deadline).held_at == flow.competition.deadline


def test_no_meeting_before_the_deadline(officer, competition):
    ev.criteria(competition)
    members = ev.commission(competition, 3)
    error = refusal(
        decisions.record_meeting,
        user=officer,
        competition=competition,
        held_at=ago(minutes=1),
        place="Бишкек",
        present=members,
    )
    assert error.messages == ["This competition is not being evaluated."]


# What stops the approval


def refused_approval(flow, *expected):
    with translation.override("en"):
        assert decisions.approval_problems(flow.competition) == list(expected)
    error = refusal(decisions.approve_decision, user=flow.officer, competition=flow.competition)
    assert error.messages == list(expected)
    nothing_decided(flow)


def test_nothing_stops_a_complete_evaluation(flow):
    ev.meet(flow)
    assert decisions.approval_problems(flow.competition) == []


def test_approval_needs_the_meeting(flow):
    refused_approval(flow, "Record the commission's meeting first.")


def test_approval_needs_a_quorum_of_voting_members(flow):
    observer = ev.observer(flow.competition)
    ev.meet(flow, [*flow.members[:2], observer])
    assert decisions.voting_present(CommissionMeeting.objects.get()) == 2
    refused_approval(
        flow, "There is no quorum: 2 voting members attended the meeting, 3 are needed."
    )


def test_the_quorum_is_the_competitions(flow):
    Competition.objects.filter(pk=flow.competition.pk).update(quorum=2)
    ev.meet(flow, flow.members[:2])
    assert decisions.approval_problems(Competition.objects.get(pk=flow.competition.pk)) == []


def test_approval_waits_for_every_scorecard(flow):
    review = flow.reviews(flow.applications[1]).first()
    evaluation.reopen_review(user=flow.chair.user, review=review, reason="Кайра карап чыгыңыз.")
    ev.meet(flow)
    reference = flow.applications[1].reference
    refused_approval(
        flow,
        "1 assigned scorecards are not submitted yet.",
        f"{reference} has 1 of the 2 reviews it needs.",
    )


def test_approval_needs_the_number_of_reviews_of_the_competition(flow):
    Competition.objects.filter(pk=flow.competition.pk).update(reviews_per_application=3)
    ev.meet(flow)
    flow.refresh()
    refused_approval(
        flow,
        *[f"{a.reference} has 2 of the 3 reviews it needs." for a in flow.applications],
    )


def test_approval_waits_for_the_admission_check(officer):
    flow = ev.scored_competition(officer=officer, waiting=1)
    ev.meet(flow)
    refused_approval(flow, "1 applications still wait for the admission check.")
    assert flow.waiting[0].status == Application.Status.SUBMITTED


def test_every_problem_is_listed_at_once(flow):
    observer = ev.observer(flow.competition)
    ev.meet(flow, [flow.chair, observer])
    others = flow.reviews(flow.applications[0]).exclude(member=flow.chair)
    evaluation.reopen_review(user=flow.chair.user, review=others.first(), reason="Себеп.")
    with translation.override("en"):
        problems = decisions.approval_problems(flow.competition)
    assert problems == [
        "There is no quorum: 1 voting members attended the meeting, 3 are needed.",
        "1 assigned scorecards are not submitted yet.",
        f"{flow.applications[0].reference} has 1 of the 2 reviews it needs.",
    ]


@pytest.mark.parametrize("who", ["chair", "other_officer"])
def test_only_the_officer_approves(request, who, flow):
    ev.meet(flow)
    user = flow.chair.user if who == "chair" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        decisions.approve_decision(user=user, competition=flow.competition)
    nothing_decided(flow)


def test_a_decision_is_approved_once(flow):
    ev.meet(flow)
    ev.approve(flow)
    error = refusal(decisions.approve_decision, user=flow.officer, competition=flow.competition)
    assert error.messages == ["The decision of this competition is already approved."]
    assert AwardDecision.objects.count() == 1
    assert Outcome.objects.count() == 3


def test_the_meeting_and_the_amounts_are_fixed_once_decided(officer):
    flow = ev.decided_competition(officer=officer)
    place = CommissionMeeting.objects.get().place
    error = refusal(
        decisions.record_meeting,
        user=officer,
        competition=flow.competition,
        held_at=ago(seconds=1),
        place="Башка жер",
        present=flow.members[:1],
    )
    assert error.messages == ["The decision is approved; the evaluation can no longer change."]
    assert CommissionMeeting.objects.get().place == place
    error = refusal(
        evaluation.reduce_amount,
        user=officer,
        application=flow.applications[0],
        amount=Decimal("60000"),
        reason="Кеч.",
    )
    assert error.messages == ["The decision is approved; the evaluation can no longer change."]


def test_a_rejected_application_is_not_admitted_after_the_decision(officer):
    """The decision froze it as not admitted: re-admitting it now would leave an admitted
    application that nobody can evaluate, against an outcome that says "not admitted"."""
    flow = ev.decided_competition(officer=officer, rejected=1)
    (rejected,) = flow.rejected
    error = refusal(
        services.decide_admission, user=officer, application=rejected, admit=True, reason=""
    )
    assert error.messages == ["The decision is approved; the evaluation can no longer change."]
    rejected.refresh_from_db()
    assert rejected.status == Application.Status.REJECTED
    assert rejected.outcome.result == Outcome.Result.NOT_ADMITTED


# The approved decision


@pytest.fixture
def decided(officer):
    """Like ``flow``, plus a rejected application and a recusal; approved, PDFs not rendered."""
    flow = ev.scored_competition(officer=officer, rejected=1)
    first = flow.applications[0]
    reviewing = set(first.reviews.values_list("member", flat=True))
    (free,) = [m for m in flow.members if m.pk not in reviewing]
    evaluation.declare_conflict(
        user=free.user, application=first, has_conflict=True, note="Уюмдун мурдагы жетекчиси."
    )
    flow.recused = free
    ev.meet(flow)
    return ev.approve(flow)


def test_approval_freezes_an_outcome_for_every_application(decided):
    awarded, reserve, below = decided.applications
    (rejected,) = decided.rejected
    outcomes = {o.application_id: o for o in decided.decision.outcomes.all()}
    assert len(outcomes) == 4
    summary = {pk: (o.result, o.rank, o.score, o.amount) for pk, o in outcomes.items()}
    assert summary == {
        awarded.pk: (Outcome.Result.AWARDED, 1, Decimal("100.00"), Decimal("120000.00")),
        reserve.pk: (Outcome.Result.RESERVE, 2, Decimal("80.00"), Decimal("0.00")),
        below.pk: (Outcome.Result.BELOW_PASS_MARK, None, Decimal("40.00"), Decimal("0.00")),
        rejected.pk: (Outcome.Result.NOT_ADMITTED, None, None, Decimal("0.00")),
    }
    assert outcomes[rejected.pk].note == rejected.admission_reason != ""


def test_approval_moves_every_application_to_its_outcome(decided):
    assert [a.status for a in decided.applications] == [
        Application.Status.AWARDED,
        Application.Status.RESERVE,
        Application.Status.NOT_AWARDED,
    ]
    assert decided.rejected[0].status == Application.Status.REJECTED
    for application in decided.applications:
        event = ApplicationEvent.objects.filter(application=application).latest("pk")
        assert (event.from_status, event.to_status, event.by, event.note) == (
            Application.Status.ADMITTED,
            application.status,
            decided.officer,
            decided.decision.number,
        )
    assert (
        ApplicationEvent.objects.filter(
            application=decided.rejected[0], note=decided.decision.number
        ).count()
        == 0
    )


def test_approval_decides_the_competition(decided):
    competition, decision = decided.competition, decided.decision
    assert competition.status == Competition.Status.DECIDED
    changes = list(
        StatusChange.objects.filter(competition=competition).values_list(
            "from_status", "to_status", "changed_by", "note"
        )
    )
    assert changes == [
        ("published", "evaluation", None, ""),
        ("evaluation", "decided", decided.officer.pk, decision.number),
    ]
    meeting = CommissionMeeting.objects.get()
    assert decision.number == f"{competition.reference}-D"
    assert decision.decided_on == timezone.localdate(meeting.held_at)
    assert decision.approved_by == decided.officer
    assert decision.appeal_until == decision.approved_at + datetime.timedelta(days=10)
    assert len(decision.verification_code) == 10
    assert set(decision.verification_code) <= set(decisions.CODE_ALPHABET)
    canonical = json.dumps(
        decision.results, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert decision.results_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert EvaluationEvent.objects.filter(
        action=EvaluationEvent.Action.APPROVED, note=decision.number
    ).exists()


def test_a_competition_already_in_evaluation_moves_once(officer):
    flow = ev.scored_competition(officer=officer)
    Competition.objects.filter(pk=flow.competition.pk).update(status=Competition.Status.EVALUATION)
    ev.meet(flow.refresh())
    ev.approve(flow)
    changes = StatusChange.objects.filter(competition=flow.competition)
    assert list(changes.values_list("from_status", "to_status")) == [("evaluation", "decided")]


def test_approval_queues_the_decision_in_two_languages_and_a_letter_per_applicant(decided):
    documents = DecisionDocument.objects.filter(decision=decided.decision)
    assert sorted(
        documents.filter(kind=DecisionDocument.Kind.DECISION).values_list("language", flat=True)
    ) == ["ky", "ru"]
    letters = documents.filter(kind=DecisionDocument.Kind.LETTER)
    assert {d.application_id for d in letters} == {
        a.pk for a in decided.applications + decided.rejected
    }
    assert {d.language for d in letters} == {"ky"}  # the submitters write in Kyrgyz
    assert {d.status for d in documents} == {DecisionDocument.Status.QUEUED}
    assert {d.file.name for d in documents} == {""}


def test_a_letter_is_in_the_submitters_language(officer):
    flow = ev.scored_competition(officer=officer)
    submitter = flow.applications[0].current_version.submitted_by
    User.objects.filter(pk=submitter.pk).update(language="ru")
    ev.meet(flow)
    ev.approve(flow)
    letter = DecisionDocument.objects.get(application=flow.applications[0])
    assert letter.language == "ru"


def test_the_results_rank_with_criterion_means_and_anonymous_reviews(decided):
    results = decided.decision.results
    awarded, reserve, below = decided.applications
    assert [e["reference"] for e in results["ranked"]] == [awarded.reference, reserve.reference]
    first = results["ranked"][0]
    assert {k: first[k] for k in ("application_id", "rank", "result", "score", "amount")} == {
        "application_id": awarded.pk,
        "rank": 1,
        "result": "awarded",
        "score": "100.00",
        "amount": "120000.00",
    }
    assert first["requested"] == "120000.00"
    assert first["organization"] == awarded.organization.name
    assert first["criteria"] == ["10.00", "5.00"]
    assert first["reviews"] == [
        {"reviewer": "R1", "total": "100.00", "points": [10, 5]},
        {"reviewer": "R2", "total": "100.00", "points": [10, 5]},
    ]
    assert first["divergent"] is False
    assert results["ranked"][1]["result"] == "reserve"
    assert results["ranked"][1]["amount"] == "0"
    assert results["ranked"][1]["criteria"] == ["8.00", "4.00"]
    assert [e["reference"] for e in results["below_pass_mark"]] == [below.reference]
    assert results["below_pass_mark"][0]["rank"] is None
    (rejected,) = results["rejected"]
    assert (rejected["reference"], rejected["reason"]) == (
        decided.rejected[0].reference,
        decided.rejected[0].admission_reason,
    )
    # Nobody who scored is named next to the scores.
    scores = json.dumps(results["ranked"] + results["below_pass_mark"], ensure_ascii=False)
    for member in decided.members:
        assert member.full_name not in scores
        assert member.user.email not in scores


def test_the_results_list_the_recusals_the_commission_and_the_budget(decided):
    results = decided.decision.results
    assert results["recusals"] == [
        {
            "member": decided.recused.full_name,
            "reference": decided.applications[0].reference,
            "detected": False,
        }
    ]
    assert results["budget"] == {
        "total": "200000.00",
        "awarded": "120000.00",
        "remaining": "80000.00",
    }
    competition = results["competition"]
    assert competition["reference"] == decided.competition.reference
    assert (competition["pass_mark"], competition["quorum"]) == ("60.00", 3)
    assert {m["name"] for m in results["commission"]} == {m.full_name for m in decided.members}
    assert all(m["present"] and m["voting"] for m in results["commission"])
    assert [c["max_points"] for c in results["criteria"]] == [10, 5]
    assert results["meeting"]["place"] == CommissionMeeting.objects.get().place


def test_a_detected_recusal_is_marked_as_such(officer):
    flow = ev.scored_competition(officer=officer)
    first = flow.applications[0]
    reviewing = set(first.reviews.values_list("member", flat=True))
    (free,) = [m for m in flow.members if m.pk not in reviewing]
    MembershipFactory(user=free.user, organization=first.organization, role="editor")
    evaluation.declare_conflict(user=free.user, application=first, has_conflict=False)
    ev.meet(flow)
    ev.approve(flow)
    assert flow.decision.results["recusals"] == [
        {"member": free.full_name, "reference": first.reference, "detected": True}
    ]


def test_a_reduced_amount_is_awarded_with_its_reason(officer):
    flow = ev.scored_competition(officer=officer)
    reserve = flow.applications[1]
    evaluation.reduce_amount(
        user=officer, application=reserve, amount=Decimal("80000"), reason="Бюджеттин калдыгы."
    )
    ev.meet(flow)
    ev.approve(flow)
    outcome = Outcome.objects.get(application=reserve)
    assert (outcome.result, outcome.amount) == (Outcome.Result.AWARDED, Decimal("80000.00"))
    entry = flow.decision.results["ranked"][1]
    assert (entry["amount"], entry["requested"], entry["reduction_reason"]) == (
        "80000.00",
        "90000.00",
        "Бюджеттин калдыгы.",
    )
    assert flow.decision.results["budget"]["remaining"] == "0.00"


def test_a_divergent_pair_of_reviews_is_flagged(officer):
    # 100 and 60 differ by 40; 80 and 52 by 28 (the threshold is 30).
    flow = ev.scored_competition(
        officer=officer,
        requested=(100000, 90000),
        points=([[10, 5], [5, 5]], [[8, 4], [5, 3]]),
    )
    ev.meet(flow)
    ev.approve(flow)
    ranked = flow.decision.results["ranked"]
    flags = {e["application_id"]: (e["score"], e["divergent"]) for e in ranked}
    assert flags == {
        flow.applications[0].pk: ("80.00", True),
        flow.applications[1].pk: ("66.00", False),
    }
    assert sorted(r["total"] for r in ranked[0]["reviews"]) == ["100.00", "60.00"]


# Rendering the documents


@pytest.fixture
def rendered(officer):
    """Decided with a rejected application; the PDFs rendered after the commit."""
    return ev.decided_competition(officer=officer, rejected=1, render=True)


def test_every_document_is_rendered_once_with_its_hash(rendered):
    documents = DecisionDocument.objects.filter(decision=rendered.decision)
    assert documents.count() == 6
    for document in documents:
        assert document.status == DecisionDocument.Status.DONE, document.error
        assert document.file.storage.exists(document.file.name)
        data = document.file.read()
        assert data.startswith(b"%PDF-")
        assert document.sha256 == hashlib.sha256(data).hexdigest()
        assert document.pages >= 1
        assert document.attempts == 1
        assert document.error == ""
        assert document.finished_at is not None
        assert document.file.name.endswith(document.filename)


def test_the_decision_pdf_prints_the_number_and_the_applications(rendered):
    document = DecisionDocument.objects.get(
        decision=rendered.decision, kind=DecisionDocument.Kind.DECISION, language="ru"
    )
    content = pdf_text(document.file.read()).replace("\n", " ")
    assert rendered.decision.number in content
    for application in rendered.applications:
        assert application.reference in content


def test_each_applicant_gets_its_letter_by_email(rendered):
    emails = OutboundEmail.objects.filter(template="emails/grants/outcome")
    assert emails.count() == 4
    for application in rendered.applications + rendered.rejected:
        letter = DecisionDocument.objects.get(application=application)
        (email,) = [e for e in emails if e.to == ev.applicant_of(application).email]
        assert application.reference in email.subject
        assert email.attachment.read() == letter.file.read()


def test_rendering_again_changes_nothing(rendered):
    document = DecisionDocument.objects.filter(decision=rendered.decision).first()
    before = (document.file.name, document.file.read(), document.sha256, document.finished_at)
    emails = OutboundEmail.objects.count()
    for document_row in DecisionDocument.objects.all():
        assert decisions.render_document(document_row.pk) is False
    document.refresh_from_db()
    assert (document.file.name, document.file.read(), document.sha256, document.finished_at) == (
        before
    )
    assert OutboundEmail.objects.count() == emails


def test_a_failed_render_is_marked_and_retried_by_the_officer(
    officer, django_capture_on_commit_callbacks
):
    flow = ev.decided_competition(officer=officer)
    document = DecisionDocument.objects.filter(kind=DecisionDocument.Kind.DECISION).first()
    with (
        mock.patch.object(decisions, "render_pdf_pages", side_effect=RuntimeError("no fonts")),
        pytest.raises(RuntimeError),
    ):
        decisions.render_document(document.pk)
    document.refresh_from_db()
    assert document.status == DecisionDocument.Status.FAILED
    assert document.error == "RuntimeError: no fonts"
    assert document.file.name == ""

    error = refusal(
        decisions.retry_document,
        user=officer,
        document=DecisionDocument.objects.exclude(pk=document.pk).first(),
    )
    assert error.messages == ["Only a failed document can be rendered again."]
    for user in (flow.chair.user, ev.applicant_of(flow.applications[0])):
        with pytest.raises(PermissionDenied):
            decisions.retry_document(user=user, document=document)

    with django_capture_on_commit_callbacks(execute=True):
        decisions.retry_document(user=officer, document=document)
    document.refresh_from_db()
    assert (document.status, document.error) == (DecisionDocument.Status.DONE, "")
    assert document.sha256 == hashlib.sha256(document.file.read()).hexdigest()


def test_failed_renders_count_as_attempts(officer):
    """``attempts`` (shown in the admin) counts every render, the failed ones too."""
    ev.decided_competition(officer=officer)
    document = DecisionDocument.objects.filter(kind=DecisionDocument.Kind.DECISION).first()
    with mock.patch.object(decisions, "render_pdf_pages", side_effect=OSError("disk full")):
        for _ in range(2):
            DecisionDocument.objects.filter(pk=document.pk).update(
                status=DecisionDocument.Status.QUEUED
            )
            with pytest.raises(OSError, match="disk full"):
                decisions.render_document(document.pk)
    document.refresh_from_db()
    assert document.status == DecisionDocument.Status.FAILED
    assert document.attempts == 2


def test_retry_queues_the_failed_document_again(officer, django_capture_on_commit_callbacks):
    ev.decided_competition(officer=officer)
    document = DecisionDocument.objects.first()
    DecisionDocument.objects.filter(pk=document.pk).update(
        status=DecisionDocument.Status.FAILED, error="OSError: disk full", queued_at=ago(hours=1)
    )
    document.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decisions.retry_document(user=officer, document=document)
    document.refresh_from_db()
    assert (document.status, document.error) == (DecisionDocument.Status.QUEUED, "")
    assert document.queued_at > ago(minutes=1)
    assert len(callbacks) == 1


def test_the_sweep_picks_old_queued_and_stale_running_documents(officer):
    ev.decided_competition(officer=officer, rejected=1)
    fresh, old, running, stale, done, failed = DecisionDocument.objects.order_by("pk")[:6]
    DecisionDocument.objects.filter(pk=old.pk).update(queued_at=ago(minutes=10))
    DecisionDocument.objects.filter(pk=running.pk).update(
        status=DecisionDocument.Status.RUNNING, queued_at=ago(minutes=10), started_at=ago(minutes=1)
    )
    DecisionDocument.objects.filter(pk=stale.pk).update(
        status=DecisionDocument.Status.RUNNING, queued_at=ago(hours=1), started_at=ago(minutes=10)
    )
    DecisionDocument.objects.filter(pk=done.pk).update(
        status=DecisionDocument.Status.DONE, queued_at=ago(hours=1), started_at=ago(hours=1)
    )
    DecisionDocument.objects.filter(pk=failed.pk).update(
        status=DecisionDocument.Status.FAILED, queued_at=ago(hours=1), started_at=ago(hours=1)
    )
    assert sorted(decisions.documents_to_render()) == sorted([old.pk, stale.pk])
    assert fresh.pk not in decisions.documents_to_render(older_than_minutes=5)
    assert fresh.pk in decisions.documents_to_render(older_than_minutes=0)


def test_the_sweep_renders_a_render_that_died_halfway(officer):
    flow = ev.decided_competition(officer=officer)
    document = DecisionDocument.objects.get(kind=DecisionDocument.Kind.DECISION, language="ky")
    # What a killed render leaves: the row running and a partial file under the fixed name.
    name = document_path(document, document.filename)
    document.file.storage.save(name, ContentFile(b"%PDF-1.7 half"))
    DecisionDocument.objects.filter(pk=document.pk).update(
        status=DecisionDocument.Status.RUNNING, started_at=ago(minutes=30)
    )
    assert document.pk in decisions.documents_to_render()
    assert decisions.render_document(document.pk) is True
    document.refresh_from_db()
    assert document.status == DecisionDocument.Status.DONE
    assert document.file.name == name
    data = document.file.read()
    assert data != b"%PDF-1.7 half"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert flow.decision.number in pdf_text(data)


# Verification


def test_the_decision_pdf_is_recognised_by_its_exact_bytes(rendered):
    decision = rendered.decision
    ky = decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ky")
    data = ky.file.read()
    assert decisions.matching_document(decision, data) == ky
    assert decisions.matching_document(decision, data + b"\n") is None
    assert decisions.matching_document(decision, data.replace(b"%PDF-", b"%PDF_", 1)) is None
    letter = decision.documents.filter(kind=DecisionDocument.Kind.LETTER).first()
    assert decisions.matching_document(decision, letter.file.read()) is None


def test_a_pdf_of_another_decision_does_not_match(rendered, officer):
    other = ev.decided_competition(
        officer=officer, render=True, requested=(100000,), points=([9, 5],)
    )
    data = other.decision.documents.get(kind="decision", language="ky").file.read()
    assert decisions.matching_document(rendered.decision, data) is None
    assert decisions.matching_document(other.decision, data) is not None


# Appeals


@pytest.fixture
def decided_flow(officer):
    return ev.decided_competition(officer=officer, rejected=1)


@pytest.mark.parametrize("which", [1, "rejected"])
def test_the_applicant_appeals_within_the_period(which, decided_flow):
    application = decided_flow.rejected[0] if which == "rejected" else decided_flow.applications[1]
    applicant = ev.applicant_of(application)
    assert permissions.can_appeal(applicant, application)
    appeal = decisions.file_appeal(
        user=applicant, application=application, text="  Баалоо адилетсиз болду.  "
    )
    assert (appeal.text, appeal.status, appeal.filed_by) == (
        "Баалоо адилетсиз болду.",
        Appeal.Status.FILED,
        applicant,
    )
    assert not permissions.can_appeal(applicant, application)
    email = OutboundEmail.objects.get(template="emails/grants/appeal_filed")
    assert email.to == decided_flow.competition.contact_email
    assert application.reference in email.subject
    assert EvaluationEvent.objects.filter(
        action=EvaluationEvent.Action.APPEAL, application=application, by=applicant
    ).exists()


@pytest.mark.parametrize("who", ["officer", "outsider", "other_member", "member"])
def test_only_the_applicant_appeals(request, who, decided_flow):
    if who == "member":
        user = decided_flow.members[1].user
    elif who == "other_member":
        user = ev.applicant_of(decided_flow.applications[0])
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        decisions.file_appeal(
            user=user, application=decided_flow.applications[1], text="Адилетсиз."
        )
    assert not Appeal.objects.exists()


def test_an_appeal_states_its_grounds(decided_flow):
    application = decided_flow.applications[1]
    error = refusal(
        decisions.file_appeal, user=ev.applicant_of(application), application=application, text=" "
    )
    assert error.message_dict == {"text": ["State the grounds of the appeal."]}
    assert not Appeal.objects.exists()


def test_an_application_is_appealed_once(decided_flow):
    application = decided_flow.applications[1]
    applicant = ev.applicant_of(application)
    decisions.file_appeal(user=applicant, application=application, text="Биринчи.")
    error = refusal(decisions.file_appeal, user=applicant, application=application, text="Экинчи.")
    assert error.messages == ["This application already has an appeal."]
    assert Appeal.objects.get().text == "Биринчи."


def test_no_appeal_after_the_period(decided_flow):
    AwardDecision.objects.update(appeal_until=ago(seconds=1))
    application = Application.objects.get(pk=decided_flow.applications[2].pk)
    applicant = ev.applicant_of(application)
    error = refusal(
        decisions.file_appeal, user=applicant, application=application, text="Кечиктим."
    )
    assert error.messages == ["The appeal period of this decision has ended."]
    assert not Appeal.objects.exists()
    assert not permissions.can_appeal(applicant, application)


def test_no_appeal_before_the_decision(flow):
    application = flow.applications[0]
    error = refusal(
        decisions.file_appeal,
        user=ev.applicant_of(application),
        application=application,
        text="Эрте.",
    )
    assert error.messages == ["There is no decision on this application to appeal against."]


@pytest.fixture
def appeal(decided_flow):
    application = decided_flow.applications[1]
    return decisions.file_appeal(
        user=ev.applicant_of(application), application=application, text="Адилетсиз."
    )


@pytest.mark.parametrize("upheld", [True, False])
def test_the_officer_answers_an_appeal(upheld, appeal, officer, decided_flow):
    MembershipFactory(organization=appeal.application.organization, role="editor")
    answered = decisions.answer_appeal(
        user=officer, appeal=appeal, upheld=upheld, response="  Кайра каралды.  "
    )
    status = Appeal.Status.UPHELD if upheld else Appeal.Status.DISMISSED
    assert (answered.status, answered.response, answered.responded_by) == (
        status,
        "Кайра каралды.",
        officer,
    )
    assert answered.responded_at is not None
    emails = OutboundEmail.objects.filter(template="emails/grants/appeal_answered")
    members = User.objects.filter(
        organization_memberships__organization=appeal.application.organization
    )
    assert sorted(e.to for e in emails) == sorted(m.email for m in members)
    assert len(emails) == 2
    event = EvaluationEvent.objects.get(action=EvaluationEvent.Action.APPEAL_ANSWERED)
    assert (event.note, event.by) == (status, officer)


@pytest.mark.parametrize("who", ["chair", "other_officer", "applicant"])
def test_only_the_officer_answers_an_appeal(request, who, appeal, decided_flow):
    if who == "chair":
        user = decided_flow.chair.user
    elif who == "applicant":
        user = ev.applicant_of(appeal.application)
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        decisions.answer_appeal(user=user, appeal=appeal, upheld=True, response="Ооба.")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.FILED


def test_an_answer_needs_a_response(appeal, officer):
    error = refusal(decisions.answer_appeal, user=officer, appeal=appeal, upheld=False, response="")
    assert error.message_dict == {"response": ["Write the response to the appeal."]}
    appeal.refresh_from_db()
    assert (appeal.status, appeal.response) == (Appeal.Status.FILED, "")


def test_an_appeal_is_answered_once(appeal, officer):
    decisions.answer_appeal(user=officer, appeal=appeal, upheld=False, response="Жок.")
    error = refusal(
        decisions.answer_appeal, user=officer, appeal=appeal, upheld=True, response="Ооба."
    )
    assert error.messages == ["This appeal has already been answered."]
    appeal.refresh_from_db()
    assert (appeal.status, appeal.response) == (Appeal.Status.DISMISSED, "Жок.")
    assert OutboundEmail.objects.filter(template="emails/grants/appeal_answered").count() == 1
