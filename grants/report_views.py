"""Placeholder: the helper that owns this module replaces it."""

from django.http import HttpResponse


def report_attachment(request, **kwargs):
    return HttpResponse(status=501)


def report_attachment_remove(request, **kwargs):
    return HttpResponse(status=501)


def report_attachments(request, **kwargs):
    return HttpResponse(status=501)


def report_detail(request, **kwargs):
    return HttpResponse(status=501)


def report_edit(request, **kwargs):
    return HttpResponse(status=501)


def report_review(request, **kwargs):
    return HttpResponse(status=501)


def report_submit(request, **kwargs):
    return HttpResponse(status=501)
