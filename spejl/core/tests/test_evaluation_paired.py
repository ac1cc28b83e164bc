"""Tests for :mod:`spejl.core.evaluation.paired` against scipy, pingouin, statsmodels and a
worked example.

Which "paired Cohen's d" each library gives (checked in the tests below):

* pingouin 0.7 ``compute_effsize(x, y, paired=True, eftype="cohen")`` is
  (mean x − mean y) / √((SD_x² + SD_y²)/2) — a root-mean-square-SD "d_av" (Cumming 2012),
  not Lakens' d_av with (SD_x + SD_y)/2; they agree only when the SDs are equal.
  ``eftype="cohen_dz"`` is d_z; ``eftype="hedges"`` multiplies the rms d by
  1 − 3/(4(n_x + n_y) − 9).
* statsmodels has no paired d: ``meta_analysis.effectsize_smd`` is the independent-groups
  Hedges g, which on paired data equals pingouin's ``hedges`` (same rms SD for equal n).
* scipy has no effect size; the usual recipe ``ttest_rel(...).statistic / √n`` is d_z.
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from spejl.core.evaluation.dataset import FloatArray
from spejl.core.evaluation.paired import PairedResult, paired, summarise

TOL = 1e-6

# A small worked example (T-ILS-like scores, 5 people, lower is better).
PRE = np.array([4.0, 6.0, 5.0, 7.0, 8.0])
POST = np.array([3.0, 5.0, 5.0, 4.0, 6.0])


def _array(values: list[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _float_fields(result: object) -> dict[str, float | None]:
    return {
        f.name: getattr(result, f.name)
        for f in fields(result)  # type: ignore[arg-type]
        if f.name not in {"wave", "wave_from", "wave_to", "n", "n_pairs", "method"}
    }


def _random_pairs(seed: int, n: int = 40) -> tuple[FloatArray, FloatArray]:
    # post has about half the SD of pre, so the d variants visibly differ.
    rng = np.random.default_rng(seed)
    pre = rng.normal(6.0, 1.5, n)
    post = 0.4 * pre + rng.normal(2.0, 0.5, n)
    return pre, post


def test_worked_example_by_hand() -> None:
    result = paired(PRE, POST, wave_from="T0", wave_to="T1")
    # change = post − pre = [-1, -1, 0, -3, -2]; n = 5; mean = -7/5 = -1.4
    # deviations 0.4, 0.4, 1.4, -1.6, -0.6 → squares .16 + .16 + 1.96 + 2.56 + .36 = 5.2
    # var = 5.2/4 = 1.3, SD of change = √1.3 = 1.1401754
    assert result.n_pairs == 5
    assert result.mean_change == pytest.approx(-1.4)
    assert result.sd_change == pytest.approx(math.sqrt(1.3))
    # pre: mean 30/5 = 6, squares 4 + 0 + 1 + 1 + 4 = 10, var 2.5; post: mean 23/5 = 4.6, var 1.3
    assert result.mean_from == pytest.approx(6.0)
    assert result.sd_from == pytest.approx(math.sqrt(2.5))
    assert result.mean_to == pytest.approx(4.6)
    assert result.sd_to == pytest.approx(math.sqrt(1.3))
    # cross-products (-2)(-1.6) + 0(.4) + (-1)(.4) + 1(-.6) + 2(1.4) = 5 → cov 1.25
    # r = 1.25 / √(2.5 · 1.3) = 1.25 / √3.25 = 0.6933752
    assert result.r == pytest.approx(1.25 / math.sqrt(3.25))
    # t = -1.4 / (√1.3/√5) = -2.7456259, df 4; t(0.975, 4) = 2.7764451
    assert result.t == pytest.approx(-1.4 / math.sqrt(1.3 / 5))
    assert result.df == 4.0
    half = 2.7764451051977934 * math.sqrt(1.3 / 5)  # = 1.4157148
    assert result.ci95_low == pytest.approx(-1.4 - half)
    assert result.ci95_high == pytest.approx(-1.4 + half)
    # Wilcoxon: the zero is dropped; |changes| 1, 1, 3, 2 get ranks 1.5, 1.5, 4, 3, all
    # negative, so W+ = 0. Of the 2⁴ = 16 equally likely sign patterns only "all negative" and
    # "all positive" are as extreme: p = 2/16.
    assert result.wilcoxon_p == pytest.approx(2 / 16)
    # d_z = -1.4 / √1.3 = -1.2278812
    assert result.d_z == pytest.approx(-1.4 / math.sqrt(1.3))
    # d_av = -1.4 / ((√2.5 + √1.3)/2) = -1.4 / 1.3606571 = -1.0289146
    assert result.d_av == pytest.approx(-1.4 / ((math.sqrt(2.5) + math.sqrt(1.3)) / 2))
    # d_rm = -1.4 / √(2.5 + 1.3 − 2·1.25) · √(2(1 − r)) = -1.4/√1.3 · √0.6132495 = -0.9615568
    r = 1.25 / math.sqrt(3.25)
    assert result.d_rm == pytest.approx(-1.4 / math.sqrt(1.3) * math.sqrt(2 * (1 - r)))
    # J = 1 − 3/(4·4 − 1) = 1 − 3/15 = 0.8
    assert result.g_z == pytest.approx(0.8 * -1.4 / math.sqrt(1.3))
    assert result.g_av == pytest.approx(0.8 * result.d_av)  # type: ignore[operator]
    assert result.g_rm == pytest.approx(0.8 * result.d_rm)  # type: ignore[operator]
    assert result.wave_from == "T0" and result.wave_to == "T1"
    assert "d_z" in result.method and "Wilcoxon" in result.method


@pytest.mark.parametrize("seed", range(5))
def test_paired_matches_scipy(seed: int) -> None:
    pre, post = _random_pairs(seed)
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    reference = stats.ttest_rel(post, pre)
    interval = reference.confidence_interval(confidence_level=0.95)
    assert result.t == pytest.approx(reference.statistic, rel=TOL)
    assert result.p_t == pytest.approx(reference.pvalue, rel=TOL)
    assert result.df == reference.df
    assert result.ci95_low == pytest.approx(interval.low, rel=TOL)
    assert result.ci95_high == pytest.approx(interval.high, rel=TOL)
    assert result.wilcoxon_p == pytest.approx(stats.wilcoxon(post - pre).pvalue, rel=TOL)
    assert result.r == pytest.approx(stats.pearsonr(pre, post).statistic, rel=TOL)
    # The "scipy recipe" for a paired effect size, t/√n, is d_z.
    assert result.d_z == pytest.approx(reference.statistic / math.sqrt(len(pre)), rel=TOL)


def test_paired_large_sample_uses_wilcoxon_normal_approximation_like_scipy() -> None:
    rng = np.random.default_rng(7)
    pre = rng.integers(3, 10, 5000).astype(np.float64)
    post = np.clip(pre + rng.integers(-2, 2, 5000), 3, 9).astype(np.float64)
    result = paired(pre, post, wave_from="T0", wave_to="T2")
    assert result.wilcoxon_p == pytest.approx(stats.wilcoxon(post - pre).pvalue, rel=TOL)
    assert result.t == pytest.approx(stats.ttest_rel(post, pre).statistic, rel=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_d_rm_equals_lakens_formula_written_out(seed: int) -> None:
    pre, post = _random_pairs(seed)
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    sd1, sd2, r = np.std(pre, ddof=1), np.std(post, ddof=1), stats.pearsonr(pre, post).statistic
    m = np.mean(post - pre)
    expected = m / math.sqrt(sd1**2 + sd2**2 - 2 * r * sd1 * sd2) * math.sqrt(2 * (1 - r))
    assert result.d_rm == pytest.approx(expected, rel=TOL)
    assert result.d_av == pytest.approx(m / ((sd1 + sd2) / 2), rel=TOL)
    j = 1 - 3 / (4 * (len(pre) - 1) - 1)
    assert result.g_rm == pytest.approx(expected * j, rel=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_pingouin_cohen_dz_is_our_d_z_with_opposite_sign(seed: int) -> None:
    import pingouin  # type: ignore[import-untyped]  # slow import: only here

    pre, post = _random_pairs(seed)
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    # pingouin computes x − y, i.e. pre − post when called as (pre, post).
    dz = pingouin.compute_effsize(pre, post, paired=True, eftype="cohen_dz")
    assert result.d_z == pytest.approx(-dz, rel=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_pingouin_paired_cohen_is_rms_sd_variant_not_lakens_d_av(seed: int) -> None:
    import pingouin

    pre, post = _random_pairs(seed)
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    assert result.mean_change is not None and result.sd_from and result.sd_to
    d = pingouin.compute_effsize(pre, post, paired=True, eftype="cohen")
    rms = math.sqrt((result.sd_from**2 + result.sd_to**2) / 2)
    # pingouin: (mean pre − mean post) / √((SD_pre² + SD_post²)/2)
    assert -d == pytest.approx(result.mean_change / rms, rel=TOL)
    # … which is not Lakens' d_av (the SDs differ in this data: about 1.5 against 0.8).
    assert abs(-d - result.d_av) > 1e-3


def test_pingouin_cohen_equals_d_av_when_the_sds_are_equal() -> None:
    import pingouin

    # post is a permutation of pre shifted by 1, so both waves have the same SD.
    pre = np.array([2.0, 4.0, 5.0, 7.0, 9.0, 3.0])
    post = np.array([5.0, 8.0, 3.0, 10.0, 6.0, 4.0])
    assert np.std(pre, ddof=1) == pytest.approx(np.std(post, ddof=1))
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    d = pingouin.compute_effsize(pre, post, paired=True, eftype="cohen")
    assert result.d_av == pytest.approx(-d, rel=TOL)


def test_statsmodels_smd_on_paired_data_is_pingouin_hedges() -> None:
    import pingouin
    from statsmodels.stats.meta_analysis import (  # type: ignore[import-untyped]
        effectsize_smd,
    )

    pre, post = _random_pairs(11)
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    n = result.n_pairs
    smd, _ = effectsize_smd(result.mean_to, result.sd_to, n, result.mean_from, result.sd_from, n)
    hedges = pingouin.compute_effsize(pre, post, paired=True, eftype="hedges")
    assert smd == pytest.approx(-hedges, rel=TOL)
    # Neither is one of our g's: both ignore the pairing and use J = 1 − 3/(8n − 9).
    assert all(abs(smd - g) > 1e-3 for g in (result.g_z, result.g_av, result.g_rm))


def test_missing_on_either_side_drops_the_pair() -> None:
    pre = _array([4, None, 6, 5, 7, 8, 3])
    post = _array([3, 5, 5, 5, 4, 6, None])
    with_missing = paired(pre, post, wave_from="T0", wave_to="T1")
    assert with_missing == paired(PRE, POST, wave_from="T0", wave_to="T1")


def test_all_changes_zero_gives_no_wilcoxon_no_t_and_no_d() -> None:
    pre = np.array([3.0, 5.0, 7.0, 9.0])
    result = paired(pre, pre.copy(), wave_from="T0", wave_to="T1")
    assert result.mean_change == 0.0
    assert result.sd_change == 0.0
    assert result.wilcoxon_p is None
    assert result.t is None and result.p_t is None
    assert result.d_z is None and result.d_rm is None and result.g_z is None
    assert result.d_av == 0.0
    assert result.r == pytest.approx(1.0)
    assert result.ci95_low == 0.0 and result.ci95_high == 0.0


def test_identical_nonzero_changes_give_no_t_but_a_wilcoxon_p() -> None:
    pre = np.array([0.1, 0.1, 0.1, 0.4])
    post = pre + 0.2
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    assert result.t is None and result.d_z is None
    assert result.wilcoxon_p == pytest.approx(stats.wilcoxon(post - pre).pvalue)


def test_constant_wave_gives_no_correlation_and_no_d_rm() -> None:
    pre = np.array([5.0, 5.0, 5.0, 5.0])
    post = np.array([3.0, 4.0, 6.0, 4.0])
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    assert result.sd_from == 0.0
    assert result.r is None and result.d_rm is None and result.g_rm is None
    assert result.d_z is not None and result.d_av is not None


@pytest.mark.parametrize(
    ("pre", "post", "n"),
    [
        ([], [], 0),
        ([4, None], [None, 3], 0),
        ([4, None, 6], [None, 3, 2], 1),
    ],
)
def test_fewer_than_two_pairs_gives_none_without_error(
    pre: list[float | None], post: list[float | None], n: int
) -> None:
    result = paired(_array(pre), _array(post), wave_from="T0", wave_to="T1")
    assert result.n_pairs == n
    values = _float_fields(result)
    if n == 1:
        # One pair has a mean (and so a mean change) but nothing that needs a spread.
        assert values.pop("mean_change") == -4.0
        assert values.pop("mean_from") == 6.0 and values.pop("mean_to") == 2.0
    assert all(v is None for v in values.values()), values


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        paired(np.ones(3), np.ones(4), wave_from="T0", wave_to="T1")


def test_summarise_matches_scipy_interval() -> None:
    values = _array([12, 40, None, 56, 72, 32, None, 88, 64])
    summary = summarise(values, "T0")
    present = values[~np.isnan(values)]
    interval = stats.ttest_1samp(present, 0.0).confidence_interval()
    assert summary.n == 7
    assert summary.mean == pytest.approx(np.mean(present), rel=TOL)
    assert summary.sd == pytest.approx(np.std(present, ddof=1), rel=TOL)
    assert summary.ci95_low == pytest.approx(interval.low, rel=TOL)
    assert summary.ci95_high == pytest.approx(interval.high, rel=TOL)
    assert summary.wave == "T0"


def test_summarise_small_samples() -> None:
    empty = summarise(_array([None, None]), "T1")
    assert (empty.n, empty.mean, empty.sd, empty.ci95_low) == (0, None, None, None)
    one = summarise(_array([None, 7]), "T1")
    assert (one.n, one.mean, one.sd, one.ci95_high) == (1, 7.0, None, None)


# --- properties -------------------------------------------------------------------------------

scores = st.one_of(st.none(), st.integers(min_value=0, max_value=100).map(float))
pairs = st.lists(st.tuples(scores, scores), max_size=30)


def _split(rows: list[tuple[float | None, float | None]]) -> tuple[FloatArray, FloatArray]:
    return _array([a for a, _ in rows]), _array([b for _, b in rows])


def _is_clean(result: PairedResult) -> bool:
    return all(
        v is None or (type(v) is float and math.isfinite(v)) for v in _float_fields(result).values()
    )


@given(pairs)
def test_results_are_finite_floats_or_none(rows: list[tuple[float | None, float | None]]) -> None:
    pre, post = _split(rows)
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    assert _is_clean(result)
    if result.n_pairs < 2:
        assert result.t is None and result.d_z is None and result.ci95_low is None
        assert result.wilcoxon_p is None and result.g_av is None


@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), max_size=25))
def test_arbitrary_floats_never_raise_or_leak_nan(rows: list[tuple[float, float]]) -> None:
    pre, post = _split(rows)  # type: ignore[arg-type]
    assert _is_clean(paired(pre, post, wave_from="T0", wave_to="T1"))


SIGNED = ("mean_change", "t", "d_z", "d_av", "d_rm", "g_z", "g_av", "g_rm")


@given(pairs)
def test_swapping_waves_flips_signs(rows: list[tuple[float | None, float | None]]) -> None:
    pre, post = _split(rows)
    forward = paired(pre, post, wave_from="T0", wave_to="T1")
    backward = paired(post, pre, wave_from="T1", wave_to="T0")
    for name in SIGNED:
        a, b = getattr(forward, name), getattr(backward, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert b == pytest.approx(-a, rel=1e-9, abs=1e-12), name
    for name in ("p_t", "wilcoxon_p", "r", "sd_change"):
        a, b = getattr(forward, name), getattr(backward, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert b == pytest.approx(a, rel=1e-9), name
    if forward.ci95_low is not None:
        assert backward.ci95_high == pytest.approx(-forward.ci95_low, rel=1e-9, abs=1e-12)


@given(pairs, st.integers(min_value=-50, max_value=50))
def test_adding_a_constant_to_both_waves_leaves_effect_sizes(
    rows: list[tuple[float | None, float | None]], constant: int
) -> None:
    pre, post = _split(rows)
    base = paired(pre, post, wave_from="T0", wave_to="T1")
    shifted = paired(pre + constant, post + constant, wave_from="T0", wave_to="T1")
    for name in (*SIGNED, "sd_change", "p_t", "wilcoxon_p", "r"):
        a, b = getattr(base, name), getattr(shifted, name)
        assert (a is None) == (b is None), name
        if a is not None:
            # Shifting changes the rounding of the sums: a zero may come back as ~1e-8.
            assert b == pytest.approx(a, rel=1e-7, abs=1e-6), name
    if base.mean_from is not None:
        assert shifted.mean_from == pytest.approx(base.mean_from + constant)


@given(pairs)
def test_d_z_is_t_over_root_n(rows: list[tuple[float | None, float | None]]) -> None:
    pre, post = _split(rows)
    result = paired(pre, post, wave_from="T0", wave_to="T1")
    if result.t is not None:
        assert result.d_z == pytest.approx(result.t / math.sqrt(result.n_pairs), rel=1e-9)
