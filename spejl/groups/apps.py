from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "spejl.groups"
    verbose_name = _("Groups, meetings and attendance")

    def ready(self) -> None:
        # Registers the meeting-change message builders with the notifications outbox.
        from spejl.groups import notices  # noqa: F401
