"""The JSON Schema of the machine-readable evaluation report (``report.build_report``).

``docs/report-schema.md`` is generated from :data:`REPORT_SCHEMA` (``manage.py
report_schema --write``) and a test checks the two agree and that real reports validate.
"""

from __future__ import annotations

from typing import Any

from spejl.core.evaluation.report import REPORT_SCHEMA_VERSION

Schema = dict[str, Any]

NUMBER = {"type": ["number", "null"]}
COUNT = {"type": ["integer", "null"], "minimum": 0}
TEXT = {"type": "string"}
WAVE = {"type": "string", "enum": ["T0", "T1", "T2"]}
METHOD = {"type": "string", "description": "The method, named in plain English."}
SUPPRESSED = {
    "type": "boolean",
    "description": "True when withheld by small-cell suppression; the statistics are null.",
}
CELL = {
    "type": "object",
    "description": "A count; null with suppressed = true when withheld (shown as '< 5').",
    "properties": {"value": COUNT, "suppressed": {"type": "boolean"}},
    "required": ["value", "suppressed"],
    "additionalProperties": False,
}


def _object(
    properties: dict[str, Any],
    *,
    required: list[str] | None = None,
    nullable: bool = False,
    description: str = "",
) -> Schema:
    schema: Schema = {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }
    if description:
        schema["description"] = description
    return schema


def _numbers(*names: str) -> dict[str, Any]:
    return {name: NUMBER for name in names}


WAVE_SUMMARY = _object(
    {
        "wave": WAVE,
        "n": COUNT,
        **_numbers("mean", "sd", "ci95_low", "ci95_high"),
        "method": METHOD,
        "suppressed": SUPPRESSED,
        "cases": CELL,
        "non_cases": CELL,
    },
    required=["wave", "n", "mean", "sd", "ci95_low", "ci95_high", "suppressed"],
    description="One wave: everyone who answered then (not only the pairs).",
)

RCI = _object(
    {
        "n_pairs": COUNT,
        "improved": {"oneOf": [CELL, {"type": "null"}]},
        "unchanged": {"oneOf": [CELL, {"type": "null"}]},
        "deteriorated": {"oneOf": [CELL, {"type": "null"}]},
        **_numbers("reliability", "sd_pre", "se_measurement", "s_diff", "threshold_change"),
        "method": METHOD,
        "suppressed": SUPPRESSED,
    },
    nullable=True,
    description=(
        "Reliable Change Index (Jacobson & Truax 1991); null for instruments without a reliability."
    ),
)

CUTOFF_RESULT = _object(
    {
        "wave_from": WAVE,
        "wave_to": WAVE,
        "n_pairs": COUNT,
        "case_from": {"oneOf": [CELL, {"type": "null"}]},
        "non_case_from": {"oneOf": [CELL, {"type": "null"}]},
        "case_to": {"oneOf": [CELL, {"type": "null"}]},
        "non_case_to": {"oneOf": [CELL, {"type": "null"}]},
        "stayed_case": {"oneOf": [CELL, {"type": "null"}]},
        "moved_out": {"oneOf": [CELL, {"type": "null"}]},
        "moved_in": {"oneOf": [CELL, {"type": "null"}]},
        "stayed_non_case": {"oneOf": [CELL, {"type": "null"}]},
        "table": {
            "type": ["array", "null"],
            "description": "Always 2 × 2: rows case / non-case at wave_from, columns at wave_to.",
            "items": {"type": "array", "items": CELL, "minItems": 2, "maxItems": 2},
            "minItems": 2,
            "maxItems": 2,
        },
        "mcnemar_p": NUMBER,
        "method": METHOD,
        "suppressed": SUPPRESSED,
    },
    nullable=True,
    description="Crossing the instrument's cut-off; null for instruments without one.",
)

SUBGROUP = _object(
    {
        "variable": TEXT,
        "wave_from": WAVE,
        "wave_to": WAVE,
        "rows": {
            "type": "array",
            "items": _object(
                {
                    "level": TEXT,
                    "n_pairs": COUNT,
                    **_numbers("mean_change", "sd_change", "ci95_low", "ci95_high"),
                    "suppressed": SUPPRESSED,
                },
                required=["level", "n_pairs", "mean_change", "ci95_low", "ci95_high", "suppressed"],
            ),
        },
        "method": METHOD,
    },
    required=["variable", "wave_from", "wave_to", "rows"],
)

PAIR = _object(
    {
        "wave_from": WAVE,
        "wave_to": WAVE,
        "n_pairs": COUNT,
        **_numbers(
            "mean_from",
            "sd_from",
            "mean_to",
            "sd_to",
            "mean_change",
            "sd_change",
            "ci95_low",
            "ci95_high",
            "t",
            "df",
            "p_t",
            "wilcoxon_p",
            "r",
            "d_z",
            "d_av",
            "d_rm",
            "g_z",
            "g_av",
            "g_rm",
        ),
        "method": METHOD,
        "suppressed": SUPPRESSED,
        "rci": RCI,
        "cutoff": CUTOFF_RESULT,
        "distribution": _object(
            {
                "categories": {"type": "array", "items": TEXT},
                "before": {"type": "array", "items": CELL},
                "after": {"type": "array", "items": CELL},
            },
            nullable=True,
        ),
        "subgroups": {"type": "array", "items": SUBGROUP},
        "dose_response": _object(
            {
                "bands": SUBGROUP,
                "trend": _object(
                    {
                        "n_pairs": COUNT,
                        **_numbers("slope", "ci95_low", "ci95_high", "intercept", "p"),
                        "method": METHOD,
                        "suppressed": SUPPRESSED,
                    },
                    required=["n_pairs", "slope", "suppressed"],
                ),
            },
            nullable=True,
        ),
    },
    required=[
        "wave_from",
        "wave_to",
        "n_pairs",
        "mean_change",
        "ci95_low",
        "ci95_high",
        "t",
        "df",
        "p_t",
        "wilcoxon_p",
        "d_z",
        "d_av",
        "d_rm",
        "g_z",
        "g_av",
        "g_rm",
        "suppressed",
        "rci",
        "cutoff",
    ],
    description="Change between two waves among those who answered both (complete pairs).",
)

