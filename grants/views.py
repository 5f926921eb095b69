import difflib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organization
from accounts.permissions import can_act_for_state_body
from competitions.models import Competition
from socialorder.feedback import show_refusal
from socialorder.uploads import open_private, serve_private, sha256_of

from . import permissions, queries, services
from .forms import (
    ActivityFormSet,
    AdmissionForm,
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    ResultFormSet,
    StartApplicationForm,
)
from .models import Appeal, Application, ApplicationVersion, DecisionDocument, Outcome
from .snapshots import live_content, submitted_content

PAGE_SIZE = 25


def _get_application(request, pk) -> Application:
    """An application the user may read: its organisation's members; reviewers once
    unsealed. Everyone else (and reviewers before the deadline) gets 404."""
    application = get_object_or_404(
        Application.objects.select_related("competition__state_body", "organization"), pk=pk
    )
    if not permissions.can_view_application(request.user, application):
        raise Http404
    return application


def _get_application_for_applicant(request, pk) -> Application:
    """The application of one of the user's organisations; 404 for anyone else."""
    application = _get_application(request, pk)
    if not permissions.is_applicant(request.user, application):
        raise Http404
    return application


def _refuse_after_deadline(request, application) -> bool:
    if permissions.deadline_passed(application.competition):
        messages.error(
            request,
            _("The deadline of this competition has passed; the application can no longer change."),
        )
        return True
    return False


