"""The life of a background job (report run or export): claimed once, failed with a reason."""

from __future__ import annotations

from django.utils import timezone

from spejl.evaluation.models import Export, JobStatus, ReportRun


def job_claim(model: type[ReportRun] | type[Export], pk: int) -> bool:
    """Move a queued job to running with a conditional update: of two workers (or a task run
    twice), exactly one gets ``True``."""
    return bool(
        model.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, progress=1
        )
    )


def job_fail(model: type[ReportRun] | type[Export], pk: int, error: str) -> str:
    """Mark a job failed with a short reason (no data in it); returns the new status."""
    model.objects.filter(pk=pk).update(
        status=JobStatus.FAILED, error=error, finished_at=timezone.now()
    )
    return JobStatus.FAILED.value
