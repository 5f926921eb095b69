"""Administrators keep the registry: councils, secretaries, and corrections; every change
has history (django-simple-history)."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AgendaItem,
    AnnualReport,
    Council,
    CouncilMember,
    CouncilSecretary,
    Meeting,
    MeetingDocument,
    Recommendation,
    WorkPlan,
)


class SecretaryInline(admin.TabularInline):
    model = CouncilSecretary
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Council)
class CouncilAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "kind", "state_body", "status", "established_on", "ended_on"]
    list_filter = ["kind", "status"]
    search_fields = ["name_ky", "name_ru", "name_en", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}
    autocomplete_fields = ["state_body"]
    inlines = [SecretaryInline]


@admin.register(CouncilSecretary)
class CouncilSecretaryAdmin(SimpleHistoryAdmin):
    list_display = ["user", "council", "granted_at"]
    search_fields = ["user__email", "council__name_ky", "council__name_ru"]
    autocomplete_fields = ["user", "council"]


@admin.register(CouncilMember)
class CouncilMemberAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "council", "position", "term_start", "term_end"]
    list_filter = ["position"]
    search_fields = ["full_name", "organization", "council__name_ky", "council__name_ru"]
    list_select_related = ["council"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["council", "starts_at", "status", "minutes_published_at"]
    list_filter = ["status"]
    search_fields = ["council__name_ky", "council__name_ru", "place", "minutes"]
    list_select_related = ["council"]
    date_hierarchy = "starts_at"
    inlines = [AgendaInline]


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "file_type", "size", "uploaded_at"]
    search_fields = ["title", "sha256"]
    readonly_fields = ["file_type", "size", "sha256"]

    def has_add_permission(self, request):
        # Uploads are checked by content on the secretary's page.
        return False


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "council", "addressed_to", "adopted_on", "response_due", "status"]
    list_filter = ["status"]
    search_fields = ["title", "text", "response", "council__name_ky", "council__name_ru"]
    list_select_related = ["council", "addressed_to"]


@admin.register(WorkPlan)
class WorkPlanAdmin(SimpleHistoryAdmin):
    list_display = ["council", "year", "published_at"]
    search_fields = ["council__name_ky", "council__name_ru", "text"]


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ["council", "year", "published_at"]
    search_fields = ["council__name_ky", "council__name_ru", "text"]


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "order"]
    search_fields = ["title", "meeting__council__name_ky", "meeting__council__name_ru"]
    list_select_related = ["meeting__council"]
