"""The commission's meeting, the award decision, its PDFs, verification and appeals.

Approval freezes the results into ``AwardDecision.results`` (everything the
PDFs print) and queues one ``DecisionDocument`` per PDF: the decision in
Kyrgyz and in Russian, and an outcome letter per applicant. Rendering is
idempotent: a document is rendered under a row lock into a file with a fixed
name and marked done in the same transaction, so a task delivered twice finds
it done, and a render killed halfway leaves a row a later run (the redelivered
task or the sweep) renders again over the same file.
"""

import datetime
import hashlib
import json
import logging
import secrets
from decimal import Decimal

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from competitions.models import CommissionMember, Competition
from competitions.services import change_status
from socialorder.emails import absolute_url, send_templated_email
from socialorder.pdf import render_pdf_pages
from socialorder.queue import delay_on_commit

from . import evaluation, permissions, ranking
from .models import (
    Appeal,
    Application,
    ApplicationEvent,
    AwardDecision,
    CommissionMeeting,
    ConflictDeclaration,
    DecisionDocument,
    EvaluationEvent,
    Outcome,
    Review,
)
from .rendering import queue_again, render_once, stale_documents
from .services import ServiceError, email_applicant

logger = logging.getLogger(__name__)

DECISION_LANGUAGES = ("ky", "ru")
# No 0/O or 1/I: the code is read off paper and typed in.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _require_officer(user, competition):
    if not permissions.can_approve_decision(user, competition):
        raise PermissionDenied


# The meeting


def voting_present(meeting: CommissionMeeting) -> int:
    return meeting.present.filter(voting=True).count()


@transaction.atomic
def record_meeting(
    *,
    user: User,
    competition: Competition,
    held_at: datetime.datetime,
    place: str,
    present: list[CommissionMember],
    minutes: str = "",
) -> CommissionMeeting:
    """The officer records the meeting that adopts the decision (again, to correct it)."""
    _require_officer(user, competition)
    evaluation.guard_evaluating(competition)
    problems = {}
    if held_at > timezone.now():
        problems["held_at"] = [_("Record the meeting once it has taken place.")]
    if held_at < competition.deadline:
        problems["held_at"] = [_("The meeting cannot be before the application deadline.")]
    if not place.strip():
        problems["place"] = [_("Say where the meeting took place.")]
    if any(member.competition_id != competition.pk for member in present):
        problems["present"] = [_("Only members of this commission can be present.")]
    if problems:
        raise ServiceError(problems)
    meeting, _created = CommissionMeeting.objects.update_or_create(
        competition=competition,
        defaults={
            "held_at": held_at,
            "place": place.strip(),
            "minutes": minutes.strip(),
            "recorded_by": user,
            "recorded_at": timezone.now(),
        },
    )
    meeting.present.set(present)
    evaluation.log_event(
        competition,
        EvaluationEvent.Action.MEETING,
        user=user,
        note=f"{held_at:%Y-%m-%d %H:%M}, {len(present)}",
    )
    return meeting


# Approval


def approval_problems(competition: Competition) -> list[str]:
    """Everything that stops the decision from being approved, in words for the officer."""
    problems = []
    meeting = CommissionMeeting.objects.filter(competition=competition).first()
    if meeting is None:
        problems.append(_("Record the commission's meeting first."))
    elif voting_present(meeting) < competition.quorum:
        problems.append(
            _(
                "There is no quorum: %(present)d voting members attended the meeting, "
                "%(quorum)d are needed."
            )
            % {"present": voting_present(meeting), "quorum": competition.quorum}
        )
    admitted = Application.objects.filter(
        competition=competition, status=Application.Status.ADMITTED
    )
    undecided = Application.objects.filter(
        competition=competition, status=Application.Status.SUBMITTED
    )
    if undecided.exists():
        problems.append(
            _("%(count)d applications still wait for the admission check.")
            % {"count": undecided.count()}
        )
    pending = evaluation.pending_reviews(competition).count()
    if pending:
        problems.append(
            _("%(count)d assigned scorecards are not submitted yet.") % {"count": pending}
        )
    needed = competition.reviews_per_application
    admitted = admitted.annotate(
        done=Count("reviews", filter=Q(reviews__status=Review.Status.SUBMITTED))
    )
    for application in admitted.order_by("reference"):
        done = application.done
        if done < needed:
            problems.append(
                _("%(reference)s has %(done)d of the %(needed)d reviews it needs.")
                % {"reference": application.reference, "done": done, "needed": needed}
            )
    return problems


def next_number(competition: Competition) -> str:
    return f"{competition.reference}-D"


def new_verification_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        if not AwardDecision.objects.filter(verification_code=code).exists():
            return code


