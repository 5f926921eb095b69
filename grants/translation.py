from modeltranslation.translator import TranslationOptions, register

from .models import BudgetCategory


@register(BudgetCategory)
class BudgetCategoryTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ky", "ru")
