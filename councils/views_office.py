"""The council office: secretaries keep their council's page (members and terms,
meetings, minutes, documents, recommendations, plans and reports); officers answer the
recommendations addressed to their state bodies.

Every guard is in ``services.py``. The fetch-and-check helpers answer 404 to anyone who
is not a secretary of the council (another council's office does not exist for them) and
to an officer of another body; a dissolved council's pages are read-only.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import StateBody, StateBodyMembership
from socialorder.feedback import show_refusal
from socialorder.uploads import sha256_of

from . import compositions, permissions, services
from .forms import (
    AnswerForm,
    CancelMeetingForm,
    CouncilForm,
    EndTermForm,
    MeetingDocumentForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    PaperForm,
    RecommendationFilterForm,
    RecommendationForm,
)
from .models import (
    AnnualReport,
    Council,
    CouncilMember,
    Meeting,
    Recommendation,
    WorkPlan,
)
from .services import ServiceError

PAGE_SIZE = 20
WORKSPACE_ROWS = 20
PAPERS = {"plan": WorkPlan, "report": AnnualReport}


def _council(request, slug) -> Council:
    """A council the user is a secretary of; anyone else's office pages are 404."""
    council = get_object_or_404(Council.objects.select_related("state_body"), slug=slug)
    if not permissions.is_secretary(request.user, council):
        raise Http404
    return council


def _read_only(request, council) -> bool:
    return not permissions.can_edit_council(request.user, council)


def _officer_bodies(user):
    return StateBody.objects.filter(
        memberships__user=user, memberships__role=StateBodyMembership.Role.OFFICER
    ).distinct()


def _position_order(member) -> tuple:
    return (CouncilMember.POSITION_ORDER.get(member.position, 9), member.full_name)


def _page(request, template, context, **kwargs):
    return TemplateResponse(request, f"councils/office/{template}", context, **kwargs)


# The workspace


@login_required
@require_GET
def workspace(request):
    councils = Council.objects.filter(secretaries__user=request.user).select_related("state_body")
    officer = permissions.can_answer_recommendations(request.user)
    awaiting, awaiting_count = [], 0
    if officer:
        pending = (
            Recommendation.objects.filter(
                addressed_to__in=_officer_bodies(request.user),
                status__in=Recommendation.AWAITING,
            )
            .select_related("council", "addressed_to")
            # The earliest due first: the overdue ones come first.
            .order_by("response_due", "pk")
        )
        awaiting = list(pending[:WORKSPACE_ROWS])
        awaiting_count = len(awaiting)
        if awaiting_count == WORKSPACE_ROWS:
            awaiting_count = pending.count()
    return _page(
        request,
        "workspace.html",
        {
            "councils": list(councils),
            "is_officer": officer,
            "awaiting": awaiting,
            "awaiting_count": awaiting_count,
        },
    )


# A secretary's council


