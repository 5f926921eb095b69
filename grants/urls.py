from django.urls import path

from . import agreement_views as agreements
from . import evaluation_views as ev
from . import grant_views as grants
from . import report_views as reports
from . import views

app_name = "grants"

urlpatterns = [
    path("applications/", views.workspace, name="workspace"),
    path("competitions/<str:reference>/apply/", views.start, name="start"),
    path("applications/<int:pk>/", views.detail, name="detail"),
    path("applications/<int:pk>/edit/", views.edit, name="edit"),
    path("applications/<int:pk>/documents/", views.documents, name="documents"),
    path(
        "applications/<int:pk>/documents/<int:attachment_pk>/remove/",
        views.document_remove,
        name="document-remove",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/versions/compare/", views.compare, name="compare"),
    path("applications/<int:pk>/versions/<int:number>/receipt/", views.receipt, name="receipt"),
    path(
        "officer/competitions/<str:reference>/applications/",
        views.competition_applications,
        name="competition-applications",
    ),
    path("officer/applications/<int:pk>/admission/", views.admission, name="admission"),
    # Evaluation: commission members
    path("reviews/", ev.reviews, name="reviews"),
    path("reviews/applications/<int:pk>/conflict/", ev.conflict, name="conflict"),
    path("reviews/<int:pk>/", ev.scorecard, name="scorecard"),
    path("reviews/<int:pk>/reopen/", ev.review_reopen, name="review-reopen"),
    # Evaluation: the officer and the chair
    path(
        "officer/competitions/<str:reference>/evaluation/",
        ev.evaluation_overview,
        name="evaluation",
    ),
    path(
        "officer/competitions/<str:reference>/evaluation/assign/",
        ev.auto_assign,
        name="auto-assign",
    ),
    path("officer/applications/<int:pk>/reviewers/", ev.assign, name="assign"),
    path("officer/reviews/<int:pk>/remove/", ev.unassign, name="unassign"),
    path("officer/applications/<int:pk>/amount/", ev.reduce, name="reduce"),
    path("officer/competitions/<str:reference>/meeting/", ev.meeting, name="meeting"),
    path("officer/competitions/<str:reference>/decision/", ev.decision, name="decision"),
    path(
        "officer/competitions/<str:reference>/decision/status/",
        ev.decision_status,
        name="decision-status",
    ),
    path("officer/documents/<int:pk>/retry/", ev.document_retry, name="document-retry"),
    path("officer/appeals/<int:pk>/", ev.appeal_answer, name="appeal-answer"),
    path("applications/<int:pk>/appeal/", ev.appeal, name="appeal"),
    # Implementation: the agreement (officers; the organisation reads it)
    path(
        "officer/applications/<int:pk>/agreement/",
        agreements.agreement_create,
        name="agreement-create",
    ),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement"),
    path("officer/agreements/<int:pk>/edit/", agreements.agreement_edit, name="agreement-edit"),
    path(
        "officer/agreements/<int:pk>/prepare/",
        agreements.agreement_prepare,
        name="agreement-prepare",
    ),
    path(
        "officer/agreements/<int:pk>/reopen/", agreements.agreement_reopen, name="agreement-reopen"
    ),
    path("officer/agreements/<int:pk>/sign/", agreements.agreement_sign, name="agreement-sign"),
    path(
        "officer/agreements/<int:pk>/terminate/",
        agreements.agreement_terminate,
        name="agreement-terminate",
    ),
    path("officer/agreements/<int:pk>/return/", agreements.funds_return, name="funds-return"),
    path(
        "agreements/<int:pk>/documents/<int:document_pk>/",
        agreements.agreement_document,
        name="agreement-document",
    ),
    path(
        "officer/agreement-documents/<int:pk>/retry/",
        agreements.agreement_document_retry,
        name="agreement-document-retry",
    ),
    path("agreements/<int:pk>/signed/", agreements.signed_scan, name="signed-scan"),
    path("officer/tranches/<int:pk>/pay/", agreements.tranche_pay, name="tranche-pay"),
    path("officer/agreements/<int:pk>/visits/new/", agreements.visit_create, name="visit-create"),
    path("visits/<int:pk>/files/<int:file_pk>/", agreements.visit_file, name="visit-file"),
    # Implementation: reports (the organisation writes, the officer reviews)
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("reports/<int:pk>/submit/", reports.report_submit, name="report-submit"),
    path("reports/<int:pk>/attachments/", reports.report_attachments, name="report-attachments"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_pk>/",
        reports.report_attachment,
        name="report-attachment",
    ),
    path(
        "reports/<int:pk>/attachments/<int:attachment_pk>/remove/",
        reports.report_attachment_remove,
        name="report-attachment-remove",
    ),
    path("officer/reports/<int:pk>/review/", reports.report_review, name="report-review"),
    # Implementation: workspaces
    path("officer/grants/", grants.officer_grants, name="officer-grants"),
    path("my-grants/", grants.my_grants, name="my-grants"),
    # Public
    path("grants/", grants.registry, name="registry"),
    path("grants/<int:pk>/", grants.grant_detail, name="grant"),
    path("decisions/documents/<int:pk>/", ev.document_download, name="document"),
    path("verify/<str:code>/", ev.verify, name="verify"),
]
