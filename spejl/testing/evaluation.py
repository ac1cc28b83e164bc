"""Synthetic evaluation datasets for tests and benchmarks (no database, no real people).

Scores are drawn per person from a latent level plus noise, with improvement at T1 that partly
holds at T2, wave attrition, and group/organisation effects, so every statistic has something
to find.
"""

from __future__ import annotations

import numpy as np

from spejl.core.evaluation.dataset import WAVES, Categorical, Cutoff, Dataset, Outcome
from spejl.core.evaluation.outcomes import CUTOFFS


def _outcome(code: str, low: float, high: float, direction: str, r: float | None) -> Outcome:
    return Outcome(
        code=code,
        version=1,
        content_hash="0" * 64,
        title_da=code.upper(),
        title_en=code.upper(),
        direction=direction,  # type: ignore[arg-type]
        score_min=low,
        score_max=high,
        reliability=r,
        reliability_statistic="test",
        reliability_source="synthetic",
        cutoff=CUTOFFS.get(code),
    )


#: Five outcomes shaped like the real instruments (T-ILS, WHO-5, SWEMWBS and two more).
SYNTHETIC_OUTCOMES: tuple[Outcome, ...] = (
    _outcome("tils", 3, 9, "lower_is_better", 0.72),
    _outcome("who5", 0, 100, "higher_is_better", 0.81),
    _outcome("swemwbs", 7, 35, "higher_is_better", 0.84),
    _outcome("scale_a", 0, 40, "lower_is_better", 0.8),
    _outcome("scale_b", 10, 50, "higher_is_better", 0.75),
)


def synthetic_dataset(
    n: int,
    *,
    seed: int = 1,
    outcomes: tuple[Outcome, ...] = SYNTHETIC_OUTCOMES,
    organisations: int = 21,
    group_size: int = 7,
) -> Dataset:
    """``n`` course participations in groups of ``group_size`` over ``organisations``."""
    rng = np.random.default_rng(seed)
    groups = np.arange(n, dtype=np.int32) // group_size
    n_groups = int(groups.max()) + 1 if n else 0
    group_org = rng.integers(0, organisations, size=max(1, n_groups)).astype(np.int32)
    org = group_org[groups] if n else np.zeros(0, dtype=np.int32)
    answered = np.column_stack([rng.random(n) < 0.9, rng.random(n) < 0.75, rng.random(n) < 0.6])
    group_effect = rng.normal(0, 0.3, size=max(1, n_groups))
    scores: dict[str, np.ndarray] = {}
    for outcome in outcomes:
        span = outcome.score_max - outcome.score_min
        better = -1.0 if outcome.direction == "lower_is_better" else 1.0
        level = rng.normal(0.5, 0.15, size=n) + 0.05 * group_effect[groups]
        gain = rng.normal(0.08, 0.1, size=n)
        matrix = np.empty((n, len(WAVES)))
        for i, keep in enumerate((0.0, 1.0, 0.7)):
            value = level + better * gain * keep + rng.normal(0, 0.08, size=n)
            value = outcome.score_min + np.clip(value, 0, 1) * span
            if span <= 12:
                value = np.round(value)
            matrix[:, i] = np.where(answered[:, i], value, np.nan)
        scores[outcome.code] = matrix
    status_codes = rng.choice([0, 1, 2], size=n, p=[0.2, 0.65, 0.15]).astype(np.int32)
    held = np.full(n, 9, dtype=np.int32)
    attended = np.minimum(held, rng.binomial(9, 0.8, size=n)).astype(np.int32)
    return Dataset(
        outcomes=outcomes,
        scores=scores,
        organisation=Categorical(
            org.astype(np.int32), tuple(f"org-{i}" for i in range(organisations))
        ),
        group=Categorical(groups, tuple(f"g{i}" for i in range(max(1, n_groups)))),
        target=Categorical(
            rng.choice([0, 1], size=n, p=[0.8, 0.2]).astype(np.int32), ("adults", "youth", "custom")
        ),
        age_band=Categorical(
            rng.integers(-1, 8, size=n).astype(np.int32),
            ("16–17", "18–24", "25–34", "35–44", "45–54", "55–64", "65–74", "75+"),
        ),
        gender=Categorical(rng.integers(-1, 3, size=n).astype(np.int32), ("woman", "man", "other")),
        living_alone=Categorical(rng.integers(-1, 2, size=n).astype(np.int32), ("yes", "no")),
        status=Categorical(status_codes, ("enrolled", "completed", "dropped")),
        drop_reason=Categorical(
            np.where(status_codes == 2, rng.integers(-1, 6, size=n), -1).astype(np.int32),
            ("not_a_fit", "practical", "health", "found_other", "no_contact", "other"),
        ),
        attended=attended,
        held=held,
        funnel={
            "enquiries": int(n * 1.6),
            "intakes": int(n * 1.3),
            "placed": n,
            "started": int(n * 0.95),
            "completed": int(np.count_nonzero(status_codes == 1)),
            "answered_t0": int(answered[:, 0].sum()),
            "answered_t1": int(answered[:, 1].sum()),
            "answered_t2": int(answered[:, 2].sum()),
        },
    )


