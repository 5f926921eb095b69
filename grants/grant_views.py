"""Placeholder: the helper that owns this module replaces it."""

from django.http import HttpResponse


def grant_detail(request, **kwargs):
    return HttpResponse(status=501)


def my_grants(request, **kwargs):
    return HttpResponse(status=501)


def officer_grants(request, **kwargs):
    return HttpResponse(status=501)


def registry(request, **kwargs):
    return HttpResponse(status=501)
