"""Tests for the programme's own T0 background and T1 experience questionnaires."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.instruments import Instrument, load_instrument
from spejl.core.scoring import score

INSTRUMENTS = Path(__file__).resolve().parents[2] / "instruments"
BACKGROUND = load_instrument(INSTRUMENTS / "background.v1.json")
EXPERIENCE = load_instrument(INSTRUMENTS / "experience.v1.json")
AGREEMENT = [
    (1, "Helt uenig", "Strongly disagree"),
    (2, "Uenig", "Disagree"),
    (3, "Hverken enig eller uenig", "Neither agree nor disagree"),
    (4, "Enig", "Agree"),
    (5, "Helt enig", "Strongly agree"),
]


def test_background_has_its_five_items_with_category_codes_from_1() -> None:
    assert BACKGROUND.item_codes == (
        "bg_age_band",
        "bg_gender",
        "bg_living",
        "bg_occupation",
        "bg_lonely_duration",
    )
    counts = {item.code: len(item.options) for item in BACKGROUND.items}
    assert counts == {
        "bg_age_band": 8,
        "bg_gender": 3,
        "bg_living": 5,
        "bg_occupation": 6,
        "bg_lonely_duration": 5,
    }
    for item in BACKGROUND.items:
        assert [option.score for option in item.options] == list(range(1, len(item.options) + 1))
        assert item.is_choice


def test_background_options_cover_the_agreed_categories() -> None:
    labels = {item.code: [o.label.da for o in item.options] for item in BACKGROUND.items}
    assert labels["bg_age_band"][0] == "16–17 år"
    assert labels["bg_age_band"][-1].startswith("75")
    assert labels["bg_gender"] == ["Kvinde", "Mand", "Andet"]
    assert labels["bg_living"][0] == "Jeg bor alene"
    assert labels["bg_occupation"][3] == "Jeg er sygemeldt eller på førtidspension"
    assert labels["bg_lonely_duration"] == [
        "Under 6 måneder",
        "6–12 måneder",
        "1–2 år",
        "2–5 år",
        "Over 5 år",
    ]


def test_experience_has_nine_scored_items_and_one_open_question() -> None:
    assert EXPERIENCE.item_codes == (
        "exp_met",
        "exp_seen",
        "exp_heard",
        "exp_understood",
        "exp_mirror",
        "exp_safe_room",
        "exp_learnt",
        "exp_satisfaction",
        "exp_recommend",
        "exp_comment",
    )
    assert len(EXPERIENCE.choice_items) == 9
    comment = EXPERIENCE.item("exp_comment")
    assert comment.kind == "text"
    assert comment.options == ()
    assert comment.max_length == 1000
    assert comment.text.da == "Er der andet, du vil fortælle os om forløbet?"


def test_experience_agreement_items_use_the_five_point_scale() -> None:
    for item in EXPERIENCE.choice_items[:7]:
        assert [(o.score, o.label.da, o.label.en) for o in item.options] == AGREEMENT


def test_experience_names_met_seen_heard_understood_as_separate_items() -> None:
    words = ["mødt", "set", "hørt", "forstået"]
    codes = ["exp_met", "exp_seen", "exp_heard", "exp_understood"]
    for code, word in zip(codes, words, strict=True):
        assert f"følte mig {word} af de andre i gruppen" in EXPERIENCE.item(code).text.da
    assert "spejle mig i de andre" in EXPERIENCE.item("exp_mirror").text.da
    assert "trygt rum" in EXPERIENCE.item("exp_safe_room").text.da


def test_satisfaction_and_recommendation_have_their_own_options() -> None:
    satisfaction = EXPERIENCE.item("exp_satisfaction").options
    assert (satisfaction[0].score, satisfaction[0].label.da) == (1, "Meget utilfreds")
    assert (satisfaction[-1].score, satisfaction[-1].label.da) == (5, "Meget tilfreds")
    recommend = EXPERIENCE.item("exp_recommend").options
    assert [(o.score, o.label.da) for o in recommend] == [
        (1, "Ja, helt sikkert"),
        (2, "Ja, måske"),
        (3, "Nej"),
    ]


@pytest.mark.parametrize("instrument", [BACKGROUND, EXPERIENCE], ids=lambda i: i.code)
def test_both_are_reported_item_by_item_enabled_and_free(instrument: Instrument) -> None:
    assert instrument.scoring.type == "items"
    assert instrument.scoring.on_missing == "item_none"
    assert instrument.scoring.max_missing == len(instrument.choice_items)
    assert "direction" in instrument.scoring.note
    assert instrument.bands == ()
    assert instrument.reliability is None
    assert instrument.score_range is None
    assert instrument.enabled_by_default
    assert instrument.allow_decline
    assert instrument.licence == "Written for Spejl; free to use."
    assert "Spejl" in instrument.attribution
    assert all(len(code) <= 26 for code in instrument.item_codes)
    assert all(item.text.da != item.text.en for item in instrument.items)


def test_scoring_background_gives_item_scores_and_no_total() -> None:
    answers: dict[str, int | None] = {
        "bg_age_band": 8,
        "bg_gender": 1,
        "bg_living": 1,
        "bg_occupation": None,
        "bg_lonely_duration": 5,
    }
    result = score(BACKGROUND, answers)
    assert result.raw is None
    assert result.score is None
    assert result.band is None
    assert result.item_scores == answers
    assert result.missing == ("bg_occupation",)
    assert not result.complete
    assert result.scoring_version == "background.v1"


def test_the_open_question_is_never_scored() -> None:
    with pytest.raises(ValueError, match="unknown or unscored item codes"):
        score(EXPERIENCE, {"exp_met": 5, "exp_comment": 3})
    result = score(EXPERIENCE, {"exp_met": 5})
    assert "exp_comment" not in result.item_scores
    assert "exp_comment" not in result.missing


@given(
    st.fixed_dictionaries(
        {
            item.code: st.one_of(st.none(), st.sampled_from(sorted(item.scores)))
            for item in EXPERIENCE.choice_items
        }
    )
)
def test_any_experience_answers_are_kept_as_given_and_never_summed(
    answers: dict[str, int | None],
) -> None:
    result = score(EXPERIENCE, answers)
    assert result.raw is None
    assert result.score is None
    assert dict(result.item_scores) == answers
    codes = [item.code for item in EXPERIENCE.choice_items]
    assert result.missing == tuple(code for code in codes if answers[code] is None)
