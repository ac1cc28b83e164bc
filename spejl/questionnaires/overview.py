"""The response overview and a group's questionnaire progress: how the invitations stand, per
group and wave.

Counts of invitations by state only — never answers, scores or who answered — so nothing here
is audited. Every function takes the acting user and returns only what they may see
(:class:`NotFound` otherwise), in a bounded number of queries whatever the number of groups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from spejl.access.actor import Actor, NotFound
from spejl.core.waves import WAVES
from spejl.groups.models import PeerGroup
from spejl.organisations.models import Organisation, OrganisationKind
from spejl.questionnaires.models import Invitation, InvitationStatus, MeasurementPlan
from spejl.questionnaires.permissions import (
    check_can_view_group_progress,
    check_can_view_response_overview,
)


@dataclass(frozen=True)
class WaveCounts:
    """How the invitations of one wave (of a group, or in total) stand. Counts only.

    ``invited`` counts every invitation not cancelled; ``answered`` the completed ones;
    ``partly`` and ``not_started`` the open ones with and without a first answer; ``overdue``
    the open ones sent more days ago than the plan's last reminder day (a plan without
    reminders: any open one already sent); ``missed`` those that closed without an answer.
    """

    wave: str
    invited: int = 0
    answered: int = 0
    partly: int = 0
    not_started: int = 0
    overdue: int = 0
    missed: int = 0
    cancelled: int = 0

    @property
    def has_invitations(self) -> bool:
        """Anybody was invited to this wave (cancelled invitations included)."""
        return bool(self.invited or self.cancelled)

    @property
    def rate(self) -> float | None:
        """Answered of invited (``None`` when nobody was invited)."""
        return self.answered / self.invited if self.invited else None

    @property
    def rate_percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)

    def __add__(self, other: WaveCounts) -> WaveCounts:
        return WaveCounts(
            wave=self.wave,
            invited=self.invited + other.invited,
            answered=self.answered + other.answered,
            partly=self.partly + other.partly,
            not_started=self.not_started + other.not_started,
            overdue=self.overdue + other.overdue,
            missed=self.missed + other.missed,
            cancelled=self.cancelled + other.cancelled,
        )


@dataclass(frozen=True)
class GroupCounts:
    group: PeerGroup
    waves: tuple[WaveCounts, ...]


@dataclass(frozen=True)
class ResponseOverview:
    """Per group and wave, the invitations' states; totals per wave."""

    groups: tuple[GroupCounts, ...]
    totals: tuple[WaveCounts, ...]
    organisation: Organisation | None
    organisations: tuple[Organisation, ...] = field(default_factory=tuple)


_OPEN = Q(status=InvitationStatus.OPEN)


def _overdue_filter(now: datetime) -> Q:
    """Open, and sent more days ago than the last reminder day of the invitation's plan. One
    query for the plans (a handful of versions)."""
    overdue = Q(pk__isnull=True)  # matches nothing: the start of an OR
    for plan_id, reminder_days in MeasurementPlan.objects.values_list("pk", "reminder_days"):
        last = max((int(day) for day in reminder_days), default=0)
        overdue |= Q(plan_id=plan_id, sent_at__lt=now - timedelta(days=last))
    return _OPEN & overdue


def _counts(invitations: QuerySet[Invitation], now: datetime) -> list[Mapping[str, Any]]:
    """One row per group and wave with the count of each state (one query)."""
    rows = invitations.values("group_id", "wave").annotate(
        invited=Count("pk", filter=~Q(status=InvitationStatus.CANCELLED)),
        answered=Count("pk", filter=Q(status=InvitationStatus.COMPLETED)),
        partly=Count("pk", filter=_OPEN & Q(started_at__isnull=False)),
        not_started=Count("pk", filter=_OPEN & Q(started_at__isnull=True)),
        overdue=Count("pk", filter=_overdue_filter(now)),
        missed=Count("pk", filter=Q(status=InvitationStatus.CLOSED)),
        cancelled=Count("pk", filter=Q(status=InvitationStatus.CANCELLED)),
    )
    return list(rows.order_by())


def _wave_counts(row: Mapping[str, object]) -> WaveCounts:
    names = ("invited", "answered", "partly", "not_started", "overdue", "missed", "cancelled")
    counts = {name: int(str(row[name])) for name in names}
    return WaveCounts(wave=str(row["wave"]), **counts)


def overview_organisations_for_actor(*, actor: Actor) -> list[Organisation]:
    """The organisations the actor may filter the overview by: national admins every member
    organisation, coordinators the ones they coordinate."""
    organisations = Organisation.objects.filter(kind=OrganisationKind.MEMBER)
    if not (actor.is_national_admin or actor.is_system):
        organisations = Organisation.objects.filter(pk__in=actor.coordinator_of)
    return list(organisations.order_by("name"))


def response_overview_for_actor(
    *, actor: Actor, organisation: Organisation | None = None, now: datetime | None = None
) -> ResponseOverview:
    """For each group the actor may follow (coordinators: their organisations'; national
    admins: all, or one ``organisation``) and each wave, how many were invited and how the
    invitations stand, with totals per wave. Groups without invitations are left out.
    :class:`NotFound` for roles without the overview, and for an ``organisation`` the
    coordinator does not coordinate. Counts only; five queries whatever the number of groups.
    """
    check_can_view_response_overview(actor)
    if organisation is not None and not actor.coordinates(organisation.pk):
        raise NotFound
    now = now or timezone.now()
    invitations = Invitation.objects.filter(group__isnull=False)
    if organisation is not None:
        invitations = invitations.filter(organisation=organisation)
    elif not (actor.is_national_admin or actor.is_system):
        invitations = invitations.filter(organisation_id__in=actor.coordinator_of)
    by_group: dict[int, dict[str, WaveCounts]] = defaultdict(dict)
    for row in _counts(invitations, now):
        by_group[row["group_id"]][row["wave"]] = _wave_counts(row)
    groups = PeerGroup.objects.filter(pk__in=list(by_group)).select_related("organisation")
    rows = []
    totals = {wave: WaveCounts(wave=wave) for wave in WAVES}
    for group in sorted(groups, key=lambda g: (g.organisation.name.casefold(), g.title.casefold())):
        waves = tuple(by_group[group.pk].get(wave, WaveCounts(wave=wave)) for wave in WAVES)
        for counts in waves:
            totals[counts.wave] = totals[counts.wave] + counts
        rows.append(GroupCounts(group=group, waves=waves))
    return ResponseOverview(
        groups=tuple(rows),
        totals=tuple(totals.values()),
        organisation=organisation,
        organisations=tuple(overview_organisations_for_actor(actor=actor)),
    )


@dataclass(frozen=True)
class WaveProgress:
    """A wave of one group: how many of those invited have answered."""

    wave: str
    answered: int
    invited: int


def group_questionnaire_progress(*, actor: Actor, group: PeerGroup) -> list[WaveProgress]:
    """Per wave with invitations, answered of invited (cancelled invitations left out), for
    the group page: its facilitators and coordinators (:class:`NotFound` for others). Counts
    only — never answers or who. One query (plus the facilitator check)."""
    check_can_view_group_progress(actor, group)
    rows = (
        Invitation.objects.filter(group=group)
        .exclude(status=InvitationStatus.CANCELLED)
        .values("wave")
        .annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=Q(status=InvitationStatus.COMPLETED)),
        )
        .order_by()
    )
    found = {row["wave"]: row for row in rows}
    return [
        WaveProgress(wave=wave, answered=found[wave]["answered"], invited=found[wave]["invited"])
        for wave in WAVES
        if wave in found
    ]
