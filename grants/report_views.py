"""Pages of a grant's reports: the organisation writes and submits, the customer's officer
accepts or returns. Every guard is in ``implementation.py``; the fetch-and-check helpers
here answer 404 to those who may not know a report exists (anyone who cannot see its
agreement) and 403 to those who see it but may not act (an officer editing, a member of
the organisation reviewing)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialorder.feedback import show_refusal
from socialorder.uploads import serve_private

from . import implementation, permissions
from .models import ImplementationEvent, Report, ReportSpending
from .report_forms import (
    NarrativeForm,
    ReportAttachmentForm,
    ResultsForm,
    ReviewForm,
    SpendingForm,
    posted_row_ids,
)
from .services import ServiceError


def _get_report(request, pk) -> Report:
    """A report the user may read: the customer's officers and the organisation."""
    report = get_object_or_404(
        Report.objects.select_related(
            "agreement__application__competition__state_body",
            "agreement__application__organization",
            "submitted_by",
            "reviewed_by",
        ),
        pk=pk,
    )
    if not permissions.can_view_agreement(request.user, report.agreement):
        raise Http404
    return report


def _get_readable_report(request, pk) -> Report:
    """A report whose content the user may read (officers: once submitted)."""
    report = _get_report(request, pk)
    if not permissions.can_read_report(request.user, report):
        raise Http404
    return report


def _get_report_for_applicant(request, pk) -> Report:
    """A report of the user's organisation; officers see it but do not write it."""
    report = _get_report(request, pk)
    if not permissions.is_applicant(request.user, report.agreement.application):
        raise PermissionDenied
    return report


def is_overdue(report: Report) -> bool:
    return report.is_editable and report.due_date < timezone.localdate()


def period_start(report: Report) -> datetime.date:
    """A report covers the days after the previous one's period, or from the grant's start."""
    previous = (
        report.agreement.reports.filter(number__lt=report.number)
        .order_by("-number")
        .values_list("period_end", flat=True)
        .first()
    )
    return previous + datetime.timedelta(days=1) if previous else report.agreement.start_date


# The report


def _detail_context(request, report, *, review_form=None) -> dict:
    agreement = report.agreement
    indicators = list(agreement.indicators.all())
    results = {r.indicator_id: r for r in report.results.all()}
    lines = list(agreement.budget_lines.select_related("category"))
    spent_here = {s.line_id: s for s in report.spending.all()}
    spent_all = dict(
        ReportSpending.objects.filter(report__agreement=agreement)
        .values("line")
        .annotate(total=Sum("amount"))
        .values_list("line", "total")
    )
    can_edit = permissions.can_edit_report(request.user, report)
    can_review = permissions.can_review_report(request.user, report)
    officer = permissions.can_manage_agreement(request.user, agreement)
    if can_review and review_form is None:
        review_form = ReviewForm()
    return {
        "report": report,
        "agreement": agreement,
        "organization": agreement.application.organization,
        "overdue": is_overdue(report),
        "period_start": period_start(report),
        "result_rows": [(i, results.get(i.pk)) for i in indicators],
        "spending_rows": [
            {
                "line": line,
                "here": spent_here.get(line.pk),
                "all": spent_all.get(line.pk) or 0,
                "limit": implementation.variance_limit(line),
            }
            for line in lines
        ],
        "spent_here_total": sum((s.amount for s in spent_here.values()), 0),
        "spent_all_total": sum(spent_all.values(), 0),
        "planned_total": sum((line.planned for line in lines), 0),
        "attachments": list(report.attachments.all()),
        "events": list(
            ImplementationEvent.objects.filter(report=report)
            .select_related("by")
            .order_by("at", "pk")
        ),
        # The tranches whose payment waits for this report's acceptance.
        "unlocks": list(report.unlocks.order_by("number")) if officer else [],
        "is_officer": officer,
        "content_visible": permissions.can_read_report(request.user, report),
        "can_edit": can_edit,
        "problems": implementation.report_problems(report) if can_edit else [],
        "can_review": can_review,
        "review_form": review_form,
    }


def _detail_page(request, report, *, status=200, review_form=None):
    return TemplateResponse(
        request,
        "grants/reports/report_detail.html",
        _detail_context(request, report, review_form=review_form),
        status=status,
    )


@login_required
@require_GET
def report_detail(request, pk):
    return _detail_page(request, _get_report(request, pk))


@login_required
@require_POST
def report_submit(request, pk):
    report = _get_report_for_applicant(request, pk)
    try:
        implementation.submit_report(user=request.user, report=report)
    except ServiceError as error:
        show_refusal(request, error)
        return _detail_page(request, report, status=400)
    messages.success(request, _("The report is submitted. The customer's officers will review it."))
    return redirect("grants:report", pk=report.pk)


# Writing the report


