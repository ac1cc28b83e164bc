"""Tests for :mod:`spejl.core.exports.pseudonym`: keyed pseudonyms, date shifts, master key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.exports.pseudonym import (
    MAX_SHIFT_DAYS,
    date_shift_days,
    group_pseudonym,
    load_master_key,
    pseudonym,
    recipient_key,
)

MASTER = bytes(range(32))
DEFACTUM = recipient_key(MASTER, "recipient-defactum")
OTHER = recipient_key(MASTER, "recipient-other")
PSEUDONYM = re.compile(r"P[A-Z2-7]{12}")
ids = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != "")


def test_pseudonym_follows_the_documented_derivation() -> None:
    key = hmac.new(MASTER, b"spejl-export-recipient\x00recipient-defactum", hashlib.sha256)
    digest = hmac.new(key.digest(), b"spejl-export-participant\x00abc", hashlib.sha256).digest()
    expected = "P" + base64.b32encode(digest[:8]).decode()[:12]
    assert pseudonym(DEFACTUM, "abc") == expected


def test_pseudonym_is_pinned_so_later_deliveries_still_link() -> None:
    # A change here breaks every recipient's ability to join old and new deliveries.
    assert pseudonym(DEFACTUM, "participant-1") == pseudonym(
        recipient_key(MASTER, "recipient-defactum"), "participant-1"
    )
    assert pseudonym(DEFACTUM, "participant-1") == "PA6MFTA6IUBTS"


@given(ids)
def test_pseudonym_has_the_documented_form_and_is_stable(participant: str) -> None:
    code = pseudonym(DEFACTUM, participant)
    assert PSEUDONYM.fullmatch(code)
    assert code == pseudonym(DEFACTUM, participant)


@given(ids)
def test_recipients_get_different_pseudonyms_for_the_same_participant(participant: str) -> None:
    assert pseudonym(DEFACTUM, participant) != pseudonym(OTHER, participant)


@given(ids, ids)
def test_different_participants_get_different_pseudonyms(first: str, second: str) -> None:
    if first != second:
        assert pseudonym(DEFACTUM, first) != pseudonym(DEFACTUM, second)


def test_group_codes_differ_from_participant_codes_of_the_same_id() -> None:
    group = group_pseudonym(DEFACTUM, "same-id")
    assert re.fullmatch(r"G[A-Z2-7]{12}", group)
    assert group[1:] != pseudonym(DEFACTUM, "same-id")[1:]


def test_recipient_key_treats_composed_and_decomposed_letters_alike() -> None:
    assert recipient_key(MASTER, "Århus") == recipient_key(MASTER, "A\u030arhus")


def test_recipient_key_refuses_a_short_master_key_or_empty_recipient() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        recipient_key(b"short", "r")
    with pytest.raises(ValueError, match="recipient is empty"):
        recipient_key(MASTER, "  ")


def test_pseudonym_refuses_an_empty_participant_id() -> None:
    with pytest.raises(ValueError, match="participant id is empty"):
        pseudonym(DEFACTUM, "")


@given(ids)
def test_date_shift_is_backwards_within_range_and_stable(participant: str) -> None:
    shift = date_shift_days(DEFACTUM, participant)
    assert -MAX_SHIFT_DAYS <= shift <= -1
    assert shift == date_shift_days(DEFACTUM, participant)


@given(ids, st.integers(min_value=1, max_value=2000))
def test_date_shift_respects_any_maximum(participant: str, max_days: int) -> None:
    assert -max_days <= date_shift_days(DEFACTUM, participant, max_days) <= -1


def test_date_shifts_spread_over_the_whole_range() -> None:
    shifts = {date_shift_days(DEFACTUM, f"p{i}") for i in range(3000)}
    assert min(shifts) == -MAX_SHIFT_DAYS
    assert max(shifts) == -1
    assert len(shifts) > 300


def test_date_shift_differs_between_recipients() -> None:
    same = sum(
        date_shift_days(DEFACTUM, f"p{i}") == date_shift_days(OTHER, f"p{i}") for i in range(500)
    )
    assert same < 10


def test_date_shift_refuses_a_maximum_below_one() -> None:
    with pytest.raises(ValueError, match="max_days"):
        date_shift_days(DEFACTUM, "p", 0)


def test_master_key_reads_hex_and_base64_forms() -> None:
    key = bytes(range(40))
    assert load_master_key(key.hex()) == key
    assert load_master_key(" " + key.hex().upper() + "\n") == key
    assert load_master_key(base64.b64encode(key).decode()) == key
    assert load_master_key(base64.urlsafe_b64encode(key).decode().rstrip("=")) == key
    assert load_master_key("hex:" + key.hex()) == key
    assert load_master_key("base64:" + base64.b64encode(key).decode()) == key


def test_master_key_prefix_decides_an_ambiguous_value() -> None:
    # 64 hex digits are also valid base64 (of 48 bytes): without a prefix hex wins.
    text = "ab" * 32
    assert len(load_master_key(text)) == 32
    assert len(load_master_key("base64:" + text)) == 48


@pytest.mark.parametrize("value", [None, "", "   "])
def test_master_key_missing_says_so(value: str | None) -> None:
    with pytest.raises(ValueError, match="master key is missing"):
        load_master_key(value)


def test_master_key_too_short_says_how_long_it_must_be() -> None:
    with pytest.raises(ValueError, match="too short: 16 bytes; at least 32"):
        load_master_key(bytes(16).hex())


def test_master_key_that_is_neither_hex_nor_base64_is_refused_without_echoing_it() -> None:
    secret = "not*a*key*but*a*secret*" * 3
    with pytest.raises(ValueError, match="not valid base64") as error:
        load_master_key(secret)
    assert secret not in str(error.value)
