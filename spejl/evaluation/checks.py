"""Deployment checks of the keys kept outside the database (export pseudonyms, field
encryption, lookup hashes): in production each must come from the environment and be usable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from spejl.core.fieldcrypto import MIN_LOOKUP_KEY_BYTES, Keyring, decode_key


def _key_errors(
    *,
    name: str,
    hint: str,
    missing_id: str,
    unusable_id: str,
    parse: Callable[[str], object],
    required: bool = True,
) -> list[Error]:
    value: str = getattr(settings, name)
    if settings.PRODUCTION and required and not value:
        return [Error(f"{name} is not set.", hint=hint, id=missing_id)]
    if value:
        try:
            parse(value)
        except ValueError as error:
            return [Error(f"{name} is not usable: {error}", hint=hint, id=unusable_id)]
    return []


def _lookup_key(value: str) -> bytes:
    return decode_key(value, exact=None, minimum=MIN_LOOKUP_KEY_BYTES)


@register(Tags.security, deploy=True)
def export_key_set(app_configs: Any, **kwargs: Any) -> list[Error]:
    from spejl.core.exports.pseudonym import load_master_key

    return _key_errors(
        name="SPEJL_EXPORT_KEY",
        hint="Set it to a random base64 key of 32 bytes or more, kept apart from "
        "database backups (docs/evaluation.md).",
        missing_id="spejl.E101",
        unusable_id="spejl.E102",
        parse=load_master_key,
    )


@register(Tags.security, deploy=True)
def field_keys_set(app_configs: Any, **kwargs: Any) -> list[Error]:
    hint = (
        "Set it to 'k1:<base64 of 32 random bytes>' (current key first, older keys after a "
        "comma), kept apart from database backups (docs/security.md)."
    )
    return [
        *_key_errors(
            name="SPEJL_FIELD_KEYS",
            hint=hint,
            missing_id="spejl.E103",
            unusable_id="spejl.E104",
            parse=Keyring.parse,
        ),
        *_key_errors(
            name="SPEJL_LOOKUP_KEY",
            hint="Set it to a random base64 key of 32 bytes or more, kept apart from database "
            "backups (docs/security.md).",
            missing_id="spejl.E105",
            unusable_id="spejl.E106",
            parse=_lookup_key,
        ),
        *_key_errors(
            name="SPEJL_LOOKUP_KEY_PREVIOUS",
            hint="Leave it empty unless a lookup-key rotation is under way (docs/security.md).",
            missing_id="spejl.E107",
            unusable_id="spejl.E107",
            parse=_lookup_key,
            required=False,
        ),
    ]