def _translations(instance, field) -> dict:
    return {lang: getattr(instance, f"{field}_{lang}") or "" for lang in ("ky", "ru", "en")}


def build_results(competition: Competition, placements, meeting: CommissionMeeting) -> dict:
    """What the decision prints, frozen as plain JSON (amounts and scores as strings)."""
    criteria = list(competition.criteria.all())
    present = set(meeting.present.values_list("pk", flat=True))
    applications = {
        a.pk: a
        for a in Application.objects.filter(competition=competition)
        .select_related("organization", "reduction", "current_version")
        .prefetch_related(evaluation.submitted_reviews_prefetch())
    }
    threshold = evaluation.divergence_threshold()

    def entry(placement):
        application = applications[placement.candidate.application_id]
        reviews = application.submitted_reviews
        per_criterion = []
        for criterion in criteria:
            average = ranking.mean(evaluation.criterion_points(reviews, criterion))
            per_criterion.append(str(average) if average is not None else "")
        reduction = getattr(application, "reduction", None)
        return {
            "application_id": application.pk,
            "reference": application.reference,
            "organization": application.organization.name,
            "title": evaluation.counted_title(application),
            "requested": str(evaluation.counted_requested(application)),
            "score": str(placement.score) if placement.score is not None else "",
            "rank": placement.rank,
            "result": placement.result,
            "amount": str(placement.amount),
            "reduction_reason": reduction.reason if reduction else "",
            "criteria": per_criterion,
            # Reviewers anonymised: "R1", "R2" in the order they submitted.
            "reviews": [
                {
                    "reviewer": f"R{index}",
                    "total": str(review.total),
                    "points": [
                        next(
                            (
                                s.points
                                for s in review.scores.all()
                                if s.criterion_id == criterion.pk
                            ),
                            None,
                        )
                        for criterion in criteria
                    ],
                }
                for index, review in enumerate(reviews, start=1)
            ],
            "divergent": ranking.is_divergent([r.total for r in reviews], threshold),
        }

    awarded = [p for p in placements if p.result == ranking.AWARDED]
    rejected = (
        Application.objects.filter(competition=competition, status=Application.Status.REJECTED)
        .select_related("organization", "current_version")
        .order_by("reference")
    )
    recusals = (
        ConflictDeclaration.objects.filter(application__competition=competition, has_conflict=True)
        .select_related("member", "application")
        .order_by("member__full_name", "application__reference")
    )
    awarded_total = sum((p.amount for p in awarded), Decimal(0))
    return {
        "competition": {
            "reference": competition.reference,
            "title": _translations(competition, "title"),
            "customer": _translations(competition.state_body, "name"),
            "total_budget": str(competition.total_budget),
            "pass_mark": str(competition.pass_mark),
            "deadline": competition.deadline.isoformat(),
            "quorum": competition.quorum,
        },
        "meeting": {
            "held_at": meeting.held_at.isoformat(),
            "place": meeting.place,
            "minutes": meeting.minutes,
        },
        "commission": [
            {
                "name": member.full_name,
                "role": member.role,
                "voting": member.voting,
                "present": member.pk in present,
            }
            for member in competition.commission.order_by("role", "full_name")
        ],
        "criteria": [
            {
                "name": _translations(criterion, "name"),
                "max_points": criterion.max_points,
                "weight": str(criterion.weight),
            }
            for criterion in criteria
        ],
        "ranked": [entry(p) for p in placements if p.result != ranking.BELOW_PASS_MARK],
        "below_pass_mark": [entry(p) for p in placements if p.result == ranking.BELOW_PASS_MARK],
        "rejected": [
            {
                "application_id": a.pk,
                "reference": a.reference,
                "organization": a.organization.name,
                "title": evaluation.counted_title(a),
                "reason": a.admission_reason,
            }
            for a in rejected
        ],
        "recusals": [
            {
                "member": d.member.full_name,
                "reference": d.application.reference,
                "detected": d.detected,
            }
            for d in recusals
        ],
        "budget": {
            "total": str(competition.total_budget),
            "awarded": str(awarded_total),
            "remaining": str(competition.total_budget - awarded_total),
        },
    }