def _overview(council) -> dict:
    """Everything the council's office page lists, in a constant number of queries."""
    today = timezone.localdate()
    members = list(council.members.all())
    current = compositions.current(members, today=today, order=_position_order)
    sitting = {member.pk for member in current}
    others = sorted(
        (member for member in members if member.pk not in sitting),
        key=lambda member: member.term_start,
        reverse=True,
    )
    return {
        "current_members": current,
        "other_members": others,
        "today": today,
        "meetings": council.meetings.all(),
        "recommendations": council.recommendations.select_related("addressed_to"),
        "work_plans": council.work_plans.all(),
        "annual_reports": council.annual_reports.all(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def council_edit(request, slug):
    council = _council(request, slug)
    posted = request.method == "POST"
    form = CouncilForm(
        request.POST if posted else None, request.FILES if posted else None, instance=council
    )
    if posted and form.is_valid():
        try:
            services.update_council(user=request.user, council=council, data=form.page_data())
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The council's page was saved."))
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "council_form.html",
        {
            "council": council,
            "form": form,
            "read_only": _read_only(request, council),
            **_overview(council),
        },
    )


# Members and terms


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, slug, pk=None):
    council = _council(request, slug)
    member = get_object_or_404(council.members, pk=pk) if pk else CouncilMember(council=council)
    form = MemberForm(request.POST if request.method == "POST" else None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_member(user=request.user, council=council, member=form.instance)
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(
                request,
                _("The term of %(name)s was saved.") % {"name": form.instance.full_name},
            )
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "member_form.html",
        {
            "council": council,
            "member": member if pk else None,
            "form": form,
            "read_only": _read_only(request, council),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_end(request, slug, pk):
    council = _council(request, slug)
    member = get_object_or_404(council.members, pk=pk)
    form = EndTermForm(
        request.POST if request.method == "POST" else None,
        initial={"term_end": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.end_term(user=request.user, member=member, **form.cleaned_data)
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(
                request, _("The term of %(name)s was ended.") % {"name": member.full_name}
            )
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "member_end.html",
        {
            "council": council,
            "member": member,
            "form": form,
            "read_only": _read_only(request, council),
        },
    )


# Meetings


def _meeting(council, pk) -> Meeting:
    return get_object_or_404(council.meetings, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, slug, pk=None):
    council = _council(request, slug)
    meeting = _meeting(council, pk) if pk else Meeting(council=council)
    form = MeetingForm(request.POST if request.method == "POST" else None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_meeting(
                user=request.user,
                council=council,
                meeting=form.instance,
                agenda=form.cleaned_data["agenda"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            if pk:
                messages.success(request, _("The meeting was saved."))
            else:
                messages.success(
                    request, _("The meeting was planned; it is shown on the council's page.")
                )
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "meeting_form.html",
        {
            "council": council,
            "meeting": meeting if pk else None,
            "form": form,
            "read_only": _read_only(request, council),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request, slug, pk):
    council = _council(request, slug)
    meeting = _meeting(council, pk)
    day = timezone.localdate(meeting.starts_at)
    sitting = CouncilMember.objects.filter(council=council).on(day).order_by("full_name", "pk")
    posted = request.method == "POST"
    form = MinutesForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        sitting=sitting,
        initial={
            "present": list(meeting.present.values_list("pk", flat=True)),
            "guests_count": meeting.guests_count,
            "minutes": meeting.minutes,
        },
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services.publish_minutes(
                user=request.user,
                meeting=meeting,
                minutes=data["minutes"],
                present=list(data["present"]),
                guests_count=data["guests_count"],
                minutes_file=data["minutes_file"],
                minutes_file_type=form.file_type,
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The minutes were published."))
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "meeting_minutes.html",
        {
            "council": council,
            "meeting": meeting,
            "form": form,
            "upcoming": meeting.starts_at > timezone.now(),
            "read_only": _read_only(request, council),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, slug, pk):
    council = _council(request, slug)
    meeting = _meeting(council, pk)
    form = CancelMeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(
                user=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The meeting was cancelled."))
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "meeting_cancel.html",
        {
            "council": council,
            "meeting": meeting,
            "form": form,
            "read_only": _read_only(request, council),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_documents(request, slug, pk):
    council = _council(request, slug)
    meeting = _meeting(council, pk)
    posted = request.method == "POST"
    form = MeetingDocumentForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_meeting_document(
                user=request.user,
                meeting=meeting,
                title=form.cleaned_data["title"],
                upload=upload,
                file_type=form.file_type,
                size=upload.size,
                sha256=sha256_of(upload),
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect("councils:meeting-documents", slug=council.slug, pk=meeting.pk)
    return _page(
        request,
        "meeting_documents.html",
        {
            "council": council,
            "meeting": meeting,
            "form": form,
            "documents": meeting.documents.all(),
            "read_only": _read_only(request, council),
        },
    )


# Recommendations, plans and reports


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request, slug):
    council = _council(request, slug)
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        council=council,
        due_days=settings.RECOMMENDATION_RESPONSE_DAYS,
        initial={"addressed_to": council.state_body_id, "adopted_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.create_recommendation(
                user=request.user, council=council, **form.cleaned_data
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(
                request,
                _("The recommendation was sent to %(body)s; the response is due by %(date)s.")
                % {
                    "body": recommendation.addressed_to.name,
                    "date": formats.date_format(recommendation.response_due, "DATE_FORMAT"),
                },
            )
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "recommendation_form.html",
        {"council": council, "form": form, "read_only": _read_only(request, council)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_create(request, slug, kind):
    model = PAPERS.get(kind)
    if model is None:
        raise Http404
    council = _council(request, slug)
    posted = request.method == "POST"
    form = PaperForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        paper = model(
            year=data["year"],
            text=data["text"].strip(),
            file=data["file"] or "",
            file_type=form.file_type,
        )
        try:
            services.save_paper(user=request.user, council=council, paper=paper)
        except ServiceError as error:
            show_refusal(request, error, form)
        except IntegrityError:
            # Another secretary published the same year meanwhile.
            form.add_error("year", _("There is already one for this year."))
        else:
            if kind == "plan":
                message = _("The work plan for %(year)d was published.")
            else:
                message = _("The annual report for %(year)d was published.")
            messages.success(request, message % {"year": data["year"]})
            return redirect("councils:edit", slug=council.slug)
    return _page(
        request,
        "paper_form.html",
        {
            "council": council,
            "kind": kind,
            "form": form,
            "read_only": _read_only(request, council),
        },
    )


# Officers of the addressed state body


@login_required
@require_GET
def officer_recommendations(request):
    if not permissions.can_answer_recommendations(request.user):
        raise PermissionDenied
    form = RecommendationFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    recommendations = Recommendation.objects.filter(
        addressed_to__in=_officer_bodies(request.user)
    ).select_related("council", "addressed_to")
    if state == "awaiting":
        recommendations = recommendations.filter(status__in=Recommendation.AWAITING)
    elif state == "overdue":
        recommendations = recommendations.overdue()
    elif state == "answered":
        recommendations = recommendations.exclude(status__in=Recommendation.AWAITING)
    if state == "answered":
        recommendations = recommendations.order_by("-responded_on", "-pk")
    else:
        # Awaiting first, the earliest due (the overdue ones) at the top.
        recommendations = recommendations.order_by(
            F("responded_on").asc(nulls_first=True), "response_due", "pk"
        )
    page = Paginator(recommendations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "officer_recommendations.html",
        {"filter_form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk):
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("council", "addressed_to", "meeting"), pk=pk
    )
    # Recommendations addressed to another body are not this officer's business.
    if not permissions.can_answer_recommendation(request.user, recommendation):
        raise Http404
    form = AnswerForm(
        request.POST if request.method == "POST" else None, recommendation=recommendation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_recommendation(
                user=request.user,
                recommendation=recommendation,
                status=form.cleaned_data["status"],
                response=form.cleaned_data["response"],
            )
        except ServiceError as error:
            show_refusal(request, error, form)
        else:
            messages.success(
                request, _("The response was recorded; it is shown on the council's page.")
            )
            return redirect("councils:officer-recommendations")
    return _page(
        request,
        "answer.html",
        {"recommendation": recommendation, "form": form, "final": not form.allowed},
    )
