"""Benchmark of group formation: the MILP (HiGHS) against the greedy baseline, same run.

    .venv/bin/python benchmarks/run_formation.py [--sizes org,national,stress]
                                                 [--time-limit-scale 1.0] [--seed 1]
                                                 [--trace separate|inline|off]

Each size runs in a subprocess of its own, so the process's peak resident memory
(``ru_maxrss``) belongs to that size alone. Python allocations are measured with
``tracemalloc`` in a second subprocess by default (``--trace separate``), because tracing
slows allocation-heavy Python and would distort the timings; ``--trace inline`` measures
both in one process (faster, timings include the tracing overhead), ``--trace off`` skips
it. Prints a table and a pass/fail line per target; always exits 0 (it is a report).

Touches no personal data: the instances are synthetic (``formation_instances.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import traceback
import tracemalloc
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script from anywhere: make ``spejl`` and ``benchmarks`` importable.
    sys.path.insert(0, str(ROOT))

from benchmarks.formation_instances import make_instance  # noqa: E402

MIB = 1024 * 1024
MEMORY_LIMIT_MIB = 1024  # "1 GB" read as 1 GiB of peak resident memory
TRACED_KEYS = ("traced_build_peak_mib", "traced_greedy_peak_mib", "traced_milp_peak_mib")


@dataclass(frozen=True)
class Size:
    name: str
    people: int
    groups: int
    #: Time limit handed to the solver (seconds, before scaling).
    time_limit: float
    #: The target's wall-clock limit for one MILP solve (seconds, before scaling).
    target_seconds: float
    #: The target's largest relative gap; ``None``: any reported gap will do.
    target_gap: float | None
    #: One organisation's area: people and groups within ``radius_km`` of this postcode;
    #: ``None``: spread over all of Denmark.
    around: str | None = None
    radius_km: float = 20.0


SIZES: dict[str, Size] = {
    # A coordinator's round in one organisation's area (20 km around Aarhus C): must be
    # proven optimal within a second; the solver gets 10 s so a miss shows how far off it is
    # instead of being cut off. Spread over all of Denmark, 30 groups are so far apart that
    # hardly anyone can reach one, and the round would measure nothing.
    "org": Size(
        "org", 200, 30, time_limit=10.0, target_seconds=1.0, target_gap=0.001, around="8000"
    ),
    # FriSe's whole network in a year: about 5,000 participants in 600 groups.
    "national": Size("national", 5_000, 600, time_limit=30.0, target_seconds=30.0, target_gap=0.01),
    "stress": Size(
        "stress", 50_000, 6_000, time_limit=300.0, target_seconds=300.0, target_gap=None
    ),
}


# --- child: one size in one process --------------------------------------------------------


def _rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _summary(solution: Any, wall: float) -> dict[str, Any]:
    return {
        "status": solution.status,
        "gap": solution.gap,
        "objective": solution.objective,
        "bound": solution.bound,
        "objective_terms": dict(solution.objective_terms),
        "placed": solution.placed_count,
        "travel_km": solution.travel_km,
        "unplaced": len(solution.unplaced),
        "opened": len(solution.opened_group_ids),
        "solve_seconds": solution.solve_seconds,
        "wall_seconds": wall,
        "solver": solution.solver,
    }


def run_child(size: Size, *, time_limit: float, seed: int, trace: bool) -> dict[str, Any]:
    """Build one instance, run greedy and MILP on it, and measure time and memory."""
    from spejl.core.formation.greedy import greedy
    from spejl.core.formation.milp import solve

    out: dict[str, Any] = {"size": size.name, "traced": trace, "rss_start_mib": _rss_mib()}
    if trace:
        tracemalloc.start()

    start = time.perf_counter()
    instance = make_instance(
        size.people, size.groups, seed=seed, around=size.around, radius_km=size.radius_km
    )
    out["build_seconds"] = time.perf_counter() - start
    out["rss_after_build_mib"] = _rss_mib()
    out["free_seats"] = sum(g.free for g in instance.groups)
    out["pairs"] = len(instance.pairs)
    if trace:
        out["traced_build_peak_mib"] = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.reset_peak()

    start = time.perf_counter()
    greedy_solution = greedy(instance)
    out["greedy"] = _summary(greedy_solution, time.perf_counter() - start)
    out["rss_after_greedy_mib"] = _rss_mib()
    if trace:
        out["traced_greedy_peak_mib"] = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.reset_peak()
    del greedy_solution

    start = time.perf_counter()
    try:
        milp_solution = solve(instance, time_limit=time_limit)
    except Exception as error:  # a crash is a result to report, not the end of the run
        out["milp"] = None
        out["milp_error"] = f"{type(error).__name__}: {error}"
        out["milp_traceback"] = traceback.format_exc().strip().splitlines()[-12:]
        out["milp_error_seconds"] = time.perf_counter() - start
    else:
        out["milp"] = _summary(milp_solution, time.perf_counter() - start)
    out["rss_after_milp_mib"] = _rss_mib()
    if trace:
        out["traced_milp_peak_mib"] = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()
    return out


def _spawn(
    size: Size, *, time_limit: float, seed: int, trace: bool
) -> tuple[dict[str, Any] | None, str]:
    """Run one size in a fresh interpreter; (result, error message)."""
    with tempfile.TemporaryDirectory() as tmp:
        result_path = Path(tmp) / "result.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            size.name,
            "--child-time-limit",
            repr(time_limit),
            "--seed",
            str(seed),
            "--out",
            str(result_path),
        ]
        if trace:
            command.append("--child-trace")
        # Generous: building the stress instance, greedy and writing the answer come on
        # top of the solver's own limit.
        timeout = 3 * time_limit + 900
        try:
            done = subprocess.run(  # noqa: S603 (our own interpreter and script)
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return None, f"killed after {timeout:.0f} s"
        if done.returncode != 0 or not result_path.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            return None, f"exit {done.returncode}: " + " | ".join(tail)
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        return result, ""


# --- parent: the report ---------------------------------------------------------------------


def machine_description() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        highs = metadata.version("highspy")
    except metadata.PackageNotFoundError:
        highs = "not installed"
    return [
        f"CPU: {model}; {os.cpu_count()} logical CPUs (nproc {len(os.sched_getaffinity(0))})",
        f"Memory: {memory}",
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"HiGHS (highspy) {highs}",
    ]


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "—"


def _gap(gap: float | None) -> str:
    return "—" if gap is None else f"{100 * gap:.3f} %"


def _per_placed(km: float, placed: int) -> float | None:
    return km / placed if placed else None


def checks(size: Size, r: dict[str, Any], scale: float) -> list[tuple[str, bool]]:
    """The targets for one size as (description, met)."""
    milp, greedy = r["milp"], r["greedy"]
    seconds = size.target_seconds * scale
    if milp is None:
        return [(f"MILP raised {r['milp_error']} after {r['milp_error_seconds']:.0f} s", False)]
    gap = milp["gap"]
    found = milp["status"] not in ("infeasible", "error") and gap is not None
    out: list[tuple[str, bool]] = []
    if size.target_gap is not None:
        out.append(
            (
                f"gap ≤ {100 * size.target_gap:g} % (is {_gap(gap)}, status {milp['status']})",
                gap is not None and gap <= size.target_gap,
            )
        )
    else:
        out.append((f"feasible with a reported gap (status {milp['status']})", found))
    out.append(
        (
            f"MILP wall time ≤ {seconds:g} s (is {milp['wall_seconds']:.2f} s)",
            milp["wall_seconds"] <= seconds,
        )
    )
    if size.name == "national":
        out.append(
            (
                f"peak RSS ≤ {MEMORY_LIMIT_MIB} MiB (is {r['rss_after_milp_mib']:.0f} MiB)",
                r["rss_after_milp_mib"] <= MEMORY_LIMIT_MIB,
            )
        )
        out.append(
            (
                f"placed ≥ greedy ({milp['placed']} vs {greedy['placed']})",
                milp["placed"] >= greedy["placed"],
            )
        )
        m_km = _per_placed(milp["travel_km"], milp["placed"])
        g_km = _per_placed(greedy["travel_km"], greedy["placed"])
        out.append(
            (
                f"km per placed person < greedy's ({m_km or 0:.2f} vs {g_km or 0:.2f})",
                m_km is not None and g_km is not None and m_km < g_km,
            )
        )
    return out


def table(results: list[tuple[Size, dict[str, Any]]]) -> str:
    head = [
        "size",
        "people × groups",
        "build s",
        "MILP s (wall / solver)",
        "gap",
        "status",
        "placed",
        "travel km",
        "greedy placed",
        "greedy km",
        "placed MILP/greedy",
        "km MILP/greedy",
        "km per placed MILP/greedy",
        "peak RSS MiB",
        "traced peak MiB",
    ]
    rows = [head, ["---"] * len(head)]
    for size, r in results:
        m, g = r["milp"], r["greedy"]
        traced = [r[k] for k in TRACED_KEYS if k in r]
        traced_text = f"{max(traced):.1f}" if traced else "—"
        if m is None:
            milp_cells = [
                f"crashed after {r['milp_error_seconds']:.0f} s",
                "—",
                f"error ({r['milp_error'].split(':', 1)[0]})",
                "—",
                "—",
            ]
            ratio_cells = ["—", "—", "—"]
        else:
            m_pp = _per_placed(m["travel_km"], m["placed"])
            g_pp = _per_placed(g["travel_km"], g["placed"])
            milp_cells = [
                f"{m['wall_seconds']:.2f} / {m['solve_seconds']:.2f}",
                _gap(m["gap"]),
                m["status"],
                f"{m['placed']:,}",
                f"{m['travel_km']:,.0f}",
            ]
            ratio_cells = [
                _ratio(m["placed"], g["placed"]),
                _ratio(m["travel_km"], g["travel_km"]),
                "—" if m_pp is None or g_pp is None else _ratio(m_pp, g_pp),
            ]
        rows.append(
            [
                size.name,
                f"{size.people:,} × {size.groups:,}",
                f"{r['build_seconds']:.2f}",
                *milp_cells,
                f"{g['placed']:,}",
                f"{g['travel_km']:,.0f}",
                *ratio_cells,
                f"{r['rss_after_milp_mib']:.0f}",
                traced_text,
            ]
        )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def details(size: Size, r: dict[str, Any]) -> list[str]:
    m, g = r["milp"], r["greedy"]
    lines = [
        f"{size.name} ({_area(size)}): {r['free_seats']:,} free seats, {r['pairs']} pairs; "
        f"time limit {r['time_limit']:g} s",
    ]
    if m is None:
        lines.append(f"  MILP   raised {r['milp_error']} after {r['milp_error_seconds']:.1f} s:")
        lines.extend(f"         {line}" for line in r["milp_traceback"])
    else:
        lines += [
            f"  MILP   ({m['solver']}) objective {m['objective']:,.1f} (bound {m['bound']}), "
            f"{m['unplaced']:,} unplaced, {m['opened']} planned groups opened",
            f"  objective MILP/greedy {_ratio(m['objective'], g['objective'])}",
            f"  MILP terms   {_terms(m['objective_terms'])}",
        ]
    lines += [
        f"  greedy objective {g['objective']:,.1f}, {g['unplaced']:,} unplaced, "
        f"{g['opened']} planned groups opened, {g['wall_seconds']:.2f} s",
        f"  greedy terms {_terms(g['objective_terms'])}",
        f"  peak RSS MiB: at start {r['rss_start_mib']:.0f}, after build "
        f"{r['rss_after_build_mib']:.0f}, after greedy {r['rss_after_greedy_mib']:.0f}, "
        f"after MILP {r['rss_after_milp_mib']:.0f}",
    ]
    if "traced_milp_peak_mib" in r:
        lines.append(
            f"  tracemalloc peak MiB ({r.get('trace_mode')}): build "
            f"{r['traced_build_peak_mib']:.1f}, greedy {r['traced_greedy_peak_mib']:.1f}, "
            f"MILP {r['traced_milp_peak_mib']:.1f}"
        )
    return lines


def _area(size: Size) -> str:
    if size.around is None:
        return "all of Denmark"
    return f"within {size.radius_km:g} km of postcode {size.around}"


def _terms(terms: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:,.1f}" for k, v in terms.items()) or "—"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="org,national,stress")
    parser.add_argument("--time-limit-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trace", choices=("separate", "inline", "off"), default="separate")
    # Internal: a child process running one size.
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-time-limit", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--child-trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        measured = run_child(
            SIZES[args.child],
            time_limit=args.child_time_limit,
            seed=args.seed,
            trace=args.child_trace,
        )
        Path(args.out).write_text(json.dumps(measured), encoding="utf-8")
        return 0

    names = [n.strip() for n in args.sizes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    scale = args.time_limit_scale

    print("Group-formation benchmark: MILP (HiGHS) vs greedy baseline, same run")
    for line in machine_description():
        print("  " + line)
    print(f"  seed {args.seed}; time limits and time targets × {scale:g}; trace {args.trace}")
    print(flush=True)

    results: list[tuple[Size, dict[str, Any]]] = []
    failures: list[str] = []
    for name in names:
        size = SIZES[name]
        limit = size.time_limit * scale
        print(f"[{name}] {size.people:,} people × {size.groups:,} groups, limit {limit:g} s …")
        started = time.perf_counter()
        result, error = _spawn(size, time_limit=limit, seed=args.seed, trace=args.trace == "inline")
        if result is None:
            print(f"[{name}] FAILED to run: {error}", flush=True)
            failures.append(f"{name}: {error}")
            continue
        result["time_limit"] = limit
        result["trace_mode"] = args.trace
        if result["milp"] is None:
            print(f"[{name}] MILP raised {result['milp_error']}", flush=True)
        elif args.trace == "separate":
            traced, error = _spawn(size, time_limit=limit, seed=args.seed, trace=True)
            if traced is None:
                print(f"[{name}] tracemalloc pass failed: {error}")
            else:
                for key in TRACED_KEYS:
                    result[key] = traced[key]
        print(f"[{name}] done in {time.perf_counter() - started:.0f} s", flush=True)
        results.append((size, result))

    print()
    if results:
        print(table(results))
        print()
        for size, r in results:
            print("\n".join(details(size, r)))
        print()
        print("Targets")
        for size, r in results:
            for text, met in checks(size, r, scale):
                print(f"  {'PASS' if met else 'FAIL'}  {size.name}: {text}")
    for failure in failures:
        print(f"  FAIL  {failure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
