"""Every change of state of programmes and competitions goes through here."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from socialorder.emails import absolute_url, send_templated_email
from socialorder.queue import delay_on_commit

from . import permissions
from .models import (
    Amendment,
    Clarification,
    CommissionMember,
    Competition,
    Follow,
    StatusChange,
)


class ServiceError(ValidationError):
    """A guard refused the change; the messages are for the user."""


def change_status(competition: Competition, to: str, *, user=None, note: str = "") -> None:
    """Move ``competition`` to ``to`` if its TRANSITIONS allow it, with a history row
    (the caller saves it). Other apps' services use it too (the award decision)."""
    if to not in Competition.TRANSITIONS[competition.status]:
        raise ServiceError(
            _("A competition that is %(status)s cannot become %(to)s.")
            % {"status": competition.get_status_display(), "to": Competition.Status(to).label}
        )
    StatusChange.objects.create(
        competition=competition,
        from_status=competition.status,
        to_status=to,
        changed_by=user,
        note=note,
    )
    competition.status = to


def _require_officer(user, competition: Competition) -> None:
    if not permissions.can_edit_competition(user, competition):
        raise PermissionDenied


def next_reference(year: int) -> str:
    """The next readable reference of ``year``: SSO-2026-0007."""
    prefix = f"SSO-{year}-"
    numbers = [
        int(match.group(1))
        for ref in Competition.objects.filter(reference__startswith=prefix).values_list(
            "reference", flat=True
        )
        if (match := re.fullmatch(rf"{prefix}(\d+)", ref))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def create_competition(*, user: User, form) -> Competition:
    """Save a new draft from a valid CompetitionForm, with a unique reference."""
    competition = form.save(commit=False)
    if not permissions.can_act_for_state_body(user, competition.state_body):
        raise PermissionDenied
    competition.created_by = user
    competition.status = Competition.Status.DRAFT
    # Two officers may save at once: retry the next number on a clash.
    for _attempt in range(5):
        competition.reference = next_reference(timezone.localdate().year)
        try:
            with transaction.atomic():
                competition.save()
                form.save_m2m()
                return competition
        except IntegrityError:
            if Competition.objects.filter(reference=competition.reference).exists():
                competition.pk = None
                continue
            raise
    raise ServiceError(_("Could not give the competition a reference number. Try again."))


def publication_problems(competition: Competition) -> list[str]:
    """Everything that keeps a draft from being published, as messages for the officer."""
    problems = []
    now = timezone.now()
    earliest = now + datetime.timedelta(days=settings.MIN_APPLICATION_DAYS)
    if competition.deadline <= now:
        problems.append(_("The deadline is in the past."))
    elif competition.deadline < earliest:
        problems.append(
            _("The deadline must be at least %(days)d days after publication, not before %(date)s.")
            % {
                "days": settings.MIN_APPLICATION_DAYS,
                "date": date_format(timezone.localtime(earliest), "DATETIME_FORMAT"),
            }
        )
    for language in ("ky", "ru"):
        for field in ("title", "announcement", "eligibility"):
            if not getattr(competition, f"{field}_{language}"):
                problems.append(
                    _("The %(field)s in %(language)s is missing.")
                    % {
                        "field": Competition._meta.get_field(field).verbose_name,
                        "language": dict(settings.LANGUAGES)[language],
                    }
                )
    criteria = list(competition.criteria.all())
    if not criteria:
        problems.append(_("Add at least one evaluation criterion."))
    if any(criterion.weight <= 0 or criterion.max_points <= 0 for criterion in criteria):
        problems.append(_("Every criterion needs positive points and a positive weight."))
    if competition.max_grant < competition.min_grant:
        problems.append(_("The maximum grant is below the minimum grant."))
    if competition.max_grant > competition.total_budget:
        problems.append(_("The maximum grant is above the total budget."))
    if not 0 <= competition.own_contribution_percent <= 100:
        problems.append(_("The own contribution must be between 0 and 100 percent."))
    if not competition.regions.exists():
        problems.append(_("Choose at least one region the competition covers."))
    return problems


@transaction.atomic
def publish_competition(*, competition: Competition, user: User) -> Competition:
    """Publish a complete draft; its binding terms are frozen from then on."""
    _require_officer(user, competition)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.status != Competition.Status.DRAFT:
        raise ServiceError(_("Only a draft can be published."))
    problems = publication_problems(competition)
    if problems:
        raise ServiceError(problems)
    change_status(competition, Competition.Status.PUBLISHED, user=user)
    competition.published_at = timezone.now()
    competition.announced_on = competition.announced_on or timezone.localdate()
    competition.save(update_fields=["status", "published_at", "announced_on", "updated_at"])
    return competition


@transaction.atomic
def extend_deadline(
    *, competition: Competition, user: User, new_deadline: datetime.datetime, note: str
) -> Amendment:
    """Move the deadline later, with a public note; followers are told by e-mail."""
    _require_officer(user, competition)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.status != Competition.Status.PUBLISHED or not competition.is_open:
        raise ServiceError(
            _("Only the deadline of a competition open for applications can change.")
        )
    if new_deadline <= timezone.now():
        raise ServiceError(_("The new deadline must be in the future."))
    if new_deadline <= competition.deadline:
        raise ServiceError(_("A published deadline can only be extended, not shortened."))
    if not note.strip():
        raise ServiceError(_("Explain the extension in a public note."))
    amendment = Amendment.objects.create(
        competition=competition,
        kind=Amendment.Kind.DEADLINE_EXTENDED,
        note=note.strip(),
        old_deadline=competition.deadline,
        new_deadline=new_deadline,
        created_by=user,
    )
    competition.deadline = new_deadline
    competition.save(update_fields=["deadline", "updated_at"])
    _queue_amendment_notice(amendment)
    return amendment


@transaction.atomic
def cancel_competition(*, competition: Competition, user: User, reason: str) -> Amendment:
    """Cancel a draft or a published competition, with a public reason."""
    _require_officer(user, competition)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if not reason.strip():
        raise ServiceError(_("Give the public reason for the cancellation."))
    change_status(competition, Competition.Status.CANCELLED, user=user, note=reason.strip())
    competition.cancel_reason = reason.strip()
    competition.save(update_fields=["status", "cancel_reason", "updated_at"])
    amendment = Amendment.objects.create(
        competition=competition, kind=Amendment.Kind.CANCELLED, note=reason.strip(), created_by=user
    )
    if competition.published_at:
        _queue_amendment_notice(amendment)
    return amendment


def _queue_amendment_notice(amendment: Amendment) -> None:
    from .tasks import notify_amendment_task

    delay_on_commit(notify_amendment_task, amendment.pk)


def amendment_recipients(competition: Competition):
    """Who hears of an amendment: the competition's followers and the members of every
    organisation with an application to it (the ``applications`` relation belongs to
    the grants app, which builds on this one; it is reached by name only)."""
    return User.objects.filter(
        Q(competition_follows__competition=competition)
        | Q(organization_memberships__organization__applications__competition=competition),
        is_active=True,
    ).distinct()


@transaction.atomic
def notify_amendment(amendment_id: int) -> int:
    """E-mail an amendment to every recipient in their own language, once.

    Returns how many e-mails were queued (0 when it was already done or is
    being done by another worker).
    """
    amendment = (
        Amendment.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("competition")
        .filter(pk=amendment_id, notified_at=None)
        .first()
    )
    if amendment is None:
        return 0
    competition = amendment.competition
    count = 0
    for recipient in amendment_recipients(competition):
        url = absolute_url(
            "competitions:detail", language=recipient.language, args=[competition.reference]
        )
        send_templated_email(
            to=recipient.email,
            template="emails/competitions/amendment",
            context={"amendment": amendment, "competition": competition, "url": url},
            language=recipient.language,
        )
        count += 1
    amendment.notified_at = timezone.now()
    amendment.save(update_fields=["notified_at"])
    return count


def unnotified_amendment_ids(*, older_than=datetime.timedelta(minutes=2)) -> list[int]:
    """Amendments whose notice missed the broker: the sweep sends them."""
    cutoff = timezone.now() - older_than
    return list(
        Amendment.objects.filter(notified_at=None, created_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )


@transaction.atomic
def close_passed_deadlines(*, now: datetime.datetime | None = None) -> int:
    """Move published competitions whose deadline passed to evaluation (Celery beat)."""
    now = now or timezone.now()
    due = Competition.objects.select_for_update(skip_locked=True).filter(
        status=Competition.Status.PUBLISHED, deadline__lte=now
    )
    moved = 0
    for competition in due:
        change_status(competition, Competition.Status.EVALUATION, note="deadline passed")
        competition.save(update_fields=["status", "updated_at"])
        moved += 1
    return moved


@transaction.atomic
def ask_clarification(*, competition: Competition, user: User, question: str) -> Clarification:
    """A member of an NCO asks a question before the deadline."""
    if not permissions.is_nco_member(user):
        raise PermissionDenied
    if not competition.is_open:
        raise ServiceError(_("Questions are taken only until the deadline."))
    question = question.strip()
    if not question:
        raise ServiceError(_("Write your question."))
    # Name the organisation only when the asker acts for exactly one: with several
    # we cannot know which one asks, and must not reveal the others.
    organizations = list(
        user.organization_memberships.values_list("organization_id", flat=True)[:2]
    )
    return Clarification.objects.create(
        competition=competition,
        question=question,
        asked_by=user,
        organization_id=organizations[0] if len(organizations) == 1 else None,
    )


@transaction.atomic
def answer_clarification(*, clarification: Clarification, user: User, answer: str) -> Clarification:
    """An officer answers in public; the asker is told by e-mail."""
    _require_officer(user, clarification.competition)
    clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
    answer = answer.strip()
    if not answer:
        raise ServiceError(_("Write the answer."))
    first_answer = not clarification.answer
    clarification.answer = answer
    clarification.answered_by = user
    clarification.answered_at = timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "answered_at"])
    asker = clarification.asked_by
    if first_answer and asker is not None:
        competition = clarification.competition
        url = absolute_url(
            "competitions:detail", language=asker.language, args=[competition.reference]
        )
        send_templated_email(
            to=asker.email,
            template="emails/competitions/clarification_answered",
            context={"clarification": clarification, "competition": competition, "url": url},
            language=asker.language,
        )
    return clarification


