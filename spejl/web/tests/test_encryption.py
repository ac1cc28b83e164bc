"""Contact data encrypted at rest: a dump or a backup of the seeded demo shows no participant's
or enquirer's name, phone number or e-mail; the fields read back in clear; lookups go through
keyed hashes; tampered values fail loudly (issue 8, docs/security.md)."""

from __future__ import annotations

import re
import shutil
import subprocess  # nosec B404  # pg_restore with an argument list, in a test
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from spejl.access.encrypted import EncryptedFieldLookupError, encrypted_fields
from spejl.conftest import World
from spejl.core import fieldcrypto
from spejl.core.fieldcrypto import TamperedError, UnknownKeyError
from spejl.enquiries import services
from spejl.enquiries.models import Enquiry
from spejl.enquiries.policies import EnquiryDetails
from spejl.enquiries.tests.fixtures import make_enquiry
from spejl.facilitators.models import FacilitatorProfile
from spejl.groups.selectors import group_roster
from spejl.participants.models import Contact, Participant
from spejl.testing.factories import postcode
from spejl.web.backups import _run_postgres_tool, backup

OLD_KEY = "old1:" + "b2xkLWZpZWxkLWtleS1vbmx5LWZvci10ZXN0cy0zMiE="


def _raw(model: type[Any], pk: int, column: str) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [pk],
        )
        return str(cursor.fetchone()[0])


def _set_raw(model: type[Any], pk: int, column: str, value: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s "  # noqa: S608
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [value, pk],
        )


def _contact(world: World, **fields: str) -> Contact:
    participant = Participant.objects.create(organisation=world.org_a, birth_year=1980)
    return Contact.objects.create(participant=participant, **fields)


# --- The done-when: a dump and a backup of the demo hold no contact data ----------------------


def _secrets_of_the_demo() -> dict[str, str]:
    """Every demo participant's and enquirer's e-mail, phone (as stored and as digits) and
    full name, read through the ORM (decrypted), labelled for the failure message."""
    found: dict[str, str] = {}
    for contact in Contact.objects.all():
        if contact.email:
            found[contact.email] = "participant e-mail"
        if contact.phone:
            found[contact.phone] = "participant phone"
            found[re.sub(r"\D", "", contact.phone)] = "participant phone digits"
        if contact.last_name:
            found[f"{contact.first_name} {contact.last_name}"] = "participant full name"
    for enquiry in Enquiry.objects.all():
        if enquiry.email:
            found[enquiry.email] = "enquirer e-mail"
        if enquiry.phone:
            found[enquiry.phone] = "enquirer phone"
            found[re.sub(r"\D", "", enquiry.phone)] = "enquirer phone digits"
        if enquiry.message:
            found[enquiry.message] = "enquirer message"
    for profile in FacilitatorProfile.objects.exclude(phone__isnull=True):
        if profile.phone:
            found[profile.phone] = "facilitator phone"
    return found


def _leaks(dump: bytes, secrets: dict[str, str]) -> list[str]:
    text = dump.decode("utf-8", errors="replace")
    return sorted(f"{label}" for value, label in secrets.items() if value in text)


def _sql_dump(tmp_path: Path) -> bytes:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump()).encode()
    target = tmp_path / "dump.sql"
    _run_postgres_tool(
        "pg_dump",
        ["--format=plain", "--no-owner", f"--file={target}"],
        connection.settings_dict,
        database=True,
    )
    return target.read_bytes()


def _backup_as_bytes(path: Path) -> bytes:
    if connection.vendor == "sqlite":
        return path.read_bytes()
    # A custom-format dump is compressed: turn it back into SQL text before searching it.
    tool = shutil.which("pg_restore")
    assert tool is not None
    return subprocess.run(  # noqa: S603  # nosec B603
        [tool, "--file=-", str(path)], check=True, capture_output=True
    ).stdout


@pytest.fixture
def demo(postcodes: None) -> Iterator[dict[str, str]]:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    secrets = _secrets_of_the_demo()
    # The test must be able to fail: the demo has contact data to leak.
    labels = set(secrets.values())
    assert {"participant e-mail", "participant phone", "participant full name"} <= labels
    assert {"enquirer e-mail", "enquirer phone"} <= labels
    yield secrets


