import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import Council


@register(Council)
class CouncilTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ky": ("name",), "ru": ("name",)}


# After the translated fields exist, so that the history keeps every language.
simple_history.register(Council)
