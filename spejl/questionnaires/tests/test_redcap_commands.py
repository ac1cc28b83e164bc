"""``manage.py export_redcap_dictionary`` and ``manage.py import_redcap``."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from spejl.audit.models import AuditEvent
from spejl.consents.models import Consent, ConsentMethod
from spejl.core.redcap import DICTIONARY_COLUMNS
from spejl.participants.models import Participant
from spejl.questionnaires.models import (
    Answer,
    ExternalRecord,
    ImportRun,
    ImportStatus,
    Response,
    ResponseMode,
)
from spejl.questionnaires.tests.test_imports import DATA, T0, csv_bytes, row

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def dictionary_rows(*args: str) -> list[list[str]]:
    text, _err = run("export_redcap_dictionary", *args)
    return list(csv.reader(io.StringIO(text, newline="")))


def written() -> tuple[int, int, int, int]:
    return (
        Response.objects.count(),
        Answer.objects.count(),
        Participant.objects.count(),
        ImportRun.objects.count(),
    )


# --- The data dictionary ------------------------------------------------------------------------


def test_the_dictionary_holds_every_plan_instrument_once_in_wave_order(postcodes: None) -> None:
    rows = dictionary_rows()
    assert tuple(rows[0]) == DICTIONARY_COLUMNS
    assert rows[1][:2] == ["record_id", "background"]
    forms = list(dict.fromkeys(r[1] for r in rows[1:]))
    # T0's forms, then T1's new one; T1 and T2 repeat T0's and are not given twice.
    assert forms == ["background", "tils", "who5", "direct_loneliness", "experience"]
    fields = [r[0] for r in rows[1:]]
    assert len(fields) == len(set(fields))
    who5_1 = next(r for r in rows if r[0] == "who5_1")
    assert who5_1[3] == "radio" and who5_1[5].startswith("5, Hele tiden")
    assert who5_1[17] == "@SPEJL-VERSION=who5.v1"


def test_the_dictionary_of_one_instrument_in_english(postcodes: None) -> None:
    rows = dictionary_rows("--instrument", "who5", "--language", "en")
    assert {r[1] for r in rows[1:]} == {"who5"}
    assert rows[2][5].startswith("5, All of the time")


def test_the_event_mapping_lists_each_waves_forms(postcodes: None) -> None:
    text, _err = run("export_redcap_dictionary", "--events")
    lines = text.splitlines()
    assert lines[0] == "arm_num,unique_event_name,form"
    assert "1,t0_arm_1,background" in lines
    assert "1,t1_arm_1,experience" in lines
    assert "1,t2_arm_1,tils" in lines and "1,t2_arm_1,experience" not in lines


def test_an_unknown_instrument_fails(postcodes: None) -> None:
    with pytest.raises(CommandError, match="no instrument"):
        run("export_redcap_dictionary", "--instrument", "nope")


# --- Import -------------------------------------------------------------------------------------


def test_round_trip_from_the_exported_dictionary_to_an_import(world: Any, tmp_path: Path) -> None:
    rows = dictionary_rows()
    fields_by_form: dict[str, list[str]] = {}
    for field in rows[2:]:
        fields_by_form.setdefault(field[1], []).append(field[0])
    # A REDCap export of a T0 record: the record, event and group, then each T0 form's fields
    # (the first choice of every radio field) and its status.
    choices = {r[0]: r[5].split(",")[0] for r in rows[1:] if r[3] == "radio"}
    record = {"record_id": "RC-1", "redcap_event_name": "t0_arm_1"}
    for form in ("background", "tils", "who5", "direct_loneliness"):
        for name in fields_by_form[form]:
            record[name] = choices[name]
        record[f"{form}_complete"] = "2"
    path = tmp_path / "redcap.csv"
    path.write_bytes(csv_bytes([record]))
    out, err = run("import_redcap", str(path), "--organisation", "Aarhus", "--paper-consent")
    assert err == ""
    assert "Responses: 4 new, 0 unchanged" in out
    participant = ExternalRecord.objects.get(record_id="RC-1").participant
    assert participant.organisation == world.org_a
    responses = Response.objects.filter(participant=participant)
    assert sorted(responses.values_list("instrument_code", flat=True)) == [
        "background",
        "direct_loneliness",
        "tils",
        "who5",
    ]
    assert {r.mode for r in responses} == {ResponseMode.IMPORT}
    tils = responses.get(instrument_code="tils")
    assert dict(tils.answers.values_list("item_code", "value")) == {
        "tils_1": 1,
        "tils_2": 1,
        "tils_3": 1,
    }
    consent = Consent.objects.get(participant=participant)
    assert (consent.method, consent.recorded_by) == (ConsentMethod.PAPER, None)
    imported = ImportRun.objects.get()
    assert (imported.status, imported.content, imported.created_by) == (
        ImportStatus.COMMITTED,
        "",
        None,
    )
    assert AuditEvent.objects.filter(object_id=imported.public_id, action="create").count() == 1
    # The same file again: nothing new.
    out, _err = run("import_redcap", str(path), "--organisation", "aarhus", "--paper-consent")
    assert "Responses: 0 new, 4 unchanged" in out
    assert "The same file was imported before" in out
    assert Response.objects.count() == 4


def test_a_dry_run_checks_and_writes_nothing(world: Any) -> None:
    before = written()
    out, _err = run(
        "import_redcap",
        str(DATA / "new_participants.csv"),
        "--organisation",
        "aarhus",
        "--paper-consent",
        "--dry-run",
    )
    assert "New participants: 2" in out and "Dry run" in out
    assert written() == before
    assert not AuditEvent.objects.filter(object_type="questionnaires.importrun").exists()


def test_problems_go_to_stderr_by_line_and_column_and_the_command_fails(world: Any) -> None:
    before = written()
    err = io.StringIO()
    with pytest.raises(CommandError, match="4 problem") as failed:
        call_command(
            "import_redcap",
            str(DATA / "malformed.csv"),
            "--paper-consent",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert failed.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 1, column survey_timestamp: ")
    assert lines[2].startswith("line 4, column tils_2: ")
    assert written() == before


def test_a_dry_run_with_problems_fails_too(world: Any) -> None:
    with pytest.raises(CommandError):
        run("import_redcap", str(DATA / "new_participants.csv"), "--dry-run")


def test_without_the_paper_consent_flag_unknown_records_are_refused(world: Any) -> None:
    before = written()
    with pytest.raises(CommandError):
        run("import_redcap", str(DATA / "new_participants.csv"), "--organisation", "aarhus")
    assert written() == before


def test_bad_arguments_fail_before_reading(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([row("R1", **T0)]))
    with pytest.raises(CommandError, match="--organisation"):
        run("import_redcap", str(path), "--organisation", "nowhere")
    with pytest.raises(CommandError, match="--events"):
        run("import_redcap", str(path), "--events", "t0_arm_1")
    with pytest.raises(CommandError, match="cannot read"):
        run("import_redcap", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match=r"\.csv"):
        (tmp_path / "x.txt").write_bytes(b"record_id\r\n")
        run("import_redcap", str(tmp_path / "x.txt"))