@pytest.mark.django_db(transaction=True)
def test_a_raw_sql_dump_and_a_backup_of_the_demo_hold_no_names_phones_or_emails(
    demo: dict[str, str], tmp_path: Path
) -> None:
    # One seeded demo for both (seeding takes most of the time).
    dump = _sql_dump(tmp_path)
    assert b"sp1:" in dump  # the encrypted values are there, just not readable
    assert _leaks(dump, demo) == []

    result = backup(tmp_path / ("spejl.sqlite3" if connection.vendor == "sqlite" else "x.dump"))
    content = _backup_as_bytes(result.path)
    assert b"sp1:" in content
    assert _leaks(content, demo) == []


@pytest.mark.django_db(transaction=True)  # pg_dump reads committed rows only
def test_the_dump_check_would_catch_plaintext(world: World, tmp_path: Path) -> None:
    contact = _contact(world, first_name="Gudrun", last_name="Ærø", email="gudrun@example.org")
    secrets = {"gudrun@example.org": "participant e-mail"}
    assert _leaks(_sql_dump(tmp_path), secrets) == []
    _set_raw(Contact, contact.pk, "email", "gudrun@example.org")
    assert _leaks(_sql_dump(tmp_path), secrets) == ["participant e-mail"]


# --- The field -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_fields_are_stored_encrypted_and_read_in_clear(world: World) -> None:
    contact = _contact(
        world, first_name="Åse", last_name="Ærø", phone="+45 12 34 56 78", email="ase@example.org"
    )
    for column, value in [("first_name", "Åse"), ("phone", "+45 12 34 56 78")]:
        stored = _raw(Contact, contact.pk, column)
        assert stored.startswith("sp1:test1:") and value not in stored
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.first_name, fresh.last_name, fresh.phone, fresh.email) == (
        "Åse",
        "Ærø",
        "+45 12 34 56 78",
        "ase@example.org",
    )
    assert list(Contact.objects.filter(pk=contact.pk).values_list("email", flat=True)) == [
        "ase@example.org"
    ]
    assert _raw(Contact, _contact(world, first_name="Bo").pk, "email") == ""


def test_every_contact_and_free_text_field_decided_for_encryption_is_encrypted() -> None:
    encrypted = {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()}
    assert encrypted == {
        "participants.Contact.first_name",
        "participants.Contact.last_name",
        "participants.Contact.phone",
        "participants.Contact.email",
        "enquiries.Enquiry.first_name",
        "enquiries.Enquiry.phone",
        "enquiries.Enquiry.email",
        "enquiries.Enquiry.message",
        "enquiries.Enquiry.closed_reason",
        "facilitators.FacilitatorProfile.phone",
        "intake.Intake.place",
        "intake.Intake.decision_note",
        "intake.Intake.composition_wishes",
        "intake.Intake.accessibility_needs",
        "enrolments.Enrolment.drop_note",
        "groups.MeetingLog.note",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        {"contact__first_name": "Åse"},
        {"contact__email__iexact": "a@b.dk"},
        {"contact__phone__contains": "12"},
    ],
)
def test_filtering_on_an_encrypted_field_is_refused_clearly(lookup: dict[str, str]) -> None:
    with pytest.raises(EncryptedFieldLookupError, match="encrypted at rest"):
        list(Participant.objects.filter(**lookup))


