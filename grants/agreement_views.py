"""Placeholder: the helper that owns this module replaces it."""

from django.http import HttpResponse


def agreement_create(request, **kwargs):
    return HttpResponse(status=501)


def agreement_detail(request, **kwargs):
    return HttpResponse(status=501)


def agreement_document(request, **kwargs):
    return HttpResponse(status=501)


def agreement_document_retry(request, **kwargs):
    return HttpResponse(status=501)


def agreement_edit(request, **kwargs):
    return HttpResponse(status=501)


def agreement_prepare(request, **kwargs):
    return HttpResponse(status=501)


def agreement_reopen(request, **kwargs):
    return HttpResponse(status=501)


def agreement_sign(request, **kwargs):
    return HttpResponse(status=501)


def agreement_terminate(request, **kwargs):
    return HttpResponse(status=501)


def funds_return(request, **kwargs):
    return HttpResponse(status=501)


def signed_scan(request, **kwargs):
    return HttpResponse(status=501)


def tranche_pay(request, **kwargs):
    return HttpResponse(status=501)


def visit_create(request, **kwargs):
    return HttpResponse(status=501)


def visit_file(request, **kwargs):
    return HttpResponse(status=501)
