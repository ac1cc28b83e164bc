"""Checking, previewing, writing and discarding an import: the services.

:func:`import_preview` keeps an uploaded file with what the check found as an
:class:`ImportRun`; :func:`import_commit` checks it again and writes it in one transaction, or
nothing; :func:`import_discard` drops it. :func:`import_file` checks and writes in one step
(``manage.py import_redcap``); :func:`import_check` only checks.

Personal data: as :mod:`spejl.questionnaires.imports.checking` reads; writes participants
(code only, never a contact), external record ids, consents, responses, answers and scores.
Each preview, commit and discard is audited (object the run, fields ``answers``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from spejl.access.actor import Actor
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_give
from spejl.links.models import SecureLink
from spejl.organisations.models import Organisation
from spejl.participants.models import Participant
from spejl.questionnaires.imports.checking import COMPLETE, Checked, ImportInput, check
from spejl.questionnaires.imports.inputs import content_problem, file_problem, restriction
from spejl.questionnaires.imports.messages import ImportProblem
from spejl.questionnaires.imports.runs import import_run_get_for_actor
from spejl.questionnaires.imports.summary import ImportRefused, ImportSummary
from spejl.questionnaires.models import (
    Answer,
    ExternalRecord,
    ImportRun,
    ImportStatus,
    Invitation,
    InvitationStatus,
    Response,
    ResponseMode,
    ResponseStatus,
)
from spejl.questionnaires.scoring import response_score


def _upload(
    actor: Actor,
    content: bytes,
    events: Mapping[str, str],
    default_organisation: Organisation | None,
    paper_consent_confirmed: bool,
    /,
) -> ImportInput:
    """The input of a new file, for ``actor``: :class:`NotFound` for roles that may not
    import, ``ValidationError`` for a coordinator who chose no organisation."""
    restrict_to = restriction(actor, default_organisation)
    return ImportInput(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        events=events,
        default_organisation=default_organisation,
        restrict_to=restrict_to,
        paper_consent_confirmed=paper_consent_confirmed,
    )


def _run_create(
    *, actor: Actor, given: ImportInput, file_name: str, summary: ImportSummary, **state: Any
) -> ImportRun:
    return ImportRun.objects.create(
        created_by=actor.user,
        organisation=given.restrict_to,
        file_name=file_name[-200:],
        file_sha256=given.sha256,
        events=dict(given.events),
        default_organisation=given.default_organisation,
        paper_consent_confirmed=given.paper_consent_confirmed,
        summary=summary.as_json(),
        **state,
    )


def _audit(*, actor: Actor, run: ImportRun, action: AuditAction, purpose: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=run,
        organisation=run.organisation,
        fields=("answers",),
        purpose=purpose,
    )


def _purpose(summary: ImportSummary) -> str:
    return (
        f"REDCap import: {summary.responses_new} responses new, {summary.responses_unchanged} "
        f"unchanged, {summary.new_participants} new participants"
    )


def import_check(
    *,
    actor: Actor,
    content: bytes,
    events: Mapping[str, str],
    default_organisation: Organisation | None,
    paper_consent_confirmed: bool,
) -> ImportSummary:
    """Check a file without storing anything: the summary, with every problem found.

    ``content`` is the file's bytes (decoded as UTF-8). For a coordinator
    ``default_organisation`` is the organisation they import into (required, their own);
    national admins and the system may leave it ``None`` when every row names its
    organisation. Raises :class:`NotFound` for anyone else. Reads the participants' consent
    flags and earlier answers to compare; not audited (nothing is kept or shown but counts and
    record ids the caller already holds).
    """
    given = _upload(actor, content, events, default_organisation, paper_consent_confirmed)
    return check(given).summary


@transaction.atomic
def import_preview(
    *,
    actor: Actor,
    file_name: str,
    content: bytes,
    events: Mapping[str, str],
    default_organisation: Organisation | None,
    paper_consent_confirmed: bool,
) -> ImportRun:
    """Check an uploaded file and keep it, with what the check found, as a previewed run.

    Raises ``ValidationError`` (by field: ``file``, ``default_organisation``) for a file that
    is not a .csv, is over 5 MB or empty, or a coordinator who chose no organisation;
    :class:`NotFound` for roles that may not import. A file with problems is kept as a run
    with the problems but without its content (nothing to import from it). Audited (action
    create, fields ``answers``).
    """
    given = _upload(actor, content, events, default_organisation, paper_consent_confirmed)
    problem = file_problem(file_name, len(content)) or content_problem(content)
    if problem is not None:
        raise ValidationError({"file": problem})
    summary = check(given).summary
    run = _run_create(
        actor=actor,
        given=given,
        file_name=file_name,
        summary=summary,
        # Only a file that passed is kept: it is what a commit reads (UTF-8, checked).
        content=content.decode("utf-8") if summary.ok else "",
    )
    _audit(
        actor=actor,
        run=run,
        action=AuditAction.CREATE,
        purpose=f"REDCap import checked: {summary.rows} rows, {summary.problem_count} problems",
    )
    return run


def _write(checked: Checked, run: ImportRun, actor: Actor) -> None:
    now = timezone.now()
    for person in checked.people:
        if person.participant is None:
            person.participant = Participant.objects.create(organisation=person.organisation)
            ExternalRecord.objects.create(
                organisation=person.organisation,
                record_id=person.record_id,
                participant=person.participant,
                created_by_import=run,
            )
        if person.give_consent:
            consent_give(
                actor=actor,
                participant=person.participant,
                purpose=ConsentPurpose.EVALUATION,
                method=ConsentMethod.PAPER,
            )
    responses: list[Response] = []
    for write in checked.writes:
        participant = write.person.participant
        assert participant is not None
        finished = write.complete == COMPLETE
        responses.append(
            Response(
                participant=participant,
                organisation_id=participant.organisation_id,
                enrolment=write.person.enrolment,
                invitation=write.invitation,
                wave=write.wave,
                instrument=write.version,
                instrument_code=write.version.code,
                mode=ResponseMode.IMPORT,
                status=ResponseStatus.SUBMITTED if finished else ResponseStatus.PARTIAL,
                submitted_at=now if finished else None,
                entered_by=actor.user,
                import_run=run,
            )
        )
    Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(
        (
            Answer(response=response, item_code=code, value=value, declined=declined, text=text)
            for response, write in zip(responses, checked.writes, strict=True)
            for code, (value, declined, text) in write.answers.items()
        ),
        batch_size=1000,
    )
    prefetch_related_objects(responses, "answers")
    for response in responses:
        response_score(response)
    for invitation in checked.invitations:
        completed = Invitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.OPEN
        ).update(
            status=InvitationStatus.COMPLETED,
            completed_at=now,
            completed_mode=ResponseMode.IMPORT,
            cancelled_reason="",
        )
        if completed:
            SecureLink.objects.filter(invitation=invitation, used_at__isnull=True).update(
                used_at=now
            )


def _write_or_refuse(checked: Checked, run: ImportRun, actor: Actor) -> None:
    try:
        with transaction.atomic():
            _write(checked, run, actor)
    except IntegrityError as exc:
        # Another import made the same record id or response between our check and write.
        raise ImportRefused([ImportProblem.of(None, None, "conflict")]) from exc


def import_commit(*, actor: Actor, run: ImportRun) -> ImportSummary | None:
    """Import a previewed run: check it again and write everything, or nothing.

    Returns the summary of what was written, or ``None`` if the run was no longer waiting (a
    second click, or it was discarded): then nothing changes. Raises :class:`ImportRefused`
    with the problems when the file had problems or no longer passes (for example someone
    answered meanwhile), writing nothing; :class:`NotFound` for anyone who may not see the run. The
    status moves from previewed to committed with a conditional update, so two commits at
    once import once. The stored file is emptied. Audited once (action create, fields
    ``answers``, counts in the purpose); consents recorded on paper are audited as such.
    """
    with transaction.atomic():
        current = import_run_get_for_actor(actor=actor, public_id=str(run.public_id))
        if current.status != ImportStatus.PREVIEWED:
            return None
        if not current.content:
            # A file with problems is not kept: it can only be corrected and checked again.
            stored = ImportSummary.from_json(current.summary).problems
            raise ImportRefused(stored or [ImportProblem.of(None, None, "empty_file")])
        checked = check(ImportInput.of_run(current))
        summary = checked.summary
        if not summary.ok:
            raise ImportRefused(summary.problems)
        claimed = ImportRun.objects.filter(pk=current.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.COMMITTED,
            finished_at=timezone.now(),
            content="",
            summary=summary.as_json(),
        )
        if not claimed:
            return None
        _write_or_refuse(checked, current, actor)
        _audit(actor=actor, run=current, action=AuditAction.CREATE, purpose=_purpose(summary))
    run.refresh_from_db()
    return summary


def import_discard(*, actor: Actor, run: ImportRun) -> bool:
    """Drop a previewed run and the file it holds; ``False`` if it was no longer waiting.
    :class:`NotFound` for anyone who may not see the run. Audited (action delete)."""
    with transaction.atomic():
        current = import_run_get_for_actor(actor=actor, public_id=str(run.public_id))
        discarded = ImportRun.objects.filter(pk=current.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.DISCARDED, finished_at=timezone.now(), content=""
        )
        if discarded:
            _audit(
                actor=actor,
                run=current,
                action=AuditAction.DELETE,
                purpose="REDCap import discarded",
            )
    run.refresh_from_db()
    return bool(discarded)


@transaction.atomic
def import_file(
    *,
    actor: Actor,
    file_name: str,
    content: bytes,
    events: Mapping[str, str],
    default_organisation: Organisation | None,
    paper_consent_confirmed: bool,
) -> tuple[ImportRun, ImportSummary]:
    """Check and import a file in one step (``manage.py import_redcap``): the committed run
    and its summary. Raises ``ValidationError`` for a file that cannot be read at all and
    :class:`ImportRefused` with every problem, writing nothing. The file is not kept. Audited
    once, like :func:`import_commit`."""
    given = _upload(actor, content, events, default_organisation, paper_consent_confirmed)
    problem = file_problem(file_name, len(content)) or content_problem(content)
    if problem is not None:
        raise ValidationError(problem)
    checked = check(given)
    summary = checked.summary
    if not summary.ok:
        raise ImportRefused(summary.problems)
    run = _run_create(
        actor=actor,
        given=given,
        file_name=file_name,
        summary=summary,
        status=ImportStatus.COMMITTED,
        finished_at=timezone.now(),
    )
    _write_or_refuse(checked, run, actor)
    _audit(actor=actor, run=run, action=AuditAction.CREATE, purpose=_purpose(summary))
    return run, summary
