"""The demo's questionnaire data: every wave present, improvement on average, attrition,
missing items, paper and telephone answers — and a second run adds nothing."""

from __future__ import annotations

from statistics import mean

import pytest

from spejl.questionnaires.models import Answer, Invitation, Response, Score
from spejl.web.demo import seed_demo
from spejl.web.demo_groups import seed_groups
from spejl.web.demo_journey import seed_journey
from spejl.web.demo_questionnaires import seed_questionnaires

pytestmark = pytest.mark.django_db


def current(wave: str, code: str) -> list[float]:
    return [
        s.score
        for s in Score.objects.filter(
            is_current=True, response__wave=wave, response__instrument_code=code
        )
        if s.score is not None
    ]


def test_demo_responses_look_like_an_evaluation_and_are_made_once(postcodes: None) -> None:
    seed_demo()
    seed_groups()
    seed_journey()
    assert seed_questionnaires() > 0
    counts = (Invitation.objects.count(), Response.objects.count(), Answer.objects.count())
    assert seed_questionnaires() == 0
    assert (Invitation.objects.count(), Response.objects.count(), Answer.objects.count()) == counts

    answered = {
        w: Invitation.objects.filter(wave=w, status="completed").count() for w in ("T0", "T1", "T2")
    }
    assert all(answered.values()), answered
    # Loneliness (T-ILS, lower is better) falls and well-being (WHO-5) rises on average.
    assert mean(current("T1", "tils")) < mean(current("T0", "tils"))
    assert mean(current("T1", "who5")) > mean(current("T0", "who5"))
    assert Answer.objects.filter(declined=True).exists()
    assert Response.objects.filter(status="in_progress").exists()
    assert set(Response.objects.values_list("mode", flat=True)) >= {"web", "paper"}
    assert Invitation.objects.filter(status="closed").exists()
