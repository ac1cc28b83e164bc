"""Invitation e-mails: a new staff member chooses their own password through a reset link."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from spejl.accounts.models import User


def invitation_link(*, user: User, request: HttpRequest | None) -> str:
    """An allauth password-reset link: valid until used or until the password changes."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    base = request.build_absolute_uri("/")[:-1] if request else settings.SPEJL_BASE_URL
    return f"{base}{path}"


def send_invitation(*, user: User, request: HttpRequest | None) -> None:
    """Send the invitation in the current language."""
    context = {"user": user, "link": invitation_link(user=user, request=request)}
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_body.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
