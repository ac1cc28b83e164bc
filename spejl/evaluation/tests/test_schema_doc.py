"""docs/report-schema.md carries the schema the code has."""

from __future__ import annotations

from spejl.evaluation.management.commands.report_schema import DOC, document_with_schema


def test_report_schema_document_matches_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert document_with_schema(text) == text, "run manage.py report_schema --write"
