"""Admin for applications that keeps the sealed rule: before the deadline only the
metadata (who applied, when, status) is shown, never the content."""

from django.contrib import admin
from django.utils import timezone
from modeltranslation.admin import TranslationAdmin

from .forms import ApplicationForm
from .models import (
    Activity,
    AgreementDocument,
    AmountReduction,
    Appeal,
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Attachment,
    AwardDecision,
    BudgetCategory,
    BudgetLine,
    CommissionMeeting,
    ConflictDeclaration,
    DecisionDocument,
    EvaluationEvent,
    GrantAgreement,
    GrantBudgetLine,
    GrantIndicator,
    ImplementationEvent,
    MonitoringVisit,
    Outcome,
    Report,
    ReportAttachment,
    ReportResult,
    ReportSpending,
    ResultIndicator,
    Review,
    Score,
    Tranche,
    VisitFile,
)
from .permissions import is_unsealed

METADATA = [
    "competition",
    "organization",
    "reference",
    "status",
    "current_version",
    "submitted_at",
    "created_at",
    "updated_at",
]
CONTENT = [
    *ApplicationForm.Meta.fields,
    "requested_total",
    "own_total",
    "cofinancing_total",
    "admission_reason",
    "admission_decided_by",
    "admission_decided_at",
]


def unsealed_only(queryset, prefix="application__"):
    """Rows of applications past their deadline and submitted at least once."""
    return queryset.filter(**{f"{prefix}competition__deadline__lte": timezone.now()}).exclude(
        **{f"{prefix}status__in": ["draft", "withdrawn"]}
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["from_status", "to_status", "by", "at", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "competition", "organization", "status", "submitted_at"]
    list_filter = ["status", "competition__state_body"]
    search_fields = [
        "reference",
        "organization__name",
        "organization__inn",
        "competition__reference",
    ]
    inlines = [ApplicationEventInline]

    def get_queryset(self, request):
        # Sealed applications are not listed at all: even who applied, and URL
        # filters on content fields, could reveal them before the deadline.
        return unsealed_only(super().get_queryset(request), prefix="")

    def get_fields(self, request, obj=None):
        if obj is not None and is_unsealed(obj):
            return METADATA + CONTENT
        return METADATA

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(ApplicationVersion)
class ApplicationVersionAdmin(ReadOnlyAdmin):
    list_display = ["application", "number", "submitted_at", "sha256"]
    list_filter = ["submitted_at"]
    search_fields = ["application__reference", "sha256"]

    def get_queryset(self, request):
        return unsealed_only(super().get_queryset(request))


class SealedChildAdmin(ReadOnlyAdmin):
    def get_queryset(self, request):
        return unsealed_only(super().get_queryset(request))


@admin.register(BudgetLine)
class BudgetLineAdmin(SealedChildAdmin):
    list_display = ["application", "category", "description", "requested", "own_contribution"]
    list_filter = ["category"]
    search_fields = ["application__reference", "description"]


@admin.register(Activity)
class ActivityAdmin(SealedChildAdmin):
    list_display = ["application", "name", "start", "end"]
    list_filter = ["start"]
    search_fields = ["application__reference", "name"]


@admin.register(ResultIndicator)
class ResultIndicatorAdmin(SealedChildAdmin):
    list_display = ["application", "indicator", "baseline", "target"]
    list_filter = ["application__competition"]
    search_fields = ["application__reference", "indicator"]


@admin.register(Attachment)
class AttachmentAdmin(SealedChildAdmin):
    list_display = ["application", "checklist_item", "file_type", "size", "uploaded_at"]
    list_filter = ["file_type"]
    search_fields = ["application__reference", "sha256"]
    exclude = ["file"]


@admin.register(BudgetCategory)
class BudgetCategoryAdmin(TranslationAdmin):
    list_display = ["name", "slug", "order"]
    list_filter = ["order"]
    search_fields = ["slug", "name_ky", "name_ru", "name_en"]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(SealedChildAdmin):
    list_display = ["application", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["application__reference", "note"]


# Evaluation: the record is kept as it happened, so administrators read it and do not
# edit it (the officer, the chair and the members change it through the portal).


class ScoreInline(admin.TabularInline):
    model = Score
    fields = ["criterion", "points", "justification"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["application", "member", "has_conflict", "detected", "declared_at"]
    list_filter = ["has_conflict", "detected"]
    search_fields = ["application__reference", "member__full_name", "member__email"]
    list_select_related = ["application", "member"]


class DecidedOnlyAdmin(ReadOnlyAdmin):
    """Scores stay out of admin until the decision is approved: blind scoring binds
    staff too, and after the decision the scores are public anyway."""

    decided_lookup = "application__competition__award_decision__isnull"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**{self.decided_lookup: False})


@admin.register(Review)
class ReviewAdmin(DecidedOnlyAdmin):
    list_display = ["application", "member", "status", "total", "automatic", "submitted_at"]
    list_filter = ["status", "automatic"]
    search_fields = ["application__reference", "member__full_name", "member__email"]
    list_select_related = ["application", "member"]
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(DecidedOnlyAdmin):
    decided_lookup = "review__application__competition__award_decision__isnull"

    list_display = ["review", "criterion", "points"]
    search_fields = ["review__application__reference", "review__member__full_name"]
    list_select_related = ["review__application", "review__member", "criterion"]


@admin.register(EvaluationEvent)
class EvaluationEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "competition", "action", "application", "member", "by"]
    list_filter = ["action"]
    search_fields = ["competition__reference", "application__reference", "note"]
    list_select_related = ["competition", "application", "member", "by"]
    date_hierarchy = "at"


@admin.register(AmountReduction)
class AmountReductionAdmin(ReadOnlyAdmin):
    list_display = ["application", "amount", "set_by", "set_at"]
    search_fields = ["application__reference", "reason"]
    list_select_related = ["application", "set_by"]


@admin.register(CommissionMeeting)
class CommissionMeetingAdmin(ReadOnlyAdmin):
    list_display = ["competition", "held_at", "place", "recorded_by"]
    search_fields = ["competition__reference", "place"]
    list_select_related = ["competition", "recorded_by"]


class OutcomeInline(admin.TabularInline):
    model = Outcome
    fields = ["application", "result", "rank", "score", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AwardDecision)
class AwardDecisionAdmin(ReadOnlyAdmin):
    list_display = ["number", "competition", "decided_on", "verification_code", "approved_by"]
    search_fields = ["number", "verification_code", "competition__reference"]
    list_select_related = ["competition", "approved_by"]
    exclude = ["results"]
    inlines = [OutcomeInline]


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ["application", "decision", "result", "rank", "score", "amount"]
    list_filter = ["result"]
    search_fields = ["application__reference", "decision__number"]
    list_select_related = ["application", "decision"]


@admin.register(DecisionDocument)
class DecisionDocumentAdmin(ReadOnlyAdmin):
    list_display = ["decision", "kind", "application", "language", "status", "attempts"]
    list_filter = ["kind", "status", "language"]
    search_fields = ["decision__number", "application__reference", "sha256"]
    list_select_related = ["decision", "application"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["application", "status", "filed_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["application__reference", "text", "response"]
    list_select_related = ["application"]


# Implementation: read-only here; every change goes through grants/implementation.py,
# which checks the state and writes the history.


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TrancheInline(ReadOnlyInline):
    model = Tranche
    fields = ["number", "amount", "due_date", "condition", "condition_report", "paid_on"]
    readonly_fields = fields


class ReportInline(ReadOnlyInline):
    model = Report
    fields = ["number", "kind", "period_end", "due_date", "status"]
    readonly_fields = fields
    show_change_link = True


class ImplementationEventInline(ReadOnlyInline):
    model = ImplementationEvent
    fields = ["at", "action", "from_status", "to_status", "by", "note"]
    readonly_fields = fields


@admin.register(GrantAgreement)
class GrantAgreementAdmin(ReadOnlyAdmin):
    list_display = ["number", "application", "status", "amount", "start_date", "end_date"]
    list_filter = ["status"]
    search_fields = ["number", "application__reference", "application__organization__name"]
    list_select_related = ["application"]
    inlines = [TrancheInline, ReportInline, ImplementationEventInline]


@admin.register(GrantBudgetLine)
class GrantBudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "category", "description", "planned"]
    search_fields = ["agreement__number", "description"]
    list_select_related = ["agreement", "category"]


@admin.register(GrantIndicator)
class GrantIndicatorAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "indicator", "baseline", "target"]
    search_fields = ["agreement__number", "indicator"]
    list_select_related = ["agreement"]


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "number", "amount", "due_date", "condition", "paid_on"]
    list_filter = ["condition"]
    search_fields = ["agreement__number", "payment_reference"]
    list_select_related = ["agreement"]


