"""Tests for :func:`spejl.core.scoring.score` against hand-written rules for each instrument."""

from __future__ import annotations

from dataclasses import replace
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.instruments import Instrument, ScoringRule, load_instrument
from spejl.core.scoring import score

INSTRUMENTS = Path(__file__).resolve().parents[2] / "instruments"
TILS = load_instrument(INSTRUMENTS / "tils.v1.json")
WHO5 = load_instrument(INSTRUMENTS / "who5.v1.json")
SWEMWBS = load_instrument(INSTRUMENTS / "swemwbs.v1.json")
DIRECT = load_instrument(INSTRUMENTS / "direct_loneliness.v1.json")
# Copied by hand from the shared swemwbs_conversion.csv (Stewart-Brown et al. 2009), so the
# test does not trust the JSON it checks.
SWEMWBS_TABLE = {
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}

ALL_TILS = list(product((1, 2, 3), repeat=3))
ALL_WHO5 = list(product(range(6), repeat=5))


def _answers(instrument: Instrument, values: tuple[int | None, ...]) -> dict[str, int | None]:
    return dict(zip(instrument.item_codes, values, strict=True))


def test_the_combinations_are_complete() -> None:
    assert len(set(ALL_TILS)) == 27
    assert len(set(ALL_WHO5)) == 6**5 == 7776


@pytest.mark.parametrize("values", ALL_TILS)
def test_every_tils_combination_is_the_sum_with_severe_from_7(
    values: tuple[int, int, int],
) -> None:
    result = score(TILS, _answers(TILS, values))
    total = sum(values)
    assert result.raw == total
    assert result.score == total
    assert result.band == ("severe" if total >= 7 else None)
    assert result.complete
    assert result.missing == ()
    assert result.scoring_version == "tils.v1"


def _who5_band(percent: int) -> str | None:
    if percent <= 28:
        return "likely_depression"
    if percent <= 50:
        return "poor_wellbeing"
    return None


def test_every_who5_combination_is_the_sum_times_4_with_its_band() -> None:
    # One test over all 7776 combinations: a parametrised test would add 7776 test ids.
    seen_bands = set()
    for values in ALL_WHO5:
        result = score(WHO5, _answers(WHO5, values))
        raw = sum(values)
        assert result.raw == raw, values
        assert result.score == raw * 4, values
        assert result.band == _who5_band(raw * 4), values
        assert result.complete, values
        seen_bands.add(result.band)
    assert seen_bands == {"likely_depression", "poor_wellbeing", None}


@pytest.mark.parametrize(
    ("percent", "band"),
    [(28, "likely_depression"), (32, "poor_wellbeing"), (48, "poor_wellbeing"), (52, None)],
)
def test_who5_cut_off_edges(percent: int, band: str | None) -> None:
    raw = percent // 4
    values = [5] * (raw // 5) + ([raw % 5] if raw % 5 else [])
    values += [0] * (5 - len(values))
    assert score(WHO5, _answers(WHO5, tuple(values))).band == band


@pytest.mark.parametrize("raw", range(7, 36))
def test_every_swemwbs_raw_score_maps_to_the_table(raw: int) -> None:
    # Spread raw over seven items in 1–5.
    extra = raw - 7
    values = tuple(1 + min(4, max(0, extra - 4 * i)) for i in range(7))
    assert sum(values) == raw
    result = score(SWEMWBS, _answers(SWEMWBS, values))
    assert result.raw == raw
    assert result.score == SWEMWBS_TABLE[raw]
    assert result.band is None


def test_swemwbs_table_endpoints() -> None:
    assert score(SWEMWBS, _answers(SWEMWBS, (1,) * 7)).score == 7.0
    assert score(SWEMWBS, _answers(SWEMWBS, (5,) * 7)).score == 35.0


def test_direct_items_are_reported_one_by_one_never_summed() -> None:
    result = score(DIRECT, {"direct_lonely": 4, "direct_alone_unwanted": None})
    assert result.raw is None
    assert result.score is None
    assert result.band is None
    assert dict(result.item_scores) == {"direct_lonely": 4, "direct_alone_unwanted": None}
    assert result.missing == ("direct_alone_unwanted",)
    assert not result.complete


@pytest.mark.parametrize("instrument", [TILS, WHO5, SWEMWBS], ids=lambda i: i.code)
def test_one_missing_item_gives_no_score(instrument: Instrument) -> None:
    answers: dict[str, int | None] = {
        code: instrument.items[0].min_score for code in instrument.item_codes
    }
    answers[instrument.item_codes[-1]] = None
    result = score(instrument, answers)
    assert result.score is None
    assert result.raw is None
    assert result.band is None
    assert not result.complete
    assert result.missing == (instrument.item_codes[-1],)


def test_an_absent_item_counts_as_missing() -> None:
    result = score(TILS, {"tils_1": 3, "tils_2": 3})
    assert result.missing == ("tils_3",)
    assert result.score is None


@pytest.mark.parametrize("bad", [0, 4, -1, True, 2.0, "2"])
def test_an_answer_outside_the_options_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="tils_1"):
        score(TILS, {"tils_1": bad, "tils_2": 1, "tils_3": 1})  # type: ignore[dict-item]