@pytest.mark.django_db
def test_isnull_still_works_on_an_encrypted_field(world: World) -> None:
    _contact(world, first_name="Åse")
    assert Contact.objects.filter(first_name__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_tampered_value_gives_a_clear_error_not_garbage(world: World) -> None:
    contact = _contact(world, first_name="Åse", email="ase@example.org")
    stored = _raw(Contact, contact.pk, "email")
    _set_raw(Contact, contact.pk, "email", stored[:-6] + ("A" if stored[-6] != "A" else "B") * 6)
    with pytest.raises(TamperedError, match=r"participants_contact\.email"):
        Contact.objects.get(pk=contact.pk)
    # A value moved from another column is refused too.
    _set_raw(Contact, contact.pk, "email", _raw(Contact, contact.pk, "first_name"))
    with pytest.raises(TamperedError, match="another column"):
        Contact.objects.get(pk=contact.pk)


@pytest.mark.django_db
def test_a_value_under_an_old_key_stays_readable(world: World, settings: Any) -> None:
    settings.SPEJL_FIELD_KEYS = OLD_KEY
    contact = _contact(world, first_name="Åse", phone="+45 11 22 33 44")
    assert fieldcrypto.key_id_of(_raw(Contact, contact.pk, "phone")) == "old1"
    settings.SPEJL_FIELD_KEYS = "new2:" + fieldcrypto.new_key_text() + "," + OLD_KEY
    assert Contact.objects.get(pk=contact.pk).phone == "+45 11 22 33 44"
    settings.SPEJL_FIELD_KEYS = "new2:" + fieldcrypto.new_key_text()
    with pytest.raises(UnknownKeyError, match="'old1'"):
        Contact.objects.get(pk=contact.pk)


# --- Lookups and ordering without SQL on the clear values -------------------------------------


def _details(**changes: Any) -> EnquiryDetails:
    base: dict[str, Any] = {
        "first_name": "Birthe",
        "phone": "",
        "email": "birthe@example.org",
        "postcode": postcode("8000"),
        "birth_year": 1960,
    }
    return EnquiryDetails(**(base | changes))


@pytest.mark.django_db
def test_a_repeated_public_enquiry_is_found_through_the_keyed_hash(
    world: World, postcodes: None
) -> None:
    first = services.enquiry_submit_public(
        details=_details(), organisation_id=world.org_a.public_id, client_address="127.0.0.1"
    )
    again = services.enquiry_submit_public(
        details=_details(email="  BIRTHE@example.ORG "),
        organisation_id=world.org_a.public_id,
        client_address="127.0.0.1",
    )
    assert first.outcome == services.SubmitOutcome.CREATED
    assert again.outcome == services.SubmitOutcome.DUPLICATE
    assert again.enquiry == first.enquiry
    assert Enquiry.objects.count() == 1
    assert "birthe" not in _raw(Enquiry, first.enquiry.pk, "contact_fingerprint")


@pytest.mark.django_db
def test_a_coordinator_registering_the_same_person_twice_gets_the_first_enquiry(
    world: World, postcodes: None
) -> None:
    from spejl.access.actor import actor_for_user as actor_for

    actor = actor_for(world.coordinator_a)
    details = _details(email="", phone="12 34 56 78")
    first = services.enquiry_register(
        actor=actor, organisation=world.org_a, source="phone", details=details
    )
    again = services.enquiry_register(
        actor=actor,
        organisation=world.org_a,
        source="phone",
        details=_details(email="", phone="+45 12345678", first_name="birthe"),
    )
    other = services.enquiry_register(
        actor=actor,
        organisation=world.org_a,
        source="phone",
        details=_details(email="", phone="12 34 56 78", first_name="Bent"),
    )
    assert again == first
    assert other != first


@pytest.mark.django_db
def test_a_repeated_enquiry_is_found_during_a_lookup_key_rotation(
    world: World, postcodes: None, settings: Any
) -> None:
    old_lookup = settings.SPEJL_LOOKUP_KEY
    first = make_enquiry(world.org_a, first_name="Birthe")
    from spejl.enquiries.policies import contact_fingerprint

    Enquiry.objects.filter(pk=first.pk).update(
        contact_fingerprint=contact_fingerprint(email=first.email, phone="")
    )
    settings.SPEJL_LOOKUP_KEY = fieldcrypto.new_key_text()
    settings.SPEJL_LOOKUP_KEY_PREVIOUS = old_lookup
    again = services.enquiry_submit_public(
        details=_details(email=first.email),
        organisation_id=world.org_a.public_id,
        client_address="127.0.0.1",
    )
    assert again.outcome == services.SubmitOutcome.DUPLICATE


@pytest.mark.django_db
def test_the_roster_is_in_danish_alphabetical_order_of_first_names(world: World) -> None:
    from spejl.access.actor import actor_for_user as actor_for
    from spejl.enrolments.models import Enrolment, EnrolmentState
    from spejl.testing.groups import make_group

    group = make_group(world, participants=0)
    for name in ["Åse", "Ærling", "Zenia", "anna", "Øjvind", "Bo"]:
        participant = Participant.objects.create(organisation=world.org_a)
        Contact.objects.create(participant=participant, first_name=name)
        Enrolment.objects.create(
            participant=participant,
            group=group,
            organisation=world.org_a,
            state=EnrolmentState.ENROLLED,
        )
    rows = group_roster(actor=actor_for(world.coordinator_a), group=group, purpose="test")
    assert [row.first_name for row in rows] == ["anna", "Bo", "Zenia", "Ærling", "Øjvind", "Åse"]


# --- Keys ----------------------------------------------------------------------------------------


def test_production_refuses_to_deploy_without_the_field_and_lookup_keys(settings: Any) -> None:
    from spejl.evaluation.checks import field_keys_set

    settings.PRODUCTION = True
    settings.SPEJL_FIELD_KEYS = ""
    settings.SPEJL_LOOKUP_KEY = ""
    assert {e.id for e in field_keys_set(None)} == {"spejl.E103", "spejl.E105"}
    settings.SPEJL_FIELD_KEYS = "k1:c2hvcnQ="
    settings.SPEJL_LOOKUP_KEY = fieldcrypto.new_key_text()
    settings.SPEJL_LOOKUP_KEY_PREVIOUS = "short"
    errors = field_keys_set(None)
    assert {e.id for e in errors} == {"spejl.E104", "spejl.E107"}
    assert "c2hvcnQ" not in " ".join(e.msg for e in errors)
    settings.SPEJL_FIELD_KEYS = "k1:" + fieldcrypto.new_key_text()
    settings.SPEJL_LOOKUP_KEY_PREVIOUS = ""
    assert field_keys_set(None) == []


def test_development_keys_are_made_once_in_private_files(settings: Any, tmp_path: Path) -> None:
    from spejl.web.keys import field_keyring, lookup_key

    settings.SPEJL_FIELD_KEYS = ""
    settings.SPEJL_LOOKUP_KEY = ""
    settings.SPEJL_FIELD_KEYS_FILE = tmp_path / "field-keys"
    settings.SPEJL_LOOKUP_KEY_FILE = tmp_path / "lookup-key"
    ring = field_keyring()
    key = lookup_key()
    assert (tmp_path / "field-keys").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "lookup-key").stat().st_mode & 0o777 == 0o600
    settings.SPEJL_FIELD_KEYS_FILE = tmp_path / "field-keys"  # forget the cached keys
    assert field_keyring() == ring and lookup_key() == key