def _canonical_sha256(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


OUTCOME_STATUS = {
    ranking.AWARDED: (Outcome.Result.AWARDED, Application.Status.AWARDED),
    ranking.RESERVE: (Outcome.Result.RESERVE, Application.Status.RESERVE),
    ranking.BELOW_PASS_MARK: (Outcome.Result.BELOW_PASS_MARK, Application.Status.NOT_AWARDED),
}


def _letter_language(application: Application) -> str:
    version = application.current_version
    submitter = version.submitted_by if version else None
    return submitter.language if submitter and submitter.language else settings.LANGUAGE_CODE


@transaction.atomic
def approve_decision(*, user: User, competition: Competition) -> AwardDecision:
    """Validate everything, freeze the results, move every application to its outcome,
    and queue the PDFs. The commit does not wait for the broker."""
    _require_officer(user, competition)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if AwardDecision.objects.filter(competition=competition).exists():
        raise ServiceError(_("The decision of this competition is already approved."))
    evaluation.guard_evaluating(competition)
    problems = approval_problems(competition)
    if problems:
        raise ServiceError(problems)
    meeting = competition.commission_meeting
    placements = evaluation.preview(competition)
    results = build_results(competition, placements, meeting)
    now = timezone.now()
    decision = AwardDecision.objects.create(
        competition=competition,
        number=next_number(competition),
        decided_on=timezone.localdate(meeting.held_at),
        verification_code=new_verification_code(),
        results=results,
        results_sha256=_canonical_sha256(results),
        approved_by=user,
        approved_at=now,
        appeal_until=now + datetime.timedelta(days=competition.appeal_days),
    )
    applications = {
        a.pk: a
        for a in Application.objects.filter(competition=competition)
        .select_for_update(of=("self",))
        .select_related("current_version__submitted_by")
    }
    for placement in placements:
        result, status = OUTCOME_STATUS[placement.result]
        application = applications[placement.candidate.application_id]
        Outcome.objects.create(
            decision=decision,
            application=application,
            result=result,
            rank=placement.rank,
            score=placement.score,
            amount=placement.amount,
        )
        ApplicationEvent.objects.create(
            application=application,
            from_status=application.status,
            to_status=status,
            by=user,
            note=decision.number,
        )
        application.status = status
        application.save(update_fields=["status", "updated_at"])
    for application in applications.values():
        if application.status == Application.Status.REJECTED:
            Outcome.objects.create(
                decision=decision,
                application=application,
                result=Outcome.Result.NOT_ADMITTED,
                note=application.admission_reason,
            )
    if competition.status == Competition.Status.PUBLISHED:
        change_status(competition, Competition.Status.EVALUATION)
    change_status(competition, Competition.Status.DECIDED, user=user, note=decision.number)
    competition.save(update_fields=["status", "updated_at"])
    documents = [
        DecisionDocument(decision=decision, kind=DecisionDocument.Kind.DECISION, language=language)
        for language in DECISION_LANGUAGES
    ] + [
        DecisionDocument(
            decision=decision,
            kind=DecisionDocument.Kind.LETTER,
            application=application,
            language=_letter_language(application),
        )
        for application in applications.values()
        if application.status
        in {
            Application.Status.AWARDED,
            Application.Status.RESERVE,
            Application.Status.NOT_AWARDED,
            Application.Status.REJECTED,
        }
    ]
    DecisionDocument.objects.bulk_create(documents)
    evaluation.log_event(
        competition, EvaluationEvent.Action.APPROVED, user=user, note=decision.number
    )
    from .tasks import render_document_task

    for document in decision.documents.all():
        delay_on_commit(render_document_task, document.pk)
    return decision


# Rendering


def _localised(value, language):
    if isinstance(value, dict):
        return value.get(language) or value.get("ky") or value.get("ru") or ""
    return value


def document_context(decision: AwardDecision, language: str, application=None) -> dict:
    """The template context of a decision PDF or letter, from the frozen results."""
    results = decision.results
    criteria = [{**c, "name": _localised(c["name"], language)} for c in results["criteria"]]
    url = absolute_url("grants:verify", language=language, args=[decision.verification_code])
    qr = segno.make(url, error="m").svg_data_uri(scale=3, border=1)
    roles = dict(CommissionMember.Role.choices)
    commission = [
        {**m, "role_label": roles.get(m["role"], m["role"])} for m in results["commission"]
    ]
    context = {
        "decision": decision,
        "results": results,
        "competition_title": _localised(results["competition"]["title"], language),
        "customer": _localised(results["competition"]["customer"], language),
        "criteria": criteria,
        "commission": commission,
        "held_at": datetime.datetime.fromisoformat(results["meeting"]["held_at"]),
        "awarded": [e for e in results["ranked"] if e["result"] == ranking.AWARDED],
        "reserve": [e for e in results["ranked"] if e["result"] == ranking.RESERVE],
        "verify_url": url,
        "qr": qr,
    }
    if application is not None:
        outcome = application.outcome
        entry = next(
            (
                e
                for e in results["ranked"] + results["below_pass_mark"] + results["rejected"]
                if e["application_id"] == application.pk
            ),
            None,
        )
        context.update({"application": application, "outcome": outcome, "entry": entry})
    return context


def _render(document: DecisionDocument) -> tuple[bytes, int]:
    if document.kind == DecisionDocument.Kind.DECISION:
        template = "pdf/award_decision.html"
    else:
        template = "pdf/outcome_letter.html"
    return render_pdf_pages(
        template,
        document_context(document.decision, document.language, document.application),
        language=document.language,
    )


def _then(document: DecisionDocument, pdf: bytes) -> None:
    if document.kind == DecisionDocument.Kind.LETTER:
        _send_letter(document, pdf)


def render_document(document_id: int, *, skip_locked: bool = False) -> bool:
    """Render one decision document once; ``False`` when it is done or being rendered.

    A render in progress holds the row's lock. The task waits for it (and then finds
    the document done); the sweep passes ``skip_locked`` and moves on.
    """
    return render_once(
        DecisionDocument.objects.select_related(
            "decision__competition", "application__organization"
        ),
        document_id,
        render=_render,
        then=_then,
        skip_locked=skip_locked,
    )


def _send_letter(document: DecisionDocument, pdf: bytes) -> None:
    application = document.application
    email_applicant(
        application,
        template="emails/grants/outcome",
        context={
            "application": application,
            "outcome": application.outcome,
            "decision": document.decision,
        },
        attachment=(document.filename, pdf, "application/pdf"),
    )


def documents_to_render(*, older_than_minutes: int = 5) -> list[int]:
    """Queued documents whose task may have missed the broker, and renders that died
    (``MAX_ATTEMPTS`` deaths fail a document: the officer retries it)."""
    return stale_documents(DecisionDocument, older_than_minutes=older_than_minutes)


@transaction.atomic
def retry_document(*, user: User, document: DecisionDocument) -> DecisionDocument:
    """The officer queues a failed render again."""
    _require_officer(user, document.decision.competition)
    if document.status != DecisionDocument.Status.FAILED:
        raise ServiceError(_("Only a failed document can be rendered again."))
    queue_again(document)
    from .tasks import render_document_task

    delay_on_commit(render_document_task, document.pk)
    return document


# Verification


def matching_document(decision: AwardDecision, content: bytes) -> DecisionDocument | None:
    """The decision PDF whose SHA-256 the uploaded bytes have, if any."""
    digest = hashlib.sha256(content).hexdigest()
    return decision.documents.filter(
        kind=DecisionDocument.Kind.DECISION, status=DecisionDocument.Status.DONE, sha256=digest
    ).first()


# Appeals


@transaction.atomic
def file_appeal(*, user: User, application: Application, text: str) -> Appeal:
    """The applicant appeals against its outcome within the competition's appeal period."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.is_applicant(user, application):
        raise PermissionDenied
    decision = getattr(application.competition, "award_decision", None)
    if decision is None or not hasattr(application, "outcome"):
        raise ServiceError(_("There is no decision on this application to appeal against."))
    if Appeal.objects.filter(application=application).exists():
        raise ServiceError(_("This application already has an appeal."))
    if timezone.now() > decision.appeal_until:
        raise ServiceError(_("The appeal period of this decision has ended."))
    text = text.strip()
    if not text:
        raise ServiceError({"text": _("State the grounds of the appeal.")})
    appeal = Appeal.objects.create(application=application, text=text, filed_by=user)
    evaluation.log_event(
        application.competition, EvaluationEvent.Action.APPEAL, application=application, user=user
    )
    competition = application.competition
    send_templated_email(
        to=competition.contact_email,
        template="emails/grants/appeal_filed",
        context={
            "appeal": appeal,
            "application": application,
            "url": absolute_url(
                "grants:appeal-answer", language=settings.LANGUAGE_CODE, args=[appeal.pk]
            ),
        },
        language=settings.LANGUAGE_CODE,
    )
    return appeal


@transaction.atomic
def answer_appeal(*, user: User, appeal: Appeal, upheld: bool, response: str) -> Appeal:
    appeal = (
        Appeal.objects.select_for_update()
        .select_related("application__competition")
        .get(pk=appeal.pk)
    )
    application = appeal.application
    _require_officer(user, application.competition)
    if appeal.status != Appeal.Status.FILED:
        raise ServiceError(_("This appeal has already been answered."))
    response = response.strip()
    if not response:
        raise ServiceError({"response": _("Write the response to the appeal.")})
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.DISMISSED
    appeal.response = response
    appeal.responded_by = user
    appeal.responded_at = timezone.now()
    appeal.save(update_fields=["status", "response", "responded_by", "responded_at"])
    evaluation.log_event(
        application.competition,
        EvaluationEvent.Action.APPEAL_ANSWERED,
        application=application,
        user=user,
        note=appeal.status,
    )
    email_applicant(
        application,
        template="emails/grants/appeal_answered",
        context={"appeal": appeal, "application": application},
    )
    return appeal
