"""``manage.py rotate_keys``: moves every encrypted value to the current key and every lookup
hash to the current lookup key, resumably, safely twice at once, audited with counts only."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from spejl.audit.models import AuditEvent
from spejl.conftest import TEST_FIELD_KEYS, World
from spejl.core import fieldcrypto
from spejl.enquiries.models import Enquiry
from spejl.enquiries.policies import contact_fingerprint
from spejl.enquiries.tests.fixtures import make_enquiry
from spejl.participants.models import Contact, Participant
from spejl.testing.concurrency import twice_at_once
from spejl.web import keyrotation

NEW_KEYS = "new2:" + fieldcrypto.new_key_text() + "," + TEST_FIELD_KEYS


def _key_ids(model: type[Any], column: str) -> list[str | None]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"WHERE {quote(column)} <> '' ORDER BY id"
        )
        return [fieldcrypto.key_id_of(value) for (value,) in cursor.fetchall()]


def _people(world: World, n: int) -> list[Contact]:
    contacts = []
    for i in range(n):
        participant = Participant.objects.create(organisation=world.org_a)
        contacts.append(
            Contact.objects.create(
                participant=participant,
                first_name=f"Åse{i}",
                last_name="Ærø",
                phone=f"+45 12 34 56 {i:02d}",
                email=f"ase{i}@example.org",
            )
        )
    return contacts


def _run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_rotation_moves_old_values_to_the_new_key_and_they_still_read(
    world: World, settings: Any
) -> None:
    _people(world, 3)
    make_enquiry(world.org_a, first_name="Birthe", message="Jeg hedder Birthe")
    settings.SPEJL_FIELD_KEYS = NEW_KEYS
    assert set(_key_ids(Contact, "phone")) == {"test1"}

    output = _run("--batch-size", "2")

    assert set(_key_ids(Contact, "phone")) == {"new2"}
    assert set(_key_ids(Contact, "first_name")) == {"new2"}
    assert set(_key_ids(Enquiry, "message")) == {"new2"}
    assert "participants_contact.phone: test1: 3; re-encrypted 3" in output
    settings.SPEJL_FIELD_KEYS = NEW_KEYS.split(",")[0]  # the old key can now go
    assert sorted(c.first_name for c in Contact.objects.all()) == ["Åse0", "Åse1", "Åse2"]
    assert Enquiry.objects.get().message == "Jeg hedder Birthe"
    # A second run finds nothing left.
    assert "participants_contact.phone: new2: 3; re-encrypted 0" in _run()


@pytest.mark.django_db
def test_rotation_is_audited_as_a_system_event_with_counts_only(
    world: World, settings: Any
) -> None:
    _people(world, 2)
    settings.SPEJL_FIELD_KEYS = NEW_KEYS
    _run()
    event = AuditEvent.objects.filter(object_type="web.keyrotation").get()
    assert event.actor is None
    assert "8 values re-encrypted" in event.purpose
    assert "participants_contact.email" in event.fields
    assert "Åse" not in event.purpose + "".join(event.fields)


@pytest.mark.django_db
def test_dry_run_counts_per_column_and_changes_nothing(world: World, settings: Any) -> None:
    _people(world, 2)
    settings.SPEJL_FIELD_KEYS = NEW_KEYS
    output = _run("--dry-run")
    assert "participants_contact.email: test1: 2; would re-encrypt 2" in output
    assert set(_key_ids(Contact, "email")) == {"test1"}
    assert not AuditEvent.objects.filter(object_type="web.keyrotation").exists()


@pytest.mark.django_db
def test_rotation_refuses_values_under_an_unknown_key_naming_it(
    world: World, settings: Any
) -> None:
    _people(world, 2)
    settings.SPEJL_FIELD_KEYS = "new2:" + fieldcrypto.new_key_text()
    with pytest.raises(CommandError) as error:
        _run()
    message = str(error.value)
    assert "'test1'" in message and "8 stored value(s)" in message
    assert set(_key_ids(Contact, "email")) == {"test1"}


@pytest.mark.django_db
def test_an_interrupted_rotation_is_resumed_by_running_it_again(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _people(world, 5)
    settings.SPEJL_FIELD_KEYS = NEW_KEYS
    real = fieldcrypto.reencrypt
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> str | None:
        calls["n"] += 1
        if calls["n"] > 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(fieldcrypto, "reencrypt", failing)
    with pytest.raises(RuntimeError):
        keyrotation.rotate_keys(batch_size=2)
    monkeypatch.setattr(fieldcrypto, "reencrypt", real)
    # The first batch (two rows) was committed; the interrupted one was not.
    assert _key_ids(Contact, "first_name") == ["new2", "new2", "test1", "test1", "test1"]
    report = keyrotation.rotate_keys(batch_size=2)
    assert report.reencrypted["participants_contact.first_name"] == 3
    assert set(_key_ids(Contact, "first_name")) == {"new2"}


@pytest.mark.django_db
def test_a_lookup_key_rotation_recomputes_the_fingerprints(world: World, settings: Any) -> None:
    enquiry = make_enquiry(world.org_a, first_name="Birthe", email="birthe@example.org")
    Enquiry.objects.filter(pk=enquiry.pk).update(
        contact_fingerprint=contact_fingerprint(email="birthe@example.org", phone="")
    )
    settings.SPEJL_LOOKUP_KEY_PREVIOUS = settings.SPEJL_LOOKUP_KEY
    settings.SPEJL_LOOKUP_KEY = fieldcrypto.new_key_text()
    expected = contact_fingerprint(email="birthe@example.org", phone="")
    assert Enquiry.objects.get().contact_fingerprint != expected

    assert "Contact fingerprints would recompute: 1" in _run("--dry-run")
    assert "Contact fingerprints recomputed: 1" in _run()
    assert Enquiry.objects.get().contact_fingerprint == expected
    assert "Contact fingerprints recomputed: 0" in _run()


@pytest.mark.django_db(transaction=True)
def test_two_rotations_at_once_do_the_work_once_and_lose_nothing(
    world: World, settings: Any
) -> None:
    contacts = _people(world, 12)
    settings.SPEJL_FIELD_KEYS = NEW_KEYS
    outcomes = twice_at_once(lambda: keyrotation.rotate_keys(batch_size=3))
    reports = [o for o in outcomes if isinstance(o, keyrotation.RotationReport)]
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert len(reports) == 2
    # Every value was re-encrypted exactly once between the two runs.
    for place in ("participants_contact.email", "participants_contact.first_name"):
        assert sum(r.reencrypted[place] for r in reports) == 12
    assert set(_key_ids(Contact, "email")) == {"new2"}
    assert sorted(Contact.objects.values_list("email", flat=True)) == sorted(
        c.email for c in contacts
    )
