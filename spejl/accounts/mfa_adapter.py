"""allauth.mfa adapter: second-factor secrets are encrypted at rest like contact data.

allauth stores each TOTP secret and the seed of the recovery codes in ``mfa_authenticator.data``
and passes them through ``encrypt``/``decrypt``. Spejl encrypts them with the field keys
(``SPEJL_FIELD_KEYS``, docs/security.md), so a database dump or backup alone cannot produce
valid codes. ``manage.py rotate_keys`` moves them to a new key with everything else.
Personal data: none (authentication secrets of staff accounts).
"""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter

from spejl.core import fieldcrypto
from spejl.web.keys import field_keyring

#: The associated data binding a secret to where it is stored (a value moved elsewhere fails).
MFA_SECRET_PLACE = "mfa_authenticator.data"  # noqa: S105  # nosec B105  # a column name
#: The keys of ``Authenticator.data`` that hold encrypted secrets.
ENCRYPTED_DATA_KEYS = ("secret", "seed")


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def encrypt(self, text: str) -> str:
        return fieldcrypto.encrypt(text, keyring=field_keyring(), place=MFA_SECRET_PLACE)

    def decrypt(self, encrypted_text: str) -> str:
        # A secret saved before encryption was switched on is read as it is; rotate_keys
        # encrypts it.
        if not fieldcrypto.is_envelope(encrypted_text):
            return encrypted_text
        return fieldcrypto.decrypt(encrypted_text, keyring=field_keyring(), place=MFA_SECRET_PLACE)