def test_production_without_field_keys_cannot_encrypt(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from spejl.web.keys import field_keyring

    settings.PRODUCTION = True
    settings.SPEJL_FIELD_KEYS = ""
    with pytest.raises(ImproperlyConfigured, match="SPEJL_FIELD_KEYS must be set"):
        field_keyring()


# --- The data migrations ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_plaintext_and_can_be_reversed(world: World) -> None:
    from django.db.migrations.executor import MigrationExecutor

    before = [("participants", "0002_participant_birth_year_participant_gender")]
    before += [("enquiries", "0002_enquiry_preferred_contact")]
    after = [("participants", "0003_encrypt_at_rest"), ("enquiries", "0003_encrypt_at_rest")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    participant = old.get_model("participants", "Participant").objects.create(
        organisation_id=world.org_a.pk, code="SP-TEST-0001"
    )
    old.get_model("participants", "Contact").objects.create(
        participant_id=participant.pk, first_name="Åse", phone="+45 12 34 56 78", email=""
    )
    old.get_model("enquiries", "Enquiry").objects.create(
        organisation_id=world.org_a.pk,
        source="phone",
        first_name="Birthe",
        email="Birthe@example.org",
        postcode_id=postcode("8000").pk,
        birth_year=1960,
        contact_fingerprint="made-with-the-secret-key",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    contact = Contact.objects.get()
    assert _raw(Contact, contact.pk, "first_name").startswith("sp1:test1:")
    assert _raw(Contact, contact.pk, "email") == ""
    assert (contact.first_name, contact.phone) == ("Åse", "+45 12 34 56 78")
    enquiry = Enquiry.objects.get()
    assert "Birthe" not in _raw(Enquiry, enquiry.pk, "email")
    from spejl.enquiries.policies import contact_fingerprint

    assert enquiry.contact_fingerprint == contact_fingerprint(email="birthe@example.org", phone="")

    # Backwards: the plaintext comes back (the fingerprint stays keyed).
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert _raw(Contact, contact.pk, "first_name") == "Åse"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Contact.objects.get().first_name == "Åse"
