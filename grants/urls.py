from django.urls import path

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
]
