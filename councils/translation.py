from modeltranslation.translator import TranslationOptions, register

from .models import Council


@register(Council)
class CouncilTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ky": ("name",), "ru": ("name",)}
