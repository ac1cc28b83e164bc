"""Evaluator exports: request, build (now or in the background), download once, expire.

Only evaluators and the national secretariat may export; only participants whose evaluation
consent is in force when the file is built are in it; every request, build and download is
audited with its parameters and row count. The file waits outside the database
(``SPEJL_EXPORT_DIR``) for one download by the person who asked, for ``SPEJL_EXPORT_HOURS``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from spejl.access.actor import SYSTEM, Actor, NotFound, actor_for_user
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.evaluation.data import scoped_enrolments
from spejl.evaluation.export_data import build_delivery
from spejl.evaluation.jobs import job_claim, job_fail
from spejl.evaluation.models import Export, ExportFormat, ExportLayout, JobStatus
from spejl.evaluation.scope import ReportScope, can_export, describe_scope, resolve_scope

if TYPE_CHECKING:
    from spejl.participants.models import Participant

logger = logging.getLogger(__name__)


def export_dir() -> Path:
    directory = Path(settings.SPEJL_EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _file_path(export: Export) -> Path:
    return export_dir() / f"{export.public_id}.zip"


def _purpose(what: str, export: Export) -> str:
    """The audit purpose: what happened and the export's parameters, in the 120 characters
    the audit log keeps (the full parameters stay on the export row the event names)."""
    options = export.options
    flags = " ".join(
        [
            "text" if not options.get("drop_free_text", True) else "no-text",
            "shifted" if options.get("shift_dates", True) else "dates",
            f"age={options.get('age', 'band')}",
            f"place={options.get('place', 'region')}",
        ]
    )
    return f"{what}; {export.layout} {export.format} {flags}; {describe_scope(export.scope)}"[:120]


def export_request(
    actor: Actor,
    scope: ReportScope,
    *,
    layout: str,
    file_format: str,
    options: dict[str, Any],
) -> Export:
    """Ask for an export; small ones are built at once, large ones by the task worker."""
    if not can_export(actor) or actor.user is None:
        raise NotFound
    if layout not in ExportLayout.values or file_format not in ExportFormat.values:
        raise ValueError("unknown layout or format")
    resolved = resolve_scope(actor, scope)
    export = Export.objects.create(
        requested_by=actor.user,
        scope=resolved.to_json(),
        options=options,
        layout=layout,
        format=file_format,
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=export,
        organisation=None,
        fields=(),
        purpose=_purpose("export requested", export),
    )
    size = scoped_enrolments(resolved).count()
    if size <= settings.SPEJL_EXPORT_INLINE_MAX:
        export_build(export.pk)
        export.refresh_from_db()
    else:
        from spejl.evaluation.tasks import build_export_task

        transaction.on_commit(lambda: build_export_task.enqueue(export.pk))
    return export


def export_build(export_id: int) -> str | None:
    """Build a queued export; running it twice builds it once (the first claims it)."""
    if not job_claim(Export, export_id):
        return None
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    actor = actor_for_user(export.requested_by)
    path = _file_path(export)

    def progress(percent: int) -> None:
        Export.objects.filter(pk=export_id).update(progress=max(1, min(99, percent)))

    try:
        if not can_export(actor):
            raise NotFound
        resolved = resolve_scope(actor, ReportScope.from_json(export.scope))
        delivery = build_delivery(
            actor,
            resolved,
            recipient=str(export.requested_by.public_id),
            layout=export.layout,
            file_format=export.format,
            options=export.options,
            path=path,
            progress=progress,
        )
    except NotFound:
        return job_fail(Export, export_id, "scope no longer allowed")
    except Exception:
        logger.exception("export %s failed", export.public_id)
        path.unlink(missing_ok=True)
        return job_fail(Export, export_id, "internal error")
    now = timezone.now()
    # Gone if the export was cancelled (and its file deleted) while it was being built.
    size = path.stat().st_size if path.exists() else None
    with transaction.atomic():
        # Conditional: an export cancelled while it was being built (a person in it was
        # erased) stays cancelled, and its file goes.
        finished = Export.objects.filter(pk=export_id, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE,
            progress=100,
            row_count=delivery.row_count,
            participant_count=delivery.participant_count,
            file_name=delivery.file_name,
            file_size=size,
            finished_at=now,
            expires_at=now + timedelta(hours=settings.SPEJL_EXPORT_HOURS),
        )
        if not finished:
            path.unlink(missing_ok=True)
            return None
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=export,
            organisation=None,
            fields=delivery.fields,
            purpose=_purpose(
                f"export built: {delivery.row_count} rows, {delivery.participant_count} people",
                export,
            ),
        )
    return JobStatus.DONE.value


def exports_for(actor: Actor) -> list[Export]:
    """The actor's exports of the last days (expired ones are tidied first)."""
    if actor.user is None:
        return []
    expire_exports()
    return list(Export.objects.filter(requested_by=actor.user)[:20])


