from modeltranslation.translator import TranslationOptions, register

from .models import Region, StateBody


@register(Region)
class RegionTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ky", "ru")


@register(StateBody)
class StateBodyTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ky", "ru")
