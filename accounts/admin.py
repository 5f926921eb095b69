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
    ReminderLog,
    StateBody,
    StateBodyMembership,
    User,
)
from .reminders import kind_choices


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


class ReminderKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kind_choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """The reminders sent, by day, kind and recipient: a record the daily run keeps."""

    list_display = ["day", "kind_label", "recipient", "content_type", "object_id", "email_status"]
    list_filter = ["day", ReminderKindFilter]
    list_select_related = ["recipient", "content_type", "email"]
    search_fields = ["recipient__email", "kind"]
    date_hierarchy = "day"
    fields = ["day", "kind", "recipient", "content_type", "object_id", "email", "run", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return dict(kind_choices()).get(obj.kind, obj.kind)

    @admin.display(description=_("e-mail"), ordering="email__status")
    def email_status(self, obj):
        return obj.email.get_status_display() if obj.email else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
