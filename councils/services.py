"""Changes to councils. Every guard is here; views call these (see README.md)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StateBody, User

from . import permissions
from .models import Council, CouncilMember, Meeting, Recommendation


class ServiceError(ValidationError):
    """A guard refused the change; the messages (by field where it helps) are for the user."""


# Dates a council's record can hold: from independence to a few years ahead.
EARLIEST = datetime.date(1991, 1, 1)
YEARS_AHEAD = 10
MAX_GUESTS = 100_000


def _latest() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def _in_range(day: datetime.date) -> bool:
    return EARLIEST <= day <= _latest()


def _require_secretary(user, council: Council) -> None:
    if not permissions.is_secretary(user, council):
        raise PermissionDenied
    if council.status == Council.Status.DISSOLVED:
        raise ServiceError(_("The council is dissolved; its record is kept as it was."))


def _check_term(term_start, term_end) -> None:
    for name, day in (("term_start", term_start), ("term_end", term_end)):
        if day is not None and not _in_range(day):
            raise ServiceError(
                {name: [_("Give a date between 1991 and %(year)d.") % {"year": _latest().year}]}
            )
    if term_end is not None and term_start is not None and term_end < term_start:
        raise ServiceError({"term_end": [_("The term cannot end before it starts.")]})


@transaction.atomic
def save_member(*, user: User, council: Council, member: CouncilMember) -> CouncilMember:
    """Add a member's term or correct it (``member`` is unsaved or changed, not yet saved)."""
    _require_secretary(user, council)
    if member.pk and member.council_id != council.pk:
        raise PermissionDenied
    _check_term(member.term_start, member.term_end)
    if member.term_end is None and member.end_reason:
        raise ServiceError({"end_reason": [_("Give the end date of the term too.")]})
    member.council = council
    member.save()
    return member


@transaction.atomic
def end_term(
    *, user: User, member: CouncilMember, term_end: datetime.date, end_reason: str
) -> CouncilMember:
    """End a member's term early (resignation, dismissal, ...), with the reason."""
    _require_secretary(user, member.council)
    if member.term_end is not None and member.term_end < timezone.localdate():
        raise ServiceError(_("This term has already ended."))
    _check_term(member.term_start, term_end)
    if not end_reason.strip():
        raise ServiceError({"end_reason": [_("Say why the term ends.")]})
    member.term_end = term_end
    member.end_reason = end_reason.strip()
    member.save(update_fields=["term_end", "end_reason"])
    return member


@transaction.atomic
def save_meeting(*, user: User, council: Council, meeting: Meeting, agenda: list[str]) -> Meeting:
    """Plan a meeting or correct it; ``agenda`` is the list of item titles, in order."""
    _require_secretary(user, council)
    if meeting.pk and meeting.council_id != council.pk:
        raise PermissionDenied
    if meeting.pk:
        # The status as stored now: another secretary may have cancelled it meanwhile.
        meeting.status = (
            Meeting.objects.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
        )
    if meeting.status == Meeting.Status.CANCELLED and meeting.pk:
        raise ServiceError(_("A cancelled meeting cannot change."))
    if not _in_range(timezone.localdate(meeting.starts_at)):
        raise ServiceError(
            {"starts_at": [_("Give a date between 1991 and %(year)d.") % {"year": _latest().year}]}
        )
    if meeting.pk and meeting.status == Meeting.Status.HELD:
        held_at = Meeting.objects.filter(pk=meeting.pk).values_list("starts_at", flat=True).get()
        if meeting.starts_at != held_at:
            raise ServiceError({"starts_at": [_("The date of a held meeting cannot change.")]})
    if not meeting.place.strip() and not meeting.online_link:
        raise ServiceError({"place": [_("Give the place or the online link.")]})
    if not any(title.strip() for title in agenda):
        raise ServiceError(_("Add at least one agenda item."))
    meeting.council = council
    meeting.save()
    meeting.agenda.all().delete()
    for order, title in enumerate((t.strip() for t in agenda if t.strip()), start=1):
        meeting.agenda.create(title=title, order=order)
    return meeting


@transaction.atomic
def publish_minutes(
    *,
    user: User,
    meeting: Meeting,
    minutes: str,
    present: list[CouncilMember],
    guests_count: int = 0,
    minutes_file=None,
    minutes_file_type: str = "",
) -> Meeting:
    """After a meeting: the attendance and the minutes (text and/or a checked file)."""
    council = meeting.council
    _require_secretary(user, council)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ServiceError(_("A cancelled meeting has no minutes."))
    if meeting.starts_at > timezone.now():
        raise ServiceError(_("Minutes are published after the meeting has taken place."))
    problems = {}
    if not 0 <= guests_count <= MAX_GUESTS:
        problems["guests_count"] = [
            _("The number of guests must be from 0 to %(max)d.") % {"max": MAX_GUESTS}
        ]
    if not minutes.strip() and minutes_file is None and not meeting.minutes_file:
        problems["minutes"] = [_("Write the minutes or attach them as a file.")]
    day = timezone.localdate(meeting.starts_at)
    sitting = set(
        CouncilMember.objects.filter(council=council).on(day).values_list("pk", flat=True)
    )
    if any(member.pk not in sitting for member in present):
        problems["present"] = [_("Only members of the council on the day of the meeting.")]
    if problems:
        raise ServiceError(problems)
    meeting.minutes = minutes.replace("\r\n", "\n").strip()
    if minutes_file is not None:
        meeting.minutes_file = minutes_file
        meeting.minutes_file_type = minutes_file_type
    meeting.guests_count = guests_count
    meeting.status = Meeting.Status.HELD
    meeting.minutes_published_at = meeting.minutes_published_at or timezone.now()
    meeting.save()
    meeting.present.set(present)
    return meeting


