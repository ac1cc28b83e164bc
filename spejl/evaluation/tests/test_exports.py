"""Evaluator exports from the database: who may export, who is in it, pseudonyms per
recipient, de-identification, one download within the time limit, and the audit trail."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from spejl.access.actor import NotFound, actor_for_user
from spejl.accounts.testing import force_login_recently
from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_withdraw
from spejl.enrolments.models import Enrolment
from spejl.evaluation.exports import expire_exports, export_request, export_take
from spejl.evaluation.models import Export, JobStatus
from spejl.evaluation.scope import ReportScope
from spejl.evaluation.tests.fixtures import programme
from spejl.participants.models import Contact
from spejl.questionnaires.models import Answer, Response
from spejl.testing.evaluation import answer

pytestmark = pytest.mark.django_db

OPTIONS = {"drop_free_text": True, "shift_dates": True, "age": "band", "place": "region"}


def _export(world: World, role: str = "evaluator", **kwargs: Any) -> Export:
    user = world.user(role)
    params: dict[str, Any] = {"layout": "long", "file_format": "csv", "options": OPTIONS}
    params.update(kwargs)
    return export_request(actor_for_user(user), ReportScope(), **params)


def _files(world: World, export: Export, role: str = "evaluator") -> dict[str, bytes]:
    handle, _name = export_take(actor_for_user(world.user(role)), export.public_id)
    with handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_has_pseudonyms_labels_and_no_contact_data(world: World) -> None:
    programme(world)
    export = _export(world)
    assert export.status == JobStatus.DONE
    assert export.participant_count == 18
    files = _files(world, export)
    assert {"codebook.csv", "codebook.md", "README.md"} <= set(files)
    data = next(v for k, v in files.items() if k.startswith("spejl_long"))
    rows = _rows(data)
    assert len(rows) == export.row_count
    assert all(row["pseudonym"].startswith("P") for row in rows)
    text = b"".join(files.values()).decode("utf-8", "replace")
    for contact in Contact.objects.all():
        assert contact.first_name not in text
        assert contact.email not in text
        assert contact.phone not in text
    for participant_id in Enrolment.objects.values_list("participant__public_id", flat=True):
        assert str(participant_id) not in text
    codebook = files["codebook.csv"].decode()
    assert "spejl_long,instrument," in codebook and "spejl_long,score," in codebook
    assert "tils_1" in codebook


def _pseudonyms(world: World, role: str) -> set[str]:
    files = _files(world, _export(world, role), role)
    data = next(v for k, v in files.items() if k.startswith("spejl_long"))
    return {row["pseudonym"] for row in _rows(data)}


def test_same_recipient_same_pseudonyms_other_recipient_other_pseudonyms(world: World) -> None:
    programme(world)
    first = _pseudonyms(world, "evaluator")
    second = _pseudonyms(world, "evaluator")
    other = _pseudonyms(world, "national_admin")
    assert first == second
    assert len(first) == 18
    assert not first & other


def test_withdrawn_participant_is_in_no_later_export(world: World) -> None:
    groups = programme(world)
    enrolment = Enrolment.objects.filter(group=groups[0]).order_by("pk").first()
    assert enrolment is not None
    consent_withdraw(
        actor=None,
        participant=enrolment.participant,
        purpose=ConsentPurpose.EVALUATION,
        method=ConsentMethod.DIGITAL,
    )
    export = _export(world)
    assert export.participant_count == 17


def test_free_text_is_left_out_unless_asked_for(world: World) -> None:
    groups = programme(world)
    enrolment = Enrolment.objects.filter(group=groups[0]).order_by("pk").first()
    answer(
        enrolment, "T1", "experience", {"exp_met": 4}, texts={"exp_comment": "Tak for alt, Bent"}
    )
    dropped = _files(world, _export(world))
    assert "Tak for alt" not in b"".join(dropped.values()).decode("utf-8", "replace")
    kept = _files(world, _export(world, options={**OPTIONS, "drop_free_text": False}))
    assert "Tak for alt" in b"".join(kept.values()).decode("utf-8", "replace")


def test_sav_export_reads_back_with_labels(world: World, tmp_path: Path) -> None:
    import pyreadstat

    programme(world)
    files = _files(world, _export(world, file_format="sav", layout="wide"))
    name = next(k for k in files if k.endswith(".sav") and "wide" in k)
    path = tmp_path / "data.sav"
    path.write_bytes(files[name])
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 18
    labels = meta.column_names_to_labels
    assert any(name.startswith("tils_score") for name in frame.columns)
    assert all(labels.get(column) for column in frame.columns)
    assert meta.variable_value_labels


def test_only_evaluators_and_national_admins_may_export(world: World) -> None:
    programme(world)
    for role in ("coordinator_a", "facilitator_a"):
        with pytest.raises(NotFound):
            _export(world, role)
    assert Export.objects.count() == 0


def test_download_once_by_the_requester_within_the_time_limit(world: World) -> None:
    programme(world)
    export = _export(world)
    with pytest.raises(NotFound):
        export_take(actor_for_user(world.national_admin), export.public_id)
    _files(world, export)
    with pytest.raises(NotFound):
        _files(world, export)
    export.refresh_from_db()
    assert export.status == JobStatus.DOWNLOADED

    late = _export(world)
    Export.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_exports() == 1
    with pytest.raises(NotFound):
        _files(world, late)


def test_every_export_is_audited_with_parameters_and_rows(world: World) -> None:
    programme(world)
    export = _export(world, file_format="xlsx")
    _files(world, export)
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(export.public_id))
    purposes = [e.purpose for e in events.order_by("pk")]
    assert len(purposes) == 3
    assert "requested" in purposes[0] and "xlsx" in purposes[0]
    assert f"{export.row_count} rows" in purposes[1]
    assert "downloaded" in purposes[2]


def test_export_page_makes_and_lists_an_export(world: World, client_as: Any) -> None:
    programme(world)
    client = force_login_recently(Client(), world.evaluator)
    response = client.post(
        "/evaluation/exports/",
        {
            "layout": "wide",
            "format": "csv_excel",
            "age": "band",
            "place": "region",
            "drop_free_text": "on",
        },
    )
    assert response.status_code == 302
    page = client.get("/evaluation/exports/")
    export = Export.objects.get()
    assert str(export.public_id) in page.content.decode()
    download = client.post(f"/evaluation/exports/{export.public_id}/download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert client.post(f"/evaluation/exports/{export.public_id}/download/").status_code == 404


def test_bad_export_options_change_nothing(world: World, client_as: Any) -> None:
    response = force_login_recently(Client(), world.evaluator).post(
        "/evaluation/exports/", {"layout": "sideways", "format": "pdf"}
    )
    assert response.status_code == 400
    assert Export.objects.count() == 0
    assert Response.objects.count() == Answer.objects.count() == 0


def test_cleanup_command_expires_files_and_old_runs(world: World, settings: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from spejl.evaluation.models import ReportRun

    programme(world)
    export = _export(world)
    path = Path(settings.SPEJL_EXPORT_DIR) / f"{export.public_id}.zip"
    assert path.exists()
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    ReportRun.objects.create(requested_by=world.evaluator, scope={})
    ReportRun.objects.update(created_at=timezone.now() - timedelta(days=30))
    out = StringIO()
    call_command("evaluation_cleanup", stdout=out)
    assert "1 export(s) expired, 1 report run(s) removed" in out.getvalue()
    assert not path.exists()
    call_command("evaluation_cleanup", stdout=out)  # twice: nothing left to do, no error
    assert Export.objects.get(pk=export.pk).status == JobStatus.EXPIRED


def test_three_layouts_hold_the_same_answers(world: World) -> None:
    programme(world)
    long_rows = _rows(_files(world, _export(world))["spejl_long.csv"])
    wave_rows = _rows(_files(world, _export(world, layout="wave"))["spejl_wave.csv"])
    wide_rows = _rows(_files(world, _export(world, layout="wide"))["spejl_wide.csv"])
    # 18 people × 2 waves × 2 questionnaires; 18 × 2 waves; 18 people.
    assert len(long_rows) == 72
    assert len(wave_rows) == 36
    assert len(wide_rows) == 18
    long_scores = sorted(float(r["score"]) for r in long_rows if r["tils_1"])
    wave_scores = sorted(float(r["tils_score"]) for r in wave_rows)
    wide_scores = sorted(float(r[f"tils_score_{w}"]) for r in wide_rows for w in ("t0", "t1"))
    assert long_scores == wave_scores == wide_scores
