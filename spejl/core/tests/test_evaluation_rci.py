"""Tests for the Reliable Change Index (:mod:`spejl.core.evaluation.rci`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.evaluation.rci import RCI_CRITICAL, rci_values, reliable_change

# Worked example. The fourth person has no post score, so only the first three count — also
# for SD_pre (with the 20 included the SD would be 7.1, not 2).
PRE = np.array([4.0, 6.0, 8.0, 20.0])
POST = np.array([1.0, 3.0, 9.0, np.nan])
# pre of complete pairs 4, 6, 8: mean 6, squares 4 + 0 + 4 = 8, var 8/2 = 4, SD_pre = 2
# r = 0.75: SE = 2 · √0.25 = 1; S_diff = √2 · 1 = 1.4142136; 1.96 · S_diff = 2.7718586
# changes -3, -3, +1 → RCI -2.1213, -2.1213, +0.7071


def test_rci_values_by_hand() -> None:
    values = rci_values(PRE, POST, reliability=0.75, sd_pre=2.0)
    assert values[:3] == pytest.approx([-3 / math.sqrt(2), -3 / math.sqrt(2), 1 / math.sqrt(2)])
    assert math.isnan(values[3])


def test_reliable_change_lower_is_better_by_hand() -> None:
    result = reliable_change(PRE, POST, reliability=0.75, direction="lower_is_better")
    assert result.n_pairs == 3
    assert result.sd_pre == pytest.approx(2.0)
    assert result.se_measurement == pytest.approx(1.0)
    assert result.s_diff == pytest.approx(math.sqrt(2))
    assert result.threshold_change == pytest.approx(1.96 * math.sqrt(2))
    # Two reliable decreases (-2.12 < -1.96) are improvements; +0.71 is within error.
    assert (result.improved, result.unchanged, result.deteriorated) == (2, 1, 0)
    assert result.reliability == 0.75
    assert "decrease counts as improved" in result.method
    assert "complete pairs" in result.method


def test_reliable_change_higher_is_better_by_hand() -> None:
    result = reliable_change(PRE, POST, reliability=0.75, direction="higher_is_better")
    # The same two reliable decreases are now deteriorations.
    assert (result.improved, result.unchanged, result.deteriorated) == (0, 1, 2)
    assert "increase counts as improved" in result.method


def test_who5_style_increase_is_improvement_when_higher_is_better() -> None:
    # WHO-5 (0–100), r = 0.81 as in the Danish retest; pre 40, 60, 52, 48 (SD 8.3267)
    pre = np.array([40.0, 60.0, 52.0, 48.0])
    post = np.array([72.0, 60.0, 40.0, 52.0])
    sd = float(np.std(pre, ddof=1))
    threshold = 1.96 * math.sqrt(2) * sd * math.sqrt(1 - 0.81)  # ≈ 10.06 points
    assert 10.0 < threshold < 10.1
    result = reliable_change(pre, post, reliability=0.81, direction="higher_is_better")
    # changes +32 (improved), 0, -12 (deteriorated), +4 (within error)
    assert (result.improved, result.unchanged, result.deteriorated) == (1, 2, 1)
    assert result.threshold_change == pytest.approx(threshold)


def test_change_just_inside_the_threshold_is_not_reliable() -> None:
    pre = np.array([4.0, 6.0, 8.0])
    s_diff = math.sqrt(2)  # SD_pre 2, r 0.75 as in the worked example
    post = pre + np.array([-1.95 * s_diff, 1.95 * s_diff, 0.0])
    result = reliable_change(pre, post, reliability=0.75, direction="lower_is_better")
    assert (result.improved, result.unchanged, result.deteriorated) == (0, 3, 0)


@pytest.mark.parametrize(
    ("pre", "post"),
    [
        ([5.0, 5.0, 5.0], [3.0, 9.0, 4.0]),  # no spread at baseline
        ([5.0, np.nan], [3.0, 4.0]),  # one complete pair
        ([], []),
    ],
)
def test_undefined_rci_gives_zero_counts_and_says_so(pre: list[float], post: list[float]) -> None:
    result = reliable_change(
        np.array(pre, dtype=np.float64),
        np.array(post, dtype=np.float64),
        reliability=0.8,
        direction="lower_is_better",
    )
    assert (result.improved, result.unchanged, result.deteriorated) == (0, 0, 0)
    assert result.s_diff is None and result.se_measurement is None
    assert result.threshold_change is None
    assert "Not computed" in result.method


def test_sd_pre_zero_is_reported_as_zero_not_missing() -> None:
    result = reliable_change(
        np.array([5.0, 5.0]), np.array([3.0, 9.0]), reliability=0.8, direction="lower_is_better"
    )
    assert result.n_pairs == 2
    assert result.sd_pre == 0.0


@pytest.mark.parametrize("reliability", [1.0, -0.1, 1.5, math.nan])
def test_reliability_outside_zero_to_one_is_rejected(reliability: float) -> None:
    with pytest.raises(ValueError, match="reliability"):
        reliable_change(PRE, POST, reliability=reliability, direction="lower_is_better")
    with pytest.raises(ValueError, match="reliability"):
        rci_values(PRE, POST, reliability=reliability, sd_pre=2.0)


def test_rci_values_rejects_non_positive_sd() -> None:
    with pytest.raises(ValueError, match="sd_pre"):
        rci_values(PRE, POST, reliability=0.8, sd_pre=0.0)


pairs = st.lists(st.tuples(st.integers(3, 9).map(float), st.integers(3, 9).map(float)), max_size=40)


@given(pairs, st.floats(0.0, 0.95))
def test_counts_add_up_and_directions_mirror(
    rows: list[tuple[float, float]], reliability: float
) -> None:
    pre = np.array([a for a, _ in rows], dtype=np.float64)
    post = np.array([b for _, b in rows], dtype=np.float64)
    lower = reliable_change(pre, post, reliability=reliability, direction="lower_is_better")
    higher = reliable_change(pre, post, reliability=reliability, direction="higher_is_better")
    if lower.s_diff is not None:
        assert lower.improved + lower.unchanged + lower.deteriorated == lower.n_pairs
        rci = rci_values(pre, post, reliability=reliability, sd_pre=lower.sd_pre or 0.0)
        assert lower.improved == int(np.sum(rci < -RCI_CRITICAL))
    assert (lower.improved, lower.deteriorated) == (higher.deteriorated, higher.improved)
    assert lower.unchanged == higher.unchanged
