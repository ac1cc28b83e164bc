"""Attacks through the one upload of Spejl, the questionnaire import: files too large, binary
files and archives (a zip bomb among them), a spreadsheet's semicolons, endless lines, too many
lines, NUL bytes, UTF-16, formulas (CSV injection) and malformed CSV. Each is refused with a
clear message and nothing is stored — no answers, no participants and, for the files refused
on sight, not even a record of the attempt."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from spejl.conftest import World
from spejl.questionnaires.models import Answer, ImportRun, Response
from spejl.web.tests.attacks.helpers import changed_tables, snapshot

DATA = Path(__file__).resolve().parents[3] / "questionnaires" / "tests" / "data"
GOOD = (DATA / "new_participants.csv").read_bytes()
HEADER = GOOD.split(b"\n", 1)[0]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", b"0" * (50 * 1024 * 1024))
    return buffer.getvalue()


def _with_cell(value: bytes) -> bytes:
    """The good file with its first data row's record id replaced by ``value``."""
    header, first, *rest = GOOD.split(b"\n")
    cells = first.split(b",")
    cells[0] = value
    return b"\n".join([header, b",".join(cells), *rest])


#: What is sent, and a word of the message that must explain the refusal (English page).
REFUSED_ON_SIGHT = {
    "zip bomb": (_zip_bomb(), "binary"),
    "xlsx (zip)": (b"PK\x03\x04" + b"\x00" * 200, "binary"),
    "gzip": (gzip.compress(GOOD), "binary"),
    "png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "binary"),
    "utf-16": (GOOD.decode().encode("utf-16"), "binary"),
    "nul bytes": (GOOD.replace(b",", b",\x00", 1), "binary"),
    "semicolons": (GOOD.replace(b",", b";"), "semicolons"),
    "tabs": (GOOD.replace(b",", b"\t"), "semicolons or tabs"),
    "endless line": (HEADER + b"\n" + b"1," + b"9" * 200_000 + b"\n", "longer than"),
    "too many lines": (HEADER + b"\n" + b"\n" * 60_000, "lines"),
    "formula =": (_with_cell(b'"=HYPERLINK(""http://evil.example"",""Klik"")"'), "formula"),
    "formula +": (_with_cell(b"+cmd|' /C calc'!A0"), "formula"),
    "formula @": (_with_cell(b"@SUM(1+1)*cmd|' /C calc'!A0"), "formula"),
    "formula -": (_with_cell(b"-2+3+cmd|' /C calc'!A0"), "formula"),
    "empty": (b"", "empty"),
}


def _upload(client: Client, content: bytes, world: World, name: str = "export.csv") -> Any:
    return client.post(
        reverse("questionnaires:import"),
        {
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
            "events": "t0_arm_1=T0, t1_arm_1=T1, t2_arm_1=T2",
            "default_organisation": world.org_a.pk,
            "paper_consent_confirmed": "on",
        },
    )


@pytest.fixture
def importer(world: World, client_as: Any) -> Client:
    client: Client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("attack", sorted(REFUSED_ON_SIGHT))
def test_hostile_files_are_refused_on_sight_and_nothing_is_stored(
    attack: str, world: World, importer: Client
) -> None:
    content, word = REFUSED_ON_SIGHT[attack]
    before = snapshot()
    response = _upload(importer, content, world)
    assert response.status_code == 400
    assert word in response.content.decode(), attack
    assert changed_tables(before) == []


def test_a_file_over_the_limit_is_refused_with_the_limit_named(
    world: World, importer: Client, settings: Any
) -> None:
    settings.SPEJL_IMPORT_MAX_BYTES = 1024 * 1024
    before = snapshot()
    response = _upload(importer, GOOD + b"\n" * (1024 * 1024), world)
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert changed_tables(before) == []


def test_a_request_over_the_request_limit_is_refused_unread(
    world: World, importer: Client, settings: Any
) -> None:
    settings.SPEJL_REQUEST_MAX_BYTES = 512 * 1024
    before = snapshot()
    response = _upload(importer, b"1,2\n" * (256 * 1024), world)
    assert response.status_code == 413
    assert "0 MB" not in response.content.decode()
    assert changed_tables(before) == []


def test_the_danish_form_names_the_limit(world: World, client_as: Any, settings: Any) -> None:
    settings.SPEJL_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    response = _upload(client_as("coordinator_a"), GOOD + b"\n" * (2 * 1024 * 1024), world)
    assert response.status_code == 400
    assert "2 MB" in response.content.decode()


@pytest.mark.parametrize(
    "content",
    [
        GOOD.replace(b",", b',"', 1),  # an unclosed quotation mark
        "record_id,redcap_event_name\r\nSØ,t0_arm_1\r\n".encode("latin-1"),  # not UTF-8
        b"record_id\n" + b"1\n" * 25_000,  # more rows than an import takes
    ],
    ids=["unclosed quote", "latin-1", "too many rows"],
)
def test_malformed_csv_is_refused_with_its_line_and_no_data_is_kept(
    content: bytes, world: World, importer: Client
) -> None:
    response = _upload(importer, content, world)
    assert response.status_code in (302, 400)
    assert not Response.objects.exists() and not Answer.objects.exists()
    for run in ImportRun.objects.all():
        assert run.content == ""  # a refused file's content is never kept
        assert run.summary["problem_count"] >= 1
