from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "spejl.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Each app registers its notification templates in its ``notices`` module. Import them
        # all at start-up so that every process (web, task worker, cron command) knows them.
        autodiscover_modules("notices")
