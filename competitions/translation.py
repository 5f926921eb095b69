from modeltranslation.translator import TranslationOptions, register

from .models import (
    ChecklistItem,
    Competition,
    CompetitionDocument,
    Criterion,
    Programme,
    ServiceArea,
    TargetGroup,
)


@register(ServiceArea)
class ServiceAreaTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ky", "ru")


@register(TargetGroup)
class TargetGroupTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ky", "ru")


@register(Programme)
class ProgrammeTranslationOptions(TranslationOptions):
    fields = ("title", "description", "priorities")
    required_languages = {"ky": ("title", "description"), "ru": ("title", "description")}


@register(Competition)
class CompetitionTranslationOptions(TranslationOptions):
    fields = ("title", "announcement", "eligibility")
    required_languages = {
        "ky": ("title", "announcement", "eligibility"),
        "ru": ("title", "announcement", "eligibility"),
    }


@register(Criterion)
class CriterionTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ky": ("name",), "ru": ("name",)}


@register(ChecklistItem)
class ChecklistItemTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ky", "ru")


@register(CompetitionDocument)
class CompetitionDocumentTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("ky", "ru")
