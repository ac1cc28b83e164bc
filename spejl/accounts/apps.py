from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "spejl.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from spejl.accounts.middleware import start_activity_clock
        from spejl.accounts.second_factor import mark_enrolled

        post_save.connect(mark_enrolled, sender=Authenticator, dispatch_uid="spejl_mark_enrolled")
        user_logged_in.connect(start_activity_clock, dispatch_uid="spejl_start_activity_clock")
