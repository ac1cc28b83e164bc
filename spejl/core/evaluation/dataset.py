"""The evaluation dataset: one row per course participation, columnar for speed.

The statistics layer never sees a name, contact detail or database id: a person is a row
position. The Django side (``spejl.evaluation.data``) builds a :class:`Dataset` only from
participants with active evaluation consent, inside the acting user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

#: The measurement waves, in order: baseline, end of course, follow-up.
WAVES: tuple[str, ...] = ("T0", "T1", "T2")
#: The wave pairs every paired analysis is reported for.
WAVE_PAIRS: tuple[tuple[str, str], ...] = (("T0", "T1"), ("T0", "T2"), ("T1", "T2"))

Direction = Literal["lower_is_better", "higher_is_better"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cutoff:
    """A clinical cut-off: a score ``op`` ``value`` counts as a *case* (e.g. T-ILS ≥ 7)."""

    op: Literal[">=", "<="]
    value: float
    label_da: str
    label_en: str
    source: str

    def is_case(self, scores: FloatArray) -> BoolArray:
        """Whether each (non-missing) score meets the cut-off; NaN gives False."""
        with np.errstate(invalid="ignore"):
            result = scores >= self.value if self.op == ">=" else scores <= self.value
        return np.asarray(result, dtype=np.bool_)


@dataclass(frozen=True)
class Outcome:
    """An outcome measure: one instrument's final score."""

    code: str
    version: int
    content_hash: str
    title_da: str
    title_en: str
    direction: Direction
    score_min: float
    score_max: float
    reliability: float | None = None
    reliability_statistic: str = ""
    reliability_source: str = ""
    cutoff: Cutoff | None = None


@dataclass(frozen=True)
class Categorical:
    """Codes into ``labels``; -1 means unknown."""

    codes: IntArray
    labels: tuple[str, ...]

    @classmethod
    def from_values(cls, values: list[str | None], order: tuple[str, ...] = ()) -> Categorical:
        """Encode strings (``None`` = unknown); ``order`` fixes the label order, others follow
        sorted."""
        labels = list(order)
        seen = set(labels)
        for value in sorted({v for v in values if v is not None}):
            if value not in seen:
                labels.append(value)
                seen.add(value)
        index = {label: i for i, label in enumerate(labels)}
        codes = np.fromiter(
            (index[v] if v is not None else -1 for v in values), dtype=np.int32, count=len(values)
        )
        return cls(codes=codes, labels=tuple(labels))


@dataclass(frozen=True)
class Dataset:
    """Everything the statistics need, for ``n`` course participations (rows).

    ``scores[outcome_code]`` is an ``n × len(WAVES)`` float array, NaN where there is no
    complete score. Categorical columns hold codes (-1 unknown). ``attended`` / ``held`` count
    meetings; ``status`` is ``enrolled`` / ``completed`` / ``dropped``.
    """

    outcomes: tuple[Outcome, ...]
    scores: dict[str, FloatArray]
    organisation: Categorical
    group: Categorical
    target: Categorical
    age_band: Categorical
    gender: Categorical
    living_alone: Categorical
    status: Categorical
    drop_reason: Categorical
    attended: IntArray
    held: IntArray
    #: Counts of the way in for the same scope (not person-level); stage → count.
    funnel: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.attended.shape[0])

    def outcome(self, code: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.code == code:
                return outcome
        raise KeyError(code)

    def wave_scores(self, code: str, wave: str) -> FloatArray:
        return self.scores[code][:, WAVES.index(wave)]
