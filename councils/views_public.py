"""Placeholder until the views are written (work in progress)."""

from django.http import Http404


class CouncilFeed:
    def __call__(self, request, *args, **kwargs):
        raise Http404


class CouncilsFeed:
    def __call__(self, request, *args, **kwargs):
        raise Http404


def calendar(request, *args, **kwargs):
    raise Http404


def council_calendar(request, *args, **kwargs):
    raise Http404


def council_detail(request, *args, **kwargs):
    raise Http404


def council_list(request, *args, **kwargs):
    raise Http404


def logo(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_document(request, *args, **kwargs):
    raise Http404


def minutes_file(request, *args, **kwargs):
    raise Http404


def paper_file(request, *args, **kwargs):
    raise Http404


def recommendation_detail(request, *args, **kwargs):
    raise Http404
