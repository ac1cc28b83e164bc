"""Keyed pseudonyms and date shifts for data deliveries (HMAC-SHA256).

One secret *master key* (an environment setting) never leaves the server. Each recipient of a
delivery gets a key of its own, derived from the master key and a stable recipient identifier
(:func:`recipient_key`); everything a delivery pseudonymises is computed with that key:

* :func:`pseudonym` — the participant's code, ``"P"`` + 12 base-32 characters;
* :func:`group_pseudonym` — a group's code, ``"G"`` + 12 base-32 characters;
* :func:`date_shift_days` — how many days (1 to 364, backwards) the participant's dates move.

The same participant and the same recipient give the same pseudonym and the same shift in every
delivery, so a recipient can add a later delivery to an earlier one. Two recipients get
unrelated codes (their keys differ, and HMAC without the key reveals nothing), so their data
sets cannot be joined by the codes; nor can anyone without the master key turn a code back into
a participant.

**Collision space.** A pseudonym keeps 60 bits of the HMAC (12 base-32 characters). For *n*
participants the chance that any two share a code is about n² / 2⁶¹: 4·10⁻⁹ for 100,000
people, 4·10⁻⁵ for 10 million. The table builder checks for it anyway.

**Date shifting** follows REDCap's de-identification option ("shift all dates by a value
between 0 and 364 days", the same amount for all dates of a record), except that the shift is
never 0 days, so a shifted date never equals the true one, and it is derived from the key
instead of drawn at random, so it is stable across deliveries to the same recipient. Intervals
between one participant's dates are kept exactly.

Pure Python: no Django import. Touches participant and group identifiers (internal ids, not
names) and turns them into codes; stores nothing.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import unicodedata
from typing import Final

#: The shortest master key accepted (bytes): the HMAC-SHA256 block security level.
MIN_KEY_BYTES: Final = 32
#: REDCap's largest date shift (days).
MAX_SHIFT_DAYS: Final = 364
#: Characters of base 32 (5 bits each) a pseudonym keeps after its prefix.
PSEUDONYM_LENGTH: Final = 12

# Each use of a key has its own domain, so a pseudonym, a group code and a date shift made from
# the same identifier are unrelated to one another.
_RECIPIENT_DOMAIN: Final = b"spejl-export-recipient\x00"
_PARTICIPANT_DOMAIN: Final = b"spejl-export-participant\x00"
_GROUP_DOMAIN: Final = b"spejl-export-group\x00"
_SHIFT_DOMAIN: Final = b"spejl-export-date-shift\x00"

_BASE32: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# Two base-32 characters for every 10-bit value.
_BASE32_PAIRS: Final = tuple(first + second for first in _BASE32 for second in _BASE32)
_HEX: Final = re.compile(r"[0-9a-fA-F]+")
_HOW_TO_MAKE: Final = "Make one with: python -c 'import secrets; print(secrets.token_hex(32))'"


def load_master_key(value: str | None) -> bytes:
    """The master key from a setting's text: hex (64+ hex digits) or base64 (standard or
    URL-safe, padding optional), optionally prefixed ``hex:`` or ``base64:`` to say which.

    Raises ``ValueError`` with a message for the operator when the value is missing or blank,
    is neither hex nor base64, or decodes to fewer than :data:`MIN_KEY_BYTES` bytes. The
    message never repeats the value. Touches no personal data.
    """
    if value is None or not value.strip():
        raise ValueError(
            "The export master key is missing. Set it to at least "
            f"{MIN_KEY_BYTES} random bytes written as hex or base64. {_HOW_TO_MAKE}"
        )
    text = "".join(value.split())
    kind = ""
    for prefix in ("hex:", "base64:"):
        if text.lower().startswith(prefix):
            kind, text = prefix[:-1], text[len(prefix) :]
    if not kind:
        kind = "hex" if _HEX.fullmatch(text) and len(text) % 2 == 0 else "base64"
    try:
        if kind == "hex":
            key = bytes.fromhex(text)
        else:
            padded = text + "=" * (-len(text) % 4)
            altchars = b"-_" if ("-" in text or "_" in text) else None
            key = base64.b64decode(padded, altchars=altchars, validate=True)
    except (ValueError, binascii.Error):
        raise ValueError(
            f"The export master key is not valid {kind}. Write it as hex or base64. " + _HOW_TO_MAKE
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"The export master key is too short: {len(key)} bytes; at least {MIN_KEY_BYTES} "
            f"are needed. {_HOW_TO_MAKE}"
        )
    return key


def _check_key(key: bytes, what: str) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the {what} must be at least {MIN_KEY_BYTES} bytes, not {len(key)}")


def _identifier(value: str, what: str) -> bytes:
    # NFC, so the same text typed two ways (å as one or two code points) is one identifier.
    normal = unicodedata.normalize("NFC", value)
    if not normal.strip():
        raise ValueError(f"the {what} is empty")
    return normal.encode("utf-8")


def _mac(key: bytes, domain: bytes, value: bytes) -> bytes:
    return hmac.digest(key, domain + value, "sha256")


def recipient_key(master_key: bytes, recipient: str) -> bytes:
    """The key of one recipient: HMAC-SHA256(master key, domain ‖ recipient).

    ``recipient`` must be a stable identifier of the recipient (an id that never changes, not
    a display name someone may correct), compared exactly after Unicode NFC normalisation.
    Raises ``ValueError`` for a master key shorter than :data:`MIN_KEY_BYTES` or an empty
    recipient. Touches no personal data.
    """
    _check_key(master_key, "master key")
    return _mac(master_key, _RECIPIENT_DOMAIN, _identifier(recipient, "recipient"))


def _code(key: bytes, domain: bytes, value: str, prefix: str, what: str) -> str:
    _check_key(key, "recipient key")
    digest = _mac(key, domain, _identifier(value, what))
    # The first 12 characters of base64.b32encode(digest[:8]), i.e. its top 60 bits, ten at a
    # time (spelt out because the standard library's encoder is slow for millions of codes).
    bits = int.from_bytes(digest[:8], "big") >> 4
    pairs = _BASE32_PAIRS
    return (
        prefix
        + pairs[bits >> 50]
        + pairs[(bits >> 40) & 1023]
        + pairs[(bits >> 30) & 1023]
        + pairs[(bits >> 20) & 1023]
        + pairs[(bits >> 10) & 1023]
        + pairs[bits & 1023]
    )


def pseudonym(recipient_key: bytes, participant_id: str) -> str:
    """The participant's pseudonym for one recipient: ``"P"`` + 12 characters of base 32
    (A–Z, 2–7), 60 bits of HMAC-SHA256(recipient key, domain ‖ participant id).

    ``participant_id`` is the participant's stable internal id (e.g. its UUID), never the
    code people see. Raises ``ValueError`` for a short key or an empty id. Touches the
    participant id only to compute the code.
    """
    return _code(recipient_key, _PARTICIPANT_DOMAIN, participant_id, "P", "participant id")


def group_pseudonym(recipient_key: bytes, group_id: str) -> str:
    """A group's code for one recipient: ``"G"`` + 12 base-32 characters, made like
    :func:`pseudonym` in a domain of its own. Lets a recipient see who was in the same group
    (for multilevel models) without learning which group it was."""
    return _code(recipient_key, _GROUP_DOMAIN, group_id, "G", "group id")


def date_shift_days(
    recipient_key: bytes, participant_id: str, max_days: int = MAX_SHIFT_DAYS
) -> int:
    """The participant's date shift for one recipient, as days to *add*: a number from
    ``-max_days`` to ``-1`` (all of a participant's dates move back by the same amount).

    Derived from HMAC-SHA256(recipient key, domain ‖ participant id) reduced modulo
    ``max_days`` (the bias of reducing 64 bits is below 10⁻¹⁶). Raises ``ValueError`` for
    ``max_days`` < 1, a short key or an empty id. Touches the participant id only to compute
    the shift.
    """
    if max_days < 1:
        raise ValueError(f"max_days must be at least 1, not {max_days}")
    _check_key(recipient_key, "recipient key")
    digest = _mac(recipient_key, _SHIFT_DOMAIN, _identifier(participant_id, "participant id"))
    return -(1 + int.from_bytes(digest[:8], "big") % max_days)
