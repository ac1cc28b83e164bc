"""Benchmark of the REML mixed model at national scale, against statsmodels in the same run.

    .venv/bin/python benchmarks/mixed_scale.py [--people 100000] [--subsample 2000]
                                               [--repeats 3] [--seed 1]

Times ``spejl.core.evaluation.mixed.mixed_model`` on ``--people`` people × 3 waves (about a
quarter of the scores missing, about 10 people per group, 50 organisations) for three
specifications — participant only; participant in group; participant in group in
organisation — and statsmodels' ``MixedLM(reml=True)`` with its default optimiser settings on
a ``--subsample`` of whole groups, where the mixed model is timed too. Prints the times, the
ratios and the largest difference between the two fits' wave contrasts on the subsample. The
target is well under 2 s per outcome at 100,000 people (the report has 10 s for 5 outcomes).
Always exits 0 (it is a report).

Touches no personal data: the scores are simulated.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script from anywhere: make ``spejl`` importable.
    sys.path.insert(0, str(ROOT))

from spejl.core.evaluation.dataset import WAVES, FloatArray, IntArray  # noqa: E402
from spejl.core.evaluation.mixed import MixedModelResult, mixed_model  # noqa: E402

TARGET_SECONDS = 2.0
SPECS = ("participant", "group", "organisation")


def simulate(people: int, seed: int) -> tuple[FloatArray, IntArray, IntArray]:
    rng = np.random.default_rng(seed)
    n_groups = max(people // 10, 1)
    group = np.sort(rng.integers(0, n_groups, people)).astype(np.int32)
    organisation = (group * 50 // n_groups).astype(np.int32)
    person = (
        rng.normal(0, 0.7, 50)[organisation]
        + rng.normal(0, 0.5, n_groups)[group]
        + rng.normal(0, 1.0, people)
    )
    scores = 6.0 + np.array([0.0, -0.6, -0.9]) + person[:, None] + rng.normal(0, 0.8, (people, 3))
    scores[rng.random((people, 3)) < 0.25] = np.nan
    return scores, group, organisation


def fit_ours(
    spec: str, scores: FloatArray, group: IntArray, organisation: IntArray
) -> MixedModelResult | None:
    return mixed_model(
        scores,
        WAVES,
        group=group if spec != "participant" else None,
        organisation=organisation if spec == "organisation" else None,
    )


def fit_statsmodels(spec: str, scores: FloatArray, group: IntArray, organisation: IntArray) -> Any:
    people, waves = np.nonzero(np.isfinite(scores))
    df = pd.DataFrame(
        {
            "pid": people,
            "group": group[people],
            "org": organisation[people],
            "wave": np.asarray(WAVES)[waves],
            "score": scores[people, waves],
        }
    )
    formula = "score ~ C(wave)"
    if spec == "participant":
        model = smf.mixedlm(formula, df, groups=df["pid"])
    elif spec == "group":
        model = smf.mixedlm(
            formula, df, groups="group", re_formula="1", vc_formula={"pid": "0 + C(pid)"}
        )
    else:
        model = smf.mixedlm(
            formula,
            df,
            groups="org",
            re_formula="1",
            vc_formula={"group": "0 + C(group)", "pid": "0 + C(pid)"},
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(reml=True)


def timed(repeats: int, fn: Any, *args: Any) -> tuple[float, Any]:
    """Median wall-clock seconds over ``repeats`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--subsample", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scores, group, organisation = simulate(args.people, args.seed)
    # A subsample of whole groups, so every level keeps its structure.
    order = np.random.default_rng(args.seed).permutation(int(group.max()) + 1)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    sub = np.argsort(rank[group], kind="stable")[: args.subsample]
    sub_args = (scores[sub], group[sub], organisation[sub])

    print(
        f"Mixed model (REML) benchmark — {platform.processor() or platform.machine()},"
        f" {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(
        f"{args.people:,} people × 3 waves ({int(np.isfinite(scores).sum()):,} scores);"
        f" statsmodels on {args.subsample:,} people; median of {args.repeats} runs for ours"
    )
    header = (
        f"{'levels':<13}{'ours full s':>12}{'ours sub s':>11}{'statsm. sub s':>14}"
        f"{'sm sub/ours full':>17}{'sm/ours sub':>12}{'max |Δβ| sub':>14}  target"
    )
    print(header)
    for spec in SPECS:
        full_s, full = timed(args.repeats, fit_ours, spec, scores, group, organisation)
        sub_s, ours_sub = timed(args.repeats, fit_ours, spec, *sub_args)
        sm_s, ref = timed(1, fit_statsmodels, spec, *sub_args)
        assert full is not None and ours_sub is not None
        ours_beta = np.array([ours_sub.baseline_mean] + [e.estimate for e in ours_sub.effects])
        diff = float(np.max(np.abs(ours_beta - np.asarray(ref.fe_params))))
        verdict = "pass" if full_s < TARGET_SECONDS and full.converged else "FAIL"
        print(
            f"{spec:<13}{full_s:>12.3f}{sub_s:>11.3f}{sm_s:>14.3f}{sm_s / full_s:>17.1f}"
            f"{sm_s / sub_s:>12.1f}{diff:>14.2e}  {verdict} (< {TARGET_SECONDS:g} s,"
            f" converged={full.converged})"
        )


if __name__ == "__main__":
    main()
