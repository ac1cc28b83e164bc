"""Deployment checks of evaluation: the export key must come from the environment."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def export_key_set(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.PRODUCTION and not settings.SPEJL_EXPORT_KEY:
        return [
            Error(
                "SPEJL_EXPORT_KEY is not set.",
                hint="Set it to a random base64 key of 32 bytes or more, kept apart from "
                "database backups (docs/evaluation.md).",
                id="spejl.E101",
            )
        ]
    if settings.SPEJL_EXPORT_KEY:
        from spejl.core.exports.pseudonym import load_master_key

        try:
            load_master_key(settings.SPEJL_EXPORT_KEY)
        except ValueError as error:
            return [Error(f"SPEJL_EXPORT_KEY is not usable: {error}", id="spejl.E102")]
    return []