MIXED = _object(
    {
        "n_observations": COUNT,
        "n_participants": COUNT,
        "levels": {"type": "array", "items": {"enum": ["participant", "group", "organisation"]}},
        "n_units": {"type": "object", "additionalProperties": {"type": "integer"}},
        "baseline_mean": NUMBER,
        "effects": {
            "type": "array",
            "items": _object(
                {"wave": WAVE, **_numbers("estimate", "se", "ci95_low", "ci95_high", "p")}
            ),
        },
        "variance_components": {"type": "object", "additionalProperties": {"type": "number"}},
        "residual_variance": NUMBER,
        "log_likelihood": NUMBER,
        "converged": {"type": "boolean"},
        "method": METHOD,
        "suppressed": SUPPRESSED,
    },
    required=["n_observations", "n_participants", "levels", "baseline_mean", "effects", "method"],
    nullable=True,
    description="Linear mixed model (REML) on all observations; change per wave against T0.",
)

ATTRITION = _object(
    {
        "wave": WAVE,
        "n_retained": COUNT,
        "n_lost": COUNT,
        **_numbers(
            "mean_retained",
            "sd_retained",
            "mean_lost",
            "sd_lost",
            "difference",
            "ci95_low",
            "ci95_high",
            "t",
            "df",
            "p_t",
        ),
        "method": METHOD,
        "suppressed": SUPPRESSED,
    },
    required=["wave", "n_retained", "n_lost", "difference", "p_t", "suppressed"],
    description="Baseline (T0) scores of those who answered the wave against those who did not.",
)

OUTCOME = _object(
    {
        "code": TEXT,
        "version": {"type": "integer"},
        "title_da": TEXT,
        "title_en": TEXT,
        "direction": {"enum": ["lower_is_better", "higher_is_better"]},
        "score_min": {"type": "number"},
        "score_max": {"type": "number"},
        "reliability": _object(
            {"value": {"type": "number"}, "statistic": TEXT, "source": TEXT}, nullable=True
        ),
        "cutoff": _object(
            {
                "op": {"enum": [">=", "<="]},
                "value": {"type": "number"},
                "label_da": TEXT,
                "label_en": TEXT,
                "source": TEXT,
            },
            nullable=True,
        ),
        "waves": {"type": "array", "items": WAVE_SUMMARY, "minItems": 3, "maxItems": 3},
        "pairs": {"type": "array", "items": PAIR, "minItems": 3, "maxItems": 3},
        "mixed_model": MIXED,
        "attrition": {"type": "array", "items": ATTRITION},
    },
)

REPORT_SCHEMA: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://spejl.example/schemas/evaluation-report-{REPORT_SCHEMA_VERSION}.json",
    "title": "Spejl evaluation report",
    "type": "object",
    "properties": {
        "schema_version": {"const": REPORT_SCHEMA_VERSION},
        "generated_at": {"type": "string", "format": "date-time"},
        "data_cutoff": {
            "type": "string",
            "format": "date-time",
            "description": "Data read at this moment; consent is as of this moment too.",
        },
        "software_version": TEXT,
        "scope": _object(
            {
                "level": {"enum": ["national", "organisation", "group"]},
                "organisations": {"type": "array", "items": TEXT},
                "group": {"type": ["string", "null"]},
                "target": {"type": ["string", "null"]},
                "period_from": {"type": ["string", "null"], "format": "date"},
                "period_to": {"type": ["string", "null"], "format": "date"},
            }
        ),
        "instruments": {
            "type": "array",
            "description": "Instrument versions behind the scores (code, version, content hash).",
            "items": _object({"code": TEXT, "version": {"type": "integer"}, "content_hash": TEXT}),
        },
        "min_cell": {"type": "integer", "minimum": 1},
        "withheld": {
            "type": "boolean",
            "description": "True for a group report of a group too small to report on.",
        },
        "headline": _object(
            {
                "participations": COUNT,
                "retention": NUMBER,
                "outcomes": {"type": "array", "items": {"type": "object"}},
            },
            nullable=True,
        ),
        "outcomes": {"type": "array", "items": OUTCOME},
        "funnel": {
            "type": "array",
            "items": _object({"stage": TEXT, "value": COUNT, "suppressed": SUPPRESSED}),
        },
        "attendance": _object(
            {
                "n": COUNT,
                "states": {"type": "array", "items": {"type": "object"}},
                "retention": NUMBER,
                "retention_suppressed": {"type": "boolean"},
                "mean_share_attended": NUMBER,
                "bands": {"type": "array", "items": {"type": "object"}},
                "dropout_reasons": {"type": "array", "items": {"type": "object"}},
                "method": METHOD,
            },
            nullable=True,
        ),
    },
    "required": [
        "schema_version",
        "generated_at",
        "data_cutoff",
        "software_version",
        "scope",
        "instruments",
        "min_cell",
        "withheld",
        "headline",
        "outcomes",
        "funnel",
        "attendance",
    ],
}
