"""Paired (pre/post) statistics for one outcome between two waves.

For each wave pair the report shows the mean change with a t-based 95 % confidence interval,
the paired t-test, the Wilcoxon signed-rank test and every common variant of the standardised
mean change, each named, because libraries disagree on what "Cohen's d for paired data" means
(Lakens 2013, *Frontiers in Psychology* 4:863, sets out the variants):

* ``d_z``  = mean change / SD of change. Equals ``t / √n``. This is
  pingouin's ``compute_effsize(x, y, paired=True, eftype="cohen_dz")`` (as ``x − y``), the
  usual "scipy recipe" ``ttest_rel(...).statistic / sqrt(n)``, and what statsmodels'
  ``TTestPower`` (one-sample power) takes as effect size when applied to the changes.
* ``d_av`` = mean change / ((SD_from + SD_to) / 2) (Lakens: the arithmetic mean of the two
  SDs). Note: pingouin 0.7 ``compute_effsize(x, y, paired=True, eftype="cohen")`` is
  *not* this: it divides by √((SD_x² + SD_y²) / 2), the root mean square of the SDs (which
  pingouin attributes to Cumming 2012), and reports ``mean(x) − mean(y)`` (pre − post if
  called as (pre, post)). The two agree only when SD_from = SD_to. statsmodels has no paired d; its
  ``stats.meta_analysis.effectsize_smd`` treats the waves as independent groups (pooled SD,
  which for equal n is the same root mean square) and applies J = 1 − 3/(4·2n − 9).
* ``d_rm`` = mean change / √(SD_from² + SD_to² − 2·r·SD_from·SD_to) · √(2(1 − r))
  (Lakens' "repeated measures" d). The first denominator is the SD of change, so
  d_rm = d_z · √(2(1 − r)); that is how it is computed here, which is stable when r → 1.
* ``g_*``  = d_* · J with J = 1 − 3/(4·df − 1), df = n − 1, for all three. pingouin's
  ``eftype="hedges"`` instead uses J = 1 − 3/(4(n_x + n_y) − 9) = 1 − 3/(8n − 9) on its
  root-mean-square d.

Change is always post − pre in raw score units; which direction is better is the caller's
business. Personal data: the arrays are scores of pseudonymous participations (a person is a
row position); nothing identifying is read or kept, and results hold only aggregates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from spejl.core.evaluation.dataset import FloatArray

__all__ = [
    "PairedResult",
    "WaveSummary",
    "as_optional",
    "complete_pairs",
    "mean_sd",
    "no_spread",
    "paired",
    "summarise",
    "t_interval",
]


def as_optional(value: float | np.floating | None) -> float | None:
    """A plain float, or None for a missing, NaN or infinite value (results never hold those)."""
    if value is None:
        return None
    result = float(value)
    if not math.isfinite(result):
        return None
    # Adding 0.0 turns -0.0 into 0.0, so a zero never prints as "-0".
    return result + 0.0


def _as_vector(values: FloatArray, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def complete_pairs(pre: FloatArray, post: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The rows where both ``pre`` and ``post`` are present (not NaN), as two arrays."""
    pre = _as_vector(pre, "pre")
    post = _as_vector(post, "post")
    if pre.shape != post.shape:
        raise ValueError(f"pre and post differ in length: {pre.shape[0]} and {post.shape[0]}")
    keep = ~(np.isnan(pre) | np.isnan(post))
    return pre[keep], post[keep]


#: Values closer than this, relative to their size (at least 1), count as identical.
SPREAD_TOLERANCE = 1e-10


def no_spread(values: FloatArray) -> bool:
    """Whether NaN-free ``values`` are all equal, up to floating-point rounding.

    Rounding matters: 0.3 − 0.1 and 0.6 − 0.4 differ in the 17th digit, so "everyone changed by
    0.2" would otherwise have an SD of ~1e-17 and a t of ~1e16. Scores have a resolution of
    0.01 at the finest, far above this tolerance.
    """
    if values.shape[0] == 0:
        return True
    low, high = float(values.min()), float(values.max())
    return high - low <= SPREAD_TOLERANCE * max(1.0, abs(low), abs(high))


def mean_sd(values: FloatArray) -> tuple[float | None, float | None]:
    """Mean (n ≥ 1) and sample SD with n − 1 (n ≥ 2) of NaN-free ``values``.

    Values without spread (see :func:`no_spread`) give SD exactly 0.0.
    """
    n = values.shape[0]
    if n == 0:
        return None, None
    mean = as_optional(np.mean(values))
    if n < 2:
        return mean, None
    if no_spread(values):
        return mean, 0.0
    return mean, as_optional(np.std(values, ddof=1))


def t_interval(mean: float | None, sd: float | None, n: int) -> tuple[float | None, float | None]:
    """Two-sided 95 % t interval for a mean: mean ± t(0.975, n − 1) · SD/√n (None if n < 2).

    An SD of zero gives the degenerate interval [mean, mean].
    """
    if mean is None or sd is None or n < 2:
        return None, None
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return as_optional(mean - half), as_optional(mean + half)


@dataclass(frozen=True)
class WaveSummary:
    """Mean, SD and 95 % CI of one outcome at one wave, over the non-missing scores."""

    wave: str
    n: int
    mean: float | None
    sd: float | None
    ci95_low: float | None
    ci95_high: float | None
    method: str


SUMMARY_METHOD = (
    "Missing scores dropped; mean; SD with n − 1 in the denominator; 95 % confidence interval "
    "mean ± t(0.975, n − 1) · SD/√n. Mean needs n ≥ 1; SD and interval need n ≥ 2."
)


