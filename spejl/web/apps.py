from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "spejl.web"
    verbose_name = _("User interface shell")

    def ready(self) -> None:
        # Registers the Danish text helpers on every new SQLite connection.
        from spejl.web import text  # noqa: F401