def export_take(actor: Actor, public_id: uuid.UUID) -> tuple[IO[bytes], str]:
    """Hand the file to the person who asked, once: the row is claimed with a conditional
    update, the file is opened and then unlinked (the open handle keeps it readable)."""
    if not can_export(actor) or actor.user is None:
        raise NotFound
    export = Export.objects.filter(public_id=public_id, requested_by=actor.user).first()
    if export is None:
        raise NotFound
    now = timezone.now()
    with transaction.atomic():
        claimed = Export.objects.filter(
            pk=export.pk, status=JobStatus.DONE, expires_at__gt=now
        ).update(status=JobStatus.DOWNLOADED, downloaded_at=now)
        if not claimed:
            raise NotFound
        path = _file_path(export)
        try:
            handle = path.open("rb")
        except FileNotFoundError as error:
            raise NotFound from error
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=export,
            organisation=None,
            fields=(),
            purpose=f"export downloaded: {export.row_count} rows",
        )
    path.unlink(missing_ok=True)
    return handle, export.file_name


def expire_exports() -> int:
    """Delete files of exports past their time (and of failed ones); mark them expired."""
    now = timezone.now()
    stale = list(
        Export.objects.filter(status=JobStatus.DONE, expires_at__lte=now).values_list(
            "pk", "public_id"
        )
    )
    for pk, public_id in stale:
        (export_dir() / f"{public_id}.zip").unlink(missing_ok=True)
        Export.objects.filter(pk=pk, status=JobStatus.DONE).update(status=JobStatus.EXPIRED)
    return len(stale)


#: The error of an export cancelled because a person who may be in it was erased (the exports
#: page explains it to the person who asked).
CANCELLED_BY_ERASURE = "cancelled: erasure"


def exports_that_may_hold(*, participant: Participant) -> list[Export]:
    """Exports not yet downloaded (queued, being made, or ready) that may hold the
    participant's data: the scope covers one of their course participations (their
    organisation, or the group) and their evaluation consent was in force after the export was
    asked for (exports read only consenting people). Target group and period are not checked:
    a cancelled export is simply asked for again. For erasure (GDPR art. 17). Personal data:
    the participant's consent dates and groups (nothing leaves this function but exports)."""
    from spejl.consents.models import Consent, ConsentPurpose
    from spejl.enrolments.models import ROSTER_STATES

    groups = {
        str(g)
        for g in participant.enrolments.filter(
            state__in=ROSTER_STATES, group__isnull=False
        ).values_list("group__public_id", flat=True)
    }
    withdrawals = list(
        Consent.objects.filter(
            participant=participant, purpose=ConsentPurpose.EVALUATION
        ).values_list("withdrawn_at", flat=True)
    )
    if not groups or not withdrawals:
        return []
    slug = participant.organisation.slug
    found = []
    for export in Export.objects.filter(
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE)
    ):
        scope = export.scope or {}
        organisations = scope.get("organisations") or []
        if organisations and slug not in organisations:
            continue
        if scope.get("group") and scope["group"] not in groups:
            continue
        if all(w is not None and w <= export.created_at for w in withdrawals):
            continue
        found.append(export)
    return found


def exports_cancel_for_participant(*, participant: Participant) -> int:
    """Cancel the exports of :func:`exports_that_may_hold` and delete their files (after
    commit) — used when the participant's data are erased. The export then shows as failed
    with :data:`CANCELLED_BY_ERASURE`, which the exports page explains to the person who
    asked. Audited per export (as the system). Returns how many were cancelled."""
    cancelled = 0
    for export in exports_that_may_hold(participant=participant):
        updated = Export.objects.filter(
            pk=export.pk, status__in=(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE)
        ).update(
            status=JobStatus.FAILED,
            error=CANCELLED_BY_ERASURE,
            finished_at=timezone.now(),
            expires_at=None,
        )
        if not updated:
            continue
        cancelled += 1
        audit_record(
            actor=SYSTEM,
            action=AuditAction.UPDATE,
            obj=export,
            organisation=None,
            fields=(),
            purpose="export cancelled: a person who may be in it was erased",
        )
        transaction.on_commit(partial(_file_path(export).unlink, missing_ok=True))
    return cancelled
