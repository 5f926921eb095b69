from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and directories")

    def ready(self):
        from socialorder.schedule import install_default_schedule

        post_migrate.connect(
            install_default_schedule, sender=self, dispatch_uid="install_default_schedule"
        )