@transaction.atomic
def appoint_commission_member(
    *,
    competition: Competition,
    user: User,
    email: str,
    full_name: str,
    role: str,
    voting: bool,
) -> CommissionMember:
    """Appoint a member by e-mail: an existing user at once, anyone else once they sign up."""
    _require_officer(user, competition)
    if competition.status in {Competition.Status.CANCELLED, Competition.Status.CLOSED}:
        raise ServiceError(_("The commission of a closed or cancelled competition cannot change."))
    # Lock the competition so that a double submit cannot appoint the same person twice.
    Competition.objects.select_for_update().filter(pk=competition.pk).first()
    email = email.strip()
    if competition.commission.filter(email__iexact=email).exists():
        raise ServiceError(_("This person is already on the commission."))
    member_user = User.objects.filter(email__iexact=email).first() or _user_by_confirmed(email)
    if member_user is not None and competition.commission.filter(user=member_user).exists():
        raise ServiceError(_("This person is already on the commission."))
    member = CommissionMember.objects.create(
        competition=competition,
        user=member_user,
        email=email,
        full_name=full_name.strip() or (member_user.display_name if member_user else email),
        role=role,
        voting=voting and role != CommissionMember.Role.OBSERVER,
        appointed_by=user,
    )
    language = member_user.language if member_user else translation.get_language()
    url = absolute_url(
        "competitions:my-commissions" if member_user else "account_signup", language=language
    )
    send_templated_email(
        to=email,
        template="emails/competitions/commission_appointed",
        context={
            "member": member,
            "competition": competition,
            "url": url,
            "has_account": bool(member_user),
        },
        language=language or settings.LANGUAGE_CODE,
    )
    return member


