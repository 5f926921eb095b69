"""Pages of the grant agreement: the officer drafts, edits, prepares and signs it, pays
tranches, records visits, terminates; the organisation reads it. Every guard is in
``implementation.py``; the fetch-and-check helpers here answer 404 to those who may not
know an agreement exists and 403 to those who may read it but not act."""

import contextlib
import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialorder.feedback import show_refusal
from socialorder.uploads import open_private, serve_private

from . import implementation, permissions
from .agreement_forms import (
    NoteForm,
    PaymentForm,
    ReportFormSet,
    ReturnForm,
    SignForm,
    TerminateForm,
    TermsForm,
    TrancheFormSet,
    VisitForm,
)
from .models import (
    AgreementDocument,
    Application,
    GrantAgreement,
    GrantBudgetLine,
    ImplementationEvent,
    MonitoringVisit,
    Tranche,
    VisitFile,
)
from .services import ServiceError

EVENTS_SHOWN = 100
RUNNING = (GrantAgreement.Status.SIGNED, GrantAgreement.Status.IN_IMPLEMENTATION)


def _agreement(request, pk, *, manage=False) -> GrantAgreement:
    """The agreement for its officers and organisation (others: 404); with ``manage``,
    the organisation gets 403."""
    agreement = get_object_or_404(
        GrantAgreement.objects.select_related(
            "application__competition__state_body",
            "application__organization",
            "application__current_version",
        ),
        pk=pk,
    )
    if permissions.can_manage_agreement(request.user, agreement):
        return agreement
    if not permissions.is_applicant(request.user, agreement.application):
        raise Http404
    if manage:
        raise PermissionDenied
    return agreement


def _status_of(error) -> int:
    """A refusal of the input is 400; one of the agreement's state, 409."""
    return 400 if hasattr(error, "error_dict") else 409


def _title(agreement) -> str:
    version = agreement.application.current_version
    return version.snapshot["project"]["title"] if version else ""


# Drafting


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request, pk):
    application = get_object_or_404(
        Application.objects.select_related(
            "competition__state_body", "organization", "current_version", "outcome__decision"
        ),
        pk=pk,
    )
    if not permissions.can_manage_agreement(request.user, application):
        if permissions.is_applicant(request.user, application):
            raise PermissionDenied
        raise Http404
    existing = GrantAgreement.objects.filter(application=application).first()
    if existing is not None:
        return redirect("grants:agreement", pk=existing.pk)
    status = 200
    if application.status != Application.Status.AWARDED:
        messages.error(request, _("Only an application awarded a grant gets an agreement."))
        status = 409
    elif request.method == "POST":
        try:
            agreement = implementation.draft_agreement(user=request.user, application=application)
        except ServiceError as error:
            show_refusal(request, error)
            status = 409
        else:
            messages.success(
                request,
                _("The agreement %(number)s is drafted. Check its terms and schedule.")
                % {"number": agreement.number},
            )
            return redirect("grants:agreement-edit", pk=agreement.pk)
    version = application.current_version
    context = {
        "application": application,
        "competition": application.competition,
        "outcome": getattr(application, "outcome", None),
        "title": version.snapshot["project"]["title"] if version else "",
        "awarded": application.status == Application.Status.AWARDED,
    }
    return TemplateResponse(
        request, "grants/agreements/agreement_create.html", context, status=status
    )


# The working page


def _tranche_rows(agreement, tranches, officer, pay_forms):
    """Each tranche with why it cannot be paid now, and the officer's payment form.

    Only the first unpaid tranche can be next; for the others whose condition is met the
    reason is that one, so the page asks the database once, however long the schedule."""
    first_unpaid = next((t for t in tranches if not t.is_paid), None)
    rows = []
    for tranche in tranches:
        tranche.agreement = agreement
        refusal = None
        if officer and not tranche.is_paid:
            if tranche is first_unpaid or not tranche.condition_met:
                refusal = implementation.tranche_refusal(tranche)
            else:
                refusal = _("Tranche %(number)s must be paid first.") % {
                    "number": first_unpaid.number
                }
        form = None
        if officer and not tranche.is_paid and refusal is None:
            form = pay_forms.get(tranche.pk) or PaymentForm(prefix=f"tranche-{tranche.pk}")
        rows.append({"tranche": tranche, "refusal": refusal, "form": form})
    return rows


