"""Field encryption and lookup hashes: round trips, tampering, wrong columns, nonces, keys."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core import fieldcrypto
from spejl.core.fieldcrypto import Keyring, TamperedError, UnknownKeyError

K1 = bytes(range(32))
K2 = bytes(range(100, 132))
RING = Keyring(current="k1", keys={"k1": K1})
ROTATED = Keyring(current="k2", keys={"k2": K2, "k1": K1})
PLACE = "participants_contact.email"

text = st.text(min_size=1, max_size=300)


@given(text)
def test_a_value_decrypts_to_what_was_encrypted(value: str) -> None:
    envelope = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    assert fieldcrypto.decrypt(envelope, keyring=RING, place=PLACE) == value
    assert fieldcrypto.is_envelope(envelope)
    assert fieldcrypto.key_id_of(envelope) == "k1"


@given(st.text(min_size=3, max_size=100, alphabet=st.characters(codec="utf-8")))
def test_the_envelope_does_not_contain_the_value(value: str) -> None:
    envelope = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    assert value not in envelope.split(":", 2)[2]


@given(text, st.data())
def test_any_flipped_bit_fails_authentication(value: str, data: st.DataObject) -> None:
    envelope = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    raw = bytearray(base64.urlsafe_b64decode(envelope.split(":")[2]))
    index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    raw[index] ^= 1 << data.draw(st.integers(min_value=0, max_value=7))
    tampered = "sp1:k1:" + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(TamperedError):
        fieldcrypto.decrypt(tampered, keyring=RING, place=PLACE)


@given(text)
def test_a_truncated_value_fails_authentication(value: str) -> None:
    envelope = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    with pytest.raises(TamperedError):
        fieldcrypto.decrypt(envelope[:-4], keyring=RING, place=PLACE)


def test_errors_name_the_column_but_never_the_value() -> None:
    envelope = fieldcrypto.encrypt("Birthe Mørk", keyring=RING, place=PLACE)
    with pytest.raises(TamperedError) as error:
        fieldcrypto.decrypt(envelope[:-6] + "AAAAAA", keyring=RING, place=PLACE)
    assert PLACE in str(error.value) and "Birthe" not in str(error.value)


@given(text)
def test_a_value_copied_to_another_column_does_not_decrypt(value: str) -> None:
    envelope = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    with pytest.raises(TamperedError, match="another column"):
        fieldcrypto.decrypt(envelope, keyring=RING, place="enquiries_enquiry.email")


@given(text)
def test_relabelling_the_key_id_does_not_decrypt(value: str) -> None:
    ring = Keyring(current="k1", keys={"k1": K1, "k9": K1})
    envelope = fieldcrypto.encrypt(value, keyring=ring, place=PLACE)
    with pytest.raises(TamperedError):
        fieldcrypto.decrypt(envelope.replace(":k1:", ":k9:", 1), keyring=ring, place=PLACE)


@given(text)
def test_the_same_value_twice_gives_different_ciphertexts(value: str) -> None:
    first = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    second = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    assert first != second
    nonce = base64.urlsafe_b64decode(first.split(":")[2])[: fieldcrypto.NONCE_BYTES]
    assert nonce != base64.urlsafe_b64decode(second.split(":")[2])[: fieldcrypto.NONCE_BYTES]


def test_nonces_do_not_repeat_over_many_encryptions() -> None:
    nonces = {
        base64.urlsafe_b64decode(fieldcrypto.encrypt("x", keyring=RING, place=PLACE)[7:])[:12]
        for _ in range(5000)
    }
    assert len(nonces) == 5000


@given(st.text(max_size=40))
def test_lengths_are_padded_to_blocks_of_sixteen_bytes(value: str) -> None:
    envelope = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    raw = base64.urlsafe_b64decode(envelope.split(":")[2])
    sealed = len(raw) - fieldcrypto.NONCE_BYTES - 16
    assert sealed % 16 == 0
    assert sealed > len(value.encode())


@given(text)
def test_old_key_values_stay_readable_and_reencrypt_to_the_current_key(value: str) -> None:
    old = fieldcrypto.encrypt(value, keyring=RING, place=PLACE)
    assert fieldcrypto.decrypt(old, keyring=ROTATED, place=PLACE) == value
    new = fieldcrypto.reencrypt(old, keyring=ROTATED, place=PLACE)
    assert new is not None and fieldcrypto.key_id_of(new) == "k2"
    assert fieldcrypto.decrypt(new, keyring=ROTATED, place=PLACE) == value
    assert fieldcrypto.reencrypt(new, keyring=ROTATED, place=PLACE) is None


def test_an_unknown_key_id_is_named_in_the_error() -> None:
    envelope = fieldcrypto.encrypt("Birthe", keyring=ROTATED, place=PLACE)
    with pytest.raises(UnknownKeyError) as error:
        fieldcrypto.decrypt(envelope, keyring=RING, place=PLACE)
    assert error.value.key_id == "k2"
    assert "'k2'" in str(error.value) and "Birthe" not in str(error.value)


@pytest.mark.parametrize("stored", ["Birthe", "sp1:k1:", "sp1:k1:AAAA", "sp2:k1:AAAAAAAA"])
def test_a_value_that_is_not_an_envelope_is_refused(stored: str) -> None:
    with pytest.raises(TamperedError):
        fieldcrypto.decrypt(stored, keyring=RING, place=PLACE)


def test_keyring_parses_current_first_and_rejects_bad_keys() -> None:
    k1 = base64.b64encode(K1).decode()
    k2 = base64.b64encode(K2).decode()
    ring = Keyring.parse(f"k2:{k2}, k1:{k1}")
    assert ring.current == "k2" and ring.keys == {"k2": K2, "k1": K1}
    for bad in ["", "k1", f"k1:{k1},k1:{k2}", "k1:c2hvcnQ=", f"bad id:{k1}", "k1:!!!"]:
        with pytest.raises(ValueError):
            Keyring.parse(bad)


def test_email_lookup_ignores_case_and_surrounding_space() -> None:
    key = b"k" * 32
    assert fieldcrypto.lookup_hash(
        fieldcrypto.normalise_email("  Birthe@Example.ORG "), key=key, domain="d"
    ) == fieldcrypto.lookup_hash("birthe@example.org", key=key, domain="d")


@pytest.mark.parametrize(
    "written", ["12345678", "12 34 56 78", "+45 12 34 56 78", "004512345678", "+45 1234-5678"]
)
def test_danish_phone_numbers_agree_however_written(written: str) -> None:
    assert fieldcrypto.phone_digits(written) == "4512345678"
    assert fieldcrypto.contact_lookup_value(email="", phone=written) == "tel:4512345678"


def test_lookup_hashes_depend_on_key_and_domain() -> None:
    value = "birthe@example.org"
    base = fieldcrypto.lookup_hash(value, key=b"a" * 32, domain="one")
    assert len(base) == 64 and value not in base
    assert base != fieldcrypto.lookup_hash(value, key=b"b" * 32, domain="one")
    assert base != fieldcrypto.lookup_hash(value, key=b"a" * 32, domain="two")
    assert fieldcrypto.lookup_hash("", key=b"a" * 32, domain="one") == ""


def test_the_email_wins_over_the_phone_in_the_contact_lookup_value() -> None:
    assert fieldcrypto.contact_lookup_value(email="A@B.dk", phone="12345678") == "a@b.dk"
    assert fieldcrypto.contact_lookup_value(email="", phone="") == ""
