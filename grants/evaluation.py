"""Evaluation: reviewer assignment, conflicts of interest, blind scoring, reductions.

Every guard is here; views call these. The arithmetic of scores and the ranking
is in ``ranking.py``; the meeting and the decision in ``decisions.py``.
"""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import OrganizationMembership, OrganizationPerson, User
from competitions.models import CommissionMember, Competition, Criterion

from . import permissions, ranking
from .models import (
    AmountReduction,
    Application,
    AwardDecision,
    ConflictDeclaration,
    EvaluationEvent,
    Review,
    Score,
)
from .services import ServiceError

# Why the portal found a conflict; stored as the note of a detected declaration.
DETECTED_REASONS = {
    "account": gettext_lazy("The member belongs to the organisation's account on the portal."),
    "person": gettext_lazy("The member is named as a founder or leader of the organisation."),
    "email": gettext_lazy("The member's e-mail is the organisation's contact address."),
}


def log_event(competition, action, *, user=None, application=None, member=None, note=""):
    EvaluationEvent.objects.create(
        competition=competition,
        application=application,
        member=member,
        action=action,
        by=user,
        note=note,
    )


def guard_evaluating(competition: Competition) -> None:
    """Reviews change only after the deadline and before the decision.

    Locks the competition row (callers run in a transaction): a change of the
    evaluation and the approval that freezes it happen one after the other.
    """
    Competition.objects.select_for_update().filter(pk=competition.pk).first()
    if AwardDecision.objects.filter(competition_id=competition.pk).exists():
        raise ServiceError(_("The decision is approved; the evaluation can no longer change."))
    if not permissions.deadline_passed(competition) or competition.status not in {
        Competition.Status.PUBLISHED,
        Competition.Status.EVALUATION,
    }:
        raise ServiceError(_("This competition is not being evaluated."))


def counted_requested(application: Application) -> Decimal:
    """The amount requested in the version that counts (the live copy may differ)."""
    version = application.current_version
    return Decimal(version.snapshot["totals"]["requested"]) if version else Decimal(0)


def counted_title(application: Application) -> str:
    version = application.current_version
    return version.snapshot["project"]["title"] if version else ""


def _guard_admitted(application: Application) -> None:
    if application.status != Application.Status.ADMITTED:
        raise ServiceError(_("Only admitted applications are evaluated."))


