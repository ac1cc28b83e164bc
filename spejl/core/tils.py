"""Scoring the Three-Item Loneliness Scale (T-ILS, UCLA-3).

Hughes, Waite, Hawkley & Cacioppo 2004, *Research on Aging* 26(6):655–672. It is the loneliness
measure of the Danish national health profile (Sundhedsstyrelsen, *Danskernes Sundhed – Den
Nationale Sundhedsprofil* 2017 and 2021), with three items:

1. "Hvor ofte føler du, at du savner nogen at være sammen med?"
2. "Hvor ofte føler du dig udenfor?"
3. "Hvor ofte føler du dig isoleret fra andre?"

Each is answered *Næsten aldrig*, *En gang imellem* or *Ofte*. The national profile codes them
1–3 (sum 3–9) and counts a sum of 7–9 as signs of severe loneliness. Some Danish studies code
the same answers 0–2 (sum 0–6) with the cut-off at 4 — the same answers, the same people. Both
codings are supported; store the item answers and the coding, never only the sum.

Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: Number of items in the scale.
ITEM_COUNT = 3

Coding = Literal["1-3", "0-2"]


@dataclass(frozen=True)
class TilsCoding:
    """How answers are numbered: the lowest and highest item value and the severe cut-off."""

    low: int
    high: int
    severe_from: int

    @property
    def min_score(self) -> int:
        return self.low * ITEM_COUNT

    @property
    def max_score(self) -> int:
        return self.high * ITEM_COUNT


#: 1 Næsten aldrig / 2 En gang imellem / 3 Ofte; 7–9 severe (Sundhedsstyrelsen).
CODING_1_3 = TilsCoding(low=1, high=3, severe_from=7)
#: 0 Næsten aldrig / 1 En gang imellem / 2 Ofte; 4–6 severe (the same cut-off, recoded).
CODING_0_2 = TilsCoding(low=0, high=2, severe_from=4)

CODINGS: dict[str, TilsCoding] = {"1-3": CODING_1_3, "0-2": CODING_0_2}


@dataclass(frozen=True)
class TilsResult:
    """A scored T-ILS answer.

    ``score`` is the sum of the three items, or ``None`` when any item is missing (a partial
    sum is not comparable with the cut-off). ``severe`` is true when the score reaches the
    cut-off for severe loneliness; ``complete`` says whether all three items were answered.
    """

    score: int | None
    severe: bool
    complete: bool


def tils_score(items: Sequence[int | None], coding: Coding = "1-3") -> TilsResult:
    """Score the three T-ILS items in the given coding.

    ``items`` holds exactly three answers, each an ``int`` within the coding's range or
    ``None`` for "not answered". Raises ``ValueError`` for a wrong number of items, an unknown
    coding or an answer out of range — a wrong value is a programming error, never a score.
    """
    spec = CODINGS.get(coding)
    if spec is None:
        raise ValueError(f"unknown T-ILS coding {coding!r}; use one of {sorted(CODINGS)}")
    if len(items) != ITEM_COUNT:
        raise ValueError(f"T-ILS has {ITEM_COUNT} items, got {len(items)}")
    for number, value in enumerate(items, start=1):
        if value is None:
            continue
        # bool is an int in Python; True is not an answer.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"T-ILS item {number}: expected an integer, got {value!r}")
        if not spec.low <= value <= spec.high:
            raise ValueError(
                f"T-ILS item {number}: {value} is outside {spec.low}–{spec.high} ({coding})"
            )
    if any(value is None for value in items):
        return TilsResult(score=None, severe=False, complete=False)
    score = sum(value for value in items if value is not None)
    return TilsResult(score=score, severe=score >= spec.severe_from, complete=True)
