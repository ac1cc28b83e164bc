"""Tests for the REML mixed model in :mod:`spejl.core.evaluation.mixed`.

The reference is statsmodels' ``MixedLM`` (a test-only dependency here) fitted on the same
specification in long format, tightly (BFGS with a tiny gradient tolerance, convergence
checked), so that both optimisers sit on the same optimum.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from spejl.core.evaluation.dataset import WAVES, FloatArray, IntArray
from spejl.core.evaluation.mixed import MixedModelResult, mixed_model

# Estimates and the log-likelihood: the brief's bar. Measured agreement on these cases is
# about 1e-9 relative (log-likelihood 1e-12 absolute).
EST_RTOL = 1e-6
# Variance components and standard errors move more with the last digits of the variance
# ratios, which two different optimisers (here L-BFGS-B on sqrt ratios with an exact
# gradient, there BFGS on statsmodels' own parametrisation, stopped at gtol 1e-8) pin down
# to about 1e-7 relative on these cases; 1e-6 keeps a tenfold margin.
VAR_RTOL = 1e-6


@dataclass(frozen=True)
class Sample:
    scores: FloatArray
    group: IntArray
    organisation: IntArray


def simulate(
    *,
    organisations: int,
    groups_per_org: int,
    people_per_group: int,
    seed: int,
    missing: float = 0.25,
    sd: tuple[float, float, float, float] = (0.7, 0.5, 1.0, 0.8),
) -> Sample:
    """Scores with organisation, group and person intercepts, a drop per wave, and about
    ``missing`` of the scores removed at random (so people with one or two waves too)."""
    rng = np.random.default_rng(seed)
    n_groups = organisations * groups_per_org
    n = n_groups * people_per_group
    group = np.repeat(np.arange(n_groups), people_per_group).astype(np.int32)
    organisation = (group // groups_per_org).astype(np.int32)
    person = (
        rng.normal(0, sd[0], organisations)[organisation]
        + rng.normal(0, sd[1], n_groups)[group]
        + rng.normal(0, sd[2], n)
    )
    scores = 6.0 + np.array([0.0, -0.6, -0.9]) + person[:, None] + rng.normal(0, sd[3], (n, 3))
    scores[rng.random((n, 3)) < missing] = np.nan
    return Sample(scores=scores, group=group, organisation=organisation)


def long_format(sample: Sample) -> pd.DataFrame:
    """One row per observed score. Unknown codes become labels of the person's own, which is
    what ``mixed_model`` does with them."""
    rows = []
    for i in range(sample.scores.shape[0]):
        g, o = int(sample.group[i]), int(sample.organisation[i])
        for w, wave in enumerate(WAVES):
            if np.isfinite(sample.scores[i, w]):
                rows.append(
                    {
                        "pid": f"p{i}",
                        "group": f"g{g}" if g >= 0 else f"own{i}",
                        "org": f"o{o}" if o >= 0 else f"own{i}",
                        "wave": wave,
                        "score": float(sample.scores[i, w]),
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def _quiet_statsmodels() -> Iterator[None]:
    # statsmodels warns about boundary estimates and retries; convergence is asserted instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def fit_statsmodels(df: pd.DataFrame, spec: str) -> Any:
    formula = "score ~ C(wave)"
    if spec == "participant":
        model = smf.mixedlm(formula, df, groups=df["pid"])
    elif spec == "group":
        model = smf.mixedlm(
            formula, df, groups="group", re_formula="1", vc_formula={"pid": "0 + C(pid)"}
        )
    elif spec == "group_only":
        model = smf.mixedlm(formula, df, groups="group")
    else:
        model = smf.mixedlm(
            formula,
            df,
            groups="org",
            re_formula="1",
            vc_formula={"group": "0 + C(group)", "pid": "0 + C(pid)"},
        )
    # BFGS takes a gradient tolerance (statsmodels' lbfgs path does not); at 1e-8 on its
    # per-observation scale it converges, tighter it stops on precision loss at the same point.
    fitted = model.fit(reml=True, method=["bfgs"], maxiter=10_000, gtol=1e-8)
    assert fitted.converged
    return fitted


def statsmodels_components(fitted: Any, spec: str) -> dict[str, float]:
    """statsmodels' variance components under our level names."""
    outer = float(np.asarray(fitted.cov_re)[0, 0])
    vc = dict(zip(fitted.model.exog_vc.names, np.asarray(fitted.vcomp), strict=True))
    if spec == "participant":
        return {"participant": outer}
    if spec == "group":
        return {"participant": float(vc["pid"]), "group": outer}
    if spec == "group_only":
        return {"group": outer}
    return {"participant": float(vc["pid"]), "group": float(vc["group"]), "organisation": outer}