@transaction.atomic
def remove_commission_member(*, member: CommissionMember, user: User) -> None:
    _require_officer(user, member.competition)
    if member.competition.status in {Competition.Status.CANCELLED, Competition.Status.CLOSED}:
        raise ServiceError(_("The commission of a closed or cancelled competition cannot change."))
    if (
        member.reviews.exists()
        or member.meetings_attended.exists()
        or member.conflict_declarations.exists()
    ):
        # The record of the evaluation keeps who reviewed, declared and attended.
        raise ServiceError(_("This member took part in the evaluation and stays on record."))
    member.delete()


def _user_by_confirmed(email: str) -> User | None:
    """The user who confirmed ``email`` as one of their addresses, if any."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(email__iexact=email, verified=True).first()
    return address.user if address else None


def claim_commission_seats(*, user: User) -> int:
    """Link seats appointed to one of the user's confirmed addresses before they signed up."""
    from allauth.account.models import EmailAddress

    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    claimed = 0
    for email in emails:
        # One seat per person and competition: a second address does not add a second vote.
        seated = CommissionMember.objects.filter(user=user).values("competition")
        claimed += (
            CommissionMember.objects.filter(user=None, email__iexact=email)
            .exclude(competition__in=seated)
            .update(user=user)
        )
    return claimed


def follow(*, competition: Competition, user: User) -> None:
    if not permissions.can_follow_competition(user, competition):
        raise PermissionDenied
    Follow.objects.get_or_create(competition=competition, user=user)


def unfollow(*, competition: Competition, user: User) -> None:
    Follow.objects.filter(competition=competition, user=user).delete()
