from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Applications and grants")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the kinds of reminders)
