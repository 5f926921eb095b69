from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = _("public councils")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the kinds of reminders)
