"""Public pages of the councils registry: no sign-in, read only (see README.md).

Every page runs a fixed number of queries however many members, meetings and
recommendations a council has: rows are fetched once and arranged in Python.
"""

import datetime

import icalendar
from django import forms
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import StateBody
from competitions.models import CommissionMember, Competition
from grants.queries import state_body_awards, state_body_competitions
from socialorder.uploads import CONTENT_TYPES, JPEG, PNG, detect_type, open_private, serve_private

from . import compositions, figures, permissions
from .models import (
    AnnualReport,
    Council,
    CouncilMember,
    Meeting,
    MeetingDocument,
    Recommendation,
    WorkPlan,
)

PAGE_SIZE = 25
FEED_SIZE = 30
MEETING_LENGTH = datetime.timedelta(hours=2)
# A council's calendar goes two years back; the calendar of all councils, which
# subscribers reload often, three months (and both every meeting ahead).
CALENDAR_PAST = datetime.timedelta(days=2 * 365)
ALL_CALENDAR_PAST = datetime.timedelta(days=90)
PAPERS = {"plan": WorkPlan, "report": AnnualReport}
IMAGE_TYPES = frozenset({JPEG, PNG})


def _position_order(member):
    return (CouncilMember.POSITION_ORDER.get(member.position, 99), member.full_name)


def _name_order():
    """Councils by name in the active language, the Kyrgyz name where it has none."""
    language = translation.get_language() or "ky"
    names = [f"name_{code}" for code in (language, "ky", "ru") if code in ("ky", "ru", "en")]
    return Coalesce(*(NullIf(F(name), Value("")) for name in dict.fromkeys(names)))


def _kind_order():
    return Case(
        *(When(kind=value, then=Value(rank)) for rank, value in enumerate(Council.Kind.values)),
        default=Value(len(Council.Kind.values)),
        output_field=IntegerField(),
    )


def _documents_public(meeting: Meeting) -> bool:
    """Documents of a planned meeting (the draft agenda) and of minuted meetings."""
    return permissions.minutes_public(meeting) or meeting.status == Meeting.Status.PLANNED


def _bars(rows):
    """``rows`` of ``(label, value)`` with each bar's width in percent of the largest."""
    largest = max((value for _label, value in rows), default=0)
    return [
        {"label": label, "value": value, "width": round(value * 100 / largest) if largest else 0}
        for label, value in rows
    ]


# The registry


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=200)
    state_body = forms.ModelChoiceField(
        label=gettext_lazy("State body"),
        queryset=StateBody.objects.filter(councils__isnull=False).distinct(),
        required=False,
        empty_label=gettext_lazy("Any state body"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[
            ("", gettext_lazy("Any status")),
            *((value, capfirst(label)) for value, label in Council.Status.choices),
        ],
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            ("", gettext_lazy("Any kind")),
            *((value, capfirst(label)) for value, label in Council.Kind.choices),
        ],
        required=False,
    )


def _search(councils, query: str):
    """Every word in the name, in any language, case-insensitively."""
    for word in query.split():
        councils = councils.filter(
            Q(name_ky__icontains=word) | Q(name_ru__icontains=word) | Q(name_en__icontains=word)
        )
    return councils