def _detail_context(request, agreement, *, forms=None, pay_forms=None) -> dict:
    forms = forms or {}
    officer = permissions.can_manage_agreement(request.user, agreement)
    counted = Q(spending__report__status__in=implementation.COUNTED_REPORTS)
    lines = list(
        GrantBudgetLine.objects.filter(agreement=agreement)
        .select_related("category")
        .annotate(spent=Sum("spending__amount", filter=counted))
    )
    for line in lines:
        line.limit = implementation.variance_limit(line)
        line.over = (line.spent or 0) > line.limit
    reports = list(agreement.reports.all())
    tranches = list(agreement.tranches.select_related("condition_report"))
    visits = agreement.visits.select_related("recorded_by").prefetch_related(
        Prefetch("files", queryset=VisitFile.objects.order_by("pk"))
    )
    if not officer:
        # The organisation reads the findings addressed to it (permissions.can_view_visit).
        visits = visits.filter(shared_with_organization=True)
    documents = implementation.latest_documents(agreement)
    for document in documents:
        document.agreement = agreement
    status = agreement.status
    Status = GrantAgreement.Status
    labels = dict(Status.choices)
    events = ImplementationEvent.objects.filter(agreement=agreement)
    if not officer:
        # Visits the organisation is not told about stay out of its history too.
        events = events.exclude(action=ImplementationEvent.Action.VISIT)
    events = list(
        events.select_related("by", "report", "tranche").order_by("-at", "-pk")[:EVENTS_SHOWN]
    )
    for event in events:
        event.from_label = labels.get(event.from_status, "")
        event.to_label = labels.get(event.to_status, "")
    paid = implementation.paid_total(agreement)
    outstanding = agreement.amount_to_return - agreement.amount_returned
    context = {
        "agreement": agreement,
        "application": agreement.application,
        "competition": agreement.application.competition,
        "organization": agreement.application.organization,
        "title": _title(agreement),
        "officer": officer,
        "lines": lines,
        "planned_total": sum((line.planned for line in lines), 0),
        "spent_total": sum((line.spent or 0 for line in lines), 0),
        "variance": settings.REPORT_LINE_VARIANCE_PERCENT,
        "indicators": list(agreement.indicators.all()),
        "reports": reports,
        "tranche_rows": _tranche_rows(agreement, tranches, officer, pay_forms or {}),
        "paid": paid,
        "documents": documents,
        "rendering": any(
            d.status in {AgreementDocument.Status.QUEUED, AgreementDocument.Status.RUNNING}
            for d in documents
        ),
        "visits": list(visits),
        "events": events,
        "outstanding": outstanding,
        "can_edit": officer and status == Status.DRAFT,
        "can_prepare": officer and status == Status.DRAFT,
        "problems": implementation.preparation_problems(agreement)
        if officer and status == Status.DRAFT
        else [],
        "can_reopen": officer and status == Status.PREPARED,
        "can_sign": officer and status == Status.PREPARED,
        "can_visit": officer and status not in {Status.DRAFT, Status.PREPARED},
        "can_terminate": officer and status in RUNNING,
        "can_return": officer and status == Status.TERMINATED and outstanding > 0,
        "reopen_form": forms.get("reopen") or NoteForm(),
        "return_form": forms.get("return") or ReturnForm(),
    }
    return context


def _detail_page(request, agreement, *, status=200, **kwargs):
    return TemplateResponse(
        request,
        "grants/agreements/agreement_detail.html",
        _detail_context(request, agreement, **kwargs),
        status=status,
    )