__all__ = ["Cutoff", "synthetic_dataset"]


def answer(
    enrolment: object,
    wave: str,
    code: str,
    values: dict[str, int | None],
    *,
    texts: dict[str, str] | None = None,
) -> object:
    """A submitted web response of ``enrolment`` at ``wave`` to instrument ``code`` with the
    given item values (``None`` = declined), scored and stored as the app would."""
    from django.utils import timezone

    from spejl.core.scoring import score
    from spejl.questionnaires.models import (
        Answer,
        InstrumentVersion,
        Response,
        ResponseMode,
        ResponseStatus,
    )
    from spejl.questionnaires.scoring import score_store

    version = InstrumentVersion.objects.filter(code=code).order_by("-version").first()
    assert version is not None, f"instrument {code} not loaded (use the postcodes fixture)"
    instrument = version.instrument
    response = Response.objects.create(
        participant_id=enrolment.participant_id,  # type: ignore[attr-defined]
        organisation_id=enrolment.organisation_id,  # type: ignore[attr-defined]
        enrolment=enrolment,
        wave=wave,
        instrument=version,
        instrument_code=code,
        mode=ResponseMode.WEB,
        status=ResponseStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    Answer.objects.bulk_create(
        [
            Answer(response=response, item_code=item, value=value, declined=value is None)
            for item, value in values.items()
        ]
        + [
            Answer(response=response, item_code=item, text=text)
            for item, text in (texts or {}).items()
        ]
    )
    score_store(
        response,
        score(instrument, {k: v for k, v in values.items() if instrument.item(k).is_choice}),
    )
    return response


def tils(total: int) -> dict[str, int | None]:
    """T-ILS item answers (1–3 each) adding up to ``total`` (3–9)."""
    assert 3 <= total <= 9
    items = [1, 1, 1]
    rest = total - 3
    for i in range(3):
        step = min(2, rest)
        items[i] += step
        rest -= step
    return {f"tils_{i + 1}": v for i, v in enumerate(items)}


def who5(raw: int) -> dict[str, int | None]:
    """WHO-5 item answers (0–5 each) adding up to ``raw`` (0–25; the score is raw × 4)."""
    assert 0 <= raw <= 25
    items = [0] * 5
    rest = raw
    for i in range(5):
        step = min(5, rest)
        items[i] = step
        rest -= step
    return {f"who5_{i + 1}": v for i, v in enumerate(items)}


def pdf_objects(pdf: bytes) -> bytes:
    """A PDF's objects with its compressed streams inflated, to look for tags and language."""
    import re
    import zlib

    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)
