"""Loading instrument files (a loaded version never changes) and rescoring stored responses
when a newer compatible version or scoring engine applies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from spejl.core.instruments import InstrumentFileError
from spejl.questionnaires import scoring
from spejl.questionnaires.loader import INSTRUMENTS_DIR, load_instruments
from spejl.questionnaires.models import InstrumentVersion, Response, Score
from spejl.testing.questionnaires import consenting_group, invite

pytestmark = pytest.mark.django_db


def copy_instruments(tmp_path: Path) -> Path:
    target = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS_DIR, target)
    return target


def test_every_shipped_file_is_loaded_with_its_content_hash(postcodes: None) -> None:
    keys = set(InstrumentVersion.objects.values_list("code", "version"))
    assert {("tils", 1), ("who5", 1), ("swemwbs", 1), ("background", 1)} <= keys
    swemwbs = InstrumentVersion.objects.get(code="swemwbs")
    assert not swemwbs.enabled  # licence: disabled by default
    assert len(swemwbs.content_hash) == 64


def test_loading_again_adds_nothing(postcodes: None) -> None:
    assert load_instruments(InstrumentVersion) == []


def test_a_changed_file_for_a_loaded_version_is_refused(postcodes: None, tmp_path: Path) -> None:
    directory = copy_instruments(tmp_path)
    path = directory / "who5.v1.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["items"][0]["text"]["da"] = "I de sidste 2 uger har jeg været glad"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InstrumentFileError, match=r"who5\.v2\.json"):
        load_instruments(InstrumentVersion, directory)
    assert (
        InstrumentVersion.objects.get(code="who5", version=1)
        .definition["items"][0]["text"]["da"]
        .endswith("godt humør")
    )


def answered_who5(world: Any) -> Response:
    [invitation] = invite(consenting_group(world, participants=1))
    from spejl.questionnaires.answering import answers_save, invitation_submit, session_for

    session = session_for(invitation)
    for block in session.blocks:
        if block.version.code == "who5":
            data = {item.code: "3" for item in block.items}
            answers_save(invitation=invitation, block=block, data=data, require_all=True)
    invitation_submit(invitation=invitation)
    return Response.objects.get(invitation=invitation, instrument_code="who5")


def test_rescore_applies_a_newer_compatible_version_and_keeps_the_old_score(
    world: Any, tmp_path: Path, capsys: Any
) -> None:
    response = answered_who5(world)
    assert response.scores.get().score == 60  # 5 × 3 × 4
    directory = tmp_path / "new"
    directory.mkdir()
    data = json.loads((INSTRUMENTS_DIR / "who5.v1.json").read_text(encoding="utf-8"))
    data["version"] = 2
    data["scoring"]["multiplier"] = 2  # a (fictional) corrected rule, same items
    (directory / "who5.v2.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert load_instruments(InstrumentVersion, directory) == ["who5.v2"]

    call_command("rescore", "--instrument", "who5", "--dry-run")
    assert "would rescore 1" in capsys.readouterr().out
    assert response.scores.count() == 1

    call_command("rescore", "--instrument", "who5")
    assert "rescored 1; 1 score(s) changed" in capsys.readouterr().out
    current = response.scores.get(is_current=True)
    assert (current.scoring_version, current.score) == ("who5.v2", 30)
    assert response.scores.get(is_current=False).score == 60
    # The response still names the version it was answered with.
    response.refresh_from_db()
    assert response.instrument.key == "who5.v1"

    call_command("rescore")
    assert "rescored 0" in capsys.readouterr().out


def test_an_incompatible_newer_version_does_not_rescore(world: Any, tmp_path: Path) -> None:
    response = answered_who5(world)
    directory = tmp_path / "new"
    directory.mkdir()
    data = json.loads((INSTRUMENTS_DIR / "who5.v1.json").read_text(encoding="utf-8"))
    data["version"] = 2
    data["items"] = data["items"][:4]  # a question dropped: old answers are not comparable
    data["bands"] = []
    (directory / "who5.v2.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    load_instruments(InstrumentVersion, directory)
    outcome = scoring.responses_rescore()
    assert outcome.rescored == 0
    assert Score.objects.get(response=response).scoring_version == "who5.v1"


def test_a_new_scoring_engine_rescores_everything(world: Any, monkeypatch: Any) -> None:
    response = answered_who5(world)
    monkeypatch.setattr(scoring, "ENGINE_VERSION", scoring.ENGINE_VERSION + 1)
    outcome = scoring.responses_rescore()
    assert outcome.rescored == Response.objects.exclude(status="in_progress").count()
    assert outcome.changed == 0
    assert response.scores.filter(is_current=True).get().engine_version == scoring.ENGINE_VERSION
