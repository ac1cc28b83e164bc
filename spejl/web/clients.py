"""The visitor's address, read the same way everywhere rate limits need it."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The visitor's address as the login rate limits see it (django-allauth's reading of
    ``ALLAUTH_TRUSTED_PROXY_COUNT`` / ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` behind a proxy).
    Never logged or stored in clear: callers hash it."""
    if request is None:
        return ""
    from allauth.account.adapter import get_adapter

    try:
        return str(get_adapter(request).get_client_ip(request))
    except (PermissionDenied, ImproperlyConfigured):
        return ""