@transaction.atomic
def cancel_meeting(*, user: User, meeting: Meeting, reason: str) -> Meeting:
    _require_secretary(user, meeting.council)
    meeting = Meeting.objects.select_for_update().select_related("council").get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ServiceError(_("Only a planned meeting can be cancelled."))
    if not reason.strip():
        raise ServiceError({"reason": [_("Say why the meeting is cancelled.")]})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    return meeting


def default_due(adopted_on: datetime.date) -> datetime.date:
    return adopted_on + datetime.timedelta(days=settings.RECOMMENDATION_RESPONSE_DAYS)


@transaction.atomic
def create_recommendation(
    *,
    user: User,
    council: Council,
    addressed_to: StateBody,
    title: str,
    text: str,
    adopted_on: datetime.date,
    meeting: Meeting | None = None,
    response_due: datetime.date | None = None,
) -> Recommendation:
    """A recommendation the council adopted, sent to a state body for its response."""
    _require_secretary(user, council)
    problems = {}
    if meeting is not None and meeting.council_id != council.pk:
        problems["meeting"] = [_("Choose a meeting of this council.")]
    if meeting is not None and meeting.status != Meeting.Status.HELD:
        problems["meeting"] = [_("A recommendation is adopted at a meeting that was held.")]
    elif meeting is not None and adopted_on < timezone.localdate(meeting.starts_at):
        problems["adopted_on"] = [_("The recommendation cannot be adopted before the meeting.")]
    if adopted_on > timezone.localdate():
        problems["adopted_on"] = [_("The adoption date cannot be in the future.")]
    response_due = response_due or default_due(adopted_on)
    if response_due < adopted_on:
        problems["response_due"] = [_("The response cannot be due before the adoption.")]
    if not title.strip() or not text.strip():
        problems["text"] = [_("Give the title and the text of the recommendation.")]
    if problems:
        raise ServiceError(problems)
    return Recommendation.objects.create(
        council=council,
        meeting=meeting,
        addressed_to=addressed_to,
        title=title.strip(),
        text=text.strip(),
        adopted_on=adopted_on,
        response_due=response_due,
    )


@transaction.atomic
def answer_recommendation(
    *, user: User, recommendation: Recommendation, status: str, response: str
) -> Recommendation:
    """An officer of the addressed body records the body's response and the status."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if not permissions.can_answer_recommendation(user, recommendation):
        raise PermissionDenied
    if status not in Recommendation.TRANSITIONS[recommendation.status]:
        raise ServiceError(
            {
                "status": [
                    _("A recommendation that is %(status)s cannot become %(to)s.")
                    % {
                        "status": recommendation.get_status_display(),
                        "to": Recommendation.Status(status).label
                        if status in Recommendation.Status.values
                        else status,
                    }
                ]
            }
        )
    if not response.strip():
        raise ServiceError({"response": [_("Write the response of the state body.")]})
    recommendation.status = status
    recommendation.response = response.strip()
    if recommendation.responded_on is None and status != Recommendation.Status.CONSIDERING:
        recommendation.responded_on = timezone.localdate()
    recommendation.responded_by = user
    recommendation.save(update_fields=["status", "response", "responded_on", "responded_by"])
    return recommendation


COUNCIL_PAGE_FIELDS = (
    "description_ky",
    "description_ru",
    "description_en",
    "legal_basis",
    "email",
    "phone",
    "address",
    "logo",
)


@transaction.atomic
def update_council(*, user: User, council: Council, data: dict) -> Council:
    """The secretary keeps the council's page: description, legal basis, contacts, logo.
    Name, kind, status, state body and dates are the administrators' (in admin)."""
    _require_secretary(user, council)
    unknown = set(data) - set(COUNCIL_PAGE_FIELDS)
    if unknown:
        raise PermissionDenied
    for name, value in data.items():
        setattr(council, name, value)
    council.save(update_fields=[*data, "updated_at"])
    return council


@transaction.atomic
def add_meeting_document(
    *, user: User, meeting: Meeting, title: str, upload, file_type: str, size: int, sha256: str
):
    """A document of a meeting (draft agenda, presentation, ...), checked by the view."""
    _require_secretary(user, meeting.council)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ServiceError(_("A cancelled meeting cannot change."))
    if not title.strip():
        raise ServiceError({"title": [_("Give the document a title.")]})
    return meeting.documents.create(
        title=title.strip(), file=upload, file_type=file_type, size=size, sha256=sha256
    )


@transaction.atomic
def save_paper(*, user: User, council: Council, paper):
    """A work plan or an annual report (``paper`` unsaved): text and/or a file, one a year."""
    _require_secretary(user, council)
    paper.text = (paper.text or "").strip()
    if not paper.text and not paper.file:
        raise ServiceError({"text": [_("Write the text or attach a file.")]})
    model = type(paper)
    if model.objects.filter(council=council, year=paper.year).exclude(pk=paper.pk).exists():
        raise ServiceError({"year": [_("There is already one for this year.")]})
    paper.council = council
    paper.save()
    return paper
