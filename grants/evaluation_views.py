"""Pages of the evaluation: reviewers, the officer and the chair, the decision, verification
and appeals. Every guard is in ``evaluation.py`` and ``decisions.py``; the fetch-and-check
helpers here answer 404 to those who may not know an object exists, 403 to those who may
see it but not act."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import OrganizationPerson
from competitions.models import CommissionMember, Competition
from socialorder.feedback import show_refusal
from socialorder.uploads import open_private

from . import decisions, evaluation, permissions, ranking
from .forms import (
    AppealAnswerForm,
    AppealForm,
    AssignForm,
    ConflictForm,
    MeetingForm,
    ReasonForm,
    ReductionForm,
    ScorecardForm,
    VerifyForm,
)
from .models import (
    Appeal,
    Application,
    AwardDecision,
    ConflictDeclaration,
    DecisionDocument,
    EvaluationEvent,
    Review,
)
from .services import ServiceError
from .snapshots import submitted_content

EVENTS_SHOWN = 50


def _competition(request, reference, allowed) -> Competition:
    competition = get_object_or_404(
        Competition.objects.select_related("state_body"), reference=reference
    )
    if not allowed(request.user, competition):
        if competition.published_at is None:
            raise Http404
        raise PermissionDenied
    return competition


def _admitted_application(request, pk, allowed) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("competition__state_body", "organization"), pk=pk
    )
    if not permissions.is_unsealed(application):
        raise Http404
    if not allowed(request.user, application.competition):
        raise Http404
    return application


def _own_review(request, pk) -> Review:
    """A reviewer's own scorecard; anyone else's id answers 404."""
    return get_object_or_404(
        Review.objects.select_related(
            "application__competition__state_body", "application__organization", "member"
        ),
        pk=pk,
        member__user=request.user,
    )


# Reviewers


@login_required
@require_GET
def reviews(request):
    """A member's work: applications to declare on, scorecards to fill in."""
    seats = list(
        CommissionMember.objects.filter(user=request.user)
        .select_related("competition")
        .order_by("-competition__deadline")
    )
    declarations = {
        (d.member_id, d.application_id): d
        for d in ConflictDeclaration.objects.filter(member__in=seats)
    }
    own = {(r.member_id, r.application_id): r for r in Review.objects.filter(member__in=seats)}
    applications = (
        Application.objects.filter(
            competition__in=[seat.competition for seat in seats],
            status=Application.Status.ADMITTED,
        )
        .select_related("organization", "current_version")
        .order_by("reference")
    )
    by_competition = {}
    for application in applications:
        by_competition.setdefault(application.competition_id, []).append(application)
    groups = []
    for seat in seats:
        rows = [
            {
                "application": application,
                "declaration": declarations.get((seat.pk, application.pk)),
                "review": own.get((seat.pk, application.pk)),
            }
            for application in by_competition.get(seat.competition_id, [])
        ]
        groups.append({"seat": seat, "competition": seat.competition, "rows": rows})
    return TemplateResponse(request, "grants/reviews.html", {"groups": groups})


