from django.urls import path

from . import views_office as office
from . import views_public as public

app_name = "councils"

urlpatterns = [
    # Public
    path("councils/", public.council_list, name="list"),
    path("councils/feed/", public.CouncilsFeed(), name="feed"),
    path("councils/meetings.ics", public.calendar, name="calendar"),
    path("councils/<slug:slug>/", public.council_detail, name="detail"),
    path("councils/<slug:slug>/feed/", public.CouncilFeed(), name="council-feed"),
    path("councils/<slug:slug>/meetings.ics", public.council_calendar, name="council-calendar"),
    path("councils/<slug:slug>/logo/", public.logo, name="logo"),
    path("councils/<slug:slug>/meetings/<int:pk>/", public.meeting_detail, name="meeting"),
    path(
        "councils/<slug:slug>/recommendations/<int:pk>/",
        public.recommendation_detail,
        name="recommendation",
    ),
    path("councils/files/minutes/<int:pk>/", public.minutes_file, name="minutes-file"),
    path("councils/files/documents/<int:pk>/", public.meeting_document, name="document"),
    path("councils/files/<str:kind>/<int:pk>/", public.paper_file, name="paper-file"),
    # Secretaries
    path("council-office/", office.workspace, name="workspace"),
    path("council-office/<slug:slug>/", office.council_edit, name="edit"),
    path("council-office/<slug:slug>/members/new/", office.member_edit, name="member-create"),
    path("council-office/<slug:slug>/members/<int:pk>/", office.member_edit, name="member-edit"),
    path(
        "council-office/<slug:slug>/members/<int:pk>/end/",
        office.member_end,
        name="member-end",
    ),
    path("council-office/<slug:slug>/meetings/new/", office.meeting_edit, name="meeting-create"),
    path("council-office/<slug:slug>/meetings/<int:pk>/", office.meeting_edit, name="meeting-edit"),
    path(
        "council-office/<slug:slug>/meetings/<int:pk>/minutes/",
        office.meeting_minutes,
        name="meeting-minutes",
    ),
    path(
        "council-office/<slug:slug>/meetings/<int:pk>/cancel/",
        office.meeting_cancel,
        name="meeting-cancel",
    ),
    path(
        "council-office/<slug:slug>/meetings/<int:pk>/documents/",
        office.meeting_documents,
        name="meeting-documents",
    ),
    path(
        "council-office/<slug:slug>/recommendations/new/",
        office.recommendation_create,
        name="recommendation-create",
    ),
    path(
        "council-office/<slug:slug>/papers/<str:kind>/new/",
        office.paper_create,
        name="paper-create",
    ),
    # Officers of the addressed state body
    path(
        "officer/recommendations/", office.officer_recommendations, name="officer-recommendations"
    ),
    path("officer/recommendations/<int:pk>/", office.answer, name="answer"),
]
