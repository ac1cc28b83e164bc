"""Secrets kept outside the database: read from the environment, or a development key file.

Every key Spejl holds apart from its data follows one pattern: production reads it from an
environment variable (a deploy check refuses to start without it); development makes a random
one once in a file under ``var/`` (mode 0600), so a developer's data stay readable between
runs. Used by the export pseudonyms (``SPEJL_EXPORT_KEY``), field encryption
(``SPEJL_FIELD_KEYS``) and lookup hashes (``SPEJL_LOOKUP_KEY``). Touches no personal data.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from spejl.core.fieldcrypto import (
    MIN_LOOKUP_KEY_BYTES,
    Keyring,
    decode_key,
    new_key_text,
)


def secret_text(*, value: str, name: str, path: Path, make: Callable[[], str]) -> str:
    """The secret ``value`` from the environment when set; in production its absence is an
    error; in development the content of ``path``, written once by ``make()`` (mode 0600)."""
    if value:
        return value
    if settings.PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
    return path.read_text().strip()


@functools.cache
def field_keyring() -> Keyring:
    """The field-encryption keys in force (``SPEJL_FIELD_KEYS``, first is current)."""
    text = secret_text(
        value=settings.SPEJL_FIELD_KEYS,
        name="SPEJL_FIELD_KEYS",
        path=Path(settings.SPEJL_FIELD_KEYS_FILE),
        make=lambda: "dev1:" + new_key_text(),
    )
    try:
        return Keyring.parse(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"SPEJL_FIELD_KEYS is not usable: {error}") from None


@functools.cache
def lookup_key() -> bytes:
    """The key of lookup hashes (``SPEJL_LOOKUP_KEY``)."""
    text = secret_text(
        value=settings.SPEJL_LOOKUP_KEY,
        name="SPEJL_LOOKUP_KEY",
        path=Path(settings.SPEJL_LOOKUP_KEY_FILE),
        make=new_key_text,
    )
    try:
        return decode_key(text, exact=None, minimum=MIN_LOOKUP_KEY_BYTES)
    except ValueError as error:
        raise ImproperlyConfigured(f"SPEJL_LOOKUP_KEY is not usable: {error}") from None


@functools.cache
def previous_lookup_key() -> bytes | None:
    """The lookup key being rotated away from (``SPEJL_LOOKUP_KEY_PREVIOUS``), if any."""
    text = settings.SPEJL_LOOKUP_KEY_PREVIOUS
    if not text:
        return None
    try:
        return decode_key(text, exact=None, minimum=MIN_LOOKUP_KEY_BYTES)
    except ValueError as error:
        raise ImproperlyConfigured(f"SPEJL_LOOKUP_KEY_PREVIOUS is not usable: {error}") from None


def lookup_keys() -> list[bytes]:
    """The lookup keys a stored hash may have been made with: current first."""
    previous = previous_lookup_key()
    return [lookup_key(), *([previous] if previous is not None else [])]


def clear_key_caches() -> None:
    """Forget cached keys (after settings change, e.g. in tests or a rotation)."""
    field_keyring.cache_clear()
    lookup_key.cache_clear()
    previous_lookup_key.cache_clear()


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs: object) -> None:
    if setting.startswith(("SPEJL_FIELD_KEYS", "SPEJL_LOOKUP_KEY", "SPEJL_VAR", "PRODUCTION")):
        clear_key_caches()
