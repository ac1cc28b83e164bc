from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourseplansConfig(AppConfig):
    name = "spejl.courseplans"
    verbose_name = _("Course plans")