def packed_ratios(result: MixedModelResult, spec: str) -> FloatArray:
    """Our variance ratios as statsmodels packs them: sqrt(τ²/σ²), the ``groups`` level's
    first, then the variance components in statsmodels' (sorted) order."""
    ratio = {
        k: math.sqrt(v / result.residual_variance) for k, v in result.variance_components.items()
    }
    order = {
        "participant": ["participant"],
        "group": ["group", "participant"],
        "group_only": ["group"],
        "three": ["organisation", "group", "participant"],
    }[spec]
    return np.array([ratio[name] for name in order])


CASES = {
    # (a) participants only, (b) participants in groups, some with an unknown group,
    # (c) participants in groups in organisations, some with unknown group or organisation,
    # (d) one observation per person: groups only.
    "participant": (dict(organisations=8, groups_per_org=5, people_per_group=7, seed=11), {}),
    "group": (dict(organisations=8, groups_per_org=5, people_per_group=7, seed=12), {"group"}),
    "three": (
        dict(organisations=12, groups_per_org=4, people_per_group=6, seed=13),
        {"group", "organisation"},
    ),
    "group_only": (
        dict(organisations=6, groups_per_org=5, people_per_group=8, seed=14),
        {"group"},
    ),
}


def case_sample(spec: str) -> Sample:
    kwargs, _ = CASES[spec]
    sample = simulate(**kwargs)  # type: ignore[arg-type]
    if spec in ("group", "three"):
        sample.group[[3, 50, 101]] = -1
    if spec == "three":
        sample.organisation[[7, 77, 177]] = -1
    if spec == "group_only":
        # Keep one score per person, at a wave that varies from person to person.
        rng = np.random.default_rng(99)
        keep = rng.integers(0, 3, sample.scores.shape[0])
        full = sample.scores.copy()
        full[np.isnan(full)] = 5.0
        sample.scores[:] = np.nan
        rows = np.arange(full.shape[0])
        sample.scores[rows, keep] = full[rows, keep]
    return sample