@require_GET
def council_list(request):
    form = RegistryFilterForm(request.GET or None)
    today = timezone.localdate()
    sitting = (
        CouncilMember.objects.filter(council=OuterRef("pk"))
        .on(today)
        .order_by()
        .values("council")
        .annotate(n=Count("pk"))
        .values("n")
    )
    next_meetings = Meeting.objects.filter(
        council=OuterRef("pk"), status=Meeting.Status.PLANNED, starts_at__gte=timezone.now()
    ).order_by("starts_at", "pk")
    councils = Council.objects.with_listing().annotate(
        member_count=Coalesce(Subquery(sitting), 0),
        next_meeting_at=Subquery(next_meetings.values("starts_at")[:1]),
        next_meeting_pk=Subquery(next_meetings.values("pk")[:1]),
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["state_body"]:
            councils = councils.filter(state_body=data["state_body"])
        if data["status"]:
            councils = councils.filter(status=data["status"])
        if data["kind"]:
            councils = councils.filter(kind=data["kind"])
        if data["q"]:
            councils = _search(councils, data["q"])
    councils = councils.order_by(_kind_order(), _name_order(), "pk")
    page = Paginator(councils, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "councils/council_list.html",
        {"filter_form": form, "page": page, "query": query.urlencode()},
    )


# A council's page


def _get_council(slug) -> Council:
    return get_object_or_404(
        Council.objects.select_related("state_body", "coordinated_by"), slug=slug
    )


def _commission_seats(members):
    """Seats as council representative or observer on the commissions of decided
    competitions (whose decision names the commission publicly), held by people who
    sat on the council, matched by e-mail (never shown)."""
    emails = {member.email.lower() for member in members if member.email}
    if not emails:
        return []
    return list(
        CommissionMember.objects.alias(email_lower=Lower("email"))
        .filter(
            email_lower__in=emails,
            role__in=[
                CommissionMember.Role.COUNCIL_REPRESENTATIVE,
                CommissionMember.Role.OBSERVER,
            ],
            competition__status__in=[Competition.Status.DECIDED, Competition.Status.CLOSED],
        )
        .select_related("competition")
        .order_by("-competition__deadline", "competition__reference", "full_name")
    )


def _figures(council: Council) -> dict:
    on_time, counted, percent = figures.responses_on_time(council)
    return {
        "meetings_per_year": _bars(figures.meetings_per_year(council)),
        "recommendations_by_status": _bars(
            [(label, count) for _status, label, count in figures.recommendations_by_status(council)]
        ),
        "on_time": on_time,
        "counted": counted,
        "percent": percent,
    }


@require_GET
def council_detail(request, slug):
    council = _get_council(slug)
    today = timezone.localdate()
    now = timezone.now()
    members = list(council.members.all())
    meetings = list(council.meetings.all())
    upcoming = sorted(
        (m for m in meetings if m.status == Meeting.Status.PLANNED and m.starts_at >= now),
        key=lambda m: (m.starts_at, m.pk),
    )
    coming = {m.pk for m in upcoming}
    past = [m for m in meetings if m.pk not in coming]
    member_councils = []
    if council.kind == Council.Kind.COORDINATION:
        member_councils = list(
            council.member_councils.select_related("state_body").order_by(
                _kind_order(), _name_order(), "pk"
            )
        )
    competitions, awards = [], []
    if council.state_body is not None:
        competitions = list(state_body_competitions(council.state_body)[:10])
        awards = list(state_body_awards(council.state_body)[:20])
    return TemplateResponse(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "today": today,
            "current_members": compositions.current(members, today=today, order=_position_order),
            "periods": compositions.periods(members, order=_position_order, until=today),
            "upcoming": upcoming,
            "past_meetings": past,
            "recommendations": list(
                council.recommendations.select_related("addressed_to", "meeting")
            ),
            "work_plans": list(council.work_plans.all()),
            "annual_reports": list(council.annual_reports.all()),
            "figures": _figures(council),
            "member_councils": member_councils,
            "commission_seats": _commission_seats(members),
            "competitions": competitions,
            "awards": awards,
        },
    )


@require_GET
def meeting_detail(request, slug, pk):
    meeting = get_object_or_404(
        Meeting.objects.select_related("council__state_body"), pk=pk, council__slug=slug
    )
    published = permissions.minutes_public(meeting)
    present = []
    if published:
        present = sorted(meeting.present.all(), key=_position_order)
    return TemplateResponse(
        request,
        "councils/meeting_detail.html",
        {
            "council": meeting.council,
            "meeting": meeting,
            "agenda": list(meeting.agenda.all()),
            "minutes_published": published,
            "present": present,
            "documents": list(meeting.documents.all()) if _documents_public(meeting) else [],
            "recommendations": list(meeting.recommendations.select_related("addressed_to")),
        },
    )


@require_GET
def recommendation_detail(request, slug, pk):
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("council", "meeting", "addressed_to"),
        pk=pk,
        council__slug=slug,
    )
    return TemplateResponse(
        request,
        "councils/recommendation_detail.html",
        {"council": recommendation.council, "recommendation": recommendation},
    )


# Atom feeds of new minutes and recommendations


def _meeting_url(meeting: Meeting) -> str:
    return reverse("councils:meeting", args=[meeting.council.slug, meeting.pk])


def _recommendation_url(recommendation: Recommendation) -> str:
    return reverse("councils:recommendation", args=[recommendation.council.slug, recommendation.pk])


class CouncilsFeed(Feed):
    """Minutes as they are published and recommendations as they are adopted, newest first."""

    feed_type = Atom1Feed
    title = gettext_lazy("Public councils: minutes and recommendations")
    subtitle = gettext_lazy("New minutes of meetings and recommendations of the councils")

    def link(self):
        return reverse("councils:list")

    def _councils(self, obj):
        return {} if obj is None else {"council": obj}

    def items(self, obj=None):
        minuted = (
            Meeting.objects.filter(minutes_published_at__isnull=False, **self._councils(obj))
            .select_related("council")
            .order_by("-minutes_published_at", "-pk")[:FEED_SIZE]
        )
        recommendations = (
            Recommendation.objects.filter(**self._councils(obj))
            .select_related("council")
            .order_by("-created_at", "-pk")[:FEED_SIZE]
        )
        return sorted([*minuted, *recommendations], key=self.item_pubdate, reverse=True)[:FEED_SIZE]

    def item_title(self, item):
        if isinstance(item, Meeting):
            day = formats.date_format(timezone.localtime(item.starts_at), "DATE_FORMAT")
            return _("Minutes: %(council)s %(date)s") % {"council": item.council, "date": day}
        return _("Recommendation of %(council)s: %(title)s") % {
            "council": item.council,
            "title": item.title,
        }

    def item_description(self, item):
        # Atom says the summary is HTML: the text goes escaped, its line breaks kept.
        return linebreaks(item.minutes if isinstance(item, Meeting) else item.text, autoescape=True)

    def item_link(self, item):
        return _meeting_url(item) if isinstance(item, Meeting) else _recommendation_url(item)

    def item_pubdate(self, item):
        return item.minutes_published_at if isinstance(item, Meeting) else item.created_at

    def item_author_name(self, item):
        return item.council.name


