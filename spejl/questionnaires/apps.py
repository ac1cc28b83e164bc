from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "spejl.questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        # Registers the invitation and reminder message templates with the outbox.
        from spejl.questionnaires import notices  # noqa: F401
