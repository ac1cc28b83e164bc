"""Second-factor secrets (TOTP secret, recovery-code seed) are encrypted at rest with the field
keys, still work for login, and move to a new key with ``rotate_keys``."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.db import connection
from django.test import Client

from spejl.accounts.mfa_adapter import MFA_SECRET_PLACE
from spejl.accounts.tests.two_factor import enrol_totp, full_login, recovery_codes
from spejl.conftest import TEST_FIELD_KEYS, World
from spejl.core import fieldcrypto


def _raw_data(user_id: int) -> str:
    """The authenticator rows of a user exactly as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE user_id = %s", [user_id])
        return " ".join(str(value) for (value,) in cursor.fetchall())


@pytest.mark.django_db
def test_the_totp_secret_and_recovery_seed_are_not_in_the_database_in_clear(world: World) -> None:
    user = world.coordinator_a
    secret = enrol_totp(user)
    seed = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    raw = _raw_data(user.pk)
    assert secret not in raw
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert fieldcrypto.is_envelope(totp.data["secret"])
    assert fieldcrypto.is_envelope(seed.data["seed"])
    # ... and they still work: a full login with the app's code, and recovery codes exist.
    full_login(Client(), user, secret)
    assert len(recovery_codes(user)) == 10


@pytest.mark.django_db
def test_a_secret_saved_before_encryption_still_works_and_rotation_encrypts_it(
    world: World,
) -> None:
    user = world.coordinator_a
    secret = enrol_totp(user)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    Authenticator.objects.filter(pk=totp.pk).update(data={"secret": secret})
    full_login(Client(), user, secret)

    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "Second-factor secrets: re-encrypted 1 authenticator(s)" in out.getvalue()
    totp.refresh_from_db()
    assert fieldcrypto.is_envelope(totp.data["secret"])
    assert secret not in _raw_data(user.pk)
    full_login(Client(), user, secret)


@pytest.mark.django_db
def test_rotation_moves_second_factor_secrets_to_the_new_key(world: World, settings: Any) -> None:
    user = world.coordinator_a
    secret = enrol_totp(user)
    new_keys = "new2:" + fieldcrypto.new_key_text() + "," + TEST_FIELD_KEYS
    settings.SPEJL_FIELD_KEYS = new_keys

    dry = StringIO()
    call_command("rotate_keys", "--dry-run", stdout=dry)
    assert "would re-encrypt 2 authenticator(s)" in dry.getvalue()
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert fieldcrypto.key_id_of(totp.data["secret"]) != "new2"

    call_command("rotate_keys", stdout=StringIO())
    for authenticator in Authenticator.objects.filter(user=user).exclude(type="webauthn"):
        for value in (authenticator.data.get("secret"), authenticator.data.get("seed")):
            if value:
                assert fieldcrypto.key_id_of(value) == "new2"
                fieldcrypto.decrypt(
                    value, keyring=fieldcrypto.Keyring.parse(new_keys), place=MFA_SECRET_PLACE
                )
    # Only the new key left: the login still works.
    settings.SPEJL_FIELD_KEYS = new_keys.split(",")[0]
    full_login(Client(), user, secret)