def test_an_unknown_item_code_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown or unscored item codes"):
        score(TILS, {"tils_1": 1, "tils_2": 1, "tils_3": 1, "tils_4": 1})


def test_who5_zero_is_an_answer_not_a_missing_item() -> None:
    result = score(WHO5, _answers(WHO5, (0, 0, 0, 0, 0)))
    assert result.score == 0
    assert result.complete
    assert result.band == "likely_depression"


# --- rules not used by the shipped instruments, on a derived instrument -------------------------

PRORATED_TILS = replace(TILS, scoring=ScoringRule(type="sum", max_missing=1, on_missing="prorate"))
REVERSED_TILS = replace(TILS, items=(replace(TILS.items[0], reversed=True), *TILS.items[1:]))


def test_prorating_uses_the_mean_of_the_answered_items_rounded_half_up() -> None:
    result = score(PRORATED_TILS, {"tils_1": 2, "tils_2": 3, "tils_3": None})
    assert result.raw == 8  # 5 × 3/2 = 7.5 → 8
    assert result.band == "severe"
    assert not result.complete
    assert score(PRORATED_TILS, {"tils_1": 1, "tils_2": None, "tils_3": None}).score is None


def test_a_reversed_item_counts_from_the_other_end() -> None:
    assert score(REVERSED_TILS, {"tils_1": 1, "tils_2": 1, "tils_3": 1}).raw == 5
    assert score(REVERSED_TILS, {"tils_1": 3, "tils_2": 1, "tils_3": 1}).raw == 3


# --- properties ---------------------------------------------------------------------------------

SUMMED = [TILS, WHO5, SWEMWBS, PRORATED_TILS]


@st.composite
def answers_for(draw: st.DrawFn, instrument: Instrument) -> dict[str, int | None]:
    return {
        item.code: draw(st.one_of(st.none(), st.sampled_from(sorted(item.scores))))
        for item in instrument.items
    }


@given(data=st.data(), instrument=st.sampled_from(SUMMED))
def test_a_score_is_inside_the_score_range_or_none_by_the_missing_rule(
    data: st.DataObject, instrument: Instrument
) -> None:
    answers = data.draw(answers_for(instrument))
    result = score(instrument, answers)
    n_missing = sum(value is None for value in answers.values())
    assert len(result.missing) == n_missing
    assert result.complete == (n_missing == 0)
    if n_missing > instrument.scoring.max_missing:
        assert result.score is None
        assert result.raw is None
    else:
        assert result.score is not None
        assert result.raw is not None
        low, high = instrument.raw_range
        assert low <= result.raw <= high
        assert instrument.score_range is not None
        s_low, s_high = instrument.score_range
        assert s_low <= result.score <= s_high
        expected_band = [b.code for b in instrument.bands if b.min <= result.score <= b.max]
        assert [result.band] == (expected_band or [None])


@given(data=st.data(), instrument=st.sampled_from([TILS, WHO5, SWEMWBS]))
def test_raising_one_answer_never_lowers_the_raw_or_final_score(
    data: st.DataObject, instrument: Instrument
) -> None:
    answers: dict[str, int | None] = {
        item.code: data.draw(st.sampled_from(sorted(item.scores))) for item in instrument.items
    }
    item = data.draw(st.sampled_from(instrument.items))
    current = answers[item.code]
    assert current is not None
    higher = data.draw(st.sampled_from([s for s in sorted(item.scores) if s >= current]))
    before = score(instrument, answers)
    after = score(instrument, {**answers, item.code: higher})
    assert before.raw is not None and after.raw is not None
    assert before.score is not None and after.score is not None
    assert after.raw >= before.raw
    assert after.score >= before.score


@given(
    values=st.tuples(*[st.one_of(st.none(), st.sampled_from([1, 2, 3, 4]))] * 2),
)
def test_direct_items_never_produce_a_summed_score(
    values: tuple[int | None, int | None],
) -> None:
    result = score(DIRECT, _answers(DIRECT, values))
    assert result.score is None
    assert tuple(result.item_scores.values()) == values
