"""Field encryption and keyed lookup hashes for contact data at rest.

Spejl stores participants' and enquirers' names, phone numbers, e-mail addresses and the free
text written about them encrypted, so that a database dump or a backup alone reveals none of
them. The keys live in the environment, never in the database (``docs/security.md``).

**Envelope.** One stored value is the text ``"sp1:<key id>:<base64url(nonce ‖ ciphertext ‖
tag)>"``: format version, the id of the key it was encrypted with, then AES-256-GCM output with
a random 96-bit nonce. Several keys can be known at once (a :class:`Keyring`): values are
encrypted with the *current* key and decrypted with whichever key their id names, which is what
makes key rotation possible without downtime.

**Associated data.** Each value is bound to its place (``"table.column"``) and to the envelope's
version and key id through GCM's associated data: a ciphertext copied into another column, or
relabelled with another key id, fails to decrypt instead of showing up in the wrong place.
Values are not bound to their row (a new row has no id before it is saved): swapping two
ciphertexts *within* one column is not detected.

**Length.** GCM keeps the plaintext's length; values are padded to a multiple of 16 bytes
first (ISO/IEC 7816-4 padding) so a dump shows only a coarse length band, not the exact length.

**Lookups.** :func:`lookup_hash` is an HMAC-SHA256 under a separate lookup key, over a domain
label and a normalised value (:func:`normalise_email`, :func:`normalise_phone`). The same
address always gives the same hash, so "is this e-mail already enquiring?" is an exact match on
the hash, without searching contact data in clear.

Pure Python: no Django import. It transforms whatever personal data it is given and stores
nothing; error messages never contain a value.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: The envelope's format version (its first field).
VERSION: Final = "sp1"
#: AES-256: keys are exactly this many bytes.
KEY_BYTES: Final = 32
#: The lookup key's minimum length (bytes): HMAC-SHA256's security level.
MIN_LOOKUP_KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
_PAD_BLOCK: Final = 16
_KEY_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_ENVELOPE: Final = re.compile(r"^sp1:([A-Za-z0-9_-]{1,16}):([A-Za-z0-9_-]+={0,2})$")
_PHONE: Final = re.compile(r"^(?:\+45|0045)?(\d{8})$")
_HOW_TO_MAKE: Final = "Make one with: head -c 32 /dev/urandom | base64"


class FieldCryptoError(Exception):
    """A stored value cannot be decrypted. The message names the place, never the value."""


class UnknownKeyError(FieldCryptoError):
    """A stored value was encrypted with a key id that no configured key has."""

    def __init__(self, key_id: str, place: str) -> None:
        super().__init__(
            f"The value in {place} was encrypted with key id {key_id!r}, which is not among "
            "the configured SPEJL_FIELD_KEYS."
        )
        self.key_id = key_id


class TamperedError(FieldCryptoError):
    """A stored value fails authentication: altered, truncated, or copied from another column."""


def decode_key(text: str, *, exact: int | None = KEY_BYTES, minimum: int = 0) -> bytes:
    """A key from base64 (standard or URL-safe) or hex text; ``ValueError`` if it is not one or
    has the wrong length. Touches no personal data."""
    text = text.strip()
    raw: bytes | None = None
    if re.fullmatch(r"[0-9a-fA-F]+", text) and len(text) % 2 == 0 and len(text) >= 64:
        raw = bytes.fromhex(text)
    else:
        try:
            raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None:
        raise ValueError("the key is neither base64 nor hex. " + _HOW_TO_MAKE)
    if exact is not None and len(raw) != exact:
        raise ValueError(f"the key must be {exact} bytes, not {len(raw)}. " + _HOW_TO_MAKE)
    if len(raw) < minimum:
        raise ValueError(f"the key must be at least {minimum} bytes. " + _HOW_TO_MAKE)
    return raw


def new_key_text() -> str:
    """A fresh random 32-byte key as base64 text (for development key files and operators)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


@dataclass(frozen=True)
class Keyring:
    """The field-encryption keys in force: ``current`` encrypts, every key decrypts its own."""

    current: str
    keys: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError("the current key id has no key")
        for key_id, key in self.keys.items():
            if not _KEY_ID.match(key_id):
                raise ValueError(f"key id {key_id!r} must be 1–16 letters, digits, _ or -")
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id!r} must be {KEY_BYTES} bytes")

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """Keys written as ``"k2:<base64>,k1:<base64>"``; the first is the current key.
        ``ValueError`` (naming the key id, never the key) when malformed."""
        keys: dict[str, bytes] = {}
        current = ""
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            key_id, sep, key_text = part.partition(":")
            key_id = key_id.strip()
            if not sep or not _KEY_ID.match(key_id):
                raise ValueError(
                    "each key is written 'id:base64key' with an id of 1–16 letters, digits, "
                    "_ or -, separated by commas"
                )
            if key_id in keys:
                raise ValueError(f"key id {key_id!r} appears twice")
            try:
                keys[key_id] = decode_key(key_text)
            except ValueError as error:
                raise ValueError(f"key {key_id!r}: {error}") from None
            current = current or key_id
        if not keys:
            raise ValueError("no key given")
        return cls(current=current, keys=keys)


