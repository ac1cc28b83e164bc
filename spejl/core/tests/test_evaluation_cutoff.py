"""Tests for cut-off crossings and the exact McNemar test (:mod:`spejl.core.evaluation.cutoff`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]
from statsmodels.stats.contingency_tables import mcnemar  # type: ignore[import-untyped]

from spejl.core.evaluation.cutoff import cases_at_wave, cutoff_crossing, mcnemar_exact_p
from spejl.core.evaluation.dataset import Cutoff, FloatArray

TOL = 1e-6
TILS = Cutoff(
    op=">=",
    value=7,
    label_da="Tegn på svær ensomhed",
    label_en="signs of severe loneliness",
    source="Sundhedsstyrelsen, Danskernes Sundhed 2017",
)
WHO5 = Cutoff(
    op="<=",
    value=50,
    label_da="Dårlig trivsel",
    label_en="poor well-being",
    source="Topp et al. 2015",
)


def _array(values: list[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _table_pairs(a: int, b: int, c: int, d: int) -> tuple[FloatArray, FloatArray]:
    """T-ILS scores that give the 2×2 table ((a, b), (c, d)) against the ≥ 7 cut-off."""
    pre = [8.0] * a + [7.0] * b + [6.0] * c + [3.0] * d
    post = [9.0] * a + [6.0] * b + [7.0] * c + [5.0] * d
    return np.array(pre), np.array(post)


def test_crossing_counts_by_hand() -> None:
    # person:  1  2  3  4  5  6     7     8
    pre = _array([8, 7, 9, 5, 6, 3, None, 8])
    post = _array([6, 7, 5, 7, 4, 3, 9, None])
    # complete pairs 1–6; case = ≥ 7
    # 1: 8→6 case→non-case (moved out)   2: 7→7 stayed case   3: 9→5 moved out
    # 4: 5→7 moved in   5: 6→4 stayed non-case   6: 3→3 stayed non-case
    result = cutoff_crossing(pre, post, TILS, wave_from="T0", wave_to="T1")
    assert result.n_pairs == 6
    assert (result.stayed_case, result.moved_out, result.moved_in, result.stayed_non_case) == (
        1,
        2,
        1,
        2,
    )
    assert (result.case_from, result.non_case_from) == (3, 3)
    assert (result.case_to, result.non_case_to) == (2, 4)
    assert result.table == ((1, 2), (1, 2))
    # b = 2, c = 1: p = 2 · P(X ≤ 1), X ~ Bin(3, ½) = 2 · (1 + 3)/8 = 1.0
    assert result.mcnemar_p == 1.0
    assert "score ≥ 7" in result.method


def test_lower_cutoff_counts_scores_at_or_below_as_cases() -> None:
    pre = _array([40, 52, 50, 76])
    post = _array([56, 48, 50, 80])
    result = cutoff_crossing(pre, post, WHO5, wave_from="T0", wave_to="T1")
    # 40→56 moved out; 52→48 moved in; 50→50 stayed case (≤ 50); 76→80 stayed non-case
    assert result.table == ((1, 1), (1, 1))


def test_mcnemar_by_hand_with_all_discordant_one_way() -> None:
    pre, post = _table_pairs(3, 6, 0, 5)
    result = cutoff_crossing(pre, post, TILS, wave_from="T0", wave_to="T2")
    # b = 6, c = 0: p = 2 · P(X ≤ 0) = 2 · (½)⁶ = 1/32
    assert result.moved_out == 6 and result.moved_in == 0
    assert result.mcnemar_p == pytest.approx(1 / 32)


TABLES = [
    (10, 7, 2, 30),
    (0, 0, 0, 12),  # everyone non-case throughout: empty row and column, no discordant pairs
    (5, 0, 0, 0),  # everyone a case throughout
    (0, 4, 0, 0),  # empty "to case" column
    (0, 0, 3, 9),  # empty "from case" row
    (4, 0, 0, 4),  # no discordant pairs
    (0, 9, 9, 0),  # b = c
    (120, 61, 38, 400),  # large enough that 2·P is far from 1
    (0, 1, 0, 0),
]


@pytest.mark.parametrize(("a", "b", "c", "d"), TABLES)
def test_mcnemar_matches_statsmodels_and_scipy(a: int, b: int, c: int, d: int) -> None:
    pre, post = _table_pairs(a, b, c, d)
    result = cutoff_crossing(pre, post, TILS, wave_from="T0", wave_to="T1")
    assert result.table == ((a, b), (c, d))
    expected = mcnemar(np.array([[a, b], [c, d]]), exact=True).pvalue
    assert result.mcnemar_p == pytest.approx(float(expected), rel=TOL, abs=1e-12)
    if b + c > 0:
        binomial = stats.binomtest(b, b + c, 0.5, alternative="two-sided").pvalue
        assert result.mcnemar_p == pytest.approx(binomial, rel=TOL, abs=1e-12)
    else:
        assert result.mcnemar_p == 1.0


def test_no_complete_pairs_gives_no_p_and_a_zero_table() -> None:
    result = cutoff_crossing(
        _array([8, None]), _array([None, 3]), TILS, wave_from="T0", wave_to="T1"
    )
    assert result.n_pairs == 0
    assert result.table == ((0, 0), (0, 0))
    assert result.mcnemar_p is None


def test_cases_at_wave_ignores_missing() -> None:
    assert cases_at_wave(_array([3, 7, None, 9, 6.5]), TILS) == (2, 2)
    assert cases_at_wave(_array([None]), TILS) == (0, 0)


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        mcnemar_exact_p(-1, 2)


@given(st.integers(0, 60), st.integers(0, 60))
def test_exact_p_matches_statsmodels_for_any_discordant_counts(b: int, c: int) -> None:
    expected = mcnemar(np.array([[3, b], [c, 4]]), exact=True).pvalue
    assert mcnemar_exact_p(b, c) == pytest.approx(float(expected), rel=TOL, abs=1e-12)
    assert mcnemar_exact_p(b, c) == mcnemar_exact_p(c, b)


scores = st.one_of(st.none(), st.integers(3, 9).map(float))


@given(st.lists(st.tuples(scores, scores), max_size=40))
def test_table_margins_match_per_wave_counts_on_complete_pairs(
    rows: list[tuple[float | None, float | None]],
) -> None:
    pre = _array([a for a, _ in rows])
    post = _array([b for _, b in rows])
    result = cutoff_crossing(pre, post, TILS, wave_from="T0", wave_to="T1")
    both = ~(np.isnan(pre) | np.isnan(post))
    assert (result.case_from, result.non_case_from) == cases_at_wave(pre[both], TILS)
    assert (result.case_to, result.non_case_to) == cases_at_wave(post[both], TILS)
    assert sum(map(sum, result.table)) == result.n_pairs == int(both.sum())
