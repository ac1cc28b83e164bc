"""Loading consent text files: the shipped texts, validation, idempotence and immutability."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from spejl.consents.loader import (
    DATA_DIR,
    ConsentTextFileError,
    TextData,
    load_text_file,
    parse_text,
    read_text_file,
    text_content_hash,
    text_files,
)
from spejl.consents.models import ConsentPurpose, ConsentText, ConsentTextStatus
from spejl.consents.tests.fixtures import make_text


def _text(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "purpose": "follow_up",
        "version": 2,
        "title_da": "Kontakt bagefter",
        "title_en": "Contact afterwards",
        "body_da": ["Hvad siger du ja til?", "Det er frivilligt."],
        "body_en": ["What are you saying yes to?", "It is voluntary."],
    }
    data.update(overrides)
    return data


def _write(tmp_path: Path, data: object, name: str | None = None) -> Path:
    if name is None and isinstance(data, dict):
        name = f"{data.get('purpose')}.v{data.get('version')}.json"
    path = tmp_path / (name or "text.json")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_shipped_files_hold_version_1_of_each_purpose_in_danish_and_english() -> None:
    texts = [read_text_file(path) for path in text_files()]
    assert sorted((t.purpose, t.version) for t in texts) == sorted(
        (p, 1) for p in ConsentPurpose.values
    )
    for text in texts:
        for body in (text.body_da, text.body_en):
            paragraphs = body.split("\n\n")
            assert 4 <= len(paragraphs) <= 7, text.purpose
            assert all(len(p) < 700 for p in paragraphs), "keep paragraphs short"


def test_shipped_texts_say_it_is_voluntary_and_withdrawing_is_as_easy_as_giving() -> None:
    for path in text_files():
        text = read_text_file(path)
        assert "frivilligt" in text.body_da and "voluntary" in text.body_en
        assert "lige så let som du gav det" in text.body_da
        assert "just as easily as you gave it" in text.body_en


def test_evaluation_text_names_defactum_the_legal_basis_and_never_names() -> None:
    text = read_text_file(DATA_DIR / "evaluation.v1.json")
    assert "DEFACTUM" in text.body_da and "DEFACTUM" in text.body_en
    assert "artikel 6, stk. 1, litra e" in text.body_da
    assert "artikel 9, stk. 2, litra j" in text.body_da
    assert "databeskyttelseslovens § 10" in text.body_da
    assert "6(1)(e)" in text.body_en and "9(2)(j)" in text.body_en
    assert "section 10 of the Danish Data Protection Act" in text.body_en
    assert "aldrig dit navn" in text.body_da and "never receive your name" in text.body_en
    # Taking part does not depend on it.
    assert "uanset om du siger ja eller nej" in text.body_da


def test_participation_text_says_it_is_needed_to_take_part() -> None:
    text = read_text_file(DATA_DIR / "participation.v1.json")
    assert "skal du give for at være med" in text.body_da
    assert "you need to give this consent to take part" in text.body_en


@pytest.mark.django_db
def test_the_migration_published_the_shipped_texts() -> None:
    for purpose in ConsentPurpose.values:
        text = ConsentText.objects.get(purpose=purpose, version=1)
        assert text.status == ConsentTextStatus.PUBLISHED
        assert text.published_at is not None
        assert text.content_hash == text_content_hash(
            read_text_file(DATA_DIR / f"{purpose}.v1.json")
        )


@pytest.mark.django_db
def test_loading_again_changes_nothing(texts: dict[str, ConsentText]) -> None:
    before = list(ConsentText.objects.order_by("pk").values())
    results = [load_text_file(ConsentText, path) for path in text_files()]
    assert [r.created for r in results] == [False, False, False]
    assert list(ConsentText.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_command_is_idempotent_and_reports_each_file(
    texts: dict[str, ConsentText], capsys: Any
) -> None:
    call_command("load_consent_texts")
    out = capsys.readouterr().out
    assert out.count("already loaded, unchanged (published)") == 3
    assert ConsentText.objects.count() == 3


@pytest.mark.django_db
def test_changed_content_of_a_published_version_is_refused(
    tmp_path: Path, texts: dict[str, ConsentText]
) -> None:
    shipped = json.loads((DATA_DIR / "evaluation.v1.json").read_text(encoding="utf-8"))
    shipped["body_en"][0] += " Also your shoe size."
    path = _write(tmp_path, shipped)
    with pytest.raises(ConsentTextFileError, match="already published with other content"):
        load_text_file(ConsentText, path)
    with pytest.raises(CommandError, match="next version number"):
        call_command("load_consent_texts", str(path))
    text = ConsentText.objects.get(purpose="evaluation", version=1)
    assert "shoe size" not in text.body_en


@pytest.mark.django_db
def test_a_copy_with_other_whitespace_is_the_same_content(
    tmp_path: Path, texts: dict[str, ConsentText]
) -> None:
    shipped = json.loads((DATA_DIR / "follow_up.v1.json").read_text(encoding="utf-8"))
    shipped["body_da"] = "\n\n\n".join(f"  {p}  " for p in shipped["body_da"])
    result = load_text_file(ConsentText, _write(tmp_path, shipped))
    assert not result.created


@pytest.mark.django_db
def test_a_new_version_is_published_and_supersedes_the_old_one(
    tmp_path: Path, texts: dict[str, ConsentText]
) -> None:
    result = load_text_file(ConsentText, _write(tmp_path, _text()))
    assert result.created and result.status == ConsentTextStatus.PUBLISHED
    v2 = ConsentText.objects.get(purpose="follow_up", version=2)
    assert v2.body_da == "Hvad siger du ja til?\n\nDet er frivilligt."
    assert v2.content_hash == text_content_hash(read_text_file(tmp_path / "follow_up.v2.json"))
    v1 = ConsentText.objects.get(purpose="follow_up", version=1)
    assert v1.status == ConsentTextStatus.RETIRED
    # Loading v1 again now is still a no-op: it stays superseded.
    assert not load_text_file(ConsentText, DATA_DIR / "follow_up.v1.json").created


@pytest.mark.django_db
def test_an_older_version_loaded_after_a_newer_one_is_stored_superseded(
    tmp_path: Path, texts: dict[str, ConsentText]
) -> None:
    load_text_file(ConsentText, _write(tmp_path, _text(version=3)))
    result = load_text_file(ConsentText, _write(tmp_path, _text(version=2, title_en="Older")))
    assert result.created and result.status == ConsentTextStatus.RETIRED
    assert ConsentText.objects.get(purpose="follow_up", status="published").version == 3


@pytest.mark.django_db
def test_a_version_that_exists_as_a_draft_is_refused(tmp_path: Path) -> None:
    make_text(purpose="follow_up", version=2)
    with pytest.raises(ConsentTextFileError, match="exists as a draft"):
        load_text_file(ConsentText, _write(tmp_path, _text()))


@pytest.mark.django_db
def test_the_command_loads_all_files_or_none(tmp_path: Path, texts: dict[str, ConsentText]) -> None:
    good = _write(tmp_path, _text())
    bad = _write(tmp_path, _text(purpose="evaluation", version=2, body_en=""))
    with pytest.raises(CommandError, match="body_en is empty"):
        call_command("load_consent_texts", str(good), str(bad))
    assert not ConsentText.objects.filter(version=2).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purpose": "marketing"}, "purpose must be one of"),
        ({"version": 0}, "version must be a whole number"),
        ({"version": True}, "version must be a whole number"),
        ({"title_da": "  "}, "title_da must be a text that is not empty"),
        ({"title_en": "x" * 201}, "longer than 200"),
        ({"body_da": []}, "body_da is empty"),
        ({"body_en": [1, 2]}, "list of paragraphs"),
        ({"body_en": ["one\n\ntwo"]}, "a paragraph holds a blank line"),
        ({"body_da": {"p": "x"}}, "a text or a list of paragraphs"),
        ({"extra": 1}, "unknown key"),
    ],
)
def test_malformed_texts_are_refused_with_a_clear_message(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConsentTextFileError, match=message):
        parse_text(_text(**overrides), source="t.json")


def test_missing_keys_and_bad_files_are_named(tmp_path: Path) -> None:
    data = _text()
    del data["body_en"]
    with pytest.raises(ConsentTextFileError, match="missing key"):
        parse_text(data, source="t.json")
    broken = tmp_path / "follow_up.v2.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConsentTextFileError, match=r"follow_up\.v2\.json: not valid JSON"):
        read_text_file(broken)
    with pytest.raises(ConsentTextFileError, match=r"must be named follow_up\.v2\.json"):
        read_text_file(_write(tmp_path, _text(), name="follow_up.v1.json"))


def test_content_hash_ignores_purpose_and_version_but_not_words() -> None:
    a = TextData("evaluation", 1, "T", "T", "A\n\nB", "A\n\nB")
    b = TextData("follow_up", 7, "T", "T", "A\r\n\r\nB ", "A\n\n\nB")
    c = TextData("evaluation", 1, "T", "T", "A\n\nC", "A\n\nB")
    assert text_content_hash(a) == text_content_hash(b)
    assert text_content_hash(a) != text_content_hash(c)
