"""What a group's state allows: status transitions and whether it takes new participants."""

from __future__ import annotations

from datetime import datetime

from spejl.groups.models import GroupStatus, PeerGroup

#: Allowed status changes. Completed and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    GroupStatus.PLANNING: frozenset({GroupStatus.RECRUITING, GroupStatus.CANCELLED}),
    GroupStatus.RECRUITING: frozenset(
        {GroupStatus.PLANNING, GroupStatus.RUNNING, GroupStatus.CANCELLED}
    ),
    GroupStatus.RUNNING: frozenset({GroupStatus.COMPLETED, GroupStatus.CANCELLED}),
    GroupStatus.COMPLETED: frozenset(),
    GroupStatus.CANCELLED: frozenset(),
}

#: Changes that need a reason written down.
NEEDS_REASON = frozenset({GroupStatus.CANCELLED, GroupStatus.PLANNING})


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def accepts_new_participants(
    group: PeerGroup, *, first_meeting_at: datetime | None, now: datetime
) -> bool:
    """A closed group takes new people until its first meeting, later only if reopened."""
    if group.status not in (GroupStatus.PLANNING, GroupStatus.RECRUITING, GroupStatus.RUNNING):
        return False
    started = first_meeting_at is not None and first_meeting_at <= now
    return group.reopened or not started
