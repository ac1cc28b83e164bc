"""Turning a report's JSON into what the page and the PDF show: labels in the reader's
language, numbers formatted the Danish (or English) way, withheld cells as "< 5", and an SVG
chart beside each data table. No statistics here — only presentation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from spejl.core.evaluation import charts
from spejl.enrolments.models import DropReason, EnrolmentState
from spejl.groups.models import Target
from spejl.organisations.models import Organisation
from spejl.participants.models import Gender

JSON = dict[str, Any]


def wave_label(wave: str) -> str:
    return {
        "T0": _("T0 (before)"),
        "T1": _("T1 (end of course)"),
        "T2": _("T2 (follow-up)"),
    }.get(wave, wave)


def _stage_labels() -> dict[str, str]:
    return {
        "enquiries": _("Enquiries"),
        "intakes": _("Intake conversations held"),
        "placed": _("Given a place"),
        "started": _("Came to a meeting"),
        "completed": _("Completed the course"),
        "answered_t0": _("Answered at T0"),
        "answered_t1": _("Answered at T1"),
        "answered_t2": _("Answered at T2"),
    }


def _variable_labels() -> dict[str, str]:
    return {
        "age_band": _("Age band"),
        "gender": _("Gender"),
        "target": _("Target group"),
        "organisation": _("Organisation"),
        "living_alone": _("Lives alone"),
        "attendance_band": _("Meetings attended"),
    }


class Formatter:
    """Numbers in the active language, withheld values as the small-cell text."""

    def __init__(self, min_cell: int) -> None:
        self.withheld = f"< {min_cell}"

    def num(self, value: float | None, places: int = 2) -> str:
        if value is None:
            return "–"
        return number_format(round(value, places), decimal_pos=places)

    def count(self, cell: Any) -> str:
        if isinstance(cell, dict):
            if cell.get("suppressed"):
                return self.withheld
            cell = cell.get("value")
        if cell is None:
            return self.withheld
        return number_format(int(cell), force_grouping=True)

    def pct(self, value: float | None) -> str:
        return "–" if value is None else f"{number_format(round(100 * value), decimal_pos=0)} %"

    def p(self, value: float | None) -> str:
        if value is None:
            return "–"
        if value < 0.001:
            return f"< {number_format(0.001, decimal_pos=3)}"
        return number_format(round(value, 3), decimal_pos=3)

    def ci(self, low: float | None, high: float | None, places: int = 2) -> str:
        if low is None or high is None:
            return "–"
        # Translators: between the two ends of a confidence interval ("2,1 to 3,4").
        word = _("to")
        return f"{self.num(low, places)} {word} {self.num(high, places)}"


def _value(cell: Any) -> int | None:
    if isinstance(cell, dict):
        return None if cell.get("suppressed") else cell.get("value")
    return None if cell is None else int(cell)


def _level_label(variable: str, level: str, organisations: dict[str, str]) -> str:
    if level == "unknown":
        return _("Not known")
    if variable == "gender":
        return str(dict(Gender.choices).get(level, level))
    if variable == "target":
        return str(dict(Target.choices).get(level, level))
    if variable == "living_alone":
        return _("Lives alone") if level == "yes" else _("Lives with others")
    if variable == "organisation":
        return organisations.get(level, level)
    return level


def _level_name(level: str) -> str:
    names = {"group": _("also per group"), "organisation": _("also per organisation")}
    return names.get(level, level)


def _title(section: JSON, language: str) -> str:
    return str(section["title_da"] if language == "da" else section["title_en"])


def _improvement_text(card: JSON, f: Formatter) -> str:
    change = card.get("mean_change")
    if card.get("suppressed") or change is None:
        return _("Too few answered both times to show the change.")
    better = (change < 0) == (card["direction"] == "lower_is_better")
    size = f.num(abs(change), 1)
    if abs(change) < 1e-9:
        return _("No change on average.")
    if better:
        return _("Better by %(size)s points on average") % {"size": size}
    return _("Worse by %(size)s points on average") % {"size": size}


def _means_chart(section: JSON, f: Formatter, language: str) -> str:
    points = []
    for wave in section["waves"]:
        hidden = wave.get("suppressed")
        points.append(
            charts.MeanPoint(
                label=wave["wave"],
                mean=None if hidden else wave["mean"],
                low=None if hidden else wave["ci95_low"],
                high=None if hidden else wave["ci95_high"],
            )
        )
    title = _title(section, language)
    return charts.means_chart(
        [charts.Series(name=title, points=tuple(points))],
        title=_("%(outcome)s: mean per wave with 95 %% confidence interval") % {"outcome": title},
        description=_(
            "Mean score at each wave among those who answered then; whiskers show the 95 %% "
            "confidence interval. The table beside the chart has the same numbers."
        ),
        y_label=_("Score"),
        y_min=float(section["score_min"]),
        y_max=float(section["score_max"]),
        fmt=lambda v: f.num(v, 1),
        suppressed_text=f.withheld,
        chart_id=f"means-{section['code']}",
    )


def _pair_view(
    pair: JSON, section: JSON, f: Formatter, organisations: dict[str, str], language: str
) -> JSON:
    title = _title(section, language)
    key = f"{section['code']}-{pair['wave_from']}-{pair['wave_to']}".lower()
    view: JSON = {"data": pair, "key": key, "label": f"{pair['wave_from']} → {pair['wave_to']}"}
    if pair.get("suppressed"):
        return view
    view["rows"] = [
        (_("Pairs (answered both times)"), f.count(pair["n_pairs"])),
        (_("Mean before (SD)"), f"{f.num(pair['mean_from'])} ({f.num(pair['sd_from'])})"),
        (_("Mean after (SD)"), f"{f.num(pair['mean_to'])} ({f.num(pair['sd_to'])})"),
        (_("Mean change (after − before)"), f.num(pair["mean_change"])),
        # Translators: a row label, not a format string.
        (
            _("95 %% confidence interval of the change") % {},
            f.ci(pair["ci95_low"], pair["ci95_high"]),
        ),
        (
            _("Paired t-test: t (df), p"),
            f"{f.num(pair['t'])} ({f.num(pair['df'], 0)}), {f.p(pair['p_t'])}",
        ),
        (_("Wilcoxon signed-rank test: p"), f.p(pair["wilcoxon_p"])),
        ("d_z / g_z", f"{f.num(pair['d_z'])} / {f.num(pair['g_z'])}"),
        ("d_av / g_av", f"{f.num(pair['d_av'])} / {f.num(pair['g_av'])}"),
        ("d_rm / g_rm", f"{f.num(pair['d_rm'])} / {f.num(pair['g_rm'])}"),
    ]
    rci = pair.get("rci")
    if rci and not rci.get("suppressed"):
        parts = [
            charts.Bar(label=_("Reliably better"), value=_value(rci["improved"])),
            charts.Bar(label=_("No reliable change"), value=_value(rci["unchanged"])),
            charts.Bar(label=_("Reliably worse"), value=_value(rci["deteriorated"])),
        ]
        view["rci"] = {
            "data": rci,
            "rows": [
                (p.label, f.count(c))
                for p, c in zip(
                    parts, (rci["improved"], rci["unchanged"], rci["deteriorated"]), strict=True
                )
            ],
            "threshold": f.num(rci["threshold_change"], 1),
            "reliability": f.num(rci["reliability"]),
            "chart": charts.stacked_share_chart(
                parts,
                title=_("%(outcome)s %(pair)s: reliable change (Jacobson & Truax)")
                % {"outcome": title, "pair": view["label"]},
                description=_(
                    "Share of participants who changed by more than measurement error "
                    "could explain."
                ),
                fmt=lambda v: f.count(int(v)),
                suppressed_text=f.withheld,
                chart_id=f"rci-{key}",
                total=float(rci["n_pairs"]) if rci.get("n_pairs") else None,
            ),
        }
    cutoff = pair.get("cutoff")
    if cutoff and not cutoff.get("suppressed"):
        label = section["cutoff"]["label_da" if language == "da" else "label_en"]
        table = cutoff["table"]
        view["cutoff"] = {
            "data": cutoff,
            "label": label,
            "table": [[f.count(c) for c in row] for row in table],
            "margins": {
                k: f.count(cutoff[k])
                for k in ("case_from", "non_case_from", "case_to", "non_case_to")
            },
            "p": f.p(cutoff["mcnemar_p"]),
        }
    distribution = pair.get("distribution")
    if distribution:
        view["distribution"] = {
            "rows": [
                (c, f.count(b), f.count(a))
                for c, b, a in zip(
                    distribution["categories"],
                    distribution["before"],
                    distribution["after"],
                    strict=True,
                )
            ],
            "chart": charts.paired_distribution_chart(
                distribution["categories"],
                [_value(c) for c in distribution["before"]],
                [_value(c) for c in distribution["after"]],
                before_label=pair["wave_from"],
                after_label=pair["wave_to"],
                title=_("%(outcome)s: distribution before and after (%(pair)s)")
                % {"outcome": title, "pair": view["label"]},
                description=_(
                    "Number of participants per score band at both waves, among those who "
                    "answered both times."
                ),
                fmt=lambda v: f.count(int(v)),
                suppressed_text=f.withheld,
                chart_id=f"dist-{key}",
            ),
        }
    variables = _variable_labels()
    view["subgroups"] = [
        {
            "variable": variables.get(sub["variable"], sub["variable"]),
            "rows": [
                (
                    _level_label(sub["variable"], row["level"], organisations),
                    f.count(row["n_pairs"]) if not row.get("suppressed") else f.withheld,
                    f.num(row["mean_change"]),
                    f.ci(row["ci95_low"], row["ci95_high"]),
                )
                for row in sub["rows"]
                if row.get("suppressed") or (row.get("n_pairs") or 0) > 0
            ],
        }
        for sub in pair.get("subgroups", [])
    ]
    dose = pair.get("dose_response")
    if dose:
        trend = dose["trend"]
        view["dose"] = {
            "rows": [
                (
                    row["level"] if row["level"] != "unknown" else _("Not known"),
                    f.count(row["n_pairs"]) if not row.get("suppressed") else f.withheld,
                    f.num(row["mean_change"]),
                    f.ci(row["ci95_low"], row["ci95_high"]),
                )
                for row in dose["bands"]["rows"]
                if row.get("suppressed") or (row.get("n_pairs") or 0) > 0
            ],
            "trend": None
            if trend.get("suppressed") or trend.get("slope") is None
            else {
                "slope": f.num(trend["slope"], 3),
                "ci": f.ci(trend["ci95_low"], trend["ci95_high"], 3),
                "p": f.p(trend["p"]),
            },
        }
    return view


def _outcome_view(
    section: JSON, f: Formatter, organisations: dict[str, str], language: str
) -> JSON:
    waves = [
        {
            "label": wave_label(w["wave"]),
            "n": f.withheld if w.get("suppressed") else f.count(w["n"]),
            "mean": f.num(w["mean"]),
            "sd": f.num(w["sd"]),
            "ci": f.ci(w["ci95_low"], w["ci95_high"]),
            "cases": f.count(w["cases"]) if "cases" in w else "",
        }
        for w in section["waves"]
    ]
    model = section.get("mixed_model")
    model_view = None
    if model:
        model_view = {
            "data": model,
            "baseline": f.num(model["baseline_mean"]),
            "effects": [
                (
                    wave_label(e["wave"]),
                    f.num(e["estimate"]),
                    f.ci(e["ci95_low"], e["ci95_high"]),
                    f.p(e["p"]),
                )
                for e in model["effects"]
            ],
            "n_observations": f.count(model["n_observations"]),
            "n_participants": f.count(model["n_participants"]),
            "levels_text": ", ".join(
                _level_name(level) for level in model["levels"] if level != "participant"
            ),
        }
    attrition = [
        {
            "wave": wave_label(a["wave"]),
            "suppressed": a.get("suppressed"),
            "retained": f"{f.count(a['n_retained'])}: {f.num(a['mean_retained'])}"
            if not a.get("suppressed")
            else f.withheld,
            "lost": f"{f.count(a['n_lost'])}: {f.num(a['mean_lost'])}"
            if not a.get("suppressed")
            else f.withheld,
            "difference": f.num(a["difference"]),
            "ci": f.ci(a["ci95_low"], a["ci95_high"]),
            "p": f.p(a["p_t"]),
        }
        for a in section["attrition"]
    ]
    return {
        "code": section["code"],
        "version": section["version"],
        "title": _title(section, language),
        "better": _("Lower is better")
        if section["direction"] == "lower_is_better"
        else _("Higher is better"),
        "range": f"{f.num(section['score_min'], 0)}–{f.num(section['score_max'], 0)}",
        "reliability": section["reliability"],
        "cutoff": section["cutoff"],
        "cutoff_label": (section["cutoff"] or {}).get(
            "label_da" if language == "da" else "label_en"
        ),
        "waves": waves,
        "chart": _means_chart(section, f, language),
        "pairs": [_pair_view(p, section, f, organisations, language) for p in section["pairs"]],
        "model": model_view,
        "attrition": attrition,
    }


def present(
    report: JSON, *, language: str, organisation_names: dict[str, str] | None = None
) -> JSON:
    """Everything the report templates show, in ``language``."""
    with translation.override(language):
        return _present(report, language, organisation_names)


def _present(report: JSON, language: str, organisation_names: dict[str, str] | None) -> JSON:
    f = Formatter(int(report.get("min_cell", 5)))
    scope = report.get("scope", {})
    if organisation_names is None:
        organisation_names = dict(Organisation.objects.values_list("slug", "name"))
    meta = {
        "generated_at": date_format(
            datetime.fromisoformat(report["generated_at"]), "DATETIME_FORMAT"
        ),
        "data_cutoff": date_format(
            datetime.fromisoformat(report["data_cutoff"]), "DATETIME_FORMAT"
        ),
        "software_version": report["software_version"],
        "instruments": report.get("instruments", []),
        "level": {
            "national": _("National"),
            "organisation": _("Organisation"),
            "group": _("Group"),
        }.get(scope.get("level"), ""),
        "organisations": [organisation_names.get(s, s) for s in scope.get("organisations", [])],
        "target": str(dict(Target.choices).get(scope.get("target") or "", "")),
        "period_from": scope.get("period_from"),
        "period_to": scope.get("period_to"),
        "min_cell": report.get("min_cell"),
        "withheld_text": f.withheld,
    }
    if report.get("withheld"):
        return {"meta": meta, "withheld": True}
    stages = _stage_labels()
    funnel = [
        (
            stages.get(s["stage"], s["stage"]),
            f.count(s),
            None if s.get("suppressed") else s["value"],
        )
        for s in report["funnel"]
    ]
    funnel_chart = charts.bar_chart(
        [charts.Bar(label=label, value=value) for label, _text, value in funnel],
        title=_("From enquiry to answered questionnaires"),
        description=_(
            "Number of people at each step of the way in, and how many answered each wave."
        ),
        value_label=_("People"),
        fmt=lambda v: f.count(int(v)),
        suppressed_text=f.withheld,
        chart_id="funnel",
    )
    attendance = report["attendance"]
    state_labels = dict(EnrolmentState.choices)
    reason_labels = {**dict(DropReason.choices), "unknown": _("Not recorded")}
    band_names = {"no_meetings_yet": _("No meeting held yet")}
    bands = [
        (band_names.get(b["band"], b["band"]), f.count(b), _value(b)) for b in attendance["bands"]
    ]
    attendance_view = {
        "n": f.count(attendance["n"]) if attendance["n"] is not None else f.withheld,
        "retention": f.withheld
        if attendance["retention_suppressed"]
        else f.pct(attendance["retention"]),
        "mean_share": f.pct(attendance["mean_share_attended"]),
        "states": [
            (str(state_labels.get(s["state"], s["state"])), f.count(s))
            for s in attendance["states"]
        ],
        "bands": [(label, text) for label, text, _v in bands],
        "reasons": [
            (str(reason_labels.get(r["reason"], r["reason"])), f.count(r))
            for r in attendance["dropout_reasons"]
            if r.get("suppressed") or r.get("value")
        ],
        "chart": charts.bar_chart(
            [charts.Bar(label=label, value=value) for label, _t, value in bands],
            title=_("Share of meetings attended"),
            description=_("Number of participants by the share of held meetings they came to."),
            value_label=_("Participants"),
            fmt=lambda v: f.count(int(v)),
            suppressed_text=f.withheld,
            chart_id="attendance",
        ),
        "method": attendance["method"],
    }
    sections = {s["code"]: s for s in report["outcomes"]}
    headline = report["headline"]
    cards = []
    for card in headline["outcomes"]:
        section = sections[card["outcome"]]
        cards.append(
            {
                "title": _title(section, language),
                "pair": f"{card['wave_from']} → {card['wave_to']}",
                "text": _improvement_text(card, f),
                "ci": f.ci(card["ci95_low"], card["ci95_high"], 1),
                "n": f.count(card["n_pairs"]) if not card["suppressed"] else f.withheld,
                "improved": f.count(card["improved"]) if card.get("improved") is not None else None,
                "suppressed": card["suppressed"],
            }
        )
    return {
        "meta": meta,
        "withheld": False,
        "headline": {
            "participations": f.count(headline["participations"])
            if headline["participations"] is not None
            else f.withheld,
            "retention": attendance_view["retention"],
            "cards": cards,
        },
        "outcomes": [_outcome_view(s, f, organisation_names, language) for s in report["outcomes"]],
        "funnel": {"rows": [(label, text) for label, text, _v in funnel], "chart": funnel_chart},
        "attendance": attendance_view,
    }
