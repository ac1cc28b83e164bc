"""Storing scores: a response is scored by the pure core (``spejl.core.scoring``) and the
result kept as a ``Score`` row naming the scoring version and engine version that made it.

Rescoring (``manage.py rescore``) adds a new current row when the rule that applies has
changed and keeps the earlier rows for audit. Reads answers (health data) and writes scores;
callers are services that have checked the actor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from spejl.core.instruments import Instrument
from spejl.core.scoring import ScoreResult, score
from spejl.questionnaires.models import InstrumentVersion, Response, ResponseStatus, Score

#: Bumped whenever ``spejl.core.scoring`` changes how any score is computed; stored on each
#: score so ``rescore`` knows which ones an older engine made.
ENGINE_VERSION = 1


def choice_answers(instrument: Instrument, response: Response) -> dict[str, int | None]:
    """The response's choice answers for scoring ("don't want to answer" is ``None``)."""
    scored = {item.code for item in instrument.choice_items}
    return {
        answer.item_code: answer.value
        for answer in response.answers.all()
        if answer.item_code in scored
    }


def _compatible(old: Instrument, new: Instrument) -> bool:
    """A newer version can rescore old answers only if it asks the same things the same way:
    the same choice items with the same option scores."""
    return [(i.code, i.scores) for i in old.choice_items] == [
        (i.code, i.scores) for i in new.choice_items
    ]


def scoring_rule_for(version: InstrumentVersion) -> InstrumentVersion:
    """The newest loaded version of the same instrument that can score these answers."""
    newest = version
    for candidate in InstrumentVersion.objects.filter(
        code=version.code, version__gt=version.version
    ).order_by("version"):
        if _compatible(version.instrument, candidate.instrument):
            newest = candidate
    return newest


def score_store(response: Response, result: ScoreResult) -> Score:
    """Keep ``result`` as the response's current score (earlier ones stay, not current)."""
    with transaction.atomic():
        Score.objects.filter(response=response, is_current=True).update(is_current=False)
        return Score.objects.create(
            response=response,
            scoring_version=result.scoring_version,
            engine_version=ENGINE_VERSION,
            raw=result.raw,
            score=result.score,
            band=result.band or "",
            complete=result.complete,
            missing=list(result.missing),
            item_scores=dict(result.item_scores),
        )


def response_score(response: Response, *, rule: InstrumentVersion | None = None) -> Score:
    """Score ``response`` by ``rule`` (default: the version it was answered with) and make
    that the current score, keeping earlier ones."""
    rule = rule or response.instrument
    return score_store(response, score(rule.instrument, choice_answers(rule.instrument, response)))


@dataclass(frozen=True)
class RescoreOutcome:
    checked: int
    rescored: int
    changed: int


def responses_rescore(
    *, codes: Iterable[str] | None = None, dry_run: bool = False
) -> RescoreOutcome:
    """Give every finished response a current score by the newest applicable rule and the
    current engine; responses already scored that way are left alone. ``changed`` counts the
    rescored responses whose score or band differs from before."""
    responses = (
        Response.objects.exclude(status=ResponseStatus.IN_PROGRESS)
        .select_related("instrument")
        .prefetch_related("answers", "scores")
        .order_by("pk")
    )
    if codes:
        responses = responses.filter(instrument_code__in=list(codes))
    rules: dict[int, InstrumentVersion] = {}
    checked = rescored = changed = 0
    for response in responses.iterator(chunk_size=500):
        checked += 1
        rule = rules.get(response.instrument_id)
        if rule is None:
            rule = rules[response.instrument_id] = scoring_rule_for(response.instrument)
        current = next((s for s in response.scores.all() if s.is_current), None)
        if (
            current is not None
            and current.scoring_version == rule.key
            and current.engine_version == ENGINE_VERSION
        ):
            continue
        rescored += 1
        if dry_run:
            continue
        new = response_score(response, rule=rule)
        if current is None or (current.score, current.band) != (new.score, new.band):
            changed += 1
    return RescoreOutcome(checked=checked, rescored=rescored, changed=changed)
