"""Tests for T-ILS (UCLA-3) scoring in :mod:`spejl.core.tils`."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.tils import CODING_0_2, CODING_1_3, CODINGS, TilsResult, tils_score

ALL_1_3 = list(product((1, 2, 3), repeat=3))
ALL_0_2 = list(product((0, 1, 2), repeat=3))


def test_there_are_27_answer_combinations_in_each_coding() -> None:
    assert len(ALL_1_3) == len(set(ALL_1_3)) == 27
    assert len(ALL_0_2) == len(set(ALL_0_2)) == 27


@pytest.mark.parametrize("items", ALL_1_3)
def test_every_combination_in_the_1_3_coding_sums_and_cuts_at_7(
    items: tuple[int, int, int],
) -> None:
    result = tils_score(items)
    assert result == TilsResult(score=sum(items), severe=sum(items) >= 7, complete=True)
    assert 3 <= result.score <= 9  # type: ignore[operator]


@pytest.mark.parametrize("items", ALL_0_2)
def test_every_combination_in_the_0_2_coding_sums_and_cuts_at_4(
    items: tuple[int, int, int],
) -> None:
    result = tils_score(items, coding="0-2")
    assert result == TilsResult(score=sum(items), severe=sum(items) >= 4, complete=True)
    assert 0 <= result.score <= 6  # type: ignore[operator]


@pytest.mark.parametrize("items", ALL_1_3)
def test_both_codings_classify_the_same_answers_alike(items: tuple[int, int, int]) -> None:
    recoded = tuple(value - 1 for value in items)
    high, low = tils_score(items, coding="1-3"), tils_score(recoded, coding="0-2")
    assert high.severe == low.severe
    assert high.score == low.score + 3  # type: ignore[operator]


def test_the_severe_band_holds_the_sums_seven_to_nine() -> None:
    severe_sums = {sum(items) for items in ALL_1_3 if tils_score(items).severe}
    assert severe_sums == {7, 8, 9}
    # 10 of the 27 answer patterns reach 7: (3,3,3), three with one 2, three with two 2s,
    # three with one 1 and two 3s.
    assert sum(tils_score(items).severe for items in ALL_1_3) == 10


def test_known_answers() -> None:
    assert tils_score([1, 1, 1]) == TilsResult(3, False, True)
    assert tils_score([2, 2, 2]) == TilsResult(6, False, True)
    assert tils_score([3, 2, 2]) == TilsResult(7, True, True)
    assert tils_score([3, 3, 3]) == TilsResult(9, True, True)
    assert tils_score([1, 1, 1], coding="0-2") == TilsResult(3, False, True)
    assert tils_score([2, 1, 1], coding="0-2") == TilsResult(4, True, True)


@pytest.mark.parametrize("coding", ["1-3", "0-2"])
@pytest.mark.parametrize(
    "items", [(None, 2, 2), (2, None, 2), (2, 2, None), (None, None, None), (2, None, None)]
)
def test_any_missing_item_gives_no_score(
    coding: str, items: tuple[int | None, int | None, int | None]
) -> None:
    assert tils_score(items, coding=coding) == TilsResult(  # type: ignore[arg-type]
        score=None, severe=False, complete=False
    )


def test_missing_items_never_count_as_severe_even_when_the_rest_would() -> None:
    assert tils_score([3, 3, None]).severe is False
    assert tils_score([None, 2, 2], coding="0-2").severe is False


@pytest.mark.parametrize("items", [(0, 2, 2), (4, 1, 1), (1, 2, -1)])
def test_out_of_range_answers_are_refused_in_the_1_3_coding(items: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="outside 1–3"):
        tils_score(items)


@pytest.mark.parametrize("items", [(3, 0, 0), (-1, 0, 0)])
def test_out_of_range_answers_are_refused_in_the_0_2_coding(items: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="outside 0–2"):
        tils_score(items, coding="0-2")


@pytest.mark.parametrize("items", [(), (1, 1), (1, 1, 1, 1)])
def test_exactly_three_items_are_needed(items: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="3 items"):
        tils_score(items)


@pytest.mark.parametrize("value", [True, 2.0, "2"])
def test_non_integer_answers_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="expected an integer"):
        tils_score([value, 2, 2])  # type: ignore[list-item]


def test_unknown_coding_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown T-ILS coding"):
        tils_score([1, 1, 1], coding="1-4")  # type: ignore[arg-type]


def test_codings_describe_their_ranges() -> None:
    assert (CODING_1_3.min_score, CODING_1_3.max_score, CODING_1_3.severe_from) == (3, 9, 7)
    assert (CODING_0_2.min_score, CODING_0_2.max_score, CODING_0_2.severe_from) == (0, 6, 4)


# --- Properties ------------------------------------------------------------------------------

coding_names = st.sampled_from(sorted(CODINGS))


@st.composite
def answers(draw: st.DrawFn, coding: str, allow_missing: bool = False) -> list[int | None]:
    spec = CODINGS[coding]
    value = st.integers(spec.low, spec.high)
    item = st.one_of(st.none(), value) if allow_missing else value
    return draw(st.lists(item, min_size=3, max_size=3))


@given(data=st.data(), coding=coding_names)
def test_a_complete_score_lies_in_the_codings_range(data: st.DataObject, coding: str) -> None:
    spec = CODINGS[coding]
    result = tils_score(data.draw(answers(coding)), coding=coding)  # type: ignore[arg-type]
    assert result.complete
    assert result.score is not None
    assert spec.min_score <= result.score <= spec.max_score
    assert result.severe == (result.score >= spec.severe_from)


@given(data=st.data(), coding=coding_names)
def test_answering_more_often_never_lowers_the_score_or_the_severity(
    data: st.DataObject, coding: str
) -> None:
    spec = CODINGS[coding]
    items = data.draw(answers(coding))
    position = data.draw(st.integers(0, 2))
    if items[position] == spec.high:
        return
    higher = list(items)
    higher[position] = items[position] + 1  # type: ignore[operator]
    before = tils_score(items, coding=coding)  # type: ignore[arg-type]
    after = tils_score(higher, coding=coding)  # type: ignore[arg-type]
    assert after.score == before.score + 1  # type: ignore[operator]
    assert after.severe >= before.severe


@given(data=st.data(), coding=coding_names)
def test_the_score_does_not_depend_on_item_order(data: st.DataObject, coding: str) -> None:
    items = data.draw(answers(coding, allow_missing=True))
    order = data.draw(st.permutations(items))
    assert tils_score(items, coding=coding) == tils_score(order, coding=coding)  # type: ignore[arg-type]


@given(data=st.data(), coding=coding_names)
def test_complete_exactly_when_no_item_is_missing(data: st.DataObject, coding: str) -> None:
    items = data.draw(answers(coding, allow_missing=True))
    result = tils_score(items, coding=coding)  # type: ignore[arg-type]
    assert result.complete == (None not in items)
    assert (result.score is None) == (None in items)