def _aad(key_id: str, place: str) -> bytes:
    return f"{VERSION}\x00{key_id}\x00{place}".encode()


def _pad(data: bytes) -> bytes:
    data += b"\x80"
    return data + b"\x00" * (-len(data) % _PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rfind(b"\x80")
    if end < 0 or data[end + 1 :].strip(b"\x00"):
        raise ValueError("bad padding")
    return data[:end]


def is_envelope(text: str) -> bool:
    """Whether ``text`` looks like a stored encrypted value (not whether it decrypts)."""
    return _ENVELOPE.match(text) is not None


def key_id_of(text: str) -> str | None:
    """The key id an envelope names, or ``None`` when ``text`` is not an envelope."""
    match = _ENVELOPE.match(text)
    return match.group(1) if match else None


def encrypt(plaintext: str, *, keyring: Keyring, place: str) -> str:
    """Encrypt ``plaintext`` for the column ``place`` (``"table.column"``) under the current
    key, with a fresh random nonce. Personal data: the value given; returns only ciphertext."""
    key_id = keyring.current
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(keyring.keys[key_id]).encrypt(
        nonce, _pad(plaintext.encode("utf-8")), _aad(key_id, place)
    )
    body = base64.urlsafe_b64encode(nonce + sealed).decode()
    return f"{VERSION}:{key_id}:{body}"


def decrypt(envelope: str, *, keyring: Keyring, place: str) -> str:
    """The plaintext of a stored envelope of the column ``place``. Raises
    :class:`UnknownKeyError` for a key id not in the keyring and :class:`TamperedError` for
    anything that is not an intact envelope of this column — never returns garbage."""
    match = _ENVELOPE.match(envelope)
    if match is None:
        raise TamperedError(f"The value in {place} is not an encrypted value of Spejl.")
    key_id, body = match.groups()
    key = keyring.keys.get(key_id)
    if key is None:
        raise UnknownKeyError(key_id, place)
    try:
        raw = base64.urlsafe_b64decode(body)
    except (binascii.Error, ValueError):
        raise TamperedError(f"The value in {place} is damaged (not base64).") from None
    if len(raw) < NONCE_BYTES + 16:
        raise TamperedError(f"The value in {place} is damaged (too short).")
    try:
        padded = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(key_id, place))
        return _unpad(padded).decode("utf-8")
    except (InvalidTag, ValueError):
        raise TamperedError(
            f"The value in {place} fails authentication: it was altered or belongs to "
            "another column."
        ) from None


def reencrypt(envelope: str, *, keyring: Keyring, place: str) -> str | None:
    """The envelope under the current key, or ``None`` when it already uses it."""
    if key_id_of(envelope) == keyring.current:
        return None
    return encrypt(decrypt(envelope, keyring=keyring, place=place), keyring=keyring, place=place)


# --- Keyed hashes for lookups ------------------------------------------------------------------


def normalise_email(text: str) -> str:
    """An e-mail address as compared for lookups: trimmed and case-folded."""
    return (text or "").strip().casefold()


def normalise_phone(text: str) -> str | None:
    """A Danish number (8 digits, optionally ``+45`` or ``0045`` first, spaces allowed) as
    ``"+45 12 34 56 78"``; ``None`` if it is not one."""
    match = _PHONE.match(re.sub(r"[\s\-().]+", "", text or ""))
    if match is None:
        return None
    digits = match.group(1)
    return "+45 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))


def phone_digits(text: str) -> str:
    """A phone number for lookups: digits only, a Danish number as its 8 digits with ``45`` in
    front (so ``12 34 56 78``, ``+45 12345678`` and ``004512345678`` agree); other numbers as
    their digits."""
    normalised = normalise_phone(text)
    if normalised is not None:
        return "45" + re.sub(r"\D", "", normalised)[2:]
    digits = re.sub(r"\D", "", text or "")
    return digits[2:] if digits.startswith("00") else digits


def lookup_hash(value: str, *, key: bytes, domain: str) -> str:
    """HMAC-SHA256 (hex) of an already normalised ``value`` under the lookup key, separated by
    ``domain`` so hashes made for different purposes do not match. Empty for an empty value.
    Personal data: the value given; the hash cannot be reversed without the key."""
    if not value:
        return ""
    message = domain.encode() + b"\x00" + value.encode("utf-8")
    return hmac.new(key, message, sha256).hexdigest()


def contact_lookup_value(*, email: str, phone: str) -> str:
    """What a contact is recognised by: the normalised e-mail, or else ``"tel:"`` and the phone
    digits; empty when neither is given."""
    email_value = normalise_email(email)
    if email_value:
        return email_value
    digits = phone_digits(phone)
    return "tel:" + digits if digits else ""
