from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitatorsConfig(AppConfig):
    name = "spejl.facilitators"
    verbose_name = _("Facilitators and training")
