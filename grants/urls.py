from django.urls import path

from . import evaluation_views as ev
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
    # Public
    path("decisions/documents/<int:pk>/", ev.document_download, name="document"),
    path("verify/<str:code>/", ev.verify, name="verify"),
]
