"""Daily reminders: one mechanism for every app.

An app declares a kind of reminder with ``@reminder(...)`` on a function that
returns, for a day, what is due: ``Due(obj, recipients, context, url)``. Apps
register their kinds in ``<app>/reminders.py``, imported by their ``AppConfig``.
``send_reminders`` (Celery beat, daily) sends each reminder once per kind,
object, recipient and day: it inserts the ``ReminderLog`` rows first (the
unique constraint settles a second run or two runs at once) and renders an
e-mail only for the rows it inserted itself. E-mails go out in each
recipient's language, through the outbox, in batches over one connection.
A user turns a kind off on the profile (``User.reminders_off``).
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from socialorder.emails import absolute_url, enqueue_emails, render_email

from .models import OutboundEmail, ReminderLog, StateBodyMembership, User

CHUNK = 500


@dataclass
class Due:
    """Something to remind ``recipients`` of: ``obj`` and the page where the work is done."""

    obj: models.Model
    recipients: Iterable[User]
    url: tuple[str, list] = ("home", [])
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: str
    template: str
    collect: Callable[..., Iterable[Due]]


KINDS: dict[str, ReminderKind] = {}


def reminder(code: str, *, label, template: str):
    """Register the decorated ``collect(today) -> Iterable[Due]`` as a kind of reminder."""

    def register(collect):
        KINDS[code] = ReminderKind(code=code, label=label, template=template, collect=collect)
        return collect

    return register


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in KINDS.values()]


def officers_by_state_body(state_body_ids) -> dict[int, list[User]]:
    """The officers of each of these state bodies, in one query: who is reminded for them."""
    officers: dict[int, list[User]] = {}
    for membership in StateBodyMembership.objects.filter(
        state_body_id__in=set(state_body_ids), role=StateBodyMembership.Role.OFFICER
    ).select_related("user"):
        officers.setdefault(membership.state_body_id, []).append(membership.user)
    return officers


def on_cadence(days: int, *, every: int = 7) -> bool:
    """Whether a reminder ``days`` after something became due goes out today: on the
    first day, then every ``every`` days (an overdue report is not nagged daily)."""
    return days >= 0 and days % every == 0


def send_reminders(today=None, *, codes=None) -> dict[str, int]:
    """Send today's reminders of every kind (or of ``codes``); how many per kind."""
    today = today or timezone.localdate()
    return {
        kind.code: _send_kind(kind, today)
        for kind in KINDS.values()
        if codes is None or kind.code in codes
    }


def _pending(kind: ReminderKind, today) -> list[tuple[Due, User]]:
    """(due, recipient) pairs of the kind, without opted-out, inactive or repeated recipients."""
    pairs, seen = [], set()
    for due in kind.collect(today):
        for recipient in due.recipients:
            key = (type(due.obj), due.obj.pk, recipient.pk)
            if (
                key in seen
                or not recipient.is_active
                or not recipient.email
                or kind.code in (recipient.reminders_off or [])
            ):
                continue
            seen.add(key)
            pairs.append((due, recipient))
    # One order for every run: two runs at once then meet on the same first row and the
    # second waits for the first, instead of each holding a row the other needs.
    pairs.sort(key=lambda pair: (type(pair[0].obj).__name__, pair[0].obj.pk, pair[1].pk))
    return pairs


def _send_kind(kind: ReminderKind, today) -> int:
    sent = 0
    rendered: dict[tuple, tuple[str, str, str]] = {}
    pending = _pending(kind, today)
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        with transaction.atomic():
            run = uuid.uuid4()
            ReminderLog.objects.bulk_create(
                [
                    ReminderLog(
                        kind=kind.code,
                        content_type=ContentType.objects.get_for_model(due.obj),
                        object_id=due.obj.pk,
                        recipient=recipient,
                        day=today,
                        run=run,
                    )
                    for due, recipient in chunk
                ],
                ignore_conflicts=True,
            )
            # The rows this run inserted; a conflict means it was sent already today.
            logs = {
                (log.content_type_id, log.object_id, log.recipient_id): log
                for log in ReminderLog.objects.filter(run=run)
            }
            pairs = []
            for due, recipient in chunk:
                content_type = ContentType.objects.get_for_model(due.obj)
                log = logs.get((content_type.pk, due.obj.pk, recipient.pk))
                if log is None:
                    continue
                language = recipient.language
                key = (content_type.pk, due.obj.pk, language)
                if key not in rendered:
                    viewname, args = due.url
                    url = absolute_url(viewname, language=language, args=args)
                    profile = absolute_url("accounts:profile", language=language)
                    rendered[key] = render_email(
                        template=kind.template,
                        context={**due.context, "url": url, "profile_url": profile},
                        language=language,
                    )
                subject, text, html = rendered[key]
                email = OutboundEmail(
                    to=recipient.email,
                    language=language,
                    template=kind.template,
                    subject=subject,
                    body_text=text,
                    body_html=html,
                )
                pairs.append((log, email))
            OutboundEmail.objects.bulk_create([email for _, email in pairs])
            for log, email in pairs:
                log.email = email
            # One upsert on the primary key: bulk_update's CASE of a branch per row is
            # several times slower for a chunk of hundreds of rows.
            ReminderLog.objects.bulk_create(
                [log for log, _ in pairs],
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=["email"],
            )
            enqueue_emails([email.pk for _, email in pairs])
            sent += len(pairs)
    return sent