def _normal(name: str) -> str:
    """Names compared without case, accents or extra spaces (ё is е, й is и; ң ө ү,
    letters of their own, stay)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(name.split())


@dataclass(frozen=True)
class OrganizationFacts:
    """What conflict detection compares a member with, read once per organisation."""

    account_users: frozenset[int]
    people: frozenset[str]
    email: str

    @classmethod
    def of(cls, organization) -> "OrganizationFacts":
        return cls(
            account_users=frozenset(
                OrganizationMembership.objects.filter(organization=organization).values_list(
                    "user_id", flat=True
                )
            ),
            people=frozenset(
                _normal(name)
                for name in OrganizationPerson.objects.filter(
                    organization=organization
                ).values_list("full_name", flat=True)
            ),
            email=organization.email.casefold(),
        )


def detect_conflict(
    member: CommissionMember, application: Application, facts: OrganizationFacts | None = None
) -> str:
    """The code of a conflict the portal sees for itself, or ``""``."""
    facts = facts or OrganizationFacts.of(application.organization)
    if member.user_id and member.user_id in facts.account_users:
        return "account"
    names = {_normal(member.full_name)}
    if member.user_id:
        names.add(_normal(member.user.display_name))
    names.discard("")
    if names & facts.people:
        return "person"
    emails = {member.email.casefold()}
    if member.user_id:
        emails.add(member.user.email.casefold())
    if facts.email in emails:
        return "email"
    return ""


def _record_detected(member, application, code, *, user) -> ConflictDeclaration:
    """A conflict the portal found: the member is recused and the record says why."""
    declaration, _created = ConflictDeclaration.objects.update_or_create(
        application=application,
        member=member,
        defaults={"has_conflict": True, "detected": True, "note": code},
    )
    Review.objects.filter(application=application, member=member).delete()
    log_event(
        application.competition,
        EvaluationEvent.Action.CONFLICT,
        application=application,
        member=member,
        user=user,
        note=str(DETECTED_REASONS[code]),
    )
    return declaration


def is_recused(member: CommissionMember, application: Application) -> bool:
    return ConflictDeclaration.objects.filter(
        member=member, application=application, has_conflict=True
    ).exists()


@transaction.atomic
def declare_conflict(
    *, user: User, application: Application, has_conflict: bool, note: str = ""
) -> ConflictDeclaration:
    """A member's declaration on one application; a conflict recuses them from it.

    A declaration of no conflict is refused when the portal itself sees one: the
    conflict is recorded instead. A member may later declare a conflict they
    discover; a conflict is never withdrawn.
    """
    competition = application.competition
    member = permissions.commission_seat(user, competition)
    if member is None:
        raise PermissionDenied
    guard_evaluating(competition)
    _guard_admitted(application)
    note = note.strip()
    existing = ConflictDeclaration.objects.filter(application=application, member=member).first()
    if existing is not None and existing.has_conflict:
        raise ServiceError(_("You are recused from this application; the declaration is final."))
    if existing is not None and not has_conflict:
        raise ServiceError(_("You have already declared no conflict with this application."))
    if has_conflict and not note:
        raise ServiceError({"note": _("Say briefly what the conflict of interest is.")})
    detected = detect_conflict(member, application)
    if detected and not has_conflict:
        return _record_detected(member, application, detected, user=user)
    declaration, _created = ConflictDeclaration.objects.update_or_create(
        application=application,
        member=member,
        defaults={"has_conflict": has_conflict, "note": note, "declared_at": timezone.now()},
    )
    if has_conflict:
        # Recused: whatever they scored does not count.
        Review.objects.filter(application=application, member=member).delete()
        log_event(
            competition,
            EvaluationEvent.Action.CONFLICT,
            application=application,
            member=member,
            user=user,
            note=note,
        )
    return declaration


def _eligible_reviewers(competition: Competition):
    return CommissionMember.objects.filter(
        competition=competition, voting=True, user__isnull=False
    ).select_related("user")


def _guard_manager(user, competition):
    if not permissions.can_manage_evaluation(user, competition):
        raise PermissionDenied


def _sees_scores(member: CommissionMember, competition: Competition) -> bool:
    """Officers of the customer see the running scores (of applications they do not review)."""
    return member.user_id is not None and permissions.is_officer(member.user, competition)


def _guard_not_recused(user, application: Application) -> None:
    """Whoever stepped away from an application does not steer its evaluation either."""
    if permissions.is_recused_user(user, application):
        raise ServiceError(_("You are recused from this application."))


@transaction.atomic
def assign_reviewer(*, user: User, application: Application, member: CommissionMember) -> Review:
    """The officer or the chair assigns a voting member to an admitted application."""
    competition = application.competition
    _guard_manager(user, competition)
    guard_evaluating(competition)
    _guard_admitted(application)
    _guard_not_recused(user, application)
    if member.competition_id != competition.pk:
        raise ServiceError(_("This person is not on the commission of this competition."))
    if not member.voting:
        raise ServiceError(_("Only voting members of the commission review applications."))
    if member.user_id is None:
        raise ServiceError(_("This member has not signed up on the portal yet."))
    if is_recused(member, application):
        raise ServiceError(_("This member is recused from this application."))
    detected = detect_conflict(member, application)
    if detected:
        raise ServiceError(
            _("The portal found a conflict of interest: %(reason)s")
            % {"reason": DETECTED_REASONS[detected]}
        )
    if Review.objects.filter(application=application, member=member).exists():
        raise ServiceError(_("This member already reviews this application."))
    if (
        _sees_scores(member, competition)
        and application.reviews.filter(status=Review.Status.SUBMITTED).exists()
    ):
        raise ServiceError(
            _("This member may have seen the scores of this application and cannot review it.")
        )
    review = Review.objects.create(application=application, member=member, assigned_by=user)
    log_event(
        competition,
        EvaluationEvent.Action.ASSIGNED,
        application=application,
        member=member,
        user=user,
    )
    return review


@transaction.atomic
def unassign_reviewer(*, user: User, review: Review) -> None:
    competition = review.application.competition
    _guard_manager(user, competition)
    guard_evaluating(competition)
    _guard_not_recused(user, review.application)
    # The reviewer may have submitted since the page was loaded.
    review = _locked_review(review)
    if review.status == Review.Status.SUBMITTED:
        raise ServiceError(_("A submitted scorecard cannot be removed; the chair can reopen it."))
    log_event(
        competition,
        EvaluationEvent.Action.UNASSIGNED,
        application=review.application,
        member=review.member,
        user=user,
    )
    review.delete()


@transaction.atomic
def auto_assign(*, user: User, competition: Competition) -> tuple[int, list[Application]]:
    """Give every admitted application the competition's number of reviews.

    The least loaded eligible member goes first (then the earliest appointed);
    members with a declared or detected conflict are never assigned. Returns the
    number of assignments made and the applications still short of reviewers.
    """
    _guard_manager(user, competition)
    Competition.objects.select_for_update().filter(pk=competition.pk).first()
    guard_evaluating(competition)
    members = list(_eligible_reviewers(competition).order_by("appointed_at", "pk"))
    seeing = {member.pk for member in members if _sees_scores(member, competition)}
    load = dict(
        Review.objects.filter(application__competition=competition)
        .values_list("member")
        .annotate(n=Count("pk"))
    )
    applications = (
        Application.objects.filter(competition=competition, status=Application.Status.ADMITTED)
        .select_related("organization")
        .order_by("reference")
    )
    made, short = 0, []
    for application in applications:
        if permissions.is_recused_user(user, application):
            continue  # Not theirs to steer: the officer or another chair assigns it.
        assigned = set(application.reviews.values_list("member_id", flat=True))
        scored = application.reviews.filter(status=Review.Status.SUBMITTED).exists()
        recused = set(
            application.conflict_declarations.filter(has_conflict=True).values_list(
                "member_id", flat=True
            )
        )
        needed = competition.reviews_per_application - len(assigned)
        facts = None  # Read when the first candidate needs checking.
        for member in sorted(members, key=lambda m: load.get(m.pk, 0)):
            if needed <= 0:
                break
            if member.pk in assigned or member.pk in recused:
                continue
            if scored and member.pk in seeing:
                continue
            facts = facts or OrganizationFacts.of(application.organization)
            detected = detect_conflict(member, application, facts)
            if detected:
                _record_detected(member, application, detected, user=user)
                continue
            Review.objects.create(
                application=application, member=member, assigned_by=user, automatic=True
            )
            load[member.pk] = load.get(member.pk, 0) + 1
            made += 1
            needed -= 1
        if needed > 0:
            short.append(application)
    log_event(
        competition,
        EvaluationEvent.Action.AUTO_ASSIGNED,
        user=user,
        note=_("%(count)d assignments") % {"count": made},
    )
    return made, short


def _criteria(competition: Competition) -> list[Criterion]:
    return list(competition.criteria.all())


def score_problems(
    criteria: list[Criterion], entries: dict[int, tuple[object, str]], *, submit: bool
) -> dict[str, list[str]]:
    """Errors by field name (``points_<id>``, ``justification_<id>``) for the entries given
    as ``{criterion id: (points, justification)}``; a draft may leave points blank."""
    problems: dict[str, list[str]] = {}
    for criterion in criteria:
        points, justification = entries.get(criterion.pk, (None, ""))
        key = f"points_{criterion.pk}"
        if points in (None, ""):
            if submit:
                problems[key] = [_("Give the points for this criterion.")]
        else:
            try:
                value = int(str(points))
            except ValueError:
                value = -1
            if not 0 <= value <= criterion.max_points:
                problems[key] = [
                    _("Points must be a whole number from 0 to %(max)d.")
                    % {"max": criterion.max_points}
                ]
        if submit and not justification.strip():
            problems[f"justification_{criterion.pk}"] = [_("Justify the points in a few words.")]
    return problems


def review_total(review: Review, criteria: list[Criterion] | None = None) -> Decimal:
    criteria = criteria if criteria is not None else _criteria(review.application.competition)
    points = {score.criterion_id: score.points for score in review.scores.all()}
    return ranking.weighted_total(
        [(points.get(c.pk) or 0, c.max_points, c.weight) for c in criteria]
    )


def _locked_review(review: Review) -> Review:
    """The scorecard re-read under its lock; it may have been removed meanwhile."""
    locked = (
        Review.objects.select_for_update(of=("self",))
        .select_related("application__competition", "member")
        .filter(pk=review.pk)
        .first()
    )
    if locked is None:
        raise ServiceError(_("This scorecard was removed from the evaluation."))
    return locked


@transaction.atomic
def save_scores(
    *, user: User, review: Review, entries: dict[int, tuple[object, str]], submit: bool
) -> Review:
    """The reviewer saves their scorecard as a draft, or submits it (then it is locked)."""
    if review.member.user_id != user.pk:
        raise PermissionDenied
    competition = review.application.competition
    # The competition first, then the scorecard: the order every service locks in.
    guard_evaluating(competition)
    review = _locked_review(review)
    if not permissions.has_cleared_conflict(review.member, review.application):
        raise ServiceError(_("Declare first whether you have a conflict of interest."))
    if review.status == Review.Status.SUBMITTED:
        raise ServiceError(
            _("This scorecard is submitted and locked; only the chair can reopen it.")
        )
    criteria = _criteria(competition)
    problems = score_problems(criteria, entries, submit=submit)
    if problems:
        raise ServiceError(problems)
    for criterion in criteria:
        points, justification = entries.get(criterion.pk, (None, ""))
        Score.objects.update_or_create(
            review=review,
            criterion=criterion,
            defaults={
                "points": None if points in (None, "") else int(str(points)),
                "justification": justification.strip(),
            },
        )
    if submit:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = timezone.now()
        review.total = review_total(review, criteria)
        review.save(update_fields=["status", "submitted_at", "total"])
        log_event(
            competition,
            EvaluationEvent.Action.REVIEW_SUBMITTED,
            application=review.application,
            member=review.member,
            user=user,
        )
    return review


@transaction.atomic
def reopen_review(*, user: User, review: Review, reason: str) -> Review:
    """Only the chair reopens a submitted scorecard (not their own), and says why."""
    competition = review.application.competition
    if not permissions.is_chair(user, competition):
        raise PermissionDenied
    guard_evaluating(competition)
    review = _locked_review(review)
    _guard_not_recused(user, review.application)
    if review.member.user_id == user.pk:
        # The chair has seen the others' scores by now: their own stay as submitted.
        raise ServiceError(_("The chair cannot reopen their own scorecard."))
    if review.status != Review.Status.SUBMITTED:
        raise ServiceError(_("Only a submitted scorecard can be reopened."))
    reason = reason.strip()
    if not reason:
        raise ServiceError({"reason": _("Give the reason for reopening the scorecard.")})
    review.status = Review.Status.DRAFT
    review.total = None
    review.submitted_at = None
    review.save(update_fields=["status", "total", "submitted_at"])
    log_event(
        competition,
        EvaluationEvent.Action.REOPENED,
        application=review.application,
        member=review.member,
        user=user,
        note=reason,
    )
    return review


@transaction.atomic
def reduce_amount(
    *, user: User, application: Application, amount: Decimal, reason: str
) -> AmountReduction:
    """The officer awards less than requested to fit the budget, with a reason."""
    competition = application.competition
    if not permissions.can_approve_decision(user, competition):
        raise PermissionDenied
    guard_evaluating(competition)
    _guard_admitted(application)
    _guard_not_recused(user, application)
    reason = reason.strip()
    problems = {}
    if not reason:
        problems["reason"] = [_("Give the reason for reducing the amount.")]
    requested = counted_requested(application)
    if amount is None or amount <= 0 or amount >= requested:
        problems["amount"] = [
            _("The reduced amount must be more than 0 and less than the %(requested)s som asked.")
            % {"requested": requested}
        ]
    elif amount < competition.min_grant:
        problems["amount"] = [
            _("The amount cannot be less than the minimum grant of %(min)s som.")
            % {"min": competition.min_grant}
        ]
    if problems:
        raise ServiceError(problems)
    reduction, _created = AmountReduction.objects.update_or_create(
        application=application,
        defaults={"amount": amount, "reason": reason, "set_by": user, "set_at": timezone.now()},
    )
    log_event(
        competition,
        EvaluationEvent.Action.AMOUNT_REDUCED,
        application=application,
        user=user,
        note=f"{amount}: {reason}",
    )
    return reduction


@transaction.atomic
def undo_reduction(*, user: User, application: Application) -> None:
    competition = application.competition
    if not permissions.can_approve_decision(user, competition):
        raise PermissionDenied
    guard_evaluating(competition)
    _guard_not_recused(user, application)
    deleted, _rows = AmountReduction.objects.filter(application=application).delete()
    if not deleted:
        raise ServiceError(_("The amount of this application was not reduced."))
    log_event(
        competition, EvaluationEvent.Action.REDUCTION_UNDONE, application=application, user=user
    )


# Reading the state of the evaluation


def divergence_threshold() -> Decimal:
    return Decimal(str(settings.SCORE_DIVERGENCE_THRESHOLD))


def candidates(competition: Competition) -> list[ranking.Candidate]:
    """The admitted applications with their submitted reviews, ready for ``rank_and_allocate``."""
    criteria = sorted(_criteria(competition), key=lambda c: (-c.weight, c.order, c.pk))
    applications = (
        Application.objects.filter(competition=competition, status=Application.Status.ADMITTED)
        .select_related("current_version", "reduction")
        .prefetch_related(
            submitted_reviews_prefetch(),
        )
        .order_by("reference")
    )
    result = []
    for application in applications:
        reviews = application.submitted_reviews
        shares = []
        for criterion in criteria:
            points = criterion_points(reviews, criterion)
            shares.append(
                Decimal(sum(points)) / len(points) / criterion.max_points if points else Decimal(0)
            )
        reduction = getattr(application, "reduction", None)
        result.append(
            ranking.Candidate(
                application_id=application.pk,
                reference=application.reference or "",
                requested=counted_requested(application),
                review_totals=[review.total for review in reviews],
                criterion_shares=shares,
                submitted_at=application.current_version.submitted_at
                if application.current_version
                else None,
                reduced_to=reduction.amount if reduction else None,
            )
        )
    return result


def criterion_points(reviews, criterion) -> list[int]:
    """The points the reviews gave one criterion (scores prefetched, blanks left out)."""
    return [
        score.points
        for review in reviews
        for score in review.scores.all()
        if score.criterion_id == criterion.pk and score.points is not None
    ]


def submitted_reviews_prefetch():
    return Prefetch(
        "reviews",
        queryset=Review.objects.filter(status=Review.Status.SUBMITTED)
        .prefetch_related("scores")
        .order_by("submitted_at", "pk"),
        to_attr="submitted_reviews",
    )


def preview(competition: Competition) -> list[ranking.Placement]:
    """The ranking as it stands now (the decision freezes it)."""
    return ranking.rank_and_allocate(
        candidates(competition), budget=competition.total_budget, pass_mark=competition.pass_mark
    )


def pending_reviews(competition: Competition):
    return Review.objects.filter(
        application__competition=competition,
        application__status=Application.Status.ADMITTED,
    ).filter(~Q(status=Review.Status.SUBMITTED))