class CouncilFeed(CouncilsFeed):
    def get_object(self, request, slug):
        return _get_council(slug)

    def title(self, obj):
        return _("%(council)s: minutes and recommendations") % {"council": obj.name}

    def subtitle(self, obj):
        return _("New minutes of meetings and recommendations of %(council)s") % {
            "council": obj.name
        }

    def link(self, obj):
        return obj.get_absolute_url()


# iCalendar feeds of meetings


def _calendar_response(request, meetings, name: str) -> HttpResponse:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//State social order portal//Public councils//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Bishkek")
    for meeting in meetings:
        start = meeting.starts_at.astimezone(datetime.UTC)
        event = icalendar.Event()
        event.add("uid", f"council-meeting-{meeting.pk}@socialorder")
        event.add("dtstamp", meeting.updated_at.astimezone(datetime.UTC))
        event.add("dtstart", start)
        event.add("dtend", start + MEETING_LENGTH)
        event.add("summary", _("%(council)s: meeting") % {"council": meeting.council.name})
        location = meeting.place or meeting.online_link
        if location:
            event.add("location", location)
        agenda = [item.title for item in meeting.agenda.all()]
        if agenda:
            event.add("description", "\n".join(f"{n}. {t}" for n, t in enumerate(agenda, 1)))
        event.add("url", request.build_absolute_uri(_meeting_url(meeting)))
        cancelled = meeting.status == Meeting.Status.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _calendar_meetings(past=CALENDAR_PAST):
    """The meetings since ``past`` ago and every future one, soonest first."""
    return (
        Meeting.objects.filter(starts_at__gte=timezone.now() - past)
        .select_related("council")
        .prefetch_related("agenda")
        .order_by("starts_at", "pk")
    )


@require_GET
def calendar(request):
    return _calendar_response(
        request, _calendar_meetings(ALL_CALENDAR_PAST), _("Public council meetings")
    )


@require_GET
def council_calendar(request, slug):
    council = _get_council(slug)
    return _calendar_response(
        request,
        _calendar_meetings().filter(council=council),
        _("%(council)s: meetings") % {"council": council.name},
    )


# Files


@require_GET
def logo(request, slug):
    council = _get_council(slug)
    if not council.logo:
        raise Http404
    # The logo has no stored type: read it from the bytes; only images are served.
    handle = open_private(council.logo)
    try:
        file_type = detect_type(handle)
    except Exception:
        handle.close()
        raise
    if file_type not in IMAGE_TYPES:
        handle.close()
        raise Http404
    response = FileResponse(
        handle,
        filename=f"{council.slug}-logo.{file_type}",
        content_type=CONTENT_TYPES[file_type],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def minutes_file(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("council"), pk=pk)
    if not permissions.minutes_public(meeting) or not meeting.minutes_file:
        raise Http404
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    return serve_private(
        meeting.minutes_file,
        file_type=meeting.minutes_file_type,
        filename=f"minutes-{meeting.council.slug}-{day}.{meeting.minutes_file_type or 'bin'}",
    )


@require_GET
def meeting_document(request, pk):
    document = get_object_or_404(MeetingDocument.objects.select_related("meeting__council"), pk=pk)
    if not _documents_public(document.meeting) and not permissions.is_secretary(
        request.user, document.meeting.council
    ):
        raise Http404
    return serve_private(
        document.file,
        file_type=document.file_type,
        filename=f"{document.meeting.council.slug}-document-{document.pk}.{document.file_type}",
    )


@require_GET
def paper_file(request, kind, pk):
    model = PAPERS.get(kind)
    if model is None:
        raise Http404
    paper = get_object_or_404(model.objects.select_related("council"), pk=pk)
    if not paper.file:
        raise Http404
    return serve_private(
        paper.file,
        file_type=paper.file_type,
        filename=f"{paper.council.slug}-{kind}-{paper.year}.{paper.file_type or 'bin'}",
    )
