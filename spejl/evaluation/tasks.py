"""Background tasks of evaluation (Django tasks, database backend: ``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task


@task()
def build_report_task(run_id: int) -> str | None:
    """Build one queued report run. Running it twice builds it once."""
    from spejl.evaluation.reports import report_build

    return report_build(run_id)


@task()
def build_export_task(export_id: int) -> str | None:
    """Build one queued export file. Running it twice builds it once."""
    from spejl.evaluation.exports import export_build

    return export_build(export_id)