@login_required
@require_http_methods(["GET", "POST"])
def conflict(request, pk):
    application = _admitted_application(
        request, pk, lambda user, competition: permissions.commission_seat(user, competition)
    )
    seat = permissions.commission_seat(request.user, application.competition)
    declaration = ConflictDeclaration.objects.filter(application=application, member=seat).first()
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = evaluation.declare_conflict(
                user=request.user,
                application=application,
                has_conflict=form.cleaned_data["conflict"] == "yes",
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            if declaration.detected:
                messages.warning(
                    request,
                    _("The portal found a conflict of interest: %(reason)s You are recused.")
                    % {"reason": evaluation.DETECTED_REASONS[declaration.note]},
                )
            elif declaration.has_conflict:
                messages.success(request, _("Your conflict is recorded; you are recused."))
            else:
                messages.success(request, _("Your declaration is recorded."))
                review = Review.objects.filter(application=application, member=seat).first()
                if review is not None:
                    return redirect("grants:scorecard", pk=review.pk)
                return redirect("grants:detail", pk=application.pk)
            return redirect("grants:reviews")
    people = OrganizationPerson.objects.filter(organization=application.organization)
    context = {
        "application": application,
        "competition": application.competition,
        "title": (application.current_version.snapshot["project"]["title"])
        if application.current_version
        else "",
        "people": people,
        "declaration": declaration,
        "form": form,
    }
    return TemplateResponse(request, "grants/conflict.html", context)


def _scorecard_context(request, review, form):
    application = review.application
    criteria = list(application.competition.criteria.all())
    own = {s.criterion_id: s for s in review.scores.all()}
    others = []
    if review.status == Review.Status.SUBMITTED:
        # Blind until one's own scores are in: then the others' submitted scorecards.
        for index, other in enumerate(
            Review.objects.filter(application=application, status=Review.Status.SUBMITTED)
            .exclude(pk=review.pk)
            .prefetch_related("scores")
            .order_by("submitted_at", "pk"),
            start=1,
        ):
            points = {s.criterion_id: s for s in other.scores.all()}
            others.append(
                {
                    "label": index,
                    "total": other.total,
                    "scores": [points.get(c.pk) for c in criteria],
                }
            )
    return {
        **submitted_content(application),
        "review": review,
        "application": application,
        "competition": application.competition,
        "criteria": criteria,
        "form": form,
        "others": others,
        "own_rows": [(c, own.get(c.pk)) for c in criteria],
        "can_reopen": permissions.is_chair(request.user, application.competition),
    }


@login_required
@require_http_methods(["GET", "POST"])
def scorecard(request, pk):
    review = _own_review(request, pk)
    application = review.application
    if not permissions.has_cleared_conflict(review.member, application):
        messages.info(request, _("Declare first whether you have a conflict of interest."))
        return redirect("grants:conflict", pk=application.pk)
    criteria = list(application.competition.criteria.all())
    scores = {s.criterion_id: s for s in review.scores.all()}
    editable = review.status == Review.Status.DRAFT
    form = ScorecardForm(
        request.POST if request.method == "POST" else None, criteria=criteria, scores=scores
    )
    if request.method == "POST":
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                evaluation.save_scores(
                    user=request.user, review=review, entries=form.entries(), submit=submit
                )
            except ServiceError as error:
                # Out of range, missing, locked, decided: on the form, answered with 400.
                show_refusal(request, error, form)
            else:
                if submit:
                    messages.success(request, _("Your scorecard is submitted and locked."))
                else:
                    messages.success(request, _("The draft scorecard is saved."))
                return redirect("grants:scorecard", pk=review.pk)
    context = _scorecard_context(request, review, form)
    context["editable"] = editable
    return TemplateResponse(request, "grants/scorecard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_reopen(request, pk):
    review = get_object_or_404(
        Review.objects.select_related("application__competition__state_body", "member"), pk=pk
    )
    competition = review.application.competition
    if not permissions.can_manage_evaluation(request.user, competition):
        raise Http404
    if not permissions.is_chair(request.user, competition):
        raise PermissionDenied
    if permissions.is_recused_user(request.user, review.application):
        raise PermissionDenied
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation.reopen_review(
                user=request.user, review=review, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The scorecard is reopened; the reviewer can change it."))
            return redirect("grants:evaluation", reference=competition.reference)
    return TemplateResponse(
        request,
        "grants/review_reopen.html",
        {"review": review, "competition": competition, "form": form},
    )


# The officer and the chair


@login_required
@require_GET
def evaluation_overview(request, reference):
    competition = _competition(request, reference, permissions.can_manage_evaluation)
    return _overview(request, competition)


def _overview(request, competition, *, status=200):
    """The evaluation page; a refused action shows it again with its message and a 4xx."""
    officer = permissions.is_officer(request.user, competition)
    members = list(
        CommissionMember.objects.filter(competition=competition).order_by("role", "full_name")
    )
    applications = list(
        Application.objects.filter(competition=competition, status=Application.Status.ADMITTED)
        .select_related("organization", "reduction")
        .prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("member")),
            Prefetch(
                "conflict_declarations",
                queryset=ConflictDeclaration.objects.filter(has_conflict=True).select_related(
                    "member"
                ),
                to_attr="recusals",
            ),
        )
        .order_by("reference")
    )
    threshold = evaluation.divergence_threshold()
    placements = {}
    if officer:
        placements = {p.candidate.application_id: p for p in evaluation.preview(competition)}
    # Blind scoring binds an officer or chair who also reviews: no scores of an application
    # before their own scorecard of it is in, none of one they stepped away from.
    hidden = permissions.scores_hidden_from(request.user, competition)
    rows = []
    for application in applications:
        reviews = list(application.reviews.all())
        totals = [r.total for r in reviews if r.status == Review.Status.SUBMITTED]
        assigned = {r.member_id for r in reviews} | {d.member_id for d in application.recusals}
        rows.append(
            {
                "application": application,
                "reviews": reviews,
                "recusals": application.recusals,
                "divergent": application.pk not in hidden
                and ranking.is_divergent(totals, threshold),
                "placement": None if application.pk in hidden else placements.get(application.pk),
                "hidden": application.pk in hidden,
                "assignable": [
                    m for m in members if m.voting and m.user_id and m.pk not in assigned
                ],
            }
        )
    decided = hasattr(competition, "award_decision")
    context = {
        "competition": competition,
        "rows": rows,
        "members": members,
        "officer": officer,
        "chair": permissions.is_chair(request.user, competition),
        "decided": decided,
        "threshold": threshold,
        "placements": sorted(
            placements.values(), key=lambda p: (p.rank is None, p.rank or 0, -(p.score or 0))
        ),
        "evaluating": not decided and permissions.deadline_passed(competition),
        # A rank next to a hidden row would tell where the hidden one stands.
        "show_rank": not hidden,
        "events": EvaluationEvent.objects.filter(competition=competition)
        .select_related("application", "member", "by")
        .order_by("-at", "-pk")[:EVENTS_SHOWN],
    }
    return TemplateResponse(request, "grants/evaluation.html", context, status=status)


@login_required
@require_POST
def auto_assign(request, reference):
    competition = _competition(request, reference, permissions.can_manage_evaluation)
    try:
        made, short = evaluation.auto_assign(user=request.user, competition=competition)
    except ServiceError as error:
        show_refusal(request, error)
        return _overview(request, competition, status=409)
    messages.success(request, _("%(count)d reviewers assigned.") % {"count": made})
    if short:
        messages.warning(
            request,
            _("Not enough members without a conflict for: %(references)s")
            % {"references": ", ".join(a.reference for a in short)},
        )
    return redirect("grants:evaluation", reference=reference)


@login_required
@require_POST
def assign(request, pk):
    application = _admitted_application(request, pk, permissions.can_manage_evaluation)
    competition = application.competition
    form = AssignForm(
        request.POST,
        members=CommissionMember.objects.filter(competition=competition),
        prefix=f"a{application.pk}",
    )
    if not form.is_valid():
        messages.error(request, _("Choose a member of the commission."))
        return _overview(request, competition, status=400)
    try:
        evaluation.assign_reviewer(
            user=request.user, application=application, member=form.cleaned_data["member"]
        )
    except ServiceError as error:
        show_refusal(request, error)
        return _overview(request, competition, status=400)
    messages.success(request, _("The reviewer is assigned."))
    return redirect("grants:evaluation", reference=competition.reference)


@login_required
@require_POST
def unassign(request, pk):
    review = get_object_or_404(
        Review.objects.select_related("application__competition__state_body", "member"), pk=pk
    )
    competition = review.application.competition
    if not permissions.can_manage_evaluation(request.user, competition):
        raise Http404
    try:
        evaluation.unassign_reviewer(user=request.user, review=review)
    except ServiceError as error:
        show_refusal(request, error)
        return _overview(request, competition, status=409)
    messages.success(request, _("The reviewer is removed from the application."))
    return redirect("grants:evaluation", reference=competition.reference)


@login_required
@require_http_methods(["GET", "POST"])
def reduce(request, pk):
    application = _admitted_application(request, pk, permissions.can_approve_decision)
    if permissions.is_recused_user(request.user, application):
        raise PermissionDenied
    competition = application.competition
    reduction = getattr(application, "reduction", None)
    if request.method == "POST" and "undo" in request.POST:
        try:
            evaluation.undo_reduction(user=request.user, application=application)
        except ServiceError as error:
            show_refusal(request, error)
            return TemplateResponse(
                request,
                "grants/reduce.html",
                {
                    "application": application,
                    "competition": competition,
                    "reduction": reduction,
                    "requested": evaluation.counted_requested(application),
                    "form": ReductionForm(),
                },
                status=409,
            )
        messages.success(request, _("The full requested amount is restored."))
        return redirect("grants:evaluation", reference=competition.reference)
    form = ReductionForm(
        request.POST if request.method == "POST" else None,
        initial={"amount": reduction.amount, "reason": reduction.reason} if reduction else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            evaluation.reduce_amount(
                user=request.user,
                application=application,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The reduced amount is recorded."))
            return redirect("grants:evaluation", reference=competition.reference)
    return TemplateResponse(
        request,
        "grants/reduce.html",
        {
            "application": application,
            "competition": competition,
            "reduction": reduction,
            "requested": evaluation.counted_requested(application),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, reference):
    competition = _competition(request, reference, permissions.can_approve_decision)
    existing = getattr(competition, "commission_meeting", None)
    members = CommissionMember.objects.filter(competition=competition).order_by("role", "full_name")
    initial = None
    if existing is not None:
        initial = {
            "held_at": existing.held_at,
            "place": existing.place,
            "present": existing.present.all(),
            "minutes": existing.minutes,
        }
    form = MeetingForm(
        request.POST if request.method == "POST" else None, members=members, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            recorded = decisions.record_meeting(
                user=request.user,
                competition=competition,
                held_at=form.cleaned_data["held_at"],
                place=form.cleaned_data["place"],
                present=list(form.cleaned_data["present"]),
                minutes=form.cleaned_data["minutes"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            present = decisions.voting_present(recorded)
            if present < competition.quorum:
                messages.warning(
                    request,
                    _(
                        "The meeting is recorded, but there is no quorum: %(present)d voting "
                        "members attended, %(quorum)d are needed."
                    )
                    % {"present": present, "quorum": competition.quorum},
                )
            else:
                messages.success(request, _("The meeting is recorded; the quorum is met."))
            return redirect("grants:decision", reference=reference)
    return TemplateResponse(
        request,
        "grants/meeting.html",
        {"competition": competition, "form": form, "meeting": existing},
    )


def _documents(decision):
    return list(
        decision.documents.select_related("application__organization").order_by(
            "kind", "application__reference", "language"
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision(request, reference):
    """Before approval: the ranking, what stops approval, the approve button.
    After: the decision and the progress of its PDFs."""
    competition = _competition(request, reference, permissions.can_approve_decision)
    award = AwardDecision.objects.filter(competition=competition).first()
    status = 200
    if request.method == "POST":
        try:
            award = decisions.approve_decision(user=request.user, competition=competition)
        except ServiceError as error:
            show_refusal(request, error)
            status = 409 if award is not None else 400
            competition.refresh_from_db()
        else:
            messages.success(
                request,
                _("The decision %(number)s is approved. Its PDFs are being rendered.")
                % {"number": award.number},
            )
            return redirect("grants:decision", reference=reference)
    return _decision_page(request, competition, award, status=status)


def _decision_page(request, competition, award, *, status=200):
    context = {"competition": competition, "award": award}
    if award is None:
        context.update(
            {
                "problems": decisions.approval_problems(competition),
                "placements": evaluation.preview(competition),
                "hidden": permissions.scores_hidden_from(request.user, competition),
                "meeting": getattr(competition, "commission_meeting", None),
            }
        )
    else:
        context["documents"] = _documents(award)
        context["appeals"] = Appeal.objects.filter(
            application__competition=competition
        ).select_related("application__organization")
    return TemplateResponse(request, "grants/decision.html", context, status=status)


@login_required
@require_GET
def decision_status(request, reference):
    """The rendering progress, as a fragment the decision page swaps in every few seconds."""
    competition = _competition(request, reference, permissions.can_approve_decision)
    award = get_object_or_404(AwardDecision, competition=competition)
    return TemplateResponse(
        request,
        "grants/includes/decision_documents.html",
        {"competition": competition, "award": award, "documents": _documents(award)},
    )


@login_required
@require_POST
def document_retry(request, pk):
    document = get_object_or_404(
        DecisionDocument.objects.select_related("decision__competition__state_body"), pk=pk
    )
    competition = document.decision.competition
    if not permissions.can_approve_decision(request.user, competition):
        raise Http404
    try:
        decisions.retry_document(user=request.user, document=document)
    except ServiceError as error:
        show_refusal(request, error)
        return _decision_page(request, competition, document.decision, status=409)
    messages.success(request, _("The document is queued again."))
    return redirect("grants:decision", reference=competition.reference)


@require_GET
def document_download(request, pk):
    """Decision PDFs are public; a letter goes to its applicant and the customer's officers."""
    document = get_object_or_404(
        DecisionDocument.objects.select_related("decision__competition__state_body", "application"),
        pk=pk,
        status=DecisionDocument.Status.DONE,
    )
    if document.kind == DecisionDocument.Kind.LETTER and not (
        permissions.is_applicant(request.user, document.application)
        or permissions.is_officer(request.user, document.decision.competition)
    ):
        raise Http404
    return FileResponse(
        open_private(document.file),
        as_attachment=True,
        filename=document.filename,
        content_type="application/pdf",
    )


# Verification (public)


@require_http_methods(["GET", "POST"])
def verify(request, code):
    award = get_object_or_404(
        AwardDecision.objects.select_related("competition__state_body"),
        verification_code=code.strip().upper(),
    )
    posted = request.method == "POST"
    form = VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            content = form.cleaned_data["file"].read()
            match = decisions.matching_document(award, content)
            result = {"match": match, "sha256": hashlib.sha256(content).hexdigest()}
            if match is None:
                status = 422
        else:
            status = 400
    documents = award.documents.filter(
        kind=DecisionDocument.Kind.DECISION, status=DecisionDocument.Status.DONE
    ).order_by("language")
    return TemplateResponse(
        request,
        "grants/verify.html",
        {"award": award, "documents": documents, "form": form, "result": result},
        status=status,
    )


# Appeals


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("competition__award_decision", "organization"), pk=pk
    )
    if not permissions.is_applicant(request.user, application):
        raise Http404
    existing = Appeal.objects.filter(application=application).first()
    context = {"application": application, "appeal": existing, "form": None}
    if existing is None and not permissions.can_appeal(request.user, application):
        messages.error(request, _("This outcome can no longer be appealed."))
        if request.method == "GET":
            return redirect("grants:detail", pk=application.pk)
        return TemplateResponse(request, "grants/appeal.html", context, status=403)
    if request.method == "POST" and existing is not None:
        messages.error(request, _("This application already has an appeal."))
        return TemplateResponse(request, "grants/appeal.html", context, status=409)
    form = AppealForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            decisions.file_appeal(
                user=request.user, application=application, text=form.cleaned_data["text"]
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The appeal is filed. The customer will answer it."))
            return redirect("grants:appeal", pk=application.pk)
    return TemplateResponse(
        request,
        "grants/appeal.html",
        {"application": application, "appeal": existing, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_answer(request, pk):
    appeal_ = get_object_or_404(
        Appeal.objects.select_related(
            "application__competition__state_body", "application__organization"
        ),
        pk=pk,
    )
    competition = appeal_.application.competition
    if not permissions.can_approve_decision(request.user, competition):
        raise Http404
    form = AppealAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.answer_appeal(
                user=request.user,
                appeal=appeal_,
                upheld=form.cleaned_data["decision"] == "upheld",
                response=form.cleaned_data["response"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The response is recorded and the applicant notified."))
            return redirect("grants:decision", reference=competition.reference)
    return TemplateResponse(
        request,
        "grants/appeal_answer.html",
        {
            "appeal": appeal_,
            "application": appeal_.application,
            "competition": competition,
            "form": form,
        },
    )
