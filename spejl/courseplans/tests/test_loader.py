"""Loading course plan files: validation, idempotence and immutability of published versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from spejl.courseplans.loader import (
    NATIONAL_DEFAULT_FILE,
    CoursePlanFileError,
    load_plan_file,
    plan_content_hash,
    plan_data_from_models,
    plan_files,
    read_plan_file,
)
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting, CoursePlanStatus


def _plan(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "test-plan",
        "version": 1,
        "title_da": "Prøveforløb",
        "title_en": "Test course",
        "description_da": "",
        "description_en": "",
        "meetings": [
            {"number": n, "theme_da": f"Tema {n}", "theme_en": f"Theme {n}"} for n in (1, 2, 3)
        ],
    }
    data.update(overrides)
    return data


def _write(tmp_path: Path, data: object, name: str = "test-plan.v1.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _load(path: Path) -> Any:
    return load_plan_file(CoursePlan, CoursePlanMeeting, path)


def test_shipped_national_default_file_is_valid_with_ten_meetings_and_review_at_six() -> None:
    plan = read_plan_file(NATIONAL_DEFAULT_FILE)
    assert (plan.code, plan.version) == ("national-default", 1)
    assert plan.title_da == "Selvhjælpsgruppe mod ensomhed — 10 møder"
    assert plan.title_en == "Self-help group against loneliness — 10 meetings"
    assert [m.number for m in plan.meetings] == list(range(1, 11))
    assert [m.number for m in plan.meetings if m.is_review] == [6]
    for meeting in plan.meetings:
        for guide in (meeting.guide_da, meeting.guide_en):
            sentences = guide.count(". ") + 1
            assert 3 <= sentences <= 6, (meeting.number, guide)
    assert NATIONAL_DEFAULT_FILE in plan_files()


def test_a_valid_file_is_read_with_text_trimmed(tmp_path: Path) -> None:
    data = _plan(title_en="  Test course \n")
    data["meetings"][1]["is_review"] = True
    data["meetings"][1]["guide_da"] = " Vejledning "
    plan = read_plan_file(_write(tmp_path, data))
    assert plan.title_en == "Test course"
    assert plan.meetings[1].is_review and plan.meetings[1].guide_da == "Vejledning"
    assert plan.meetings[0].guide_en == ""


def _without(key: str) -> dict[str, Any]:
    data = _plan()
    del data[key]
    return data


def _with_meetings(*meetings: dict[str, Any]) -> dict[str, Any]:
    return _plan(meetings=list(meetings))


def _m(
    number: Any, theme_da: str = "Tema", theme_en: str = "Theme", **extra: Any
) -> dict[str, Any]:
    return {"number": number, "theme_da": theme_da, "theme_en": theme_en, **extra}


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        (_without("meetings"), "missing key(s): meetings"),
        (_without("title_da"), "missing key(s): title_da"),
        (_plan(colour="blue"), "unknown key(s): colour"),
        (_plan(code="Not a slug!"), "code must be a slug"),
        (_plan(version=0), "version must be a whole number"),
        (_plan(version="1"), "version must be a whole number"),
        (_plan(title_da="  "), "title_da is empty"),
        (_plan(meetings={}), "meetings must be a list"),
        (_plan(meetings=[]), "needs 1 to 20 meetings, not 0"),
        (_with_meetings(*[_m(n) for n in range(1, 22)]), "needs 1 to 20 meetings, not 21"),
        (_with_meetings(_m(1), _m(3)), "numbered 1 to 2 without gaps (found 1, 3)"),
        (_with_meetings(_m(2), _m(3)), "numbered 1 to 2 without gaps (found 2, 3)"),
        (_with_meetings(_m(1), _m(2), _m(2)), "meeting 2: the number 2 is used twice"),
        (_with_meetings(_m(1), _m(2, theme_en="")), "meeting 2: theme_en is empty"),
        (_with_meetings(_m(1, theme_da=" ")), "meeting 1: theme_da is empty"),
        (_with_meetings(_m(1, theme_da="x" * 201)), "theme_da is longer than 200"),
        (_with_meetings({"theme_da": "T", "theme_en": "T"}), "meetings[0]: missing key(s): number"),
        (_with_meetings(_m(1, note="x")), "meetings[0]: unknown key(s): note"),
        (_with_meetings(_m("1")), "number must be a whole number"),
        (_with_meetings(_m(1, is_review="yes")), "is_review must be true or false"),
        (_with_meetings(_m(1, guide_en=3)), "guide_en must be text"),
        ([], "must hold one JSON object"),
    ],
)
def test_each_fault_in_a_file_is_named_with_the_file(
    tmp_path: Path, data: object, fault: str
) -> None:
    path = _write(tmp_path, data, name="broken.v1.json")
    with pytest.raises(CoursePlanFileError) as excinfo:
        read_plan_file(path)
    message = str(excinfo.value)
    assert message.startswith("broken.v1.json: ")
    assert fault in message


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "code": "x",\n}', encoding="utf-8")
    with pytest.raises(CoursePlanFileError, match=r"bad\.json: not valid JSON \(line 3"):
        read_plan_file(path)


def test_content_hash_ignores_code_and_version_but_not_content(tmp_path: Path) -> None:
    base = read_plan_file(_write(tmp_path, _plan()))
    renamed = read_plan_file(_write(tmp_path, _plan(code="other", version=7), name="b.json"))
    changed = _plan()
    changed["meetings"][0]["guide_en"] = "A guide"
    changed_plan = read_plan_file(_write(tmp_path, changed, name="c.json"))
    assert plan_content_hash(base) == plan_content_hash(renamed)
    assert plan_content_hash(base) != plan_content_hash(changed_plan)
    assert len(plan_content_hash(base)) == 64


@pytest.mark.django_db
def test_loading_creates_a_published_national_plan_with_its_hash(tmp_path: Path) -> None:
    result = _load(_write(tmp_path, _plan()))
    assert result.created
    plan = CoursePlan.objects.get(code="test-plan", version=1)
    assert plan.status == CoursePlanStatus.PUBLISHED
    assert plan.organisation is None and plan.published_at is not None
    assert [m.theme_en for m in plan.meetings.order_by("number")] == [
        "Theme 1",
        "Theme 2",
        "Theme 3",
    ]
    assert plan.content_hash == plan_content_hash(
        plan_data_from_models(plan, plan.meetings.order_by("number"))
    )


@pytest.mark.django_db
def test_loading_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, _plan())
    _load(path)
    before = (CoursePlan.objects.count(), CoursePlanMeeting.objects.count())
    result = _load(path)
    assert not result.created
    assert (CoursePlan.objects.count(), CoursePlanMeeting.objects.count()) == before


@pytest.mark.django_db
def test_loading_changed_content_for_a_published_version_is_refused(tmp_path: Path) -> None:
    _load(_write(tmp_path, _plan()))
    changed = _plan()
    changed["meetings"][2]["theme_en"] = "A different theme"
    with pytest.raises(CoursePlanFileError, match="already published with other content"):
        _load(_write(tmp_path, changed, name="changed.json"))
    plan = CoursePlan.objects.get(code="test-plan", version=1)
    assert plan.meetings.get(number=3).theme_en == "Theme 3"


@pytest.mark.django_db
def test_loading_over_a_draft_of_the_same_version_is_refused(tmp_path: Path) -> None:
    CoursePlan.objects.create(code="test-plan", version=1, title_da="x", title_en="x")
    with pytest.raises(CoursePlanFileError, match="exists as a draft"):
        _load(_write(tmp_path, _plan()))


@pytest.mark.django_db
def test_a_newer_file_version_supersedes_the_published_one(tmp_path: Path) -> None:
    _load(_write(tmp_path, _plan()))
    _load(_write(tmp_path, _plan(version=2), name="v2.json"))
    statuses = dict(CoursePlan.objects.filter(code="test-plan").values_list("version", "status"))
    assert statuses == {1: CoursePlanStatus.RETIRED, 2: CoursePlanStatus.PUBLISHED}
    # An older version loaded afterwards is superseded at once.
    CoursePlan.objects.filter(code="test-plan", version=1).delete()
    _load(_write(tmp_path, _plan(), name="v1-again.json"))
    assert CoursePlan.objects.get(code="test-plan", version=1).status == CoursePlanStatus.RETIRED


@pytest.mark.django_db
def test_national_default_is_present_after_migrations() -> None:
    plan = CoursePlan.objects.get(code="national-default", version=1)
    assert plan.status == CoursePlanStatus.PUBLISHED
    assert plan.organisation is None
    meetings = list(plan.meetings.order_by("number"))
    assert [m.number for m in meetings] == list(range(1, 11))
    assert [m.number for m in meetings if m.is_review] == [6]
    assert all(m.theme_da and m.theme_en and m.guide_da and m.guide_en for m in meetings)
    assert plan.content_hash == plan_content_hash(read_plan_file(NATIONAL_DEFAULT_FILE))


@pytest.mark.django_db
def test_load_course_plans_command_is_idempotent_and_reports_faults(
    tmp_path: Path, capsys: Any
) -> None:
    call_command("load_course_plans")
    assert "national-default v1: already loaded, unchanged (published)" in capsys.readouterr().out
    good = _write(tmp_path, _plan())
    bad = _write(tmp_path, _with_meetings(_m(1), _m(1)), name="bad.json")
    with pytest.raises(CommandError, match=r"bad\.json: meeting 1: the number 1 is used twice"):
        call_command("load_course_plans", str(good), str(bad))
    assert not CoursePlan.objects.filter(code="test-plan").exists()  # all files or none
    call_command("load_course_plans", str(good))
    assert "test-plan v1: loaded (published)" in capsys.readouterr().out
