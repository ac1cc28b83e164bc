"""Benchmark of the evaluation report: Spejl's statistics and report JSON against a
straightforward pandas/scipy computation of the same figures, in the same run.

    .venv/bin/python benchmarks/run_evaluation.py [--people 100000] [--seed 1]
                                                  [--mixed-sample 3000] [--skip-export]

Prints, for a synthetic programme of ``--people`` course participations × 3 waves × 5
instruments (``spejl/testing/evaluation.py``):

* Spejl: ``build_report`` + ``json.dumps`` (the whole report: waves, pairs, effect sizes, RCI,
  cut-offs, distributions, subgroups, attendance, attrition and the mixed model), wall time
  and peak resident memory of this process;
* baseline: the same paired statistics, RCI, cut-off tables, subgroups and attrition computed
  the plain way with pandas ``groupby`` and scipy/statsmodels tests, and the ratio;
* the mixed model alone against statsmodels' ``MixedLM`` on a ``--mixed-sample`` subsample
  (statsmodels on the full data would take far longer than the report's budget, so the
  like-for-like comparison is made where both finish);
* an SPSS ``.sav`` export of the same data (by-wave layout, as a delivery makes it: records,
  layout and file) through ``spejl/core/exports`` (``evaluation_export.py``).

Targets (issue 7): report ≤ 10 s and ≤ 2 GB; ``.sav`` ≤ 30 s. Exits 0 (it is a report).
Touches no personal data.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from spejl.core.evaluation.dataset import WAVE_PAIRS, WAVES, Dataset  # noqa: E402
from spejl.core.evaluation.report import SUBGROUP_VARIABLES, build_report  # noqa: E402
from spejl.testing.evaluation import synthetic_dataset  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(dataset: Dataset) -> dict[str, Any]:
    """The same figures, computed the way an analyst would in a notebook."""
    from statsmodels.stats.contingency_tables import mcnemar

    people = pd.DataFrame(
        {
            name: pd.Categorical.from_codes(
                getattr(dataset, name).codes, categories=list(getattr(dataset, name).labels)
            )
            for name in SUBGROUP_VARIABLES
        }
    )
    out: dict[str, Any] = {}
    for outcome in dataset.outcomes:
        frame = pd.DataFrame(dataset.scores[outcome.code], columns=list(WAVES))
        result: dict[str, Any] = {"waves": frame.agg(["count", "mean", "std"]).to_dict()}
        for wave_from, wave_to in WAVE_PAIRS:
            both = frame[[wave_from, wave_to]].dropna()
            pre, post = both[wave_from], both[wave_to]
            change = post - pre
            n = len(both)
            sd_pre, sd_post = pre.std(), post.std()
            r = np.corrcoef(pre, post)[0, 1]
            j = 1 - 3 / (4 * (n - 1) - 1)
            d_z = change.mean() / change.std()
            d_av = change.mean() / ((sd_pre + sd_post) / 2)
            d_rm = (
                change.mean()
                / np.sqrt(sd_pre**2 + sd_post**2 - 2 * r * sd_pre * sd_post)
                * np.sqrt(2 * (1 - r))
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = stats.ttest_rel(post, pre)
                w = stats.wilcoxon(change)
            ci = stats.t.interval(0.95, n - 1, loc=change.mean(), scale=change.std() / np.sqrt(n))
            pair: dict[str, Any] = {
                "n": n,
                "t": t.statistic,
                "p": t.pvalue,
                "w": w.pvalue,
                "ci": ci,
                "d": (d_z, d_av, d_rm),
                "g": (d_z * j, d_av * j, d_rm * j),
            }
            if outcome.reliability is not None:
                s_diff = np.sqrt(2) * sd_pre * np.sqrt(1 - outcome.reliability)
                rci = change / s_diff
                pair["rci"] = ((rci > 1.96).sum(), (rci.abs() <= 1.96).sum(), (rci < -1.96).sum())
            if outcome.cutoff is not None:
                a = outcome.cutoff.is_case(pre.to_numpy())
                b = outcome.cutoff.is_case(post.to_numpy())
                table = pd.crosstab(
                    pd.Categorical(a, [True, False]), pd.Categorical(b, [True, False]), dropna=False
                )
                pair["mcnemar"] = mcnemar(table.to_numpy(), exact=True).pvalue
            joined = people.loc[both.index].assign(change=change)
            pair["subgroups"] = {
                name: joined.groupby(name, observed=False)["change"].agg(["count", "mean", "std"])
                for name in SUBGROUP_VARIABLES
            }
            pair["trend"] = stats.linregress(dataset.attended[both.index], change)
            result[f"{wave_from}-{wave_to}"] = pair
        base = frame["T0"]
        for wave in WAVES[1:]:
            answered = frame[wave].notna()
            kept, lost = base[answered].dropna(), base[~answered].dropna()
            result[f"attrition-{wave}"] = stats.ttest_ind(kept, lost, equal_var=False)
        out[outcome.code] = result
    return out


def mixed_comparison(dataset: Dataset, sample: int) -> tuple[float, float]:
    import statsmodels.formula.api as smf

    from spejl.core.evaluation.mixed import mixed_model

    code = dataset.outcomes[0].code
    scores = dataset.scores[code][:sample]
    start = time.perf_counter()
    mixed_model(scores, WAVES)
    ours = time.perf_counter() - start
    long = pd.DataFrame(scores, columns=list(WAVES)).stack().dropna().rename("score").reset_index()
    long.columns = ["pid", "wave", "score"]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        smf.mixedlm("score ~ C(wave)", long, groups=long["pid"]).fit(reml=True)
    theirs = time.perf_counter() - start
    return ours, theirs


def sav_export(dataset: Dataset) -> tuple[float, int] | None:
    try:
        from benchmarks.evaluation_export import write_sav_long
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        rows = write_sav_long(dataset, Path(directory) / "export.sav")
        return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mixed-sample", type=int, default=3000)
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    dataset = synthetic_dataset(args.people, seed=args.seed)
    print(
        f"data: {dataset.n:,} participations × {len(WAVES)} waves × "
        f"{len(dataset.outcomes)} instruments"
    )
    rss_before = peak_rss_mib()

    start = time.perf_counter()
    report = build_report(dataset, meta={"scope": {"level": "national"}})
    text = json.dumps(report)
    spejl_s = time.perf_counter() - start
    rss_report = peak_rss_mib()

    start = time.perf_counter()
    baseline(dataset)
    base_s = time.perf_counter() - start

    print(f"Spejl report + JSON:      {spejl_s:8.2f} s  ({len(text) / 1e6:.1f} MB JSON)")
    print(f"pandas/scipy baseline:    {base_s:8.2f} s  (same figures without the mixed model)")
    print(f"ratio Spejl / baseline:   {spejl_s / base_s:8.2f}")
    print(
        f"peak RSS:                 {rss_report:8.0f} MiB (before the report: {rss_before:.0f} MiB)"
    )
    ours, theirs = mixed_comparison(dataset, args.mixed_sample)
    print(
        f"mixed model, {args.mixed_sample:,} people: Spejl {ours:.2f} s, statsmodels MixedLM "
        f"{theirs:.2f} s, ratio {ours / theirs:.3f}"
    )
    export = None if args.skip_export else sav_export(dataset)
    if export is not None:
        seconds, rows = export
        print(f".sav export (by wave):    {seconds:8.2f} s  ({rows:,} rows)")
    print()
    print(f"target report ≤ 10 s:  {'PASS' if spejl_s <= 10 else 'FAIL'}")
    print(f"target memory ≤ 2 GB:  {'PASS' if rss_report <= 2048 else 'FAIL'}")
    if export is not None:
        print(f"target .sav ≤ 30 s:    {'PASS' if export[0] <= 30 else 'FAIL'}")


if __name__ == "__main__":
    main()
