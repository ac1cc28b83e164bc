"""Comparisons around the paired change: attrition, subgroups and dose–response.

* :func:`attrition` — did those who answered a later wave start out differently from those
  who did not (Welch's t-test on the baseline score)?
* :func:`change_by` — mean change per level of a background variable (age band, gender, …).
* :func:`dose_response` — does change grow with the number of meetings attended (OLS)?
* :func:`attendance_bands` — share of held meetings attended, in three bands.

These run on up to ~100,000 rows for several outcomes and wave pairs inside the report's time
budget, so they are vectorised (no Python loop over rows). Personal data: scores, background
codes and attendance counts of pseudonymous rows in; aggregates out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

from spejl.core.evaluation.dataset import BoolArray, Categorical, FloatArray, IntArray
from spejl.core.evaluation.paired import (
    SPREAD_TOLERANCE,
    as_optional,
    complete_pairs,
    mean_sd,
    no_spread,
)

__all__ = [
    "ATTENDANCE_BANDS",
    "AttritionResult",
    "SubgroupResult",
    "SubgroupRow",
    "TrendResult",
    "attendance_bands",
    "attrition",
    "change_by",
    "dose_response",
]

#: Labels of :func:`attendance_bands`, lowest share first.
ATTENDANCE_BANDS: tuple[str, ...] = ("0–49 %", "50–74 %", "75–100 %")
#: Label of the row for code -1 in :func:`change_by`.
UNKNOWN = "unknown"


def _vector(values: npt.NDArray[np.generic], name: str, length: int | None = None) -> None:
    if values.ndim != 1 or (length is not None and values.shape[0] != length):
        rows = "" if length is None else f" with {length} rows"
        raise ValueError(f"{name} must be one-dimensional{rows}, got shape {values.shape}")


# --- attrition --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttritionResult:
    """Baseline scores of those retained at a later wave against those lost to it."""

    wave: str
    n_retained: int
    n_lost: int
    mean_retained: float | None
    sd_retained: float | None
    mean_lost: float | None
    sd_lost: float | None
    #: mean_retained − mean_lost.
    difference: float | None
    ci95_low: float | None
    ci95_high: float | None
    t: float | None
    df: float | None
    p_t: float | None
    method: str


ATTRITION_METHOD = (
    "Rows with a baseline score only; retained = answered the later wave, lost = did not. "
    "Means; SDs with n − 1. Welch's t-test (unequal variances, as scipy.stats.ttest_ind with "
    "equal_var=False, two-sided) of retained − lost, Welch–Satterthwaite degrees of freedom, "
    "95 % confidence interval difference ± t(0.975, df) · SE with SE = √(SD_r²/n_r + SD_l²/n_l). "
    "Test and interval need at least 2 rows in each group and a non-zero SE."
)


def attrition(baseline: FloatArray, answered_later: BoolArray, *, wave: str) -> AttritionResult:
    """Compare baseline scores of the rows that answered ``wave`` with those that did not.

    ``baseline`` is NaN where there is no baseline score (those rows are left out);
    ``answered_later`` is True where the row has a score at ``wave``.
    """
    scores = np.asarray(baseline, dtype=np.float64)
    _vector(scores, "baseline")
    answered = np.asarray(answered_later, dtype=np.bool_)
    _vector(answered, "answered_later", scores.shape[0])
    present = ~np.isnan(scores)
    retained = scores[present & answered]
    lost = scores[present & ~answered]
    n_r, n_l = int(retained.shape[0]), int(lost.shape[0])
    mean_r, sd_r = mean_sd(retained)
    mean_l, sd_l = mean_sd(lost)
    difference = as_optional(mean_r - mean_l) if mean_r is not None and mean_l is not None else None

    t = df = p_t = low = high = None
    if difference is not None and sd_r is not None and sd_l is not None:
        v_r, v_l = sd_r**2 / n_r, sd_l**2 / n_l
        se = math.sqrt(v_r + v_l)
        if se > 0.0:
            df = as_optional((v_r + v_l) ** 2 / (v_r**2 / (n_r - 1) + v_l**2 / (n_l - 1)))
            t = as_optional(difference / se)
            if df is not None and t is not None:
                p_t = as_optional(2.0 * float(stats.t.sf(abs(t), df)))
                half = float(stats.t.ppf(0.975, df)) * se
                low, high = as_optional(difference - half), as_optional(difference + half)
    return AttritionResult(
        wave=wave,
        n_retained=n_r,
        n_lost=n_l,
        mean_retained=mean_r,
        sd_retained=sd_r,
        mean_lost=mean_l,
        sd_lost=sd_l,
        difference=difference,
        ci95_low=low,
        ci95_high=high,
        t=t,
        df=df,
        p_t=p_t,
        method=ATTRITION_METHOD,
    )


# --- subgroups --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubgroupRow:
    """Mean change (post − pre) for one level of a background variable."""

    level: str
    n_pairs: int
    mean_change: float | None
    sd_change: float | None
    ci95_low: float | None
    ci95_high: float | None


@dataclass(frozen=True)
class SubgroupResult:
    """Mean change per level of ``variable``: one row per label in order, then "unknown"."""

    variable: str
    wave_from: str
    wave_to: str
    rows: tuple[SubgroupRow, ...]
    method: str


SUBGROUP_METHOD = (
    "Complete pairs only. For each level: number of pairs, mean change (post − pre), SD of "
    "change with n − 1, 95 % confidence interval mean ± t(0.975, n − 1) · SD/√n (SD and "
    "interval need n ≥ 2). Every level is listed, also with no pairs; an 'unknown' row (no "
    "value recorded) follows when any row of the input lacks the value. No test between levels."
)


def change_by(
    pre: FloatArray,
    post: FloatArray,
    codes: IntArray,
    labels: tuple[str, ...],
    *,
    variable: str,
    wave_from: str,
    wave_to: str,
) -> SubgroupResult:
    """Mean change per level of a categorical variable (``codes`` into ``labels``, -1 unknown)."""
    pre_array = np.asarray(pre, dtype=np.float64)
    post_array = np.asarray(post, dtype=np.float64)
    code_array = np.asarray(codes, dtype=np.int64)
    _vector(pre_array, "pre")
    _vector(code_array, "codes", pre_array.shape[0])
    n_levels = len(labels)
    if code_array.size and (code_array.min() < -1 or code_array.max() >= n_levels):
        raise ValueError(f"codes must lie in -1 … {n_levels - 1}")
    has_unknown = bool(np.any(code_array == -1))

    x, y = complete_pairs(pre_array, post_array)
    keep = ~(np.isnan(pre_array) | np.isnan(post_array))
    change = y - x
    # Unknown (-1) goes to the extra slot after the labelled levels.
    slot = np.where(code_array[keep] < 0, n_levels, code_array[keep])
    slots = n_levels + 1
    counts = np.bincount(slot, minlength=slots)
    sums = np.bincount(slot, weights=change, minlength=slots)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    # Two-pass variance (deviations from each level's mean) for accuracy on large groups.
    deviations = change - means[slot]
    squares = np.bincount(slot, weights=deviations * deviations, minlength=slots)
    # Levels whose changes are all equal get SD exactly 0 (see paired.no_spread).
    lowest = np.full(slots, np.inf)
    highest = np.full(slots, -np.inf)
    np.minimum.at(lowest, slot, change)
    np.maximum.at(highest, slot, change)
    scale = np.maximum(1.0, np.maximum(np.abs(lowest), np.abs(highest)))
    flat = highest - lowest <= SPREAD_TOLERANCE * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        sds = np.where(flat, 0.0, np.sqrt(squares / (counts - 1)))
        halves = stats.t.ppf(0.975, np.maximum(counts - 1, 1)) * sds / np.sqrt(counts)

    rows = []
    names = (*labels, UNKNOWN) if has_unknown else labels
    for index, name in enumerate(names):
        n = int(counts[index])
        mean = as_optional(means[index]) if n >= 1 else None
        sd = as_optional(sds[index]) if n >= 2 else None
        low = high = None
        if mean is not None and sd is not None:
            half = float(halves[index])
            low, high = as_optional(mean - half), as_optional(mean + half)
        rows.append(
            SubgroupRow(
                level=name, n_pairs=n, mean_change=mean, sd_change=sd, ci95_low=low, ci95_high=high
            )
        )
    return SubgroupResult(
        variable=variable,
        wave_from=wave_from,
        wave_to=wave_to,
        rows=tuple(rows),
        method=SUBGROUP_METHOD,
    )


# --- dose–response ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendResult:
    """Linear trend of change (post − pre) on the number of meetings attended."""

    n_pairs: int
    slope: float | None
    ci95_low: float | None
    ci95_high: float | None
    intercept: float | None
    p: float | None
    method: str


TREND_METHOD = (
    "Complete pairs only. Ordinary least squares of change (post − pre, raw units) on the "
    "number of meetings attended (scipy.stats.linregress): slope = change per extra meeting, "
    "95 % confidence interval slope ± t(0.975, n − 2) · SE(slope), two-sided p for slope = 0. "
    "Slope and intercept need at least 2 pairs with different attendance; interval and p need "
    "at least 3, and some spread in the changes (if everyone changed by the same amount the "
    "slope is 0 with no interval or p)."
)


def dose_response(pre: FloatArray, post: FloatArray, attended: IntArray) -> TrendResult:
    """Regress change on meetings attended over the complete pairs."""
    pre_array = np.asarray(pre, dtype=np.float64)
    post_array = np.asarray(post, dtype=np.float64)
    attended_array = np.asarray(attended, dtype=np.float64)
    _vector(pre_array, "pre")
    _vector(attended_array, "attended", pre_array.shape[0])
    x, y = complete_pairs(pre_array, post_array)
    keep = ~(np.isnan(pre_array) | np.isnan(post_array))
    dose = attended_array[keep]
    change = y - x
    n = int(change.shape[0])
    if n < 2 or no_spread(dose):
        return TrendResult(
            n_pairs=n,
            slope=None,
            ci95_low=None,
            ci95_high=None,
            intercept=None,
            p=None,
            method=TREND_METHOD,
        )
    if n == 2:
        # linregress returns NaN standard errors here (no residual degrees of freedom).
        slope = float((change[1] - change[0]) / (dose[1] - dose[0]))
        intercept = float(change[0] - slope * dose[0])
        return TrendResult(
            n_pairs=n,
            slope=as_optional(slope),
            ci95_low=None,
            ci95_high=None,
            intercept=as_optional(intercept),
            p=None,
            method=TREND_METHOD,
        )
    if no_spread(change):
        # Everyone changed by the same amount: a flat line, and nothing to test (linregress
        # would give NaN, or a p-value made of rounding noise).
        return TrendResult(
            n_pairs=n,
            slope=0.0,
            ci95_low=None,
            ci95_high=None,
            intercept=as_optional(np.mean(change)),
            p=None,
            method=TREND_METHOD,
        )
    fit = stats.linregress(dose, change)
    slope, stderr = float(fit.slope), float(fit.stderr)
    half = float(stats.t.ppf(0.975, n - 2)) * stderr
    return TrendResult(
        n_pairs=n,
        slope=as_optional(slope),
        ci95_low=as_optional(slope - half),
        ci95_high=as_optional(slope + half),
        intercept=as_optional(fit.intercept),
        p=as_optional(fit.pvalue),
        method=TREND_METHOD,
    )


# --- attendance -------------------------------------------------------------------------------


def attendance_bands(attended: IntArray, held: IntArray) -> Categorical:
    """Band each row by the share of its group's held meetings it attended.

    Below 50 % → "0–49 %", 50 % up to below 75 % → "50–74 %", 75 % and above → "75–100 %"
    (so 49.5 % is in the lowest band). No meetings held gives -1 (unknown).
    """
    a = np.asarray(attended, dtype=np.int64)
    h = np.asarray(held, dtype=np.int64)
    if a.shape != h.shape or a.ndim != 1:
        raise ValueError("attended and held must be one-dimensional arrays of the same length")
    # Integer comparisons (2a < h, 4a < 3h) keep the band edges exact, unlike a float share.
    band = np.where(2 * a < h, 0, np.where(4 * a < 3 * h, 1, 2))
    codes = np.where(h <= 0, -1, band).astype(np.int32)
    return Categorical(codes=codes, labels=ATTENDANCE_BANDS)
