"""The evaluator as attacker: walking every URL of Spejl and downloading every report and export
(unzipping archives), an evaluator finds no name, e-mail address or phone number of any
participant, enquirer or intake — only pseudonymised data."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from spejl.conftest import World
from spejl.evaluation.tests.fixtures import export_a, programme
from spejl.intake.tests.fixtures import make_enquiry
from spejl.participants.models import Contact
from spejl.testing.participants import waiting_participant
from spejl.web.tests.attacks.helpers import all_url_names, url_for


def _contact_data(world: World) -> set[str]:
    """Every seeded person's identifying values (names of at least 4 letters, e-mails,
    phone digits)."""
    waiting_participant(world, first_name="Ulrikkesen")
    make_enquiry(world.org_a, first_name="Enquirerika", phone="+45 61 72 83 94")
    values: set[str] = {"Enquirerika", "enquirerika@example.org", "61728394"}
    for contact in Contact.objects.all():
        for value in (contact.first_name, contact.last_name, contact.email):
            if value and len(value) >= 4:
                values.add(value)
        digits = re.sub(r"\D", "", contact.phone or "")
        if digits:
            values.add(digits[-8:])
    return values


def _texts(content: bytes) -> list[str]:
    """The response as text, or each file inside it if it is a zip archive."""
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [
                archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            ]
    return [content.decode("utf-8", errors="replace")]


def _found(text: str, secrets: set[str]) -> set[str]:
    digits = re.sub(r"\D", "", text)
    return {s for s in secrets if s in text or (s.isdigit() and s in digits)}


def test_the_evaluator_finds_no_contact_data_anywhere(world: World, client_as: Any) -> None:
    programme(world)
    secrets = _contact_data(world)
    assert len(secrets) > 10
    client = client_as("evaluator")
    leaks: dict[str, set[str]] = {}
    for name in all_url_names():
        response = client.get(url_for(name, world))
        if response.status_code != 200:
            continue
        for text in _texts(response.content):
            if found := _found(text, secrets):
                leaks[name] = found
    assert leaks == {}


def test_every_export_format_holds_no_contact_data(world: World, client_as: Any) -> None:
    from spejl.access.actor import actor_for_user
    from spejl.evaluation.exports import export_request
    from spejl.evaluation.scope import ReportScope

    programme(world)
    secrets = _contact_data(world)
    client = client_as("evaluator")
    downloaded = 0
    for file_format in ("csv", "json", "xlsx", "parquet", "sav", "dta"):
        try:
            export = export_request(
                actor_for_user(world.evaluator),
                ReportScope(),
                layout="long",
                file_format=file_format,
                options={"drop_free_text": False, "shift_dates": False, "age": "year"},
            )
        except (ValueError, KeyError):
            continue
        url = url_for("evaluation:export_download", world).replace(
            str(export_a(world).public_id), str(export.public_id)
        )
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        assert response.status_code == 200, file_format
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for text in _texts(body):
            assert _found(text, secrets) == set(), file_format
        downloaded += 1
    assert downloaded >= 2


def test_the_evaluators_own_reports_hold_no_contact_data(world: World, client_as: Any) -> None:
    from spejl.access.actor import actor_for_user
    from spejl.evaluation.reports import report_request
    from spejl.evaluation.scope import ReportScope

    programme(world)
    secrets = _contact_data(world)
    run = report_request(actor_for_user(world.evaluator), ReportScope())
    client = client_as("evaluator")
    for name in ("evaluation:report", "evaluation:report_json", "evaluation:report_pdf"):
        url = url_for(name, world).rsplit("/reports/", 1)[0] + f"/reports/{run.public_id}/"
        url += {"evaluation:report": "", "evaluation:report_json": "report.json"}.get(
            name, "report.pdf"
        )
        response = client.get(url)
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert _found(body.decode("latin-1"), secrets) == set(), name
