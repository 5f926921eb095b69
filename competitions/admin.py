from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import (
    Amendment,
    ChecklistItem,
    Clarification,
    CommissionMember,
    Competition,
    CompetitionDocument,
    Criterion,
    Follow,
    Programme,
    ServiceArea,
    StatusChange,
    TargetGroup,
)


@admin.register(ServiceArea)
class ServiceAreaAdmin(TranslationAdmin):
    list_display = ["name", "slug", "order"]
    search_fields = ["slug", "name_ky", "name_ru", "name_en"]
    list_filter = ["order"]


@admin.register(TargetGroup)
class TargetGroupAdmin(TranslationAdmin):
    list_display = ["name", "slug", "order"]
    search_fields = ["slug", "name_ky", "name_ru", "name_en"]
    list_filter = ["order"]


@admin.register(Programme)
class ProgrammeAdmin(TranslationAdmin):
    list_display = ["title", "state_body", "year_start", "year_end", "budget"]
    list_filter = ["state_body", "year_start"]
    search_fields = ["title_ky", "title_ru", "title_en"]
    autocomplete_fields = ["state_body"]


class FrozenOncePublishedInline(TranslationTabularInline):
    """Criteria and documents bind applicants and reviewers once the competition is out."""

    extra = 0

    def _frozen(self, obj):
        return obj is not None and obj.published_at is not None

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class CriterionInline(FrozenOncePublishedInline):
    model = Criterion


class ChecklistInline(FrozenOncePublishedInline):
    model = ChecklistItem


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Competition)
class CompetitionAdmin(TranslationAdmin):
    list_display = ["reference", "title", "state_body", "status", "deadline", "total_budget"]
    list_filter = ["status", "state_body", "service_area", "regions"]
    search_fields = ["reference", "title_ky", "title_ru", "title_en"]
    # Status changes go through the services (history, e-mails), never through admin.
    readonly_fields = [
        "reference",
        "status",
        "published_at",
        "cancel_reason",
        "created_by",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["state_body"]
    date_hierarchy = "deadline"
    inlines = [CriterionInline, ChecklistInline, StatusChangeInline]

    def get_readonly_fields(self, request, obj=None):
        # The binding terms are frozen once published, here as in the officer's pages
        # (the deadline moves only through an amendment).
        if obj is not None and obj.published_at is not None:
            return [*self.readonly_fields, *Competition.FROZEN_FIELDS]
        return self.readonly_fields


@admin.register(CompetitionDocument)
class CompetitionDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "competition", "kind", "file_type", "size", "uploaded_at"]
    list_filter = ["kind", "file_type"]
    search_fields = ["title", "competition__reference", "sha256"]
    readonly_fields = ["file_type", "size", "sha256", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        # Uploads are checked by content in the officer's page; admin only corrects titles.
        return False


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["competition", "kind", "created_at", "notified_at"]
    list_filter = ["kind"]
    search_fields = ["competition__reference", "note"]


@admin.register(Clarification)
class ClarificationAdmin(admin.ModelAdmin):
    list_display = ["competition", "asked_at", "answered_at"]
    list_filter = ["answered_at"]
    search_fields = ["competition__reference", "question", "answer"]


@admin.register(CommissionMember)
class CommissionMemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "competition", "role", "voting", "user"]
    list_filter = ["role", "voting"]
    search_fields = ["full_name", "email", "competition__reference"]
    autocomplete_fields = ["user"]

    @staticmethod
    def _on_record(obj) -> bool:
        """The member declared, reviewed or attended: the record of the evaluation stays."""
        return obj is not None and (
            obj.conflict_declarations.exists()
            or obj.reviews.exists()
            or obj.meetings_attended.exists()
        )

    def get_readonly_fields(self, request, obj=None):
        if self._on_record(obj):
            return ["competition", "user", "email", "role", "voting"]
        return []

    def has_delete_permission(self, request, obj=None):
        return not self._on_record(obj) and super().has_delete_permission(request, obj)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "competition", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["user__email", "competition__reference"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["competition", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    search_fields = ["competition__reference", "note"]
    readonly_fields = [
        "competition",
        "from_status",
        "to_status",
        "changed_by",
        "changed_at",
        "note",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FrozenOncePublishedAdmin(TranslationAdmin):
    """A criterion or checklist item of a published competition is read-only here too."""

    def _frozen(self, obj):
        return obj is not None and obj.competition.published_at is not None

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "competition":
            # New rows only for competitions that are still drafts.
            kwargs["queryset"] = Competition.objects.filter(published_at=None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Criterion)
class CriterionAdmin(FrozenOncePublishedAdmin):
    list_display = ["name", "competition", "max_points", "weight", "order"]
    list_filter = ["max_points"]
    search_fields = ["name_ky", "name_ru", "name_en", "competition__reference"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(FrozenOncePublishedAdmin):
    list_display = ["name", "competition", "required", "order"]
    list_filter = ["required"]
    search_fields = ["name_ky", "name_ru", "name_en", "competition__reference"]
