"""Tests for attrition, subgroup change, dose–response and attendance bands
(:mod:`spejl.core.evaluation.compare`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from spejl.core.evaluation.compare import (
    ATTENDANCE_BANDS,
    attendance_bands,
    attrition,
    change_by,
    dose_response,
)
from spejl.core.evaluation.dataset import FloatArray, IntArray

TOL = 1e-6


def _array(values: list[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _codes(values: list[int]) -> IntArray:
    return np.array(values, dtype=np.int32)


# --- attrition --------------------------------------------------------------------------------


def test_attrition_by_hand() -> None:
    baseline = _array([1, 2, 3, 4, 6, None])
    answered = np.array([True, True, True, False, False, True])
    result = attrition(baseline, answered, wave="T1")
    # retained 1, 2, 3: mean 2, var 1; lost 4, 6: mean 5, var 2; difference -3
    # SE² = 1/3 + 2/2 = 4/3; t = -3 / √(4/3) = -2.5980762
    # df = (4/3)² / ((1/3)²/2 + 1²/1) = (16/9) / (19/18) = 32/19 = 1.6842105
    assert (result.n_retained, result.n_lost) == (3, 2)
    assert (result.mean_retained, result.mean_lost) == (2.0, 5.0)
    assert result.sd_retained == pytest.approx(1.0)
    assert result.sd_lost == pytest.approx(math.sqrt(2))
    assert result.difference == -3.0
    assert result.t == pytest.approx(-3 / math.sqrt(4 / 3))
    assert result.df == pytest.approx(32 / 19)
    half = stats.t.ppf(0.975, 32 / 19) * math.sqrt(4 / 3)
    assert result.ci95_low == pytest.approx(-3 - half)
    assert result.ci95_high == pytest.approx(-3 + half)
    assert result.wave == "T1"


@pytest.mark.parametrize("seed", range(4))
def test_attrition_matches_scipy_welch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    baseline = rng.normal(50, 15, 300)
    baseline[rng.random(300) < 0.1] = np.nan
    answered = rng.random(300) < 0.6 + 0.004 * (np.nan_to_num(baseline) - 50)
    result = attrition(baseline, answered, wave="T2")
    present = ~np.isnan(baseline)
    retained, lost = baseline[present & answered], baseline[present & ~answered]
    reference = stats.ttest_ind(retained, lost, equal_var=False)
    interval = reference.confidence_interval(confidence_level=0.95)
    assert result.n_retained == retained.size and result.n_lost == lost.size
    assert result.t == pytest.approx(reference.statistic, rel=TOL)
    assert result.p_t == pytest.approx(reference.pvalue, rel=TOL)
    assert result.df == pytest.approx(reference.df, rel=TOL)
    assert result.ci95_low == pytest.approx(interval.low, rel=TOL)
    assert result.ci95_high == pytest.approx(interval.high, rel=TOL)


def test_attrition_with_nobody_lost_has_no_test() -> None:
    result = attrition(_array([3, 4, 5]), np.array([True, True, True]), wave="T1")
    assert result.n_lost == 0 and result.mean_lost is None
    assert result.difference is None and result.t is None and result.p_t is None


def test_attrition_with_one_lost_has_a_difference_but_no_test() -> None:
    result = attrition(_array([3, 4, 5]), np.array([True, True, False]), wave="T1")
    assert result.difference == -1.5
    assert result.sd_lost is None and result.t is None and result.ci95_low is None


def test_attrition_without_spread_has_no_test() -> None:
    result = attrition(_array([4, 4, 4, 4]), np.array([True, True, False, False]), wave="T1")
    assert result.difference == 0.0
    assert result.t is None and result.df is None


def test_attrition_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="answered_later"):
        attrition(_array([1, 2]), np.array([True]), wave="T1")


# --- subgroups --------------------------------------------------------------------------------


def test_change_by_by_hand() -> None:
    pre = _array([5, 6, 7, 8, 4, 9, None, 6])
    post = _array([4, 4, 7, 5, 4, 9, 3, 3])
    codes = _codes([0, 0, 0, 2, 2, -1, 0, -1])
    labels = ("kvinde", "ikke-binær", "mand")
    result = change_by(pre, post, codes, labels, variable="gender", wave_from="T0", wave_to="T1")
    # kvinde: changes -1, -2, 0 (the 4th kvinde has no pre) → mean -1, SD 1
    # ikke-binær: nobody; mand: -3, 0 → mean -1.5, SD √4.5; unknown: 0, -3 → mean -1.5
    assert [row.level for row in result.rows] == ["kvinde", "ikke-binær", "mand", "unknown"]
    assert [row.n_pairs for row in result.rows] == [3, 0, 2, 2]
    kvinde, empty, mand, unknown = result.rows
    assert kvinde.mean_change == -1.0 and kvinde.sd_change == pytest.approx(1.0)
    half = 4.302652729911275 / math.sqrt(3)  # t(0.975, 2) · SD/√n
    assert kvinde.ci95_low == pytest.approx(-1 - half)
    assert kvinde.ci95_high == pytest.approx(-1 + half)
    assert (empty.mean_change, empty.sd_change, empty.ci95_low) == (None, None, None)
    assert mand.mean_change == -1.5 and mand.sd_change == pytest.approx(math.sqrt(4.5))
    assert unknown.mean_change == -1.5
    assert (result.variable, result.wave_from, result.wave_to) == ("gender", "T0", "T1")


def test_change_by_has_no_unknown_row_without_unknown_codes() -> None:
    result = change_by(
        _array([1, 2]),
        _array([2, 2]),
        _codes([0, 1]),
        ("a", "b"),
        variable="x",
        wave_from="T0",
        wave_to="T1",
    )
    assert [row.level for row in result.rows] == ["a", "b"]
    assert result.rows[0].sd_change is None  # one pair


def test_change_by_lists_unknown_even_when_its_pairs_are_incomplete() -> None:
    result = change_by(
        _array([1, None]),
        _array([2, 2]),
        _codes([0, -1]),
        ("a",),
        variable="x",
        wave_from="T0",
        wave_to="T1",
    )
    assert [(row.level, row.n_pairs) for row in result.rows] == [("a", 1), ("unknown", 0)]


def test_change_by_rejects_codes_outside_labels() -> None:
    with pytest.raises(ValueError, match="codes"):
        change_by(
            _array([1, 2]),
            _array([2, 2]),
            _codes([0, 2]),
            ("a", "b"),
            variable="x",
            wave_from="T0",
            wave_to="T1",
        )


def test_change_by_level_without_spread_has_sd_zero() -> None:
    pre = _array([0.1, 0.4, 0.7, 1.0])
    post = pre + 0.2  # equal changes up to rounding
    result = change_by(
        pre, post, _codes([0, 0, 0, 0]), ("a",), variable="x", wave_from="T0", wave_to="T1"
    )
    assert result.rows[0].sd_change == 0.0
    assert result.rows[0].ci95_low == pytest.approx(0.2)


@pytest.mark.parametrize("seed", range(3))
def test_change_by_matches_pandas(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 2000
    pre = rng.integers(3, 10, n).astype(np.float64)
    post = rng.integers(3, 10, n).astype(np.float64)
    pre[rng.random(n) < 0.1] = np.nan
    post[rng.random(n) < 0.2] = np.nan
    codes = rng.integers(-1, 4, n).astype(np.int32)
    labels = ("18–29", "30–49", "50–66", "67+")
    result = change_by(pre, post, codes, labels, variable="age", wave_from="T0", wave_to="T2")
    frame = pd.DataFrame({"change": post - pre, "code": codes}).dropna()
    grouped = frame.groupby("code")["change"].agg(["count", "mean", "std"])
    for code, row in zip((0, 1, 2, 3, -1), result.rows, strict=True):
        count, mean, sd = grouped.loc[code]
        assert row.n_pairs == count
        assert row.mean_change == pytest.approx(mean, rel=TOL)
        assert row.sd_change == pytest.approx(sd, rel=TOL)
        values = frame.loc[frame["code"] == code, "change"].to_numpy()
        interval = stats.ttest_1samp(values, 0.0).confidence_interval()
        assert row.ci95_low == pytest.approx(interval.low, rel=TOL)
        assert row.ci95_high == pytest.approx(interval.high, rel=TOL)


# --- dose–response ----------------------------------------------------------------------------


def test_dose_response_by_hand() -> None:
    pre = _array([5, 5, 5, 5, None])
    post = _array([4, 4, 2, 2, 9])
    attended = _codes([0, 1, 2, 3, 8])
    result = dose_response(pre, post, attended)
    # change -1, -1, -3, -3 on attended 0, 1, 2, 3 (the 5th has no pre)
    # x̄ = 1.5, ȳ = -2; Sxy = (-1.5)(1) + (-0.5)(1) + (0.5)(-1) + (1.5)(-1) = -4; Sxx = 5
    # slope = -4/5 = -0.8; intercept = -2 − (-0.8)(1.5) = -0.8
    assert result.n_pairs == 4
    assert result.slope == pytest.approx(-0.8)
    assert result.intercept == pytest.approx(-0.8)
    # residuals -0.2, 0.6, -0.6, 0.2 → SSE 0.8; SE(slope) = √(0.8/2 / 5) = √0.08
    half = 4.302652729911275 * math.sqrt(0.08)
    assert result.ci95_low == pytest.approx(-0.8 - half)
    assert result.ci95_high == pytest.approx(-0.8 + half)


@pytest.mark.parametrize("seed", range(3))
def test_dose_response_matches_statsmodels_ols(seed: int) -> None:
    import statsmodels.api as sm  # type: ignore[import-untyped]

    rng = np.random.default_rng(seed)
    n = 500
    attended = rng.integers(0, 13, n).astype(np.int32)
    pre = rng.normal(6, 1.5, n)
    post = pre - 0.1 * attended + rng.normal(0, 1, n)
    post[rng.random(n) < 0.15] = np.nan
    result = dose_response(pre, post, attended)
    keep = ~np.isnan(post)
    fit = sm.OLS(post[keep] - pre[keep], sm.add_constant(attended[keep].astype(float))).fit()
    low, high = fit.conf_int(alpha=0.05)[1]
    assert result.n_pairs == int(keep.sum())
    assert result.slope == pytest.approx(fit.params[1], rel=TOL)
    assert result.intercept == pytest.approx(fit.params[0], rel=TOL)
    assert result.p == pytest.approx(fit.pvalues[1], rel=TOL)
    assert result.ci95_low == pytest.approx(low, rel=TOL)
    assert result.ci95_high == pytest.approx(high, rel=TOL)


def test_dose_response_without_variation_in_attendance_is_undefined() -> None:
    result = dose_response(_array([5, 6, 7]), _array([4, 4, 4]), _codes([6, 6, 6]))
    assert result.n_pairs == 3
    assert (result.slope, result.intercept, result.p, result.ci95_low) == (None,) * 4


def test_dose_response_with_two_pairs_has_a_line_but_no_inference() -> None:
    result = dose_response(_array([5, 5]), _array([4, 2]), _codes([2, 6]))
    assert result.slope == pytest.approx(-0.5)
    assert result.intercept == pytest.approx(0.0)
    assert (result.p, result.ci95_low, result.ci95_high) == (None, None, None)


def test_dose_response_with_equal_changes_is_flat_without_inference() -> None:
    pre = _array([0.1, 0.4, 0.7])
    post = pre + 0.2  # equal changes up to rounding
    result = dose_response(pre, post, _codes([1, 2, 3]))
    assert result.slope == 0.0
    assert result.intercept == pytest.approx(0.2)
    assert (result.p, result.ci95_low, result.ci95_high) == (None, None, None)


def test_dose_response_with_no_pairs() -> None:
    result = dose_response(_array([]), _array([]), _codes([]))
    assert result.n_pairs == 0 and result.slope is None


scores = st.one_of(st.none(), st.integers(0, 100).map(float), st.floats(-1e3, 1e3))
rows_strategy = st.lists(st.tuples(scores, scores, st.integers(-1, 2)), max_size=30)


def _clean(values: tuple[float | None, ...]) -> bool:
    return all(v is None or (type(v) is float and math.isfinite(v)) for v in values)


@given(rows_strategy)
def test_subgroups_and_trend_never_raise_or_leak_nan(
    rows: list[tuple[float | None, float | None, int]],
) -> None:
    pre = _array([a for a, _, _ in rows])
    post = _array([b for _, b, _ in rows])
    codes = _codes([c for _, _, c in rows])
    groups = change_by(
        pre, post, codes, ("a", "b", "c"), variable="v", wave_from="T0", wave_to="T1"
    )
    assert sum(row.n_pairs for row in groups.rows) == int(np.sum(~np.isnan(post - pre)))
    for row in groups.rows:
        assert _clean((row.mean_change, row.sd_change, row.ci95_low, row.ci95_high))
    trend = dose_response(pre, post, codes + 1)
    assert _clean((trend.slope, trend.intercept, trend.ci95_low, trend.ci95_high, trend.p))
    lost = attrition(pre, ~np.isnan(post), wave="T1")
    assert _clean((lost.difference, lost.t, lost.df, lost.p_t, lost.ci95_low, lost.ci95_high))


# --- attendance bands -------------------------------------------------------------------------


def test_attendance_band_edges() -> None:
    attended = _codes([0, 1, 2, 3, 4, 5, 99, 100, 149, 150, 3, 0, 9])
    held = _codes([4, 4, 4, 4, 4, 8, 200, 200, 200, 200, 0, 0, 8])
    bands = attendance_bands(attended, held)
    assert bands.labels == ("0–49 %", "50–74 %", "75–100 %") == ATTENDANCE_BANDS
    # 0 %, 25 % | 50 % | 75 %, 100 % | 62.5 % | 49.5 % | 50 % | 74.5 % | 75 % | held 0 ×2 | >100 %
    assert bands.codes.tolist() == [0, 0, 1, 2, 2, 1, 0, 1, 1, 2, -1, -1, 2]
    assert bands.codes.dtype == np.int32


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=50))
def test_attendance_bands_agree_with_float_share(rows: list[tuple[int, int]]) -> None:
    attended = _codes([a for a, _ in rows])
    held = _codes([h for _, h in rows])
    codes = attendance_bands(attended, held).codes
    for (a, h), code in zip(rows, codes.tolist(), strict=True):
        if h == 0:
            assert code == -1
        else:
            share = a / h
            assert code == (0 if share < 0.5 else 1 if share < 0.75 else 2)


# --- speed sanity (the real timing is in benchmarks/) -----------------------------------------


def test_large_input_is_handled_vectorised() -> None:
    rng = np.random.default_rng(1)
    n = 100_000
    pre = rng.integers(3, 10, n).astype(np.float64)
    post = rng.integers(3, 10, n).astype(np.float64)
    codes = rng.integers(-1, 6, n).astype(np.int32)
    result = change_by(
        pre, post, codes, tuple("abcdef"), variable="v", wave_from="T0", wave_to="T1"
    )
    assert sum(row.n_pairs for row in result.rows) == n
