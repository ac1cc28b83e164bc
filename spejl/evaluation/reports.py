"""Report runs: request, build (now or in the background), read back.

A run belongs to the person who asked for it; nobody else sees it (another person's run is
"not found"). The scope is checked again every time the run is read, so someone who has lost
a role no longer sees what the role allowed.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from spejl.access.actor import Actor, NotFound, actor_for_user
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core.evaluation.report import build_report
from spejl.evaluation.data import LoadedDataset, load_dataset, scoped_enrolments
from spejl.evaluation.jobs import job_claim, job_fail
from spejl.evaluation.models import JobStatus, ReportRun
from spejl.evaluation.scope import ReportScope, resolve_scope

logger = logging.getLogger(__name__)

#: Runs are kept this long (the page lists them), then removed by ``evaluation_cleanup``.
RUN_DAYS = 14


def report_meta(scope: ReportScope, loaded: LoadedDataset) -> dict[str, Any]:
    """Provenance every report states: when, what data, which software and instruments."""
    return {
        "generated_at": timezone.now().isoformat(),
        "data_cutoff": loaded.data_cutoff.isoformat(),
        "software_version": settings.SPEJL_VERSION,
        "scope": scope.to_json(),
        "instruments": [
            {"code": i.code, "version": i.version, "content_hash": i.content_hash}
            for i in loaded.instruments
        ],
    }


def report_data(
    actor: Actor, scope: ReportScope, *, purpose: str, progress: Any = None
) -> dict[str, Any]:
    """Build a report for a scope right now (used by runs and by the command)."""
    resolved = resolve_scope(actor, scope)
    loaded = load_dataset(actor, resolved, purpose=purpose)
    kwargs: dict[str, Any] = {}
    if progress is not None:
        kwargs["progress"] = progress
    return build_report(
        loaded.dataset,
        meta=report_meta(resolved, loaded),
        min_cell=settings.SPEJL_MIN_CELL,
        min_units=settings.SPEJL_MIXED_MIN_UNITS,
        **kwargs,
    )


def report_request(actor: Actor, scope: ReportScope) -> ReportRun:
    """Ask for a report; small ones are built at once, large ones by the task worker."""
    resolved = resolve_scope(actor, scope)
    assert actor.user is not None
    run = ReportRun.objects.create(requested_by=actor.user, scope=resolved.to_json())
    size = scoped_enrolments(resolved).count()
    if size <= settings.SPEJL_REPORT_INLINE_MAX:
        report_build(run.pk)
        run.refresh_from_db()
    else:
        from spejl.evaluation.tasks import build_report_task

        transaction.on_commit(lambda: build_report_task.enqueue(run.pk))
    return run


def report_build(run_id: int) -> str | None:
    """Build a queued run; running it twice builds it once (the first claims it)."""
    if not job_claim(ReportRun, run_id):
        return None
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    actor = actor_for_user(run.requested_by)
    last = [0.0]

    def progress(percent: int, stage: str) -> None:
        now = time.monotonic()
        if now - last[0] > 0.5 or percent == 100:
            last[0] = now
            ReportRun.objects.filter(pk=run_id).update(progress=max(1, percent), stage=stage[:40])

    try:
        result = report_data(
            actor, ReportScope.from_json(run.scope), purpose="evaluation report", progress=progress
        )
    except NotFound:
        return job_fail(ReportRun, run_id, "scope no longer allowed")
    except Exception:
        # The traceback names code, never data; the page says it failed.
        logger.exception("report run %s failed", run.public_id)
        return job_fail(ReportRun, run_id, "internal error")
    ReportRun.objects.filter(pk=run_id).update(
        status=JobStatus.DONE, progress=100, result=result, finished_at=timezone.now()
    )
    return JobStatus.DONE.value


def report_run_for(actor: Actor, public_id: uuid.UUID) -> ReportRun:
    """The actor's own run, its scope still allowed, read audited; else :class:`NotFound`."""
    run = ReportRun.objects.filter(public_id=public_id, requested_by=actor.user).first()
    if run is None or actor.user is None:
        raise NotFound
    resolve_scope(actor, ReportScope.from_json(run.scope))
    if run.status == JobStatus.DONE:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            obj=run,
            organisation=None,
            fields=("report",),
            purpose="evaluation report viewed",
        )
    return run


def recent_runs(actor: Actor) -> list[ReportRun]:
    if actor.user is None:
        return []
    since = timezone.now() - timedelta(days=RUN_DAYS)
    return list(
        ReportRun.objects.filter(requested_by=actor.user, created_at__gte=since).only(
            "public_id", "scope", "status", "progress", "created_at"
        )[:20]
    )


def cleanup_runs(*, days: int = RUN_DAYS) -> int:
    """Remove runs older than ``days`` days (their aggregates go with them)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = ReportRun.objects.filter(created_at__lt=cutoff).delete()
    return deleted
