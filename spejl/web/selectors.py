"""What each role's dashboard shows: counts only, no personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from spejl.access.actor import Actor
from spejl.accounts.models import Membership, Role
from spejl.consents.selectors import recent_withdrawals_for_actor
from spejl.enquiries.selectors import enquiry_counts_for_actor
from spejl.groups.models import GroupStatus
from spejl.groups.selectors import (
    absence_notices_for_actor,
    contact_requests_for_actor,
    groups_for_actor,
    meetings_today_for_actor,
)
from spejl.intake.selectors import intake_counts_for_actor
from spejl.organisations.models import Organisation, OrganisationKind, Region
from spejl.organisations.selectors import organisations_for_actor
from spejl.participants.selectors import pipeline_counts_for_actor


@dataclass(frozen=True)
class OrganisationSummary:
    organisation: Organisation
    venues: int
    coordinators: int
    facilitators: int


@dataclass(frozen=True)
class Dashboard:
    coordinated: list[OrganisationSummary] = field(default_factory=list)
    facilitated: list[Organisation] = field(default_factory=list)
    member_organisations: int = 0
    regions: list[tuple[object, int]] = field(default_factory=list)
    staff_total: int = 0
    absence_notices: list[Any] = field(default_factory=list)
    withdrawals: list[Any] = field(default_factory=list)
    pipeline: dict[str, int] = field(default_factory=dict)
    contact_requests: list[Any] = field(default_factory=list)
    groups_by_status: dict[Any, int] = field(default_factory=dict)
    meetings_today: list[Any] = field(default_factory=list)


def dashboard_for_actor(*, actor: Actor) -> Dashboard:
    """Counts for the actor's dashboard, in a fixed number of queries."""
    visible = organisations_for_actor(actor=actor).annotate(
        coordinators=Count(
            "memberships", filter=Q(memberships__role=Role.COORDINATOR), distinct=True
        ),
        facilitators=Count(
            "memberships", filter=Q(memberships__role=Role.FACILITATOR), distinct=True
        ),
    )
    coordinated_ids = actor.coordinator_of
    coordinated = [
        OrganisationSummary(
            organisation=o,
            venues=o.venue_count,  # type: ignore[attr-defined]
            coordinators=o.coordinators,
            facilitators=o.facilitators,
        )
        for o in visible.filter(pk__in=coordinated_ids)
    ]
    facilitated = list(Organisation.objects.filter(pk__in=actor.facilitator_of))
    regions: list[tuple[object, int]] = []
    member_count = 0
    staff_total = 0
    if actor.sees_all_organisations:
        members = Organisation.objects.filter(kind=OrganisationKind.MEMBER, is_active=True)
        member_count = members.count()
        by_region = dict(
            members.values_list("region").annotate(n=Count("id")).values_list("region", "n")
        )

        regions = [(label, by_region.get(value, 0)) for value, label in Region.choices]
    if actor.is_national_admin:
        staff_total = Membership.objects.values("user").distinct().count()
    withdrawals: list[Any] = []
    pipeline: dict[str, int] = {}
    absence_notices: list[Any] = []
    contact_requests: list[Any] = []
    groups_by_status: dict[str, int] = {}
    if actor.coordinator_of or actor.is_national_admin:
        absence_notices = absence_notices_for_actor(actor=actor)
        withdrawals = recent_withdrawals_for_actor(actor=actor)
        pipeline = {
            **enquiry_counts_for_actor(actor=actor),
            **intake_counts_for_actor(actor=actor),
            **pipeline_counts_for_actor(actor=actor),
        }
        contact_requests = contact_requests_for_actor(actor=actor)
        groups_by_status = dict(
            groups_for_actor(actor=actor)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    return Dashboard(
        withdrawals=withdrawals,
        pipeline=pipeline,
        absence_notices=absence_notices,
        contact_requests=contact_requests,
        groups_by_status={
            label: groups_by_status.get(value, 0) for value, label in GroupStatus.choices
        },
        meetings_today=meetings_today_for_actor(actor=actor) if actor.facilitator_of else [],
        coordinated=coordinated,
        facilitated=facilitated,
        member_organisations=member_count,
        regions=regions,
        staff_total=staff_total,
    )
