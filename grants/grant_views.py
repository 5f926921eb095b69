"""Pages of the implemented grants: the public registry and a grant's public page, the
organisation's "My grants" and the officer's worklist. They only read; every change is
made on the agreement's and the report's own pages (``agreement_views``, ``report_views``).
"""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.models import Region, StateBody
from accounts.permissions import is_officer
from socialorder.search import text_search

from . import permissions, queries
from .models import GrantAgreement, Report

PAGE_SIZE = 20
# How many rows each list of a workspace shows (the page says how many there are in all).
LIST_SIZE = 10
# Payments the organisation sees as recent.
RECENT_DAYS = 60


class RegistryFilterForm(forms.Form):
    SORTS = [
        ("-signed", _("Newest agreements first")),
        ("-amount", _("Largest grants first")),
        ("organization", _("Organisation, A to Z")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Organisation, project title or agreement number."),
    )
    state_body = forms.ModelChoiceField(
        label=_("State customer"), queryset=StateBody.objects.all(), required=False
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.filter(parent=None), required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, str(y)) for y in years]
        self.fields["status"].choices = [("", _("Any status"))] + [
            (status, GrantAgreement.Status(status).label) for status in GrantAgreement.PUBLIC
        ]


SORT_ORDERS = {
    "-signed": ["-signed_on", "-pk"],
    "-amount": ["-amount", "-pk"],
    "organization": ["application__organization__name", "pk"],
}


def _filtered(grants, data: dict):
    """The registry narrowed by the valid filters in ``data`` (invalid ones are left out)."""
    if data.get("state_body"):
        grants = grants.filter(application__competition__state_body=data["state_body"])
    if data.get("region"):
        grants = queries.in_region(grants, data["region"])
    if data.get("year"):
        grants = grants.filter(competition_year=data["year"])
    if data.get("status"):
        grants = grants.filter(status=data["status"])
    if data.get("q"):
        grants = text_search(
            grants,
            data["q"],
            russian=("project_title", "application__organization__name"),
            other=("project_title", "application__organization__name", "number"),
        )
    return grants


@require_GET
def registry(request):
    grants = queries.with_listing(queries.public_grants()).annotate(
        competition_year=ExtractYear("application__competition__deadline")
    )
    years = sorted(
        set(
            queries.public_grants().values_list(
                ExtractYear("application__competition__deadline"), flat=True
            )
        ),
        reverse=True,
    )
    form = RegistryFilterForm(request.GET or None, years=years)
    # Filters that are not valid (a year or a customer that does not exist) are ignored
    # and named on the form; the others still apply.
    data = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    grants = _filtered(grants, data)
    totals = queries.registry_totals(grants)
    grants = grants.order_by(*SORT_ORDERS.get(data.get("sort") or "-signed"))
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    queries.attach_regions(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "grants/registry/list.html",
        {"filter_form": form, "page": page, "query": query.urlencode(), "totals": totals},
    )


@require_GET
def grant_detail(request, pk):
    agreement = get_object_or_404(
        queries.with_listing(GrantAgreement.objects.all()).select_related(
            "application__competition__programme"
        ),
        pk=pk,
    )
    if not permissions.is_public_grant(agreement):
        raise Http404
    queries.attach_regions([agreement])
    reports = list(agreement.reports.all())
    finals = [
        queries.public_report(report) for report in reports if permissions.is_public_report(report)
    ]
    return TemplateResponse(
        request,
        "grants/registry/detail.html",
        {
            "agreement": agreement,
            "application": agreement.application,
            "competition": agreement.application.competition,
            "tranches": list(agreement.tranches.all()),
            "reports": reports,
            "final_reports": finals,
            "progress": queries.indicator_progress(agreement),
        },
    )


@login_required
@require_GET
def my_grants(request):
    today = timezone.localdate()
    agreements = queries.with_listing(queries.member_agreements(request.user)).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    queries.attach_regions(page.object_list)
    due = queries.member_reports_due(request.user)
    awaiting = agreements.filter(status=GrantAgreement.Status.PREPARED)
    payments = queries.member_recent_payments(
        request.user, today - datetime.timedelta(days=RECENT_DAYS)
    )
    return TemplateResponse(
        request,
        "grants/my_grants.html",
        {
            "page": page,
            "today": today,
            "reports_due": list(due[:LIST_SIZE]),
            "reports_due_count": due.count(),
            "awaiting_signature": list(awaiting[:LIST_SIZE]),
            "recent_payments": list(payments[:LIST_SIZE]),
            "recent_days": RECENT_DAYS,
            "Report": Report,
        },
    )


@login_required
@require_GET
def officer_grants(request):
    if not is_officer(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    bodies = list(queries.state_bodies_of(request.user))
    lists = {
        name: {"rows": list(rows[:LIST_SIZE]), "count": rows.count()}
        for name, rows in queries.officer_worklist(bodies, today).items()
    }
    return TemplateResponse(
        request,
        "grants/officer_grants.html",
        {"state_bodies": bodies, "today": today, "list_size": LIST_SIZE, **lists},
    )
