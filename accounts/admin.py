from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from socialorder.emails import enqueue_email

from .models import (
    Organization,
    OrganizationInvitation,
    OrganizationMembership,
    OrganizationPerson,
    OutboundEmail,
    Region,
    StateBody,
    StateBodyMembership,
    User,
)


class StateBodyMembershipInline(admin.TabularInline):
    model = StateBodyMembership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["state_body"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "language",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [StateBodyMembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name_ky", "name_ru", "name_en"]


@admin.register(StateBody)
class StateBodyAdmin(TranslationAdmin):
    list_display = ["name", "kind", "parent", "region", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name_ky", "name_ru", "name_en", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}
    autocomplete_fields = ["parent"]


@admin.register(StateBodyMembership)
class StateBodyMembershipAdmin(SimpleHistoryAdmin):
    """Officer grants: only administrators make them, and every change is kept."""

    list_display = ["user", "state_body", "role", "created_at"]
    list_filter = ["role", "state_body__kind", "state_body"]
    search_fields = ["user__email", "user__last_name", "state_body__name_ky", "state_body__name_ru"]
    autocomplete_fields = ["user", "state_body"]


class OrganizationPersonInline(admin.TabularInline):
    model = OrganizationPerson
    extra = 0


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "inn", "legal_form", "region", "registration_date", "created_at"]
    list_filter = ["legal_form", "region"]
    search_fields = ["name", "inn", "registration_number", "email"]
    inlines = [OrganizationPersonInline, OrganizationMembershipInline]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(OrganizationPerson)
class OrganizationPersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "role", "position", "organization"]
    list_filter = ["role"]
    search_fields = ["full_name", "organization__name"]


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name", "organization__inn"]
    autocomplete_fields = ["user", "organization"]


@admin.register(OrganizationInvitation)
class OrganizationInvitationAdmin(SimpleHistoryAdmin):
    list_display = ["email", "organization", "role", "status", "invited_by", "created_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organization__name"]
    readonly_fields = ["invited_by", "accepted_by", "created_at", "decided_at"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Delivery status only: bodies carry sign-in links and are not shown."""

    list_display = ["to", "subject", "language", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "language", "template"]
    search_fields = ["to", "subject"]
    fields = [
        "to",
        "subject",
        "language",
        "template",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry_sending"]

    @admin.action(description=_("Retry sending the selected failed e-mails"))
    def retry_sending(self, request, queryset):
        ids = list(queryset.filter(status=OutboundEmail.Status.FAILED).values_list("pk", flat=True))
        OutboundEmail.objects.filter(pk__in=ids).update(
            status=OutboundEmail.Status.PENDING, attempts=0
        )
        for email_id in ids:
            enqueue_email(email_id)
        self.message_user(
            request,
            ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", len(ids))
            % {"count": len(ids)},
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