class ReportResultInline(ReadOnlyInline):
    model = ReportResult
    fields = ["indicator", "achieved", "comment"]
    readonly_fields = fields


class ReportSpendingInline(ReadOnlyInline):
    model = ReportSpending
    fields = ["line", "amount", "comment"]
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "number", "kind", "due_date", "status", "submitted_at"]
    list_filter = ["kind", "status"]
    search_fields = ["agreement__number", "agreement__application__organization__name"]
    list_select_related = ["agreement"]
    inlines = [ReportResultInline, ReportSpendingInline]


@admin.register(ReportResult)
class ReportResultAdmin(ReadOnlyAdmin):
    list_display = ["report", "indicator", "achieved"]
    search_fields = ["report__agreement__number", "indicator__indicator"]
    list_select_related = ["report__agreement", "indicator"]


@admin.register(ReportSpending)
class ReportSpendingAdmin(ReadOnlyAdmin):
    list_display = ["report", "line", "amount"]
    search_fields = ["report__agreement__number", "line__description"]
    list_select_related = ["report__agreement", "line"]


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["report", "original_name", "file_type", "size", "uploaded_at"]
    list_filter = ["file_type"]
    search_fields = ["report__agreement__number", "original_name", "sha256"]
    list_select_related = ["report__agreement"]
    exclude = ["file"]


@admin.register(MonitoringVisit)
class MonitoringVisitAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "visited_on", "visitors", "rating", "shared_with_organization"]
    list_filter = ["rating", "shared_with_organization"]
    search_fields = ["agreement__number", "visitors", "findings"]
    list_select_related = ["agreement"]


@admin.register(VisitFile)
class VisitFileAdmin(ReadOnlyAdmin):
    list_display = ["visit", "original_name", "file_type", "size"]
    search_fields = ["visit__agreement__number", "original_name", "sha256"]
    list_select_related = ["visit__agreement"]
    exclude = ["file"]


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "edition", "language", "status", "pages", "attempts"]
    list_filter = ["status", "language"]
    search_fields = ["agreement__number", "sha256"]
    list_select_related = ["agreement"]
    exclude = ["file"]


@admin.register(ImplementationEvent)
class ImplementationEventAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "action", "from_status", "to_status", "by", "at"]
    list_filter = ["action"]
    search_fields = ["agreement__number", "note"]
    list_select_related = ["agreement", "by"]
