"""Evaluation reports from the database: who is counted, who may see what, the three
renderings (page, PDF, JSON), background runs with progress, and the command."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import jsonschema
import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spejl.access.actor import SYSTEM, NotFound, actor_for_user
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_withdraw
from spejl.core.evaluation.schema import REPORT_SCHEMA
from spejl.enrolments.models import Enrolment
from spejl.evaluation.data import load_dataset
from spejl.evaluation.models import JobStatus, ReportRun
from spejl.evaluation.reports import report_build, report_data, report_request
from spejl.evaluation.scope import ReportScope, resolve_scope
from spejl.evaluation.tests.fixtures import TILS_CHANGES, programme, scored_group
from spejl.testing.evaluation import answer, pdf_objects

pytestmark = pytest.mark.django_db


def _section(report: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in report["outcomes"] if s["code"] == code)


def test_dataset_holds_the_scores_of_consenting_participants_in_scope(world: World) -> None:
    programme(world)
    coordinator = actor_for_user(world.coordinator_a)
    scope = resolve_scope(coordinator, ReportScope())
    loaded = load_dataset(coordinator, scope, purpose="test")
    dataset = loaded.dataset
    assert dataset.n == 12  # two groups of six in organisation A; organisation B left out
    assert dataset.organisation.labels == (world.org_a.slug,)
    tils = dataset.scores["tils"]
    expected_t0 = sorted([t0 for t0, _ in TILS_CHANGES] * 2)
    assert sorted(tils[:, 0].tolist()) == expected_t0
    assert np.isnan(tils[:, 2]).all()  # nobody has answered T2
    assert {(i.code, i.version) for i in loaded.instruments} == {("tils", 1), ("who5", 1)}
    event = AuditEvent.objects.filter(object_type="evaluation.dataset").latest("pk")
    assert event.actor == world.coordinator_a
    assert "score.score" in event.fields


def test_dataset_reads_in_a_fixed_number_of_queries(world: World) -> None:
    programme(world)
    scope = resolve_scope(SYSTEM, ReportScope())
    with CaptureQueriesContext(connection) as small:
        load_dataset(SYSTEM, scope, purpose="test")
    for i in range(3):
        scored_group(world, title=f"Evaluering C{i}")
    with CaptureQueriesContext(connection) as large:
        load_dataset(SYSTEM, scope, purpose="test")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_withdrawn_evaluation_consent_leaves_every_later_report(world: World) -> None:
    groups = programme(world)
    scope = ReportScope(organisations=(world.org_a.slug,))
    before = report_data(SYSTEM, scope, purpose="test")
    enrolment = Enrolment.objects.filter(group=groups[0]).order_by("pk").first()
    assert enrolment is not None
    consent_withdraw(
        actor=None,
        participant=enrolment.participant,
        purpose=ConsentPurpose.EVALUATION,
        method=ConsentMethod.DIGITAL,
    )
    after = report_data(SYSTEM, scope, purpose="test")
    assert before["attendance"]["n"] == 12
    assert after["attendance"]["n"] == 11
    assert _section(after, "tils")["pairs"][0]["n_pairs"] == 11
    assert next(s for s in after["funnel"] if s["stage"] == "placed")["value"] == 11


def test_report_json_matches_its_schema_and_names_its_provenance(world: World) -> None:
    programme(world)
    report = report_data(SYSTEM, ReportScope(), purpose="test")
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert report["software_version"]
    assert report["data_cutoff"]
    assert [i["code"] for i in report["instruments"]] == ["tils", "who5"]
    pair = _section(report, "tils")["pairs"][0]
    assert pair["n_pairs"] == 18
    changes = [t1 - t0 for t0, t1 in TILS_CHANGES] * 3
    assert pair["mean_change"] == pytest.approx(sum(changes) / len(changes))
    # T0→T2 rests on nobody: withheld, never a zero.
    assert _section(report, "tils")["pairs"][1]["suppressed"] is True
    funnel = {s["stage"]: s["value"] for s in report["funnel"]}
    assert funnel["placed"] == funnel["answered_t0"] == funnel["answered_t1"] == 18
    assert funnel["answered_t2"] == 0
    # Everyone answered T1: nobody lost, and that is shown, not withheld.
    attrition_t1 = _section(report, "tils")["attrition"][0]
    assert attrition_t1["suppressed"] is False
    assert (attrition_t1["n_retained"], attrition_t1["n_lost"]) == (18, 0)


def test_group_report_is_withheld_for_a_small_group(world: World) -> None:
    small = scored_group(world, title="Evaluering lille", participants=4)
    report = report_data(SYSTEM, ReportScope(group=small.public_id), purpose="test")
    assert report["withheld"] is True
    assert report["outcomes"] == []


def test_coordinator_cannot_ask_for_another_organisation(world: World) -> None:
    programme(world)
    coordinator = actor_for_user(world.coordinator_a)
    with pytest.raises(NotFound):
        report_request(coordinator, ReportScope(organisations=(world.org_b.slug,)))
    group_b = programme(world)[2]
    with pytest.raises(NotFound):
        report_request(coordinator, ReportScope(group=group_b.public_id))
    facilitator = actor_for_user(world.facilitator_a)
    with pytest.raises(NotFound):
        report_request(facilitator, ReportScope())
    assert ReportRun.objects.count() == 0


def test_page_pdf_and_json_of_a_report(world: World, client_as: Any) -> None:
    programme(world)
    client = client_as("coordinator_a")
    response = client.post("/evaluation/", {})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.status == JobStatus.DONE
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="outcome-tils"' in html and "<svg" in html
    assert world.org_b.name not in html

    data = client.get(f"/evaluation/reports/{run.public_id}/report.json")
    assert data.status_code == 200
    assert json.loads(data.content) == run.result

    pdf = client.get(f"/evaluation/reports/{run.public_id}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    objects = pdf_objects(pdf.content)
    assert b"/StructTreeRoot" in objects
    assert b"/Lang (da)" in objects

    # Someone else's run is not found, even for the national admin.
    assert client_as("national_admin").get(page.request["PATH_INFO"]).status_code == 404


def test_bad_period_is_refused_with_a_message_and_nothing_made(
    client_as: Any, world: World
) -> None:
    response = client_as("evaluator").post(
        "/evaluation/", {"period_from": "2026-05-01", "period_to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "slutningen af perioden" in response.content.decode().lower()
    assert ReportRun.objects.count() == 0


def test_large_report_is_built_in_the_background_with_progress(
    world: World, client_as: Any, settings: Any
) -> None:
    programme(world)
    settings.SPEJL_REPORT_INLINE_MAX = 0
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = client_as("evaluator")
    response = client.post("/evaluation/", {})
    run = ReportRun.objects.get()
    assert run.status == JobStatus.QUEUED
    page = client.get(response["Location"])
    assert b"<progress" in page.content
    fragment = client.get(response["Location"] + "?progress=1")
    assert "HX-Refresh" not in fragment
    assert report_build(run.pk) == JobStatus.DONE
    assert report_build(run.pk) is None  # a second run of the task builds nothing
    fragment = client.get(response["Location"] + "?progress=1")
    assert fragment["HX-Refresh"] == "true"
    run.refresh_from_db()
    assert run.progress == 100 and run.result is not None


def test_command_prints_the_json_report(world: World) -> None:
    programme(world)
    out = StringIO()
    call_command("evaluation_report", "--json", "--organisation", world.org_b.slug, stdout=out)
    report = json.loads(out.getvalue())
    assert report["scope"]["organisations"] == [world.org_b.slug]
    assert report["attendance"]["n"] == 6


def test_command_refuses_bad_input(world: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("evaluation_report", "--json", "--organisation", "nowhere")
    with pytest.raises(CommandError):
        call_command("evaluation_report", "--json", "--from", "2026-05-01", "--to", "2026-01-01")
    with pytest.raises(CommandError):
        call_command("evaluation_report", "--json", "--from", "yesterday")


def test_national_report_page_answers_in_a_bounded_number_of_queries(
    world: World, client_as: Any
) -> None:
    programme(world)
    client = client_as("evaluator")
    client.post("/evaluation/", {})
    run = ReportRun.objects.get()
    url = f"/evaluation/reports/{run.public_id}/"
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for i in range(3):
        scored_group(world, title=f"Evaluering D{i}")
    client.post("/evaluation/", {})
    run2 = ReportRun.objects.exclude(pk=run.pk).get()
    with CaptureQueriesContext(connection) as second:
        client.get(f"/evaluation/reports/{run2.public_id}/")
    assert len(second.captured_queries) == len(first.captured_queries)
    assert len(first.captured_queries) <= 12


def test_age_band_comes_from_birth_year_or_the_background_answer(world: World) -> None:
    group = scored_group(world, title="Evaluering alder")
    enrolments = list(Enrolment.objects.filter(group=group).order_by("pk"))
    first = enrolments[0].participant
    first.birth_year = group.first_date.year - 30
    first.save(update_fields=["birth_year"])
    answer(enrolments[1], "T0", "background", {"bg_age_band": 8})
    scope = resolve_scope(SYSTEM, ReportScope(group=group.public_id))
    dataset = load_dataset(SYSTEM, scope, purpose="test").dataset
    bands = dataset.age_band
    named = [bands.labels[c] if c >= 0 else None for c in bands.codes.tolist()]
    assert named.count("25–34") == 1
    assert named.count("75+") == 1
    assert named.count(None) == len(enrolments) - 2