@login_required
@require_GET
def agreement_detail(request, pk):
    return _detail_page(request, _agreement(request, pk))


# Terms and schedule


def _schedule_initial(agreement):
    reports = [
        {"kind": r.kind, "period_end": r.period_end, "due_date": r.due_date}
        for r in agreement.reports.order_by("number")
    ]
    tranches = [
        {
            "amount": t.amount,
            "due_date": t.due_date,
            "condition": t.condition,
            "report_number": t.condition_report.number if t.condition_report else None,
        }
        for t in agreement.tranches.select_related("condition_report").order_by("number")
    ]
    terms = {
        name: getattr(agreement, name)
        for name in ("start_date", "end_date", "bank_name", "bank_bic", "bank_account")
    }
    return terms, reports, tranches


def _one_more_row(data) -> bool:
    """An "add a row" button: one more empty row in that table, nothing saved."""
    for prefix in ("reports", "tranches"):
        if f"add-{prefix}" in data:
            key = f"{prefix}-TOTAL_FORMS"
            # A broken management form is left as it is: the formset says so.
            with contextlib.suppress(ValueError):
                data[key] = str(int(data.get(key, "")) + 1)
            return True
    return False


def _schedule(reports, tranches):
    """The plain rows ``save_agreement`` takes. A tranche names a report by its row on the
    page; the service wants its position among the rows kept."""
    kept_reports = reports.kept()
    positions = {number: position for position, (number, _d) in enumerate(kept_reports, 1)}
    report_rows = [
        {"kind": row["kind"], "period_end": row["period_end"], "due_date": row["due_date"]}
        for _n, row in kept_reports
    ]
    tranche_rows = [
        {
            "amount": row["amount"],
            "due_date": row["due_date"],
            "condition": row["condition"],
            "report_number": positions.get(row["report_number"])
            if row["condition"] == Tranche.Condition.REPORT
            else None,
        }
        for _n, row in tranches.kept()
    ]
    return report_rows, tranche_rows


def _show_schedule_refusal(request, error, terms, reports, tranches):
    if not hasattr(error, "error_dict"):
        show_refusal(request, error, terms)
        return
    for key, problems in error.message_dict.items():
        if key == "reports":
            reports.add_non_form_errors(problems)
        elif key == "tranches":
            tranches.add_non_form_errors(problems)
        else:
            terms.add_error(None, problems)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = _agreement(request, pk, manage=True)
    if not agreement.is_editable:
        messages.error(request, _("The terms can be changed only while the agreement is a draft."))
        if request.method == "GET":
            return redirect("grants:agreement", pk=agreement.pk)
    data = request.POST.copy() if request.method == "POST" else None
    adding = data is not None and _one_more_row(data)
    # A submitted row counts as typed, whatever the stored one was: only the rows left
    # empty are ignored (the initial values would make unchanged rows look empty).
    terms_initial, reports_initial, tranches_initial = (
        _schedule_initial(agreement) if data is None else ({}, None, None)
    )
    terms = TermsForm(data, initial=terms_initial)
    reports = ReportFormSet(data, initial=reports_initial, prefix="reports")
    tranches = TrancheFormSet(
        data,
        initial=tranches_initial,
        prefix="tranches",
        form_kwargs={"reports": len(reports.forms)},
    )
    # Prepared meanwhile (another officer, another tab): what was typed is shown again,
    # nothing is saved.
    status = 200 if agreement.is_editable else 409
    if data is not None and not adding and agreement.is_editable:
        valid = [terms.is_valid(), reports.is_valid(), tranches.is_valid()]
        if all(valid):
            report_rows, tranche_rows = _schedule(reports, tranches)
            try:
                implementation.save_agreement(
                    user=request.user,
                    agreement=agreement,
                    terms=terms.cleaned_data,
                    reports=report_rows,
                    tranches=tranche_rows,
                )
            except ServiceError as error:
                _show_schedule_refusal(request, error, terms, reports, tranches)
            else:
                messages.success(request, _("The terms and the schedule are saved."))
                return redirect("grants:agreement", pk=agreement.pk)
    context = {
        "agreement": agreement,
        "application": agreement.application,
        "title": _title(agreement),
        "form": terms,
        "reports": reports,
        "tranches": tranches,
    }
    return TemplateResponse(
        request, "grants/agreements/agreement_form.html", context, status=status
    )