@login_required
@require_GET
def workspace(request):
    applications = (
        Application.objects.for_member(request.user)
        .select_related("competition", "organization")
        .order_by("competition__deadline", "-created_at")
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    has_grants = queries.has_grants(request.user)
    return TemplateResponse(
        request, "grants/workspace.html", {"page": page, "has_grants": has_grants}
    )


@login_required
@require_POST
def start(request, reference):
    competition = get_object_or_404(Competition.objects.public(), reference=reference)
    organizations = Organization.objects.for_member(request.user)
    form = StartApplicationForm(request.POST, organizations=organizations)
    if not form.is_valid():
        messages.error(request, _("Choose one of your organisations."))
        return TemplateResponse(
            request, "grants/start_refused.html", {"competition": competition}, status=400
        )
    organization = form.cleaned_data["organization"]
    existing = Application.objects.filter(
        competition=competition, organization=organization
    ).first()
    if existing is not None:
        messages.info(request, _("Your organisation already has an application; here it is."))
        return redirect("grants:edit", pk=existing.pk)
    try:
        application = services.start_application(
            user=request.user, organization=organization, competition=competition
        )
    except services.ServiceError as error:
        show_refusal(request, error)
        return redirect("competitions:detail", reference=reference)
    messages.success(request, _("The draft was created. It is saved whenever you press Save."))
    return redirect("grants:edit", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    application = _get_application_for_applicant(request, pk)
    if request.method == "POST" and _refuse_after_deadline(request, application):
        return redirect("grants:detail", pk=application.pk)
    if not permissions.can_edit_application(request.user, application):
        messages.error(request, _("This application can no longer be edited."))
        return redirect("grants:detail", pk=application.pk)
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, instance=application)
    formsets = [
        ActivityFormSet(data, instance=application, prefix="activities"),
        ResultFormSet(data, instance=application, prefix="results"),
        BudgetFormSet(data, instance=application, prefix="budget"),
    ]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        try:
            services.save_draft(user=request.user, form=form, formsets=formsets)
        except services.ServiceError as error:
            show_refusal(request, error)
            return redirect("grants:detail", pk=application.pk)
        messages.success(request, _("The draft was saved."))
        if "submit" in request.POST:
            return redirect("grants:submit", pk=application.pk)
        return redirect("grants:edit", pk=application.pk)
    activities, results, budget = formsets
    return TemplateResponse(
        request,
        "grants/application_form.html",
        {
            "application": application,
            "competition": application.competition,
            "form": form,
            "activities": activities,
            "results": results,
            "budget": budget,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def documents(request, pk):
    application = _get_application_for_applicant(request, pk)
    checklist = list(application.competition.checklist.all())
    attachments = list(application.attachments.select_related("checklist_item"))
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        if _refuse_after_deadline(request, application):
            return redirect("grants:detail", pk=application.pk)
        form = AttachmentForm(request.POST, request.FILES)
        item_id = request.POST.get("checklist_item") or None
        item = None
        if item_id is not None:
            item = next((i for i in checklist if str(i.pk) == item_id), None)
            if item is None:
                raise Http404
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                services.add_attachment(
                    user=request.user,
                    application=application,
                    checklist_item=item,
                    uploaded=uploaded,
                    file_type=form.file_type,
                    sha256=sha256_of(uploaded),
                )
            except services.ServiceError as error:
                form.add_error("file", error)
            else:
                messages.success(request, _("The document was attached."))
                return redirect("grants:documents", pk=application.pk)
        for error in form.errors.get("file", []):
            messages.error(request, error)
        status = 400
    by_item = {a.checklist_item_id: a for a in attachments if a.checklist_item_id}
    return TemplateResponse(
        request,
        "grants/application_documents.html",
        {
            "application": application,
            "rows": [(item, by_item.get(item.pk)) for item in checklist],
            "extra": [a for a in attachments if a.checklist_item_id is None],
            "form": form,
            "can_edit": permissions.can_edit_application(request.user, application),
        },
        status=status,
    )


@login_required
@require_POST
def document_remove(request, pk, attachment_pk):
    application = _get_application_for_applicant(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    try:
        services.remove_attachment(user=request.user, attachment=attachment)
    except services.ServiceError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("The document was removed."))
    return redirect("grants:documents", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    application = _get_application_for_applicant(request, pk)
    if request.method == "POST":
        try:
            version = services.submit_application(user=request.user, application=application)
        except services.ServiceError as error:
            return TemplateResponse(
                request,
                "grants/application_submit.html",
                {
                    "application": application,
                    "problems": error.message_dict if hasattr(error, "error_dict") else {},
                    "errors": [] if hasattr(error, "error_dict") else error.messages,
                },
                status=400,
            )
        messages.success(
            request,
            _(
                "The application %(reference)s was submitted (version %(number)s). "
                "A receipt is being sent to your e-mail."
            )
            % {"reference": version.application.reference, "number": version.number},
        )
        return redirect("grants:detail", pk=application.pk)
    problems = services.submission_problems(application)
    return TemplateResponse(
        request,
        "grants/application_submit.html",
        {
            "application": application,
            "problems": problems,
            "deadline_passed": permissions.deadline_passed(application.competition),
        },
    )


@login_required
@require_POST
def withdraw(request, pk):
    application = _get_application_for_applicant(request, pk)
    try:
        services.withdraw_application(user=request.user, application=application)
    except services.ServiceError as error:
        show_refusal(request, error)
        return TemplateResponse(
            request,
            "grants/application_detail.html",
            _detail_context(request, application),
            status=400,
        )
    messages.success(
        request,
        _("The application was withdrawn. You can submit it again until the deadline."),
    )
    return redirect("grants:detail", pk=application.pk)


def _detail_context(request, application):
    """The applicant sees the live application; reviewers the version that counts."""
    applicant = permissions.is_applicant(request.user, application)
    context = live_content(application) if applicant else submitted_content(application)
    if applicant and application.current_version is not None:
        live_hash = services.snapshot_sha256(services.build_snapshot(application))
        context["unsubmitted_changes"] = live_hash != application.current_version.sha256
    return {
        **context,
        "application": application,
        "competition": application.competition,
        "versions": application.versions.only("pk", "number", "sha256", "submitted_at", "receipt")
        if applicant
        else (),
        "is_applicant": applicant,
        "can_edit": permissions.can_edit_application(request.user, application),
        "can_decide": permissions.can_decide_admission(request.user, application)
        and not hasattr(application.competition, "award_decision"),
        **(_outcome_context(request, application) if applicant else {}),
    }


def _outcome_context(request, application):
    outcome = Outcome.objects.filter(application=application).first()
    if outcome is None:
        return {}
    return {
        "outcome": outcome,
        "letter": DecisionDocument.objects.filter(
            application=application,
            kind=DecisionDocument.Kind.LETTER,
            status=DecisionDocument.Status.DONE,
        ).first(),
        "has_appeal": Appeal.objects.filter(application=application).exists(),
        "can_appeal": permissions.can_appeal(request.user, application),
    }


@login_required
@require_GET
def detail(request, pk):
    application = _get_application(request, pk)
    return TemplateResponse(
        request, "grants/application_detail.html", _detail_context(request, application)
    )


@login_required
@require_GET
def compare(request, pk):
    application = _get_application_for_applicant(request, pk)
    versions = {v.number: v for v in application.versions.all()}
    try:
        first = versions[int(request.GET.get("a", 0))]
        second = versions[int(request.GET.get("b", 0))]
    except (KeyError, ValueError):
        numbers = sorted(versions)
        if len(numbers) < 2:
            messages.info(request, _("There is only one submitted version; nothing to compare."))
            return redirect("grants:detail", pk=application.pk)
        first, second = versions[numbers[-2]], versions[numbers[-1]]

    def lines(version):
        return json.dumps(
            version.snapshot, ensure_ascii=False, indent=2, sort_keys=True
        ).splitlines()

    diff = list(
        difflib.unified_diff(
            lines(first), lines(second), f"v{first.number}", f"v{second.number}", lineterm="", n=2
        )
    )
    return TemplateResponse(
        request,
        "grants/application_compare.html",
        {
            "application": application,
            "first": first,
            "second": second,
            "diff": diff,
            "numbers": sorted(versions),
        },
    )


@login_required
@require_GET
def receipt(request, pk, number):
    application = _get_application_for_applicant(request, pk)
    version = get_object_or_404(ApplicationVersion, application=application, number=number)
    if not version.receipt:
        messages.info(request, _("The receipt is being prepared. Try again in a minute."))
        return redirect("grants:detail", pk=application.pk)
    return FileResponse(
        open_private(version.receipt),
        as_attachment=True,
        filename=f"{application.reference}-v{version.number}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    application = _get_application(request, pk)
    attachments = application.attachments.all()
    if not permissions.is_applicant(request.user, application):
        # Reviewers read the documents of the version that counts, nothing else.
        attachments = submitted_content(application).get("attachments", attachments.none())
    attachment = get_object_or_404(attachments, pk=attachment_pk)
    return serve_private(
        attachment.file,
        file_type=attachment.file_type,
        filename=f"{application.pk}-{attachment.pk}.{attachment.file_type}",
    )


# Officers


@login_required
@require_GET
def competition_applications(request, reference):
    competition = get_object_or_404(
        Competition.objects.select_related("state_body"), reference=reference
    )
    if not can_act_for_state_body(request.user, competition.state_body):
        if competition.published_at is None:
            raise Http404
        raise PermissionDenied
    counts = Application.objects.filter(competition=competition).aggregate(
        submitted=Count("pk", filter=~Q(status__in=["draft", "withdrawn"])),
    )
    sealed = not permissions.deadline_passed(competition)
    page = None
    if not sealed:
        applications = (
            Application.objects.filter(competition=competition)
            .submitted()
            .select_related("organization", "current_version")
            .order_by("reference")
        )
        page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "grants/officer_application_list.html",
        {"competition": competition, "sealed": sealed, "counts": counts, "page": page},
    )


@login_required
@require_http_methods(["GET", "POST"])
def admission(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("competition__state_body", "organization"), pk=pk
    )
    if not can_act_for_state_body(request.user, application.competition.state_body):
        raise Http404
    if not permissions.is_unsealed(application):
        # Sealed: the officer learns nothing of the content before the deadline.
        raise Http404
    form = AdmissionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_admission(
                user=request.user,
                application=application,
                admit=form.cleaned_data["decision"] == "admit",
                reason=form.cleaned_data["reason"],
            )
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision was recorded and the applicant notified."))
            return redirect(
                "grants:competition-applications", reference=application.competition.reference
            )
    context = {**_detail_context(request, application), **submitted_content(application)}
    context["form"] = form
    context["checklist"] = application.competition.checklist.all()
    attached = context.get("submitted_checklist_items", set())
    context["missing"] = [item for item in context["checklist"] if item.pk not in attached]
    return TemplateResponse(request, "grants/admission.html", context)