@cache
def reference_fit(spec: str) -> Any:
    """statsmodels' fit of a case, once per test session (it takes about a second)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_statsmodels(long_format(case_sample(spec)), spec)


def fit_ours(sample: Sample, spec: str) -> MixedModelResult:
    levels = CASES[spec][1]
    result = mixed_model(
        sample.scores,
        WAVES,
        group=sample.group if "group" in levels else None,
        organisation=sample.organisation if "organisation" in levels else None,
    )
    assert result is not None
    return result


@pytest.mark.parametrize("spec", list(CASES))
def test_fit_matches_statsmodels_mixedlm(spec: str) -> None:
    sample = case_sample(spec)
    ours = fit_ours(sample, spec)
    ref = reference_fit(spec)

    assert ours.converged
    expected_levels = {
        "participant": ("participant",),
        "group": ("participant", "group"),
        "three": ("participant", "group", "organisation"),
        "group_only": ("group",),
    }[spec]
    assert ours.levels == expected_levels
    fe = np.asarray(ref.fe_params)
    assert ours.baseline_mean == pytest.approx(fe[0], rel=EST_RTOL)
    assert [e.wave for e in ours.effects] == ["T1", "T2"]
    assert [e.estimate for e in ours.effects] == pytest.approx(fe[1:], rel=EST_RTOL)
    assert ours.log_likelihood == pytest.approx(float(ref.llf), rel=1e-10, abs=EST_RTOL)
    assert ours.residual_variance == pytest.approx(float(ref.scale), rel=VAR_RTOL)
    expected_vc = statsmodels_components(ref, spec)
    assert ours.variance_components.keys() == expected_vc.keys()
    for name, value in expected_vc.items():
        assert ours.variance_components[name] == pytest.approx(value, rel=VAR_RTOL, abs=1e-9)

    # Standard errors: σ²(X'V⁻¹X)⁻¹, which is statsmodels' Hessian block for the fixed
    # effects. statsmodels' own bse_fe inverts the whole observed Hessian, whose fixed ×
    # variance cross block is non-zero in unbalanced data (zero in expectation), so it
    # differs from the usual model-based SE in the fourth digit; only loosely compared.
    hess, _ = ref.model.hessian(ref.params_object)
    p = len(fe)
    model_based_se = np.sqrt(np.diag(np.linalg.inv(-hess[:p, :p])))
    assert [e.se for e in ours.effects] == pytest.approx(model_based_se[1:], rel=VAR_RTOL)
    assert [e.se for e in ours.effects] == pytest.approx(np.asarray(ref.bse_fe)[1:], rel=1e-2)


@pytest.mark.parametrize("spec", list(CASES))
def test_log_likelihood_is_statsmodels_reml_criterion_at_our_estimates(spec: str) -> None:
    # An independent check of the closed forms: statsmodels evaluates its own (dense)
    # profiled REML likelihood at our variance ratios, and ours is no worse than its optimum.
    sample = case_sample(spec)
    ours = fit_ours(sample, spec)
    ref = reference_fit(spec)
    at_ours = ref.model.loglike(packed_ratios(ours, spec), profile_fe=True)
    assert ours.log_likelihood == pytest.approx(at_ours, rel=1e-11)
    assert ours.log_likelihood >= float(ref.llf) - 1e-9


def dense_reml(df: pd.DataFrame, ratios: dict[str, float]) -> float:
    """The profiled REML log-likelihood (statsmodels' constants) from dense matrices:
    V/σ² = I + Σ γ Z Z', groups taken within organisations as the model does."""
    x = np.column_stack(
        [np.ones(len(df)), (df["wave"] == "T1").to_numpy(), (df["wave"] == "T2").to_numpy()]
    ).astype(np.float64)
    y = df["score"].to_numpy()
    keys = {
        "participant": df["pid"],
        "group": df["org"] + "/" + df["group"],
        "organisation": df["org"],
    }
    v = np.eye(len(df))
    for name, gamma in ratios.items():
        codes, _ = pd.factorize(keys[name])
        z = (codes[:, None] == np.arange(codes.max() + 1)[None, :]).astype(np.float64)
        v += gamma * z @ z.T
    v_inv = np.linalg.inv(v)
    xvx = x.T @ v_inv @ x
    beta = np.linalg.solve(xvx, x.T @ v_inv @ y)
    r = y - x @ beta
    m = len(df) - x.shape[1]
    return float(
        -0.5 * np.linalg.slogdet(v)[1]
        - 0.5 * m * np.log(r @ v_inv @ r)
        - 0.5 * np.linalg.slogdet(xvx)[1]
        - 0.5 * m * np.log(2 * np.pi)
        + 0.5 * m * np.log(m)
        - 0.5 * m
    )


def test_variance_without_support_ends_exactly_zero_at_a_dense_reml_maximum() -> None:
    # No organisation or group effect in the data: both estimates sit on the boundary.
    # (statsmodels stops short of this optimum from its default start, so the check here is
    # a dense computation: our likelihood is its value, and stepping off the optimum in any
    # allowed direction lowers it.)
    sample = simulate(
        organisations=10, groups_per_org=4, people_per_group=6, seed=1, sd=(0.0, 0.0, 1.0, 0.8)
    )
    result = mixed_model(sample.scores, WAVES, group=sample.group, organisation=sample.organisation)
    assert result is not None
    assert result.converged
    assert result.variance_components["group"] == 0.0
    assert result.variance_components["organisation"] == 0.0
    df = long_format(sample)
    ratios = {k: v / result.residual_variance for k, v in result.variance_components.items()}
    assert dense_reml(df, ratios) == pytest.approx(result.log_likelihood, rel=1e-10)
    for name in ratios:
        for step in (1e-3, 1e-1):
            moved = dict(ratios)
            moved[name] = ratios[name] * (1 + step) if ratios[name] > 0 else step
            assert dense_reml(df, moved) < result.log_likelihood
            if ratios[name] > 0:
                moved[name] = ratios[name] * (1 - step)
                assert dense_reml(df, moved) < result.log_likelihood


def test_balanced_complete_data_gives_wave_mean_differences_and_anova_variances() -> None:
    scores = np.array(
        [
            [5.0, 4.0, 3.0],
            [7.0, 6.0, 6.0],
            [6.0, 4.0, 5.0],
            [8.0, 6.0, 4.0],
        ]
    )
    # Wave means 6.5, 5.0, 4.5. Two-way ANOVA: SS_person = 10 (3 df), SS_error = 4 (6 df),
    # so REML gives σ² = 4/6 and τ² = (10/3 − 4/6)/3 = 8/9; each contrast has SE √(2σ²/4).
    result = mixed_model(scores, WAVES)
    assert result is not None
    assert result.converged
    assert result.baseline_mean == pytest.approx(6.5, abs=1e-9)
    assert [e.estimate for e in result.effects] == pytest.approx([-1.5, -2.0], abs=1e-9)
    assert result.residual_variance == pytest.approx(2 / 3, rel=1e-7)
    assert result.variance_components["participant"] == pytest.approx(8 / 9, rel=1e-7)
    assert [e.se for e in result.effects] == pytest.approx([math.sqrt(1 / 3)] * 2, rel=1e-7)


def test_wave_effect_interval_and_p_value_are_wald_z() -> None:
    result = fit_ours(case_sample("group"), "group")
    for effect in result.effects:
        z = effect.estimate / effect.se
        assert effect.p == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
        assert effect.ci95_low == pytest.approx(effect.estimate - 1.959963984540054 * effect.se)
        assert effect.ci95_high == pytest.approx(effect.estimate + 1.959963984540054 * effect.se)


def test_people_with_one_score_only_give_least_squares_without_participant_level() -> None:
    scores = np.full((6, 3), np.nan)
    scores[[0, 1], 0] = [4.0, 6.0]  # T0 mean 5, deviations ±1
    scores[[2, 3], 1] = [3.0, 5.0]  # T1 mean 4, deviations ±1
    scores[[4, 5], 2] = [1.0, 5.0]  # T2 mean 3, deviations ±2
    result = mixed_model(scores, WAVES)
    assert result is not None
    assert result.levels == ()
    assert result.variance_components == {}
    assert "Participant level left out" in result.method
    assert result.baseline_mean == pytest.approx(5.0)
    assert [e.estimate for e in result.effects] == pytest.approx([-1.0, -2.0])
    # Pooled within-wave variance: (2 + 2 + 8) / (6 − 3).
    assert result.residual_variance == pytest.approx(4.0)


def test_people_with_missing_waves_are_counted() -> None:
    sample = case_sample("participant")
    result = fit_ours(sample, "participant")
    observed = np.isfinite(sample.scores)
    assert result.n_observations == int(observed.sum())
    assert result.n_participants == int(observed.any(axis=1).sum())
    assert result.n_units == {"participant": result.n_participants}
    assert f"{int((observed.any(axis=1) & ~observed.all(axis=1)).sum())} of them" in result.method


def test_level_needs_min_units_known_units_with_data() -> None:
    sample = simulate(organisations=1, groups_per_org=9, people_per_group=8, seed=3)
    sample.group[:4] = -1  # unknown groups do not count towards min_units
    result = mixed_model(sample.scores, WAVES, group=sample.group, organisation=sample.organisation)
    assert result is not None
    assert result.levels == ("participant",)
    assert "Group level left out: 9 groups with data, fewer than 10." in result.method
    assert "Organisation level left out: 1 organisation with data" in result.method

    lower = mixed_model(sample.scores, WAVES, group=sample.group, min_units=9)
    assert lower is not None
    assert lower.levels == ("participant", "group")
    # Nine known groups plus the four people of unknown group, each a group of their own.
    assert lower.n_units["group"] == 9 + 4
    assert "unknown group count as a unit of their own" in lower.method


def test_group_level_left_out_when_no_group_has_two_participants() -> None:
    sample = simulate(organisations=1, groups_per_org=12, people_per_group=1, seed=4, missing=0)
    result = mixed_model(sample.scores, WAVES, group=sample.group)
    assert result is not None
    assert result.levels == ("participant",)
    assert "no group has more than one participant" in result.method


def test_organisation_nests_groups_so_a_group_code_under_two_organisations_is_two_groups() -> None:
    sample = simulate(organisations=10, groups_per_org=2, people_per_group=5, seed=5)
    shared = sample.group % 2  # group codes 0 and 1 reused in every organisation
    result = mixed_model(sample.scores, WAVES, group=shared, organisation=sample.organisation)
    assert result is not None
    assert result.levels == ("participant", "organisation")  # only 2 distinct group codes
    result = mixed_model(
        sample.scores, WAVES, group=shared, organisation=sample.organisation, min_units=2
    )
    assert result is not None
    assert result.n_units == {
        "participant": int(np.isfinite(sample.scores).any(axis=1).sum()),
        "group": 20,
        "organisation": 10,
    }


@pytest.mark.parametrize(
    "scores",
    [
        np.array([[5.0, 4.0, 3.0]]),  # one person
        np.array([[5.0, np.nan, np.nan], [6.0, np.nan, np.nan]]),  # no later wave
        np.array([[np.nan, 4.0, 3.0], [np.nan, 5.0, 5.0]]),  # no first wave
        np.full((4, 3), np.nan),  # nothing
        np.array([[5.0, np.nan, np.nan], [np.nan, 4.0, np.nan]]),  # no residual df
        np.full((5, 3), 4.0),  # no variation at all
        np.array([[5.0, 4.0, 3.0], [5.0, 4.0, 3.0]]),  # variation only between waves
        # variation only between people and waves: no residual variation left
        np.array([[3.0, 2.0, 1.0], [5.0, 4.0, 3.0], [4.0, 3.0, np.nan], [7.0, np.nan, 5.0]]),
    ],
)
def test_too_little_data_gives_none(scores: FloatArray) -> None:
    assert mixed_model(scores, WAVES) is None


def test_wave_without_data_gets_no_effect() -> None:
    sample = case_sample("participant")
    sample.scores[:, 1] = np.nan
    result = fit_ours(sample, "participant")
    assert [e.wave for e in result.effects] == ["T2"]


def test_shape_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="people × len"):
        mixed_model(np.zeros((3, 2)), WAVES)
    with pytest.raises(ValueError, match="one code per person"):
        mixed_model(np.zeros((3, 3)), WAVES, group=np.zeros(2, dtype=np.int32))


