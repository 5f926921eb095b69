"""State changes of applications. Every guard is here; views and tasks call these."""

import datetime
import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from competitions.models import Competition
from socialorder.emails import absolute_url, send_templated_email
from socialorder.pdf import render_pdf
from socialorder.queue import delay_on_commit
from socialorder.uploads import display_name

from . import permissions
from .models import Application, ApplicationEvent, ApplicationVersion, Attachment, AwardDecision

REQUIRED_FIELDS = (
    "title",
    "summary",
    "problem",
    "goal",
    "objectives",
    "target_group",
    "beneficiaries",
    "sustainability",
    "start_date",
    "end_date",
)


class ServiceError(ValidationError):
    """A guard refused the change; the messages (by field where it helps) are for the user."""


def _event(application, to, *, user=None, note=""):
    if to not in Application.TRANSITIONS[application.status]:
        raise ServiceError(
            _("An application that is %(status)s cannot become %(to)s.")
            % {"status": application.get_status_display(), "to": Application.Status(to).label}
        )
    ApplicationEvent.objects.create(
        application=application, from_status=application.status, to_status=to, by=user, note=note
    )
    application.status = to


def _guard_open(application: Application, now=None) -> None:
    if permissions.deadline_passed(application.competition, now):
        raise ServiceError(
            _("The deadline of this competition has passed; the application can no longer change.")
        )
    # Cancelled (or never published): closed whatever its deadline says. Evaluation
    # only follows the deadline, which the check above already refused.
    if application.competition.status not in {
        Competition.Status.PUBLISHED,
        Competition.Status.EVALUATION,
    }:
        raise ServiceError(_("This competition does not accept applications now."))


@transaction.atomic
def start_application(
    *, user: User, organization: Organization, competition: Competition
) -> Application:
    """A member of a complete organisation starts a draft before the deadline."""
    if not permissions.can_start_application(user, organization, competition):
        if not competition.is_open:
            raise ServiceError(_("This competition does not accept applications now."))
        raise PermissionDenied
    if not organization.is_complete:
        raise ServiceError(
            _("Complete the organisation profile first: name at least one founder and one leader.")
        )
    existing = Application.objects.filter(competition=competition, organization=organization)
    if existing.exists():
        raise ServiceError(_("Your organisation already has an application to this competition."))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                competition=competition, organization=organization, created_by=user
            )
    except IntegrityError:
        # A second click at the same moment: the first one created it.
        raise ServiceError(
            _("Your organisation already has an application to this competition.")
        ) from None
    application.regions.set(competition.regions.all())
    return application


def recompute_totals(application: Application) -> None:
    """Sum the budget lines into the application (the server's totals, never the browser's)."""
    sums = application.budget_lines.aggregate(
        requested=Sum("requested"), own=Sum("own_contribution"), cofinancing=Sum("cofinancing")
    )
    application.requested_total = sums["requested"] or Decimal(0)
    application.own_total = sums["own"] or Decimal(0)
    application.cofinancing_total = sums["cofinancing"] or Decimal(0)
    application.save(update_fields=["requested_total", "own_total", "cofinancing_total"])


EDITABLE_STATUSES = {
    Application.Status.DRAFT,
    Application.Status.SUBMITTED,
    Application.Status.WITHDRAWN,
}


@transaction.atomic
def save_draft(*, user: User, form, formsets) -> Application:
    """Save the application form and its formsets as they are (completeness is checked
    on submission); the totals are recomputed from the budget lines.

    Only the form's own columns are written, on the row as it is now: a submission
    or a withdrawal made meanwhile is not undone.
    """
    current = (
        Application.objects.select_for_update()
        .select_related("competition")
        .get(pk=form.instance.pk)
    )
    if not permissions.is_applicant(user, current):
        raise PermissionDenied
    _guard_open(current)
    if current.status not in EDITABLE_STATUSES:
        raise ServiceError(_("This application can no longer be edited."))
    application = form.save(commit=False)
    many = {field.name for field in Application._meta.many_to_many}
    application.save(
        update_fields=[name for name in form.fields if name not in many] + ["updated_at"]
    )
    form.save_m2m()
    for formset in formsets:
        formset.save()
    recompute_totals(application)
    return application