def summarise(values: FloatArray, wave: str) -> WaveSummary:
    """Describe the scores of one wave (NaN = missing, dropped); aggregates only."""
    array = _as_vector(values, "values")
    present = array[~np.isnan(array)]
    n = int(present.shape[0])
    mean, sd = mean_sd(present)
    low, high = t_interval(mean, sd, n)
    return WaveSummary(
        wave=wave, n=n, mean=mean, sd=sd, ci95_low=low, ci95_high=high, method=SUMMARY_METHOD
    )


@dataclass(frozen=True)
class PairedResult:
    """Change from ``wave_from`` to ``wave_to`` (post − pre) over the complete pairs."""

    wave_from: str
    wave_to: str
    n_pairs: int
    mean_from: float | None
    sd_from: float | None
    mean_to: float | None
    sd_to: float | None
    mean_change: float | None
    sd_change: float | None
    ci95_low: float | None
    ci95_high: float | None
    t: float | None
    df: float | None
    p_t: float | None
    wilcoxon_p: float | None
    r: float | None
    d_z: float | None
    d_av: float | None
    d_rm: float | None
    g_z: float | None
    g_av: float | None
    g_rm: float | None
    method: str


PAIRED_METHOD = (
    "Complete pairs only (a participation missing either wave is dropped). Change = post − pre "
    "in raw score units. Means; SDs with n − 1; 95 % confidence interval of the mean change "
    "mean ± t(0.975, n − 1) · SD/√n. Paired t-test (as scipy.stats.ttest_rel, two-sided, "
    "df = n − 1). Wilcoxon signed-rank test on the changes with scipy.stats.wilcoxon defaults: "
    "zero changes discarded (zero_method 'wilcox'), two-sided, no continuity correction, and "
    "scipy chooses the p-value method itself (exact distribution for up to 50 changes without "
    "ties or zeros, exhaustive permutation for up to 13 with ties or zeros, otherwise the "
    "normal approximation); not reported when every change is zero. r = Pearson correlation of "
    "pre and post. Effect sizes after Lakens 2013 (Frontiers in Psychology 4:863): "
    "d_z = mean change / SD of change; d_av = mean change / ((SD_pre + SD_post)/2); "
    "d_rm = mean change / √(SD_pre² + SD_post² − 2·r·SD_pre·SD_post) · √(2(1 − r)); "
    "Hedges' g for each = d · J with J = 1 − 3/(4·df − 1), df = n − 1. "
    "A value is left out (None) when it is undefined: fewer than 2 pairs, or a zero SD in its "
    "denominator."
)


def _pearson_r(x: FloatArray, y: FloatArray) -> float | None:
    if x.shape[0] < 2 or no_spread(x) or no_spread(y):
        return None
    dx = x - x.mean()
    dy = y - y.mean()
    denominator = math.sqrt(float(np.dot(dx, dx)) * float(np.dot(dy, dy)))
    if denominator == 0.0:
        return None
    # Rounding can push |r| a hair past 1, which would make √(2(1 − r)) undefined.
    return min(1.0, max(-1.0, float(np.dot(dx, dy)) / denominator))


def _wilcoxon_p(change: FloatArray) -> float | None:
    # With every change zero, the 'wilcox' zero method leaves nothing to rank and scipy
    # divides by zero (a RuntimeWarning, an error under the test settings): undefined.
    if change.shape[0] < 2 or not np.any(change != 0.0):
        return None
    return as_optional(stats.wilcoxon(change).pvalue)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0.0:
        return None
    return as_optional(numerator / denominator)


def _times(value: float | None, factor: float | None) -> float | None:
    if value is None or factor is None:
        return None
    return as_optional(value * factor)


def paired(pre: FloatArray, post: FloatArray, *, wave_from: str, wave_to: str) -> PairedResult:
    """Paired change statistics and effect sizes (see the module docstring for the variants).

    ``pre`` and ``post`` are the two waves' scores for the same rows, NaN where missing; rows
    missing either are dropped. Reads scores of pseudonymous rows only; returns aggregates.
    """
    x, y = complete_pairs(pre, post)
    n = int(x.shape[0])
    change = y - x
    mean_from, sd_from = mean_sd(x)
    mean_to, sd_to = mean_sd(y)
    mean_change, sd_change = mean_sd(change)
    low, high = t_interval(mean_change, sd_change, n)

    t: float | None = None
    df: float | None = None
    p_t: float | None = None
    if n >= 2:
        df = float(n - 1)
        if mean_change is not None and sd_change:
            t = as_optional(mean_change / (sd_change / math.sqrt(n)))
            if t is not None:
                p_t = as_optional(2.0 * float(stats.t.sf(abs(t), n - 1)))

    r = _pearson_r(x, y)
    d_z = _ratio(mean_change, sd_change)
    d_av = (
        _ratio(mean_change, (sd_from + sd_to) / 2.0)
        if sd_from is not None and sd_to is not None
        else None
    )
    d_rm = _times(d_z, math.sqrt(2.0 * (1.0 - r)) if r is not None else None)
    j = 1.0 - 3.0 / (4.0 * (n - 1) - 1.0) if n >= 2 else None

    return PairedResult(
        wave_from=wave_from,
        wave_to=wave_to,
        n_pairs=n,
        mean_from=mean_from,
        sd_from=sd_from,
        mean_to=mean_to,
        sd_to=sd_to,
        mean_change=mean_change,
        sd_change=sd_change,
        ci95_low=low,
        ci95_high=high,
        t=t,
        df=df,
        p_t=p_t,
        wilcoxon_p=_wilcoxon_p(change),
        r=r,
        d_z=d_z,
        d_av=d_av,
        d_rm=d_rm,
        g_z=_times(d_z, j),
        g_av=_times(d_av, j),
        g_rm=_times(d_rm, j),
        method=PAIRED_METHOD,
    )