def test_fit_is_deterministic_and_independent_of_row_order() -> None:
    sample = case_sample("three")
    first = fit_ours(sample, "three")
    assert fit_ours(sample, "three") == first
    perm = np.random.default_rng(0).permutation(sample.scores.shape[0])
    shuffled = Sample(sample.scores[perm], sample.group[perm], sample.organisation[perm])
    again = fit_ours(shuffled, "three")
    assert again.baseline_mean == pytest.approx(first.baseline_mean, rel=1e-9)
    assert [e.estimate for e in again.effects] == pytest.approx(
        [e.estimate for e in first.effects], rel=1e-8
    )
    assert again.log_likelihood == pytest.approx(first.log_likelihood, rel=1e-12)
    assert again.n_units == first.n_units


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shift=st.floats(-50, 50),
    factor=st.floats(0.1, 20),
)
def test_rescaling_scores_rescales_the_fit(seed: int, shift: float, factor: float) -> None:
    sample = simulate(organisations=2, groups_per_org=6, people_per_group=5, seed=seed)
    base = mixed_model(sample.scores, WAVES, group=sample.group)
    moved = mixed_model(sample.scores * factor + shift, WAVES, group=sample.group)
    assert base is not None and moved is not None
    assert moved.baseline_mean == pytest.approx(base.baseline_mean * factor + shift, rel=1e-6)
    for a, b in zip(moved.effects, base.effects, strict=True):
        assert a.estimate == pytest.approx(b.estimate * factor, rel=1e-5, abs=1e-7 * factor)
        assert a.p == pytest.approx(b.p, rel=1e-4, abs=1e-12)
    assert moved.residual_variance == pytest.approx(base.residual_variance * factor**2, rel=1e-5)
    # REML density of c·y: the log-likelihood moves by −(n − p)·log c.
    m = base.n_observations - 3
    assert moved.log_likelihood == pytest.approx(base.log_likelihood - m * math.log(factor))
