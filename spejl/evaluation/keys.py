"""The master key of export pseudonyms, kept outside the database.

Production reads ``SPEJL_EXPORT_KEY`` (base64 or hex, at least 32 bytes; a deploy check
refuses to start without it). Development makes a random key once in ``var/export-key``
(mode 0600), so a developer's deliveries keep their pseudonyms between runs. The pattern is
shared with the other keys (``spejl.web.keys``).
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from django.conf import settings

from spejl.core.exports.pseudonym import load_master_key, recipient_key
from spejl.web.keys import secret_text


def master_key() -> bytes:
    return load_master_key(
        secret_text(
            value=settings.SPEJL_EXPORT_KEY,
            name="SPEJL_EXPORT_KEY",
            path=Path(settings.SPEJL_EXPORT_KEY_FILE),
            make=lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
        )
    )


def key_for(recipient: str) -> bytes:
    """The key of one recipient's deliveries."""
    return recipient_key(master_key(), recipient)
