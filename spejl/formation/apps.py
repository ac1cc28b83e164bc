from django.apps import AppConfig


class FormationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "spejl.formation"
    verbose_name = "Group formation"