def _edit_forms(report, data=None):
    agreement = report.agreement
    indicators = list(agreement.indicators.all())
    lines = list(agreement.budget_lines.select_related("category"))
    for line in lines:
        line.limit = implementation.variance_limit(line)
    narrative = NarrativeForm(data, initial=NarrativeForm.initial_of(report), prefix="report")
    results = ResultsForm(
        data, indicators=indicators, results={r.indicator_id: r for r in report.results.all()}
    )
    spending = SpendingForm(
        data, lines=lines, spending={s.line_id: s for s in report.spending.all()}
    )
    return narrative, results, spending


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    report = _get_report_for_applicant(request, pk)
    editable = permissions.can_edit_report(request.user, report)
    if not editable:
        if report.is_editable:
            # Not signed yet, or completed or terminated: the service's own words.
            messages.error(request, _("Reports are written while the grant is being implemented."))
        else:
            messages.error(
                request,
                _("This report is %(status)s; it can no longer be changed.")
                % {"status": report.get_status_display()},
            )
        if request.method == "GET":
            return redirect("grants:report", pk=report.pk)
    data = request.POST if request.method == "POST" else None
    narrative, results, spending = _edit_forms(report, data)
    # Submitted meanwhile (another member, another tab): what was typed is shown again,
    # nothing is saved.
    status = 200 if editable else 409
    submit_problems = []
    if data is not None and editable:
        indicator_ids, line_ids = posted_row_ids(data)
        known_indicators = {i.pk for i in results.indicators}
        known_lines = {line.pk for line in spending.lines}
        if not indicator_ids <= known_indicators or not line_ids <= known_lines:
            # Rows of another agreement: nothing of theirs is read or written here.
            raise Http404
        if narrative.is_valid() and results.is_valid() and spending.is_valid():
            try:
                implementation.save_report(
                    user=request.user,
                    report=report,
                    narrative=narrative.cleaned_data,
                    results=results.entries(),
                    spending=spending.entries(),
                )
            except ServiceError as error:
                # Over a line's variance or the grant: shown with the spending, nothing saved.
                show_refusal(request, error, spending)
            else:
                if "submit" not in data:
                    messages.success(request, _("The draft report is saved."))
                    return redirect("grants:report-edit", pk=report.pk)
                try:
                    implementation.submit_report(user=request.user, report=report)
                except ServiceError as error:
                    # The draft stays saved; the page says what is missing.
                    submit_problems = error.messages
                    status = 400
                else:
                    messages.success(
                        request,
                        _(
                            "The report is saved and submitted. "
                            "The customer's officers will review it."
                        ),
                    )
                    return redirect("grants:report", pk=report.pk)
    return TemplateResponse(
        request,
        "grants/reports/report_form.html",
        {
            "report": report,
            "agreement": report.agreement,
            "narrative": narrative,
            "results": results,
            "spending": spending,
            "submit_problems": submit_problems,
            "overdue": is_overdue(report),
        },
        status=status,
    )


# Documents


def _attachments_page(request, report, form=None, *, status=200):
    can_edit = permissions.can_edit_report(request.user, report)
    return TemplateResponse(
        request,
        "grants/reports/report_attachments.html",
        {
            "report": report,
            "agreement": report.agreement,
            "attachments": list(report.attachments.all()),
            "form": form or (ReportAttachmentForm() if can_edit else None),
            "can_edit": can_edit,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_attachments(request, pk):
    if request.method == "GET":
        return _attachments_page(request, _get_readable_report(request, pk))
    report = _get_report_for_applicant(request, pk)
    form = ReportAttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            implementation.add_report_attachment(
                user=request.user, report=report, uploaded=form.cleaned_data["file"]
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The document is attached to the report."))
            return redirect("grants:report-attachments", pk=report.pk)
    return _attachments_page(request, report, form)


@login_required
@require_GET
def report_attachment(request, pk, attachment_pk):
    report = _get_readable_report(request, pk)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    return serve_private(
        attachment.file,
        file_type=attachment.file_type,
        filename=f"{report.agreement.number}-{report.number}-{attachment.pk}.{attachment.file_type}",
    )


@login_required
@require_POST
def report_attachment_remove(request, pk, attachment_pk):
    report = _get_report_for_applicant(request, pk)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    try:
        implementation.remove_report_attachment(user=request.user, attachment=attachment)
    except ServiceError as error:
        show_refusal(request, error)
        return _attachments_page(request, report, status=400)
    messages.success(request, _("The document is removed from the report."))
    return redirect("grants:report-attachments", pk=report.pk)


# The officer's review


@login_required
@require_POST
def report_review(request, pk):
    report = _get_report(request, pk)
    if not permissions.can_manage_agreement(request.user, report.agreement):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            implementation.review_report(
                user=request.user,
                report=report,
                accept=accept,
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            if accept:
                messages.success(request, _("The report is accepted; the organisation is told."))
            else:
                messages.success(
                    request,
                    _("The report is returned with your comment; the organisation is told."),
                )
            return redirect("grants:report", pk=report.pk)
    return _detail_page(request, report, review_form=form)
