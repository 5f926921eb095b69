"""Placeholder until the views are written (work in progress)."""

from django.http import Http404


def answer(request, *args, **kwargs):
    raise Http404


def council_edit(request, *args, **kwargs):
    raise Http404


def meeting_cancel(request, *args, **kwargs):
    raise Http404


def meeting_documents(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def meeting_minutes(request, *args, **kwargs):
    raise Http404


def member_edit(request, *args, **kwargs):
    raise Http404


def member_end(request, *args, **kwargs):
    raise Http404


def officer_recommendations(request, *args, **kwargs):
    raise Http404


def paper_create(request, *args, **kwargs):
    raise Http404


def recommendation_create(request, *args, **kwargs):
    raise Http404


def workspace(request, *args, **kwargs):
    raise Http404
