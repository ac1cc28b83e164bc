"""Crossing a clinical cut-off between two waves, with the exact McNemar test.

A *case* meets the instrument's cut-off (e.g. T-ILS ≥ 7, signs of severe loneliness; WHO-5
≤ 50, poor well-being). Among complete pairs we count who stayed a case, moved out of being
a case, moved in, or stayed a non-case, and test whether moving out and moving in are equally
likely. Personal data: scores of pseudonymous rows in, counts out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from spejl.core.evaluation.dataset import Cutoff, FloatArray
from spejl.core.evaluation.paired import as_optional, complete_pairs

__all__ = ["CutoffResult", "cases_at_wave", "cutoff_crossing", "mcnemar_exact_p"]


@dataclass(frozen=True)
class CutoffResult:
    """Counts of cut-off crossings over the complete pairs, and the exact McNemar p."""

    wave_from: str
    wave_to: str
    n_pairs: int
    case_from: int
    non_case_from: int
    case_to: int
    non_case_to: int
    stayed_case: int
    #: case → non-case (for a "case = worse" cut-off, this is getting better).
    moved_out: int
    #: non-case → case.
    moved_in: int
    stayed_non_case: int
    #: rows: case / non-case at ``wave_from``; columns: case / non-case at ``wave_to``.
    table: tuple[tuple[int, int], tuple[int, int]]
    mcnemar_p: float | None
    method: str


def mcnemar_exact_p(moved_out: int, moved_in: int) -> float:
    """Exact two-sided McNemar p: min(1, 2 · P(X ≤ min(b, c))), X ~ Bin(b + c, ½).

    Matches ``statsmodels.stats.contingency_tables.mcnemar(table, exact=True)``, including
    p = 1.0 when there are no discordant pairs.
    """
    if moved_out < 0 or moved_in < 0:
        raise ValueError("counts must be non-negative")
    discordant = moved_out + moved_in
    p = 2.0 * float(stats.binom.cdf(min(moved_out, moved_in), discordant, 0.5))
    return min(1.0, p)


_SYMBOL = {">=": "≥", "<=": "≤"}


def _method(cutoff: Cutoff) -> str:
    return (
        f"Complete pairs only. A case has a score {_SYMBOL[cutoff.op]} {cutoff.value:g} "
        f"({cutoff.label_en}; {cutoff.source}). Exact McNemar test: two-sided binomial test of "
        "the discordant pairs, p = min(1, 2 · P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½), "
        "b = moved out of being a case, c = moved in; p = 1 when there are no discordant pairs "
        "(as statsmodels' mcnemar(exact=True)); no p when there are no complete pairs."
    )


def cases_at_wave(values: FloatArray, cutoff: Cutoff) -> tuple[int, int]:
    """(cases, non-cases) among the non-missing scores of one wave."""
    array = np.asarray(values, dtype=np.float64)
    present = int(np.count_nonzero(~np.isnan(array)))
    cases = int(np.count_nonzero(cutoff.is_case(array)))
    return cases, present - cases


def cutoff_crossing(
    pre: FloatArray, post: FloatArray, cutoff: Cutoff, *, wave_from: str, wave_to: str
) -> CutoffResult:
    """Count crossings of ``cutoff`` from ``wave_from`` to ``wave_to`` and test them (McNemar)."""
    x, y = complete_pairs(pre, post)
    n = int(x.shape[0])
    case_x = cutoff.is_case(x)
    case_y = cutoff.is_case(y)
    stayed_case = int(np.count_nonzero(case_x & case_y))
    moved_out = int(np.count_nonzero(case_x & ~case_y))
    moved_in = int(np.count_nonzero(~case_x & case_y))
    stayed_non_case = n - stayed_case - moved_out - moved_in
    return CutoffResult(
        wave_from=wave_from,
        wave_to=wave_to,
        n_pairs=n,
        case_from=stayed_case + moved_out,
        non_case_from=moved_in + stayed_non_case,
        case_to=stayed_case + moved_in,
        non_case_to=moved_out + stayed_non_case,
        stayed_case=stayed_case,
        moved_out=moved_out,
        moved_in=moved_in,
        stayed_non_case=stayed_non_case,
        table=((stayed_case, moved_out), (moved_in, stayed_non_case)),
        mcnemar_p=as_optional(mcnemar_exact_p(moved_out, moved_in)) if n > 0 else None,
        method=_method(cutoff),
    )