def duration_months(start, end) -> int:
    """Project length in months, rounded: 1 January to 30 June is 6."""
    return round(((end - start).days + 1) / 30.4375)


def submission_problems(application: Application) -> dict[str | None, list[str]]:
    """Everything that keeps an application from being submitted, by field (None: general)."""
    problems: dict[str | None, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    competition = application.competition
    for name in REQUIRED_FIELDS:
        if getattr(application, name) in (None, ""):
            add(name, _("This field is required to submit."))
    if not application.regions.exists():
        add("regions", _("Choose at least one region."))
    start, end = application.start_date, application.end_date
    if start and end:
        if end < start:
            add("end_date", _("The project cannot end before it starts."))
        else:
            months = duration_months(start, end)
            if not competition.duration_min_months <= months <= competition.duration_max_months:
                add(
                    "end_date",
                    _(
                        "The project lasts %(months)d months; "
                        "this competition allows %(low)d to %(high)d."
                    )
                    % {
                        "months": months,
                        "low": competition.duration_min_months,
                        "high": competition.duration_max_months,
                    },
                )
    activities = list(application.activities.all())
    if not activities:
        add("activities", _("Add at least one activity."))
    elif start and end and any(a.start < start or a.end > end for a in activities):
        add("activities", _("Every activity must take place between the project's start and end."))
    if not application.results.exists():
        add("results", _("Add at least one expected result with its indicator."))
    lines = list(application.budget_lines.all())
    if not lines:
        add("budget", _("Add at least one budget line."))
    for line in lines:
        if line.requested + line.own_contribution + line.cofinancing != line.total:
            add(
                "budget",
                _(
                    "Line “%(line)s”: the grant, own contribution and co-financing must add up "
                    "to quantity × unit cost (%(total)s som)."
                )
                % {"line": line.description, "total": line.total},
            )
    requested = application.requested_total
    if lines and not competition.min_grant <= requested <= competition.max_grant:
        add(
            "budget",
            _("The grant requested (%(amount)s som) must be between %(low)s and %(high)s som.")
            % {"amount": requested, "low": competition.min_grant, "high": competition.max_grant},
        )
    if lines and application.own_share_percent < competition.own_contribution_percent:
        add(
            "budget",
            _(
                "The own contribution is %(share)s%% of the project; "
                "at least %(required)s%% is required."
            )
            % {
                "share": application.own_share_percent,
                "required": competition.own_contribution_percent,
            },
        )
    attached = set(
        application.attachments.live()
        .exclude(checklist_item=None)
        .values_list("checklist_item_id", flat=True)
    )
    for item in competition.checklist.filter(required=True):
        if item.pk not in attached:
            add("documents", _("Attach the required document “%(name)s”.") % {"name": item.name})
    total_size = application.attachments.live().aggregate(total=Sum("size"))["total"] or 0
    if total_size > settings.APPLICATION_MAX_BYTES:
        add("documents", _("The documents together are larger than the limit of the application."))
    return problems


def build_snapshot(application: Application) -> dict:
    """Everything submitted, as plain JSON (money as strings, dates in ISO)."""

    def money(value):
        return str(Decimal(value).quantize(Decimal("0.01")))

    return {
        "competition": application.competition.reference,
        "organization": {
            "name": application.organization.name,
            "inn": application.organization.inn,
        },
        "project": {
            "title": application.title,
            "summary": application.summary,
            "problem": application.problem,
            "goal": application.goal,
            "objectives": application.objectives,
            "target_group": application.target_group,
            "beneficiaries": application.beneficiaries,
            "regions": sorted(application.regions.values_list("code", flat=True)),
            "sustainability": application.sustainability,
            "start_date": application.start_date.isoformat(),
            "end_date": application.end_date.isoformat(),
        },
        "activities": [
            {
                "name": a.name,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "responsible": a.responsible,
            }
            for a in application.activities.all()
        ],
        "results": [
            {"indicator": r.indicator, "baseline": r.baseline, "target": r.target}
            for r in application.results.all()
        ],
        "budget": [
            {
                "category": line.category.slug,
                "description": line.description,
                "unit": line.unit,
                "quantity": str(line.quantity),
                "unit_cost": money(line.unit_cost),
                "requested": money(line.requested),
                "own_contribution": money(line.own_contribution),
                "cofinancing": money(line.cofinancing),
            }
            for line in application.budget_lines.select_related("category")
        ],
        "totals": {
            "requested": money(application.requested_total),
            "own_contribution": money(application.own_total),
            "cofinancing": money(application.cofinancing_total),
        },
        "attachments": [
            {
                "id": attachment.pk,
                "checklist_item": attachment.checklist_item_id,
                "document": attachment.checklist_item.name_ky
                if attachment.checklist_item
                else None,
                "file_name": attachment.original_name,
                "size": attachment.size,
                "sha256": attachment.sha256,
            }
            for attachment in application.attachments.live().select_related("checklist_item")
        ],
    }


def snapshot_sha256(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_reference(competition: Competition) -> str:
    """One more than the highest number given in the competition (gaps are never reused)."""
    prefix = f"{competition.reference}-A"
    numbers = [
        int(reference[len(prefix) :])
        for reference in Application.objects.filter(reference__startswith=prefix).values_list(
            "reference", flat=True
        )
        if reference[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def submit_application(*, user: User, application: Application, now=None) -> ApplicationVersion:
    """Submit (or resubmit) before the deadline: a frozen, hashed version and a receipt.

    ``now`` is the moment of submission: checked against the deadline and stamped on
    the version (seeds and tests pass it; requests use the server clock).
    """
    now = now or timezone.now()
    application = (
        Application.objects.select_for_update()
        .select_related("competition", "organization")
        .get(pk=application.pk)
    )
    if not permissions.is_applicant(user, application):
        raise PermissionDenied
    _guard_open(application, now)
    if application.status not in {
        Application.Status.DRAFT,
        Application.Status.SUBMITTED,
        Application.Status.WITHDRAWN,
    }:
        raise ServiceError(_("This application can no longer be submitted."))
    problems = submission_problems(application)
    if problems:
        raise ServiceError(problems)
    snapshot = build_snapshot(application)
    digest = snapshot_sha256(snapshot)
    latest = application.current_version
    if latest and latest.sha256 == digest and application.status == Application.Status.SUBMITTED:
        return latest  # The same content again: nothing new to keep.
    if not application.reference:
        # Serialise numbering per competition: lock its row while counting.
        Competition.objects.select_for_update().filter(pk=application.competition_id).first()
        application.reference = next_reference(application.competition)
    _event(application, Application.Status.SUBMITTED, user=user)
    application.submitted_at = now
    version = ApplicationVersion.objects.create(
        application=application,
        number=(latest.number + 1) if latest else 1,
        snapshot=snapshot,
        sha256=digest,
        submitted_by=user,
        submitted_at=now,
    )
    application.current_version = version
    application.save(
        update_fields=["reference", "status", "submitted_at", "current_version", "updated_at"]
    )
    from .tasks import send_receipt_task

    delay_on_commit(send_receipt_task, version.pk)
    return version


@transaction.atomic
def withdraw_application(*, user: User, application: Application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.is_applicant(user, application):
        raise PermissionDenied
    _guard_open(application)
    _event(application, Application.Status.WITHDRAWN, user=user)
    application.save(update_fields=["status", "updated_at"])
    return application


@transaction.atomic
def add_attachment(
    *, user: User, application: Application, checklist_item, uploaded, file_type, sha256
) -> Attachment:
    """Attach a checked upload; a new file for a checklist item replaces the old one."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.is_applicant(user, application):
        raise PermissionDenied
    _guard_open(application)
    if checklist_item is not None and checklist_item.competition_id != application.competition_id:
        raise PermissionDenied
    live = application.attachments.live()
    used = live.aggregate(total=Sum("size"))["total"] or 0
    replaced = (
        live.filter(checklist_item=checklist_item).first() if checklist_item is not None else None
    )
    if replaced is not None:
        used -= replaced.size
    if used + uploaded.size > settings.APPLICATION_MAX_BYTES:
        raise ServiceError(
            _("The documents together would be larger than the limit of the application.")
        )
    if replaced is not None:
        _retire(replaced)
    attachment = Attachment(
        application=application,
        checklist_item=checklist_item,
        original_name=display_name(uploaded.name),
        file_type=file_type,
        size=uploaded.size,
        sha256=sha256,
        uploaded_by=user,
    )
    attachment.file.save("upload", uploaded, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def _retire(attachment: Attachment) -> None:
    """Replace or remove a document: kept (superseded) if a submitted version refers to it,
    deleted with its file once the change commits otherwise."""
    referenced = any(
        entry.get("id") == attachment.pk
        for snapshot in ApplicationVersion.objects.filter(
            application_id=attachment.application_id
        ).values_list("snapshot", flat=True)
        for entry in snapshot["attachments"]
    )
    if referenced:
        attachment.superseded_at = timezone.now()
        attachment.save(update_fields=["superseded_at"])
        return
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def remove_attachment(*, user: User, attachment: Attachment) -> None:
    application = Application.objects.select_for_update().get(pk=attachment.application_id)
    if not permissions.is_applicant(user, application):
        raise PermissionDenied
    _guard_open(application)
    if attachment.superseded_at is not None:
        raise ServiceError(_("This document was already replaced or removed."))
    _retire(attachment)


@transaction.atomic
def decide_admission(
    *, user: User, application: Application, admit: bool, reason: str
) -> Application:
    """After the deadline an officer admits or rejects a submitted application, with a reason."""
    # The competition first (as approval does): no admission changes while it is decided.
    Competition.objects.select_for_update().filter(pk=application.competition_id).first()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("competition")
        .get(pk=application.pk)
    )
    if not permissions.can_decide_admission(user, application):
        raise PermissionDenied
    if AwardDecision.objects.filter(competition_id=application.competition_id).exists():
        raise ServiceError(_("The decision is approved; the evaluation can no longer change."))
    reason = reason.strip()
    if not admit and not reason:
        raise ServiceError(_("Give the reason for not admitting the application."))
    to = Application.Status.ADMITTED if admit else Application.Status.REJECTED
    if application.status == to:
        raise ServiceError(_("The application already has this decision."))
    _event(application, to, user=user, note=reason)
    application.admission_reason = reason
    application.admission_decided_by = user
    application.admission_decided_at = timezone.now()
    application.save(
        update_fields=[
            "status",
            "admission_reason",
            "admission_decided_by",
            "admission_decided_at",
            "updated_at",
        ]
    )
    email_applicant(
        application,
        template="emails/grants/admission_decided",
        context={"application": application, "admitted": admit},
    )
    return application


def email_applicant(application: Application, *, template: str, context: dict, attachment=None):
    """E-mail every member of the applying organisation, each in their language, with a
    link to the application."""
    for member in User.objects.filter(
        organization_memberships__organization=application.organization_id
    ):
        url = absolute_url("grants:detail", language=member.language, args=[application.pk])
        send_templated_email(
            to=member.email,
            template=template,
            context={**context, "url": url},
            language=member.language,
            attachment=attachment,
        )


def send_receipt(version_id: int) -> bool:
    """Render the receipt PDF of a version once and e-mail it to whoever submitted it."""
    with transaction.atomic():
        version = (
            ApplicationVersion.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("application__competition", "application__organization", "submitted_by")
            .filter(pk=version_id, receipt="")
            .first()
        )
        if version is None:
            return False
        submitter = version.submitted_by
        language = submitter.language if submitter else settings.LANGUAGE_CODE
        pdf = render_pdf(
            "pdf/application_receipt.html",
            {"version": version, "application": version.application},
            language=language,
        )
        name = f"{version.application.reference}-v{version.number}.pdf"
        version.receipt.save(name, ContentFile(pdf), save=False)
        try:
            version.receipt_sha256 = hashlib.sha256(pdf).hexdigest()
            version.save(update_fields=["receipt", "receipt_sha256"])
            if submitter is not None:
                url = absolute_url(
                    "grants:detail", language=language, args=[version.application_id]
                )
                send_templated_email(
                    to=submitter.email,
                    template="emails/grants/submitted",
                    context={"version": version, "application": version.application, "url": url},
                    language=language,
                    attachment=(name, pdf, "application/pdf"),
                )
        except Exception:
            # The row rolls back: take the stored file with it, the retry writes it anew.
            version.receipt.storage.delete(version.receipt.name)
            raise
        return True


def versions_without_receipt(*, older_than_minutes: int = 2) -> list[int]:
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    return list(
        ApplicationVersion.objects.filter(receipt="", submitted_at__lte=cutoff).values_list(
            "pk", flat=True
        )[:200]
    )
