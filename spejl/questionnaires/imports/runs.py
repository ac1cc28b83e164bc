"""Reading import runs: the list of imports and one run, for those who may see them.

A run holds counts, record ids and problems, and while it waits the file it was checked from
(answers: health data); the list leaves the file out.
"""

from __future__ import annotations

from django.db.models import QuerySet

from spejl.access.actor import Actor, NotFound
from spejl.questionnaires.imports.inputs import check_can_import
from spejl.questionnaires.models import ImportRun


def _visible_runs(actor: Actor) -> QuerySet[ImportRun]:
    runs = ImportRun.objects.select_related("created_by", "organisation", "default_organisation")
    if actor.is_national_admin or actor.is_system:
        return runs
    if actor.coordinator_of:
        return runs.filter(organisation_id__in=sorted(actor.coordinator_of))
    return runs.none()


def import_runs_for_actor(*, actor: Actor, limit: int = 50) -> list[ImportRun]:
    """The newest imports the actor may see (national admins: all; coordinators: those into
    their organisations), newest first. One query. Counts and file names only, no answers."""
    check_can_import(actor)
    return list(_visible_runs(actor).defer("content").order_by("-created_at")[:limit])


def import_run_get_for_actor(*, actor: Actor, public_id: str) -> ImportRun:
    """The run, or :class:`NotFound` when it does not exist or belongs to an organisation the
    actor does not coordinate."""
    check_can_import(actor)
    run = _visible_runs(actor).filter(public_id=public_id).first()
    if run is None:
        raise NotFound
    return run
