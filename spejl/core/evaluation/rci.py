"""Reliable Change Index (Jacobson & Truax 1991, *J Consult Clin Psychol* 59:12–19).

SE = SD_pre · √(1 − r), S_diff = √2 · SE, RCI_i = (post_i − pre_i) / S_diff; a person whose
|RCI| exceeds 1.96 has changed more than measurement error would explain (two-sided 5 %).
``r`` is the instrument's reliability as stored with the instrument (with its source).
Personal data: scores of pseudonymous rows in, counts out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from spejl.core.evaluation.dataset import Direction, FloatArray
from spejl.core.evaluation.paired import complete_pairs, mean_sd

__all__ = ["RCI_CRITICAL", "RciResult", "rci_values", "reliable_change"]

#: |RCI| above this is reliable change (the two-sided 5 % point of the normal distribution).
RCI_CRITICAL = 1.96


def _s_diff(*, reliability: float, sd_pre: float) -> float:
    if not 0.0 <= reliability < 1.0:
        # r = 1 would make every non-zero change "reliable"; r outside [0, 1) is a data error.
        raise ValueError(f"reliability must be in [0, 1), got {reliability}")
    if not (math.isfinite(sd_pre) and sd_pre > 0.0):
        raise ValueError(f"sd_pre must be a positive number, got {sd_pre}")
    return math.sqrt(2.0) * sd_pre * math.sqrt(1.0 - reliability)


def rci_values(
    pre: FloatArray, post: FloatArray, *, reliability: float, sd_pre: float
) -> FloatArray:
    """Each row's RCI, (post − pre) / S_diff, NaN where either score is missing.

    Raises ``ValueError`` unless 0 ≤ reliability < 1 and sd_pre > 0.
    """
    s_diff = _s_diff(reliability=reliability, sd_pre=sd_pre)
    pre_array = np.asarray(pre, dtype=np.float64)
    post_array = np.asarray(post, dtype=np.float64)
    if pre_array.shape != post_array.shape or pre_array.ndim != 1:
        raise ValueError("pre and post must be one-dimensional arrays of the same length")
    return np.asarray((post_array - pre_array) / s_diff, dtype=np.float64)


@dataclass(frozen=True)
class RciResult:
    """How many complete pairs changed reliably for the better, not reliably, or for the worse."""

    n_pairs: int
    improved: int
    unchanged: int
    deteriorated: int
    reliability: float
    sd_pre: float | None
    se_measurement: float | None
    s_diff: float | None
    #: 1.96 · S_diff: the smallest change in raw score units that counts as reliable.
    threshold_change: float | None
    method: str


def _method(direction: Direction, defined: bool) -> str:
    better = "decrease" if direction == "lower_is_better" else "increase"
    text = (
        "Reliable Change Index (Jacobson & Truax 1991) over complete pairs: "
        "SE = SD_pre · √(1 − r), S_diff = √2 · SE, RCI = (post − pre) / S_diff, with r the "
        "instrument's stated reliability and SD_pre the SD (n − 1) of the pre scores of the "
        f"complete pairs. |RCI| > {RCI_CRITICAL} is reliable change; a reliable {better} counts "
        "as improved, a reliable change the other way as deteriorated, the rest as unchanged."
    )
    if not defined:
        text += (
            " Not computed here: fewer than 2 complete pairs or no spread in the pre scores "
            "(SD_pre 0) leave S_diff undefined, so all counts are 0."
        )
    return text


def reliable_change(
    pre: FloatArray, post: FloatArray, *, reliability: float, direction: Direction
) -> RciResult:
    """Count reliable improvement and deterioration between two waves for one outcome.

    ``direction`` says whether a lower score is better (T-ILS) or a higher one (WHO-5).
    Raises ``ValueError`` unless 0 ≤ reliability < 1.
    """
    if not 0.0 <= reliability < 1.0:
        raise ValueError(f"reliability must be in [0, 1), got {reliability}")
    x, y = complete_pairs(pre, post)
    n = int(x.shape[0])
    _, sd_pre = mean_sd(x)
    if sd_pre is None or sd_pre == 0.0:
        return RciResult(
            n_pairs=n,
            improved=0,
            unchanged=0,
            deteriorated=0,
            reliability=reliability,
            sd_pre=sd_pre,
            se_measurement=None,
            s_diff=None,
            threshold_change=None,
            method=_method(direction, defined=False),
        )
    s_diff = _s_diff(reliability=reliability, sd_pre=sd_pre)
    rci = (y - x) / s_diff
    up = int(np.count_nonzero(rci > RCI_CRITICAL))
    down = int(np.count_nonzero(rci < -RCI_CRITICAL))
    improved, deteriorated = (down, up) if direction == "lower_is_better" else (up, down)
    return RciResult(
        n_pairs=n,
        improved=improved,
        unchanged=n - improved - deteriorated,
        deteriorated=deteriorated,
        reliability=reliability,
        sd_pre=sd_pre,
        se_measurement=sd_pre * math.sqrt(1.0 - reliability),
        s_diff=s_diff,
        threshold_change=RCI_CRITICAL * s_diff,
        method=_method(direction, defined=True),
    )
