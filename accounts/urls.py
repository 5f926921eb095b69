from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/new/", views.organization_create, name="organization-create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path(
        "organizations/<int:pk>/members/", views.organization_members, name="organization-members"
    ),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/cancel/",
        views.invitation_cancel,
        name="invitation-cancel",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("officer/", views.officer_workspace, name="officer-workspace"),
]
