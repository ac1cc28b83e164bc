"""Scoring questionnaire answers by an instrument's own rule.

:func:`score` turns one person's item answers into a :class:`ScoreResult`, following the
instrument's scoring rule (sum, linear transform, lookup table or unsummed items), its
missing-item rule and its bands. An answer the instrument does not offer is a programming error
(``ValueError``), never a score; "don't want to answer" is ``None``.

Pure Python: no Django import. Touches the answers it is given (health data) but stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from spejl.core.instruments import Instrument, Item


@dataclass(frozen=True)
class ScoreResult:
    """One scored questionnaire.

    ``raw`` is the (reversed where needed, possibly prorated) item sum and ``score`` the final
    score after the rule's conversion; both are ``None`` when too many items are missing and
    always ``None`` for unsummed (``items``) instruments, whose per-item scores are in
    ``item_scores``. ``band`` is the code of the band the score falls in, if any. ``missing``
    lists the unanswered item codes in instrument order; ``complete`` is true when none are.
    ``scoring_version`` names the instrument version whose rule was applied.
    """

    raw: int | None
    score: float | None
    band: str | None
    complete: bool
    missing: tuple[str, ...]
    scoring_version: str
    item_scores: Mapping[str, int | None] = field(default_factory=dict)


def _item_value(item: Item, answer: int | None) -> int | None:
    if answer is None:
        return None
    # bool is an int in Python; True is not an answer.
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise ValueError(f"item {item.code!r}: expected an integer or None, got {answer!r}")
    if answer not in item.scores:
        raise ValueError(
            f"item {item.code!r}: {answer} is not one of the options {sorted(item.scores)}"
        )
    if item.reversed:
        return item.min_score + item.max_score - answer
    return answer


def score(instrument: Instrument, answers: Mapping[str, int | None]) -> ScoreResult:
    """Score ``answers`` (item code → option score, or ``None``) by ``instrument``'s rule.

    Every choice item of the instrument may appear; an item that is absent counts as
    unanswered. Open (text) questions are never scored and must not be passed. Raises
    ``ValueError`` for an unknown or unscored item code or an answer outside the item's options.
    """
    scored = instrument.choice_items
    unknown = sorted(set(answers) - {item.code for item in scored})
    if unknown:
        raise ValueError(f"{instrument.scoring_version}: unknown or unscored item codes {unknown}")
    values = {item.code: _item_value(item, answers.get(item.code)) for item in scored}
    missing = tuple(code for code, value in values.items() if value is None)
    rule = instrument.scoring
    result = ScoreResult(
        raw=None,
        score=None,
        band=None,
        complete=not missing,
        missing=missing,
        scoring_version=instrument.scoring_version,
        item_scores=values,
    )
    if rule.type == "items" or len(missing) > rule.max_missing:
        return result
    answered = [value for value in values.values() if value is not None]
    if not answered:
        return result
    total = sum(answered)
    if missing:
        # Prorate: the mean of the answered items stands in for each missing one,
        # rounded half up to a whole raw score so lookup tables still apply.
        n_items, n_answered = len(values), len(answered)
        total = (2 * total * n_items + n_answered) // (2 * n_answered)
    final: float
    if rule.type == "sum":
        final = total
    elif rule.type == "sum_linear":
        assert rule.multiplier is not None  # guaranteed by validation
        final = total * rule.multiplier
    else:
        final = rule.lookup(total)
    band = next((b.code for b in instrument.bands if b.contains(final)), None)
    return ScoreResult(
        raw=total,
        score=final,
        band=band,
        complete=not missing,
        missing=missing,
        scoring_version=instrument.scoring_version,
        item_scores=values,
    )
