"""The master key of export pseudonyms, kept outside the database.

Production reads ``SPEJL_EXPORT_KEY`` (base64 or hex, at least 32 bytes; a deploy check
refuses to start without it). Development makes a random key once in ``var/export-key``
(mode 0600), so a developer's deliveries keep their pseudonyms between runs.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from spejl.core.exports.pseudonym import load_master_key, recipient_key


def master_key() -> bytes:
    value = settings.SPEJL_EXPORT_KEY
    if value:
        return load_master_key(value)
    if settings.PRODUCTION:
        raise ImproperlyConfigured("SPEJL_EXPORT_KEY must be set in production.")
    path = Path(settings.SPEJL_EXPORT_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return load_master_key(path.read_text().strip())


def key_for(recipient: str) -> bytes:
    """The key of one recipient's deliveries."""
    return recipient_key(master_key(), recipient)
