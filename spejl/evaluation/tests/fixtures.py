"""Fixtures for evaluation tests and the URL walk: groups whose consenting participants have
answered T-ILS and WHO-5 at T0 and T1, a finished report run of coordinator A and a finished
export of the evaluator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_give
from spejl.enrolments.models import Enrolment
from spejl.evaluation.models import Export, JobStatus, ReportRun
from spejl.groups.models import PeerGroup
from spejl.testing.evaluation import answer, tils, who5
from spejl.testing.groups import make_group

if TYPE_CHECKING:
    from spejl.conftest import World

#: (T0, T1) T-ILS totals and WHO-5 raw scores per participant of a programme group.
TILS_CHANGES = [(8, 6), (7, 5), (9, 7), (6, 6), (8, 5), (7, 7)]
WHO5_CHANGES = [(8, 13), (10, 12), (6, 11), (12, 12), (9, 15), (7, 9)]


def scored_group(
    world: World,
    *,
    organisation: object = None,
    title: str = "Evalueringsgruppen",
    participants: int = 6,
) -> PeerGroup:
    """A running group with ``participants`` consenting people who answered T0 and T1."""
    group = make_group(
        world,
        organisation=organisation,
        title=title,
        participants=participants,
        meetings_before_today=3,
    )
    enrolments = list(Enrolment.objects.filter(group=group).order_by("pk"))
    for i, enrolment in enumerate(enrolments):
        consent_give(
            actor=None,
            participant=enrolment.participant,
            purpose=ConsentPurpose.EVALUATION,
            method=ConsentMethod.DIGITAL,
        )
        t0, t1 = TILS_CHANGES[i % len(TILS_CHANGES)]
        w0, w1 = WHO5_CHANGES[i % len(WHO5_CHANGES)]
        answer(enrolment, "T0", "tils", tils(t0))
        answer(enrolment, "T0", "who5", who5(w0))
        answer(enrolment, "T1", "tils", tils(t1))
        answer(enrolment, "T1", "who5", who5(w1))
    return group


def programme(world: World) -> list[PeerGroup]:
    """Two scored groups in organisation A and one in organisation B (made once)."""
    existing = list(PeerGroup.objects.filter(title__startswith="Evaluering").order_by("pk"))
    if existing:
        return existing
    return [
        scored_group(world, title="Evaluering A1"),
        scored_group(world, title="Evaluering A2"),
        scored_group(world, organisation=world.org_b, title="Evaluering B1"),
    ]


def report_run_a(world: World) -> ReportRun:
    """A finished report run asked for by coordinator A for organisation A."""
    from spejl.access.actor import actor_for_user
    from spejl.evaluation.reports import report_request
    from spejl.evaluation.scope import ReportScope

    existing = ReportRun.objects.filter(
        requested_by=world.coordinator_a, status=JobStatus.DONE
    ).first()
    if existing is not None:
        return existing
    programme(world)
    return report_request(
        actor_for_user(world.coordinator_a), ReportScope(organisations=(world.org_a.slug,))
    )


def export_a(world: World) -> Export:
    """A finished export asked for by the evaluator (a fresh one each call)."""
    from spejl.access.actor import actor_for_user
    from spejl.evaluation.exports import export_request
    from spejl.evaluation.scope import ReportScope

    programme(world)
    return export_request(
        actor_for_user(world.evaluator),
        ReportScope(),
        layout="long",
        file_format="csv",
        options={"drop_free_text": True, "shift_dates": True, "age": "band", "place": "region"},
    )
