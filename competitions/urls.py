from django.urls import path

from . import views

app_name = "competitions"

urlpatterns = [
    path("competitions/", views.competition_list, name="list"),
    path("competitions/feed/", views.feed, name="feed"),
    path("competitions/<str:reference>/", views.competition_detail, name="detail"),
    path(
        "competitions/<str:reference>/documents/<int:pk>/",
        views.document_download,
        name="document-download",
    ),
    path("competitions/<str:reference>/follow/", views.follow, name="follow"),
    path("competitions/<str:reference>/ask/", views.ask, name="ask"),
    path("commissions/", views.my_commissions, name="my-commissions"),
    path("officer/competitions/", views.officer_competition_list, name="officer-list"),
    path("officer/competitions/new/", views.competition_create, name="create"),
    path("officer/competitions/<str:reference>/edit/", views.competition_edit, name="edit"),
    path(
        "officer/competitions/<str:reference>/documents/",
        views.competition_documents,
        name="documents",
    ),
    path(
        "officer/competitions/<str:reference>/documents/<int:pk>/delete/",
        views.document_delete,
        name="document-delete",
    ),
    path(
        "officer/competitions/<str:reference>/publish/", views.competition_publish, name="publish"
    ),
    path("officer/competitions/<str:reference>/extend/", views.competition_extend, name="extend"),
    path("officer/competitions/<str:reference>/cancel/", views.competition_cancel, name="cancel"),
    path("officer/competitions/<str:reference>/commission/", views.commission, name="commission"),
    path(
        "officer/competitions/<str:reference>/commission/<int:pk>/remove/",
        views.commission_remove,
        name="commission-remove",
    ),
    path(
        "officer/competitions/<str:reference>/clarifications/",
        views.clarification_list,
        name="clarifications",
    ),
    path(
        "officer/competitions/<str:reference>/clarifications/<int:pk>/answer/",
        views.clarification_answer,
        name="clarification-answer",
    ),
    path(
        "officer/competitions/<str:reference>/history/",
        views.competition_history,
        name="history",
    ),
    path("officer/programmes/", views.programme_list, name="programme-list"),
    path("officer/programmes/new/", views.programme_create, name="programme-create"),
    path("officer/programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path(
        "officer/programmes/<int:pk>/document/",
        views.programme_document,
        name="programme-document",
    ),
]
