"""Which instruments are outcomes of the evaluation, and their clinical cut-offs.

An outcome is an instrument with a final score (``sum``, ``sum_linear`` or ``lookup``
scoring); item-by-item instruments (background, experience, the direct loneliness items) are
described, not analysed as change. The cut-offs are facts from the sources below, kept here
rather than in the instrument files so that a file's content hash (and thereby every stored
response's version) does not change when the evaluation adds a cut-off.
"""

from __future__ import annotations

from spejl.core.evaluation.dataset import Cutoff, Outcome
from spejl.core.instruments import Instrument

#: Case definitions used for "cut-off crossing" (DESIGN.md §4).
CUTOFFS: dict[str, Cutoff] = {
    "tils": Cutoff(
        op=">=",
        value=7,
        label_da="Tegn på svær ensomhed (T-ILS ≥ 7)",
        label_en="Signs of severe loneliness (T-ILS ≥ 7)",
        source="Sundhedsstyrelsen, Danskernes Sundhed – Den Nationale Sundhedsprofil 2017 and 2021",
    ),
    "who5": Cutoff(
        op="<=",
        value=50,
        label_da="Lav trivsel (WHO-5 ≤ 50)",
        label_en="Poor well-being (WHO-5 ≤ 50)",
        source="Topp, Østergaard, Søndergaard & Bech 2015, Psychother Psychosom 84:167–176",
    ),
}


def outcome_for(instrument: Instrument, content_hash: str) -> Outcome | None:
    """The outcome an instrument version gives, or ``None`` for unscored instruments."""
    score_range = instrument.score_range
    if score_range is None:
        return None
    reliability = instrument.reliability
    return Outcome(
        code=instrument.code,
        version=instrument.version,
        content_hash=content_hash,
        title_da=instrument.title.da,
        title_en=instrument.title.en,
        direction=instrument.direction,
        score_min=float(score_range[0]),
        score_max=float(score_range[1]),
        reliability=reliability.value if reliability else None,
        reliability_statistic=reliability.statistic if reliability else "",
        reliability_source=reliability.source if reliability else "",
        cutoff=CUTOFFS.get(instrument.code),
    )
