"""The evaluation report as plain JSON-ready data, built from a :class:`Dataset`.

Every statistic is computed by the modules beside this one and passes through small-cell
suppression here, on its way out: nothing resting on fewer than ``min_cell`` persons leaves
this module, and a withheld cell cannot be recomputed from totals or other cells
(``suppression``). The JSON shape is documented as a JSON Schema in ``docs/report-schema.md``
(``REPORT_SCHEMA_VERSION``); field names follow the statistics' result classes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from spejl.core.evaluation import compare, cutoff, mixed, paired, rci, suppression
from spejl.core.evaluation.dataset import (
    WAVE_PAIRS,
    WAVES,
    Categorical,
    Dataset,
    FloatArray,
    Outcome,
)

REPORT_SCHEMA_VERSION = "1.0"

#: Subgroup variables: report key → dataset attribute.
SUBGROUP_VARIABLES: tuple[str, ...] = (
    "age_band",
    "gender",
    "target",
    "organisation",
    "living_alone",
)

JSON = dict[str, Any]
Progress = Callable[[int, str], None]


def _no_progress(percent: int, stage: str) -> None:
    return None


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, non-finite floats to ``None``, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _as_dict(result: Any) -> JSON:
    data: JSON = _clean(dataclasses.asdict(result))
    return data


def _withhold(data: JSON, *, keep: Sequence[str] = ("method",)) -> JSON:
    """The same object with every statistic blanked and ``suppressed: true``."""
    out: JSON = {}
    for key, value in data.items():
        if key in keep or key in ("wave", "wave_from", "wave_to", "level", "variable"):
            out[key] = value
        elif isinstance(value, (dict, list)):
            out[key] = None
        else:
            out[key] = None
    out["suppressed"] = True
    return out


def _cells(values: Sequence[int], min_cell: int, *, total_published: bool = True) -> list[JSON]:
    return [
        {"value": cell.value, "suppressed": cell.suppressed}
        for cell in suppression.suppress_counts(
            list(values), min_cell=min_cell, total_published=total_published
        )
    ]


def _pair_arrays(scores: FloatArray, wave_from: str, wave_to: str) -> tuple[FloatArray, FloatArray]:
    return scores[:, WAVES.index(wave_from)], scores[:, WAVES.index(wave_to)]


def _complete(pre: FloatArray, post: FloatArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return np.asarray(~(np.isnan(pre) | np.isnan(post)), dtype=np.bool_)


def distribution_bins(outcome: Outcome) -> list[tuple[str, float, float]]:
    """Bins for the before/after distribution: each value for short integer scales, else five
    equal-width bins over the score range (labels ``low–high``)."""
    low, high = outcome.score_min, outcome.score_max
    if high - low <= 12 and float(low).is_integer():
        return [(f"{int(v)}", v, v) for v in np.arange(low, high + 1)]
    width = (high - low) / 5
    bins = []
    for i in range(5):
        start = low + i * width
        end = high if i == 4 else low + (i + 1) * width
        bins.append((f"{start:g}–{end:g}", start, end))
    return bins


def _bin_counts(values: FloatArray, bins: list[tuple[str, float, float]]) -> list[int]:
    counts = []
    for i, (_label, start, end) in enumerate(bins):
        upper = values <= end if i == len(bins) - 1 else values < (bins[i + 1][1])
        counts.append(int(np.count_nonzero((values >= start) & upper)))
    return counts


def _distribution_cells(
    counts: list[int],
    bins: list[tuple[str, float, float]],
    outcome: Outcome,
    min_cell: int,
    margins: tuple[bool, bool] = (True, True),
) -> list[JSON]:
    """Bin counts with suppression that also holds against the cut-off table: the bins wholly
    on either side of the cut-off add up to a published margin (cases / non-cases), so a
    withheld bin must never be the only withheld one on its side either."""
    cells = [
        {"value": c.value, "suppressed": c.suppressed}
        for c in suppression.suppress_counts(counts, min_cell=min_cell)
    ]
    if outcome.cutoff is None:
        return cells
    sides: list[list[int]] = [[], []]
    for i, (_label, start, end) in enumerate(bins):
        lows = outcome.cutoff.is_case(np.array([start, end], dtype=np.float64))
        if lows.all():
            sides[0].append(i)
        elif not lows.any():
            sides[1].append(i)
    for side, published in zip(sides, margins, strict=True):
        if not published:
            continue  # the side's total is withheld itself: nothing to subtract from
        while sum(1 for i in side if cells[i]["suppressed"]) == 1:
            candidates = [i for i in side if not cells[i]["suppressed"] and counts[i] > 0]
            if not candidates:
                # Nothing left to hide it behind: withhold every non-zero bin.
                return [{"value": None if c else 0, "suppressed": bool(c)} for c in counts]
            pick = min(candidates, key=lambda i: (counts[i], i))
            cells[pick] = {"value": None, "suppressed": True}
    return cells


def _published(cut: JSON | None, side: str) -> tuple[bool, bool]:
    """Whether the cut-off table publishes the case and non-case totals at one wave."""
    if cut is None or cut.get("suppressed"):
        return (False, False)
    return (
        not cut[f"case_{side}"]["suppressed"],
        not cut[f"non_case_{side}"]["suppressed"],
    )


def _level_rows(rows: list[JSON], withheld: Sequence[bool]) -> list[JSON]:
    """Rows of a by-level table: withheld ones blanked; empty levels (n 0) shown as such."""
    out = []
    for row, hidden in zip(rows, withheld, strict=True):
        if row["n_pairs"] == 0:
            out.append({**row, "suppressed": False})
        elif hidden:
            out.append(_withhold(row))
        else:
            out.append({**row, "suppressed": False})
    return out


def _subgroups(
    pre: FloatArray,
    post: FloatArray,
    dataset: Dataset,
    wave_from: str,
    wave_to: str,
    min_cell: int,
) -> list[JSON]:
    out = []
    for variable in SUBGROUP_VARIABLES:
        column: Categorical = getattr(dataset, variable)
        result = compare.change_by(
            pre,
            post,
            column.codes,
            column.labels,
            variable=variable,
            wave_from=wave_from,
            wave_to=wave_to,
        )
        data = _as_dict(result)
        withheld = suppression.suppress_levels(
            [row.n_pairs for row in result.rows], min_cell=min_cell
        )
        data["rows"] = _level_rows(data["rows"], withheld)
        out.append(data)
    return out


def _rci(pre: FloatArray, post: FloatArray, outcome: Outcome, min_cell: int) -> JSON | None:
    if outcome.reliability is None:
        return None
    result = rci.reliable_change(
        pre, post, reliability=outcome.reliability, direction=outcome.direction
    )
    data = _as_dict(result)
    if result.n_pairs < min_cell:
        return _withhold(data)
    cells = _cells([result.improved, result.unchanged, result.deteriorated], min_cell)
    data["improved"], data["unchanged"], data["deteriorated"] = cells
    data["suppressed"] = False
    return data


def _cutoff(
    pre: FloatArray, post: FloatArray, outcome: Outcome, wf: str, wt: str, min_cell: int
) -> JSON | None:
    if outcome.cutoff is None:
        return None
    result = cutoff.cutoff_crossing(pre, post, outcome.cutoff, wave_from=wf, wave_to=wt)
    data = _as_dict(result)
    if result.n_pairs < min_cell:
        return _withhold(data)
    grid = suppression.suppress_table_with_totals(
        [list(row) for row in result.table], min_cell=min_cell
    )

    def cell(c: suppression.Cell) -> JSON:
        return {"value": c.value, "suppressed": c.suppressed}

    data["table"] = [[cell(c) for c in row] for row in grid.cells]
    (stayed_case, moved_out), (moved_in, stayed_non_case) = data["table"]
    data.update(
        stayed_case=stayed_case,
        moved_out=moved_out,
        moved_in=moved_in,
        stayed_non_case=stayed_non_case,
        case_from=cell(grid.row_totals[0]),
        non_case_from=cell(grid.row_totals[1]),
        case_to=cell(grid.column_totals[0]),
        non_case_to=cell(grid.column_totals[1]),
    )
    if grid.grand_total.suppressed:
        data["n_pairs"] = None
    if any(cell["suppressed"] for row in data["table"] for cell in row):
        # The test statistic rests on the discordant cells; withheld with them.
        data["mcnemar_p"] = None
    data["suppressed"] = False
    return data


def _outcome_section(outcome: Outcome, dataset: Dataset, min_cell: int, min_units: int) -> JSON:
    scores = dataset.scores[outcome.code]
    section: JSON = {
        "code": outcome.code,
        "version": outcome.version,
        "title_da": outcome.title_da,
        "title_en": outcome.title_en,
        "direction": outcome.direction,
        "score_min": outcome.score_min,
        "score_max": outcome.score_max,
        "reliability": None
        if outcome.reliability is None
        else {
            "value": outcome.reliability,
            "statistic": outcome.reliability_statistic,
            "source": outcome.reliability_source,
        },
        "cutoff": None
        if outcome.cutoff is None
        else {
            "op": outcome.cutoff.op,
            "value": outcome.cutoff.value,
            "label_da": outcome.cutoff.label_da,
            "label_en": outcome.cutoff.label_en,
            "source": outcome.cutoff.source,
        },
    }
    waves = []
    for i, wave in enumerate(WAVES):
        summary = _as_dict(paired.summarise(scores[:, i], wave))
        if summary["n"] < min_cell:
            summary = {**_withhold(summary), "n": None}
        else:
            summary["suppressed"] = False
        if outcome.cutoff is not None and not summary["suppressed"]:
            cases, non_cases = cutoff.cases_at_wave(scores[:, i], outcome.cutoff)
            summary["cases"], summary["non_cases"] = _cells([cases, non_cases], min_cell)
        waves.append(summary)
    section["waves"] = waves

    pairs = []
    for wave_from, wave_to in WAVE_PAIRS:
        pre, post = _pair_arrays(scores, wave_from, wave_to)
        result = paired.paired(pre, post, wave_from=wave_from, wave_to=wave_to)
        data = _as_dict(result)
        if result.n_pairs < min_cell:
            data = {**_withhold(data), "n_pairs": None}
            data["rci"] = data["cutoff"] = data["distribution"] = None
            data["subgroups"] = []
            data["dose_response"] = None
            pairs.append(data)
            continue
        data["suppressed"] = False
        data["rci"] = _rci(pre, post, outcome, min_cell)
        cut = data["cutoff"] = _cutoff(pre, post, outcome, wave_from, wave_to, min_cell)
        both = _complete(pre, post)
        bins = distribution_bins(outcome)
        data["distribution"] = {
            "categories": [label for label, _s, _e in bins],
            "before": _distribution_cells(
                _bin_counts(pre[both], bins), bins, outcome, min_cell, _published(cut, "from")
            ),
            "after": _distribution_cells(
                _bin_counts(post[both], bins), bins, outcome, min_cell, _published(cut, "to")
            ),
        }
        data["subgroups"] = _subgroups(pre, post, dataset, wave_from, wave_to, min_cell)
        bands = compare.attendance_bands(dataset.attended, dataset.held)
        by_band = _as_dict(
            compare.change_by(
                pre,
                post,
                bands.codes,
                bands.labels,
                variable="attendance_band",
                wave_from=wave_from,
                wave_to=wave_to,
            )
        )
        withheld = suppression.suppress_levels(
            [row["n_pairs"] for row in by_band["rows"]], min_cell=min_cell
        )
        by_band["rows"] = _level_rows(by_band["rows"], withheld)
        trend = _as_dict(compare.dose_response(pre, post, dataset.attended))
        trend["suppressed"] = trend["n_pairs"] < min_cell
        if trend["suppressed"]:
            trend = _withhold(trend)
        data["dose_response"] = {"bands": by_band, "trend": trend}
        pairs.append(data)
    section["pairs"] = pairs

    model = mixed.mixed_model(
        scores,
        WAVES,
        group=dataset.group.codes,
        organisation=dataset.organisation.codes,
        min_units=min_units,
    )
    if model is None or model.n_participants < min_cell:
        section["mixed_model"] = None
    else:
        section["mixed_model"] = {**_as_dict(model), "suppressed": False}

    attrition = []
    baseline = scores[:, 0]
    for i, wave in enumerate(WAVES[1:], start=1):
        answered_later = np.asarray(~np.isnan(scores[:, i]), dtype=np.bool_)
        result_a = compare.attrition(baseline, answered_later, wave=wave)
        data_a = _as_dict(result_a)
        hidden = suppression.suppress_levels(
            [result_a.n_retained, result_a.n_lost], min_cell=min_cell
        )
        counts = (result_a.n_retained, result_a.n_lost)
        if any(h and n > 0 for h, n in zip(hidden, counts, strict=True)):
            data_a = _withhold(data_a)
        else:
            data_a["suppressed"] = False
        attrition.append(data_a)
    section["attrition"] = attrition
    return section


def _attendance(dataset: Dataset, min_cell: int) -> JSON:
    status = dataset.status
    counts = {
        label: int(np.count_nonzero(status.codes == i)) for i, label in enumerate(status.labels)
    }
    completed, dropped = counts.get("completed", 0), counts.get("dropped", 0)
    finished = completed + dropped
    bands = compare.attendance_bands(dataset.attended, dataset.held)
    band_counts = [int(np.count_nonzero(bands.codes == i)) for i in range(len(bands.labels))]
    # Participations with no meeting held yet complete the partition (so nothing is implied).
    band_labels = (*bands.labels, "no_meetings_yet")
    band_counts.append(int(np.count_nonzero(bands.codes == -1)))
    reasons = dataset.drop_reason
    dropped_mask = status.codes == (
        status.labels.index("dropped") if "dropped" in status.labels else -2
    )
    reason_counts = [
        int(np.count_nonzero(dropped_mask & (reasons.codes == i)))
        for i in range(len(reasons.labels))
    ]
    unknown_reason = int(np.count_nonzero(dropped_mask & (reasons.codes == -1)))
    with_meetings = dataset.held > 0
    n_with = int(np.count_nonzero(with_meetings))
    mean_attended = (
        float(np.mean(dataset.attended[with_meetings] / dataset.held[with_meetings]))
        if n_with >= min_cell
        else None
    )
    state_cells = _cells([counts.get(s, 0) for s in status.labels], min_cell)
    # No course ended yet: nothing to show, and nothing withheld either.
    retention_hidden = 0 < finished < min_cell or any(
        cell["suppressed"]
        for label, cell in zip(status.labels, state_cells, strict=True)
        if label in ("completed", "dropped")
    )
    return {
        "n": dataset.n if dataset.n >= min_cell else None,
        "states": [
            {"state": label, **cell} for label, cell in zip(status.labels, state_cells, strict=True)
        ],
        "retention": None if retention_hidden or finished == 0 else completed / finished,
        "retention_suppressed": retention_hidden,
        "mean_share_attended": mean_attended,
        "bands": [
            {"band": label, **cell}
            for label, cell in zip(band_labels, _cells(band_counts, min_cell), strict=True)
        ],
        "dropout_reasons": [
            {"reason": label, **cell}
            for label, cell in zip(
                (*reasons.labels, "unknown"),
                _cells([*reason_counts, unknown_reason], min_cell),
                strict=True,
            )
        ],
        "method": (
            "Retention = completed ÷ (completed + dropped out) among course participations that "
            "have ended; share attended = meetings marked present ÷ meetings held so far."
        ),
    }


def _funnel(dataset: Dataset, min_cell: int) -> list[JSON]:
    return [
        {
            "stage": stage,
            "value": None if 0 < value < min_cell else value,
            "suppressed": 0 < value < min_cell,
        }
        for stage, value in dataset.funnel.items()
    ]


def _headline(dataset: Dataset, outcomes: list[JSON], attendance: JSON) -> JSON:
    cards = []
    for section in outcomes:
        first = section["pairs"][0]
        cards.append(
            {
                "outcome": section["code"],
                "wave_from": first["wave_from"],
                "wave_to": first["wave_to"],
                "n_pairs": first["n_pairs"],
                "mean_change": first["mean_change"],
                "ci95_low": first["ci95_low"],
                "ci95_high": first["ci95_high"],
                "direction": section["direction"],
                "improved": (first.get("rci") or {}).get("improved"),
                "suppressed": first["suppressed"],
            }
        )
    return {
        "participations": attendance["n"],
        "retention": attendance["retention"],
        "outcomes": cards,
    }


def build_report(
    dataset: Dataset,
    *,
    meta: JSON,
    min_cell: int = 5,
    min_units: int = 10,
    progress: Progress = _no_progress,
) -> JSON:
    """The whole report for ``dataset``. ``meta`` carries provenance (scope, data cut-off,
    software and instrument versions) and is copied in as is. ``progress(percent, stage)`` is
    called between outcomes for the page's progress indicator."""
    report: JSON = {
        "schema_version": REPORT_SCHEMA_VERSION,
        **meta,
        "min_cell": min_cell,
        "withheld": False,
    }
    level = meta.get("scope", {}).get("level")
    if level == "group" and dataset.n < min_cell:
        # A group report exists only where the group is large enough.
        report.update(withheld=True, headline=None, outcomes=[], funnel=[], attendance=None)
        return report
    outcomes = []
    total = max(1, len(dataset.outcomes))
    for i, outcome in enumerate(dataset.outcomes):
        progress(int(100 * i / total), outcome.code)
        outcomes.append(_outcome_section(outcome, dataset, min_cell, min_units))
    attendance = _attendance(dataset, min_cell)
    report["headline"] = _headline(dataset, outcomes, attendance)
    report["outcomes"] = outcomes
    report["funnel"] = _funnel(dataset, min_cell)
    report["attendance"] = attendance
    progress(100, "done")
    return _clean(report)  # type: ignore[no-any-return]
