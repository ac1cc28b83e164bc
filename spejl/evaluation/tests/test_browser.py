"""An evaluator opens the national report, downloads its PDF, makes an SPSS export and
downloads it; a coordinator sees only their organisation's report. Every page is scanned
with axe at 320 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spejl.conftest import World
from spejl.evaluation.models import Export, ReportRun
from spejl.evaluation.tests.fixtures import programme
from spejl.participants.models import Contact
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.evaluation import pdf_objects
from spejl.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_evaluator_reads_the_national_report_and_takes_pdf_and_sav(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    import pyreadstat

    programme(world)
    base = live_server.url
    log_in(page, base, world.evaluator.email, TEST_PASSWORD)

    page.goto(f"{base}/evaluation/")
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/evaluation/reports/*/")
    assert_accessible(page)
    run = ReportRun.objects.get(requested_by=world.evaluator)
    assert run.result is not None
    assert run.result["scope"]["level"] == "national"
    heading = page.locator("h2#outcome-tils")
    assert heading.is_visible()
    # Both organisations are in the national report's organisation subgroup table.
    body = page.locator("main").inner_text()
    assert world.org_a.name in body and world.org_b.name in body

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Hent som PDF").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects  # tagged
    assert b"/Lang (da)" in objects

    page.goto(f"{base}/evaluation/exports/")
    assert_accessible(page)
    page.get_by_label("Format").select_option("sav")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/evaluation/exports/")
    assert_accessible(page)
    export = Export.objects.get(requested_by=world.evaluator)
    assert export.status == "done"
    with page.expect_download() as sav_download:
        page.locator("#export-list button[type=submit]").first.click()
    bundle = tmp_path / "export.zip"
    bundle.write_bytes(Path(sav_download.value.path()).read_bytes())

    import zipfile

    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        sav_name = next(n for n in names if n.endswith(".sav"))
        archive.extract(sav_name, tmp_path)
        assert any("codebook" in n for n in names) and any(n.endswith("README.md") for n in names)
    frame, meta = pyreadstat.read_sav(str(tmp_path / sav_name))
    assert len(frame) > 0
    assert meta.column_names_to_labels and meta.variable_value_labels
    text = frame.to_csv()
    for contact in Contact.objects.all():
        assert contact.first_name not in text and contact.email not in text
    export.refresh_from_db()
    assert export.status == "downloaded"


def test_coordinator_sees_only_their_organisation(
    live_server: Any, world: World, page: Any
) -> None:
    programme(world)
    base = live_server.url
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)
    page.goto(f"{base}/evaluation/")
    assert_accessible(page)
    assert page.locator("input[name=organisations]").count() == 0
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/evaluation/reports/*/")
    assert_accessible(page)
    run = ReportRun.objects.get(requested_by=world.coordinator_a)
    assert run.result is not None
    assert run.result["scope"]["organisations"] == [world.org_a.slug]
    body = page.locator("main").inner_text()
    assert world.org_a.name in body
    assert world.org_b.name not in body
    # The export page is not theirs.
    response = page.goto(f"{base}/evaluation/exports/")
    assert response is not None and response.status == 404
