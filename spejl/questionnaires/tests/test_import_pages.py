"""The REDCap import pages: who may use them, and the upload → check → import journey."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spejl.access.actor import actor_for_user
from spejl.access.matrix import ROLES
from spejl.audit.models import AuditEvent
from spejl.participants.models import Participant
from spejl.questionnaires import imports
from spejl.questionnaires.import_access import IMPORT_ACCESS
from spejl.questionnaires.models import ImportRun, ImportStatus, Response

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
WALK_FILE = "walk.csv"


def import_run_a(world: Any) -> ImportRun:
    """A previewed run of organisation A that passes the check (new participants with paper
    consent), made by coordinator A on first use — for the URL walk's ``run_id``."""
    existing = ImportRun.objects.filter(
        organisation=world.org_a, file_name=WALK_FILE, status=ImportStatus.PREVIEWED
    ).first()
    if existing is not None:
        return existing
    return imports.import_preview(
        actor=actor_for_user(world.coordinator_a),
        file_name=WALK_FILE,
        content=(DATA / "new_participants.csv").read_bytes(),
        events=dict(imports.SUGGESTED_EVENTS),
        default_organisation=world.org_a,
        paper_consent_confirmed=True,
    )


def urls_index() -> str:
    return reverse("questionnaires:import")


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def urls(run: ImportRun) -> dict[str, str]:
    kwargs = {"run_id": run.public_id}
    return {
        "questionnaires:import": reverse("questionnaires:import"),
        "questionnaires:import_detail": reverse("questionnaires:import_detail", kwargs=kwargs),
        "questionnaires:import_commit": reverse("questionnaires:import_commit", kwargs=kwargs),
        "questionnaires:import_discard": reverse("questionnaires:import_discard", kwargs=kwargs),
    }


def upload(
    client: Client, content: bytes, *, name: str = "export.csv", paper: bool = False, org: Any
) -> Any:
    data: dict[str, Any] = {
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        "events": "t0_arm_1=T0, t1_arm_1=T1, t2_arm_1=T2",
        "default_organisation": org.pk,
    }
    if paper:
        data["paper_consent_confirmed"] = "on"
    return client.post(reverse("questionnaires:import"), data)


# --- Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_access_rules_say(world: Any, client_as: Any, role: str) -> None:
    run = import_run_a(world)
    for name, url in urls(run).items():
        rule = IMPORT_ACCESS[name]
        client = client_as(role)
        if rule.post_only is not None:
            response = client.post(url, {})
            expected = rule.post_only[ROLES.index(role)]
            # Undo an allowed commit or discard, so the next role meets the same run.
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportStatus.PREVIEWED, content=run.content
            )
        else:
            response = client.get(url)
            expected = rule.status(role)
        assert response.status_code == expected, (name, role)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["facilitator_a", "evaluator", "coordinator_b"])
def test_refused_roles_change_nothing_by_posting(world: Any, client_as: Any, role: str) -> None:
    run = import_run_a(world)
    before = (AuditEvent.objects.count(), ImportRun.objects.count())
    client = client_as(role)
    for name in ("questionnaires:import_commit", "questionnaires:import_discard"):
        assert client.post(urls(run)[name], {}).status_code == 404
    if role != "coordinator_b":
        content = (DATA / "new_participants.csv").read_bytes()
        assert upload(client, content, org=world.org_a).status_code == 404
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED
    assert (AuditEvent.objects.count(), ImportRun.objects.count()) == before
    assert not Response.objects.exists()


# --- The journey ---------------------------------------------------------------------------------


def test_a_coordinator_checks_imports_and_sees_a_second_click_change_nothing(
    world: Any, client_as: Any
) -> None:
    client = english(client_as("coordinator_a"))
    page = client.get(reverse("questionnaires:import"))
    assert page.status_code == 200
    assert b"t0_arm_1=T0, t1_arm_1=T1, t2_arm_1=T2" in page.content
    response = upload(
        client, (DATA / "new_participants.csv").read_bytes(), paper=True, org=world.org_a
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == urls(run)["questionnaires:import_detail"]
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"Import the file" in detail.content
    assert not Response.objects.exists()
    assert AuditEvent.objects.filter(object_id=run.public_id, action="create").count() == 1

    commit = urls(run)["questionnaires:import_commit"]
    assert client.post(commit).status_code == 302
    stored = Response.objects.count()
    assert stored == 5  # R101: T0 tils, who5, T1 tils; R102: T0 tils, who5
    assert client.post(commit).status_code == 302  # the second click
    assert Response.objects.count() == stored
    run.refresh_from_db()
    assert (run.status, run.content) == (ImportStatus.COMMITTED, "")
    done = client.get(urls(run)["questionnaires:import_detail"])
    assert b"Imported on" in done.content and b"Import the file" not in done.content


def test_a_malformed_upload_shows_the_problems_by_line_and_cannot_be_imported(
    world: Any, client_as: Any
) -> None:
    client = english(client_as("coordinator_a"))
    response = upload(client, (DATA / "malformed.csv").read_bytes(), paper=True, org=world.org_a)
    assert response.status_code == 302
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert "4 problems" in html
    assert '<th scope="row">4</th>' in html and "<code>tils_2</code>" in html
    assert "is not an answer to tils_2" in html
    assert "Import the file" not in html
    participants = Participant.objects.count()
    run = ImportRun.objects.get()
    refused = client.post(urls(run)["questionnaires:import_commit"])
    assert refused.status_code == 400
    assert "is not an answer to tils_2" in refused.content.decode()
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED
    assert not Response.objects.exists()
    assert Participant.objects.count() == participants


def test_a_file_that_is_not_csv_is_refused_on_the_form(world: Any, client_as: Any) -> None:
    client = english(client_as("coordinator_a"))
    response = upload(client, b"PK\x03\x04", name="export.xlsx", org=world.org_a)
    assert response.status_code == 400
    assert "Choose a .csv file" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_coordinator_cannot_choose_another_organisation(world: Any, client_as: Any) -> None:
    client = client_as("coordinator_a")
    content = (DATA / "new_participants.csv").read_bytes()
    assert upload(client, content, org=world.org_b, paper=True).status_code == 400
    assert not ImportRun.objects.exists()


def test_discarding_on_the_page_empties_the_file(world: Any, client_as: Any) -> None:
    run = import_run_a(world)
    client = client_as("coordinator_a2")
    response = client.post(urls(run)["questionnaires:import_discard"])
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.content) == (ImportStatus.DISCARDED, "")


def test_the_list_shows_only_the_runs_of_the_coordinators_organisation(
    world: Any, client_as: Any
) -> None:
    import_run_a(world)
    assert WALK_FILE.encode() in client_as("coordinator_a").get(urls_index()).content
    assert WALK_FILE.encode() in client_as("national_admin").get(urls_index()).content
    assert WALK_FILE.encode() not in client_as("coordinator_b").get(urls_index()).content


def test_the_list_runs_a_bounded_number_of_queries(world: Any, client_as: Any) -> None:
    client = client_as("national_admin")
    content = (DATA / "new_participants.csv").read_bytes()
    admin = actor_for_user(world.national_admin)

    def add(count: int) -> None:
        for index in range(count):
            imports.import_preview(
                actor=admin,
                file_name=f"file{index}.csv",
                content=content,
                events=dict(imports.SUGGESTED_EVENTS),
                default_organisation=world.org_a,
                paper_consent_confirmed=True,
            )

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(urls_index()).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(urls_index()).status_code == 200
    assert len(many) == len(few)