# Signing


@login_required
@require_POST
def agreement_prepare(request, pk):
    agreement = _agreement(request, pk, manage=True)
    try:
        implementation.prepare_agreement(user=request.user, agreement=agreement)
    except ServiceError as error:
        show_refusal(request, error)
        agreement.refresh_from_db()
        return _detail_page(request, agreement, status=409)
    messages.success(
        request,
        _("The agreement is prepared for signing; its PDFs are being rendered."),
    )
    return redirect("grants:agreement", pk=agreement.pk)


@login_required
@require_POST
def agreement_reopen(request, pk):
    agreement = _agreement(request, pk, manage=True)
    if agreement.status != GrantAgreement.Status.PREPARED:
        messages.error(request, _("Only an agreement awaiting signature returns to draft."))
        return _detail_page(request, agreement, status=409)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            implementation.reopen_agreement(
                user=request.user, agreement=agreement, note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            status = _status_of(error)
            show_refusal(request, error, form if status == 400 else None)
            return _detail_page(request, agreement, status=status, forms={"reopen": form})
        messages.success(request, _("The agreement is back to draft; correct its terms."))
        return redirect("grants:agreement", pk=agreement.pk)
    return _detail_page(request, agreement, status=400, forms={"reopen": form})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request, pk):
    agreement = _agreement(request, pk, manage=True)
    if agreement.status != GrantAgreement.Status.PREPARED:
        messages.error(request, _("Only an agreement prepared for signing can be marked signed."))
        if request.method == "GET":
            return redirect("grants:agreement", pk=agreement.pk)
        return _detail_page(request, agreement, status=409)
    posted = request.method == "POST"
    form = SignForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted and form.is_valid():
        try:
            implementation.mark_signed(
                user=request.user,
                agreement=agreement,
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
            status = _status_of(error)
        else:
            messages.success(request, _("The agreement is signed. The first tranche can be paid."))
            return redirect("grants:agreement", pk=agreement.pk)
    context = {
        "agreement": agreement,
        "title": _title(agreement),
        "form": form,
        "documents": implementation.latest_documents(agreement),
    }
    return TemplateResponse(
        request, "grants/agreements/agreement_sign.html", context, status=status
    )


# Money


@login_required
@require_POST
def tranche_pay(request, pk):
    tranche = get_object_or_404(Tranche, pk=pk)
    agreement = _agreement(request, tranche.agreement_id, manage=True)
    tranche.agreement = agreement
    form = PaymentForm(request.POST, prefix=f"tranche-{tranche.pk}")
    status = 400
    if form.is_valid():
        try:
            implementation.pay_tranche(
                user=request.user,
                tranche=tranche,
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["reference"],
            )
        except ServiceError as error:
            # A refusal of the tranche itself (its condition, its turn) goes above the
            # page: its row shows why and no form.
            status = _status_of(error)
            show_refusal(request, error, form if status == 400 else None)
        else:
            messages.success(
                request,
                _("The payment of tranche %(number)s is recorded.") % {"number": tranche.number},
            )
            return redirect("grants:agreement", pk=agreement.pk)
    return _detail_page(request, agreement, status=status, pay_forms={tranche.pk: form})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_terminate(request, pk):
    agreement = _agreement(request, pk, manage=True)
    if agreement.status not in RUNNING:
        messages.error(request, _("Only a signed agreement that has not ended can be terminated."))
        if request.method == "GET":
            return redirect("grants:agreement", pk=agreement.pk)
        return _detail_page(request, agreement, status=409)
    form = TerminateForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            implementation.terminate_agreement(
                user=request.user,
                agreement=agreement,
                reason=form.cleaned_data["reason"],
                amount_to_return=form.cleaned_data["amount_to_return"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
            status = _status_of(error)
        else:
            messages.success(request, _("The agreement is terminated."))
            return redirect("grants:agreement", pk=agreement.pk)
    context = {
        "agreement": agreement,
        "title": _title(agreement),
        "form": form,
        "paid": implementation.paid_total(agreement),
    }
    return TemplateResponse(
        request, "grants/agreements/agreement_terminate.html", context, status=status
    )


@login_required
@require_POST
def funds_return(request, pk):
    agreement = _agreement(request, pk, manage=True)
    form = ReturnForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            implementation.record_return(
                user=request.user,
                agreement=agreement,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            status = _status_of(error)
            show_refusal(request, error, form if status == 400 else None)
        else:
            messages.success(request, _("The return of funds is recorded."))
            return redirect("grants:agreement", pk=agreement.pk)
    return _detail_page(request, agreement, status=status, forms={"return": form})


# Monitoring


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk):
    agreement = _agreement(request, pk, manage=True)
    if agreement.status in {GrantAgreement.Status.DRAFT, GrantAgreement.Status.PREPARED}:
        messages.error(request, _("Visits are recorded once the agreement is signed."))
        if request.method == "GET":
            return redirect("grants:agreement", pk=agreement.pk)
        return _detail_page(request, agreement, status=409)
    posted = request.method == "POST"
    form = VisitForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted and form.is_valid():
        try:
            implementation.record_visit(
                user=request.user,
                agreement=agreement,
                data=form.visit_data(),
                files=form.cleaned_data["files"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
            status = _status_of(error)
        else:
            messages.success(request, _("The monitoring visit is recorded."))
            return redirect("grants:agreement", pk=agreement.pk)
    context = {"agreement": agreement, "title": _title(agreement), "form": form}
    return TemplateResponse(request, "grants/agreements/visit_form.html", context, status=status)


# Files


@login_required
@require_GET
def agreement_document(request, pk, document_pk):
    agreement = _agreement(request, pk)
    document = get_object_or_404(
        AgreementDocument, pk=document_pk, agreement=agreement, status=AgreementDocument.Status.DONE
    )
    document.agreement = agreement
    return FileResponse(
        open_private(document.file),
        as_attachment=True,
        filename=document.filename,
        content_type="application/pdf",
    )


@login_required
@require_POST
def agreement_document_retry(request, pk):
    document = get_object_or_404(AgreementDocument, pk=pk)
    agreement = _agreement(request, document.agreement_id, manage=True)
    document.agreement = agreement
    try:
        implementation.retry_agreement_document(user=request.user, document=document)
    except ServiceError as error:
        show_refusal(request, error)
        return _detail_page(request, agreement, status=409)
    messages.success(request, _("The document is queued again."))
    return redirect("grants:agreement", pk=agreement.pk)


@login_required
@require_GET
def signed_scan(request, pk):
    agreement = _agreement(request, pk)
    if not agreement.signed_scan:
        raise Http404
    extension = os.path.splitext(agreement.signed_scan.name)[1].lower()
    return FileResponse(
        open_private(agreement.signed_scan),
        as_attachment=True,
        filename=f"{agreement.number}-signed{extension}",
    )


@login_required
@require_GET
def visit_file(request, pk, file_pk):
    visit = get_object_or_404(
        MonitoringVisit.objects.select_related(
            "agreement__application__competition__state_body", "agreement__application"
        ),
        pk=pk,
    )
    if not permissions.can_view_visit(request.user, visit):
        raise Http404
    stored = get_object_or_404(VisitFile, pk=file_pk, visit=visit)
    return serve_private(stored.file, file_type=stored.file_type, filename=stored.original_name)
