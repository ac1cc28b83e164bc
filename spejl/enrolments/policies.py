"""The enrolment state machine: which changes are allowed (state rules, not who-may rules).

waitlisted ──offer──▶ offered ──accept──▶ enrolled ──▶ completed
    ▲  │                 │  │                  └──▶ dropped
    │  └──decline──┐     │  └──(lapses)──▶ expired ──┐
    │              ▼     └──decline──▶ declined ─────┤
    └──────────── back on the waitlist ◀─────────────┘
"""

from __future__ import annotations

from spejl.enrolments.models import EnrolmentState

S = EnrolmentState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.WAITLISTED: frozenset({S.OFFERED, S.DECLINED}),
    S.OFFERED: frozenset({S.ENROLLED, S.DECLINED, S.EXPIRED}),
    S.EXPIRED: frozenset({S.WAITLISTED, S.OFFERED}),
    S.DECLINED: frozenset({S.WAITLISTED}),
    S.ENROLLED: frozenset({S.COMPLETED, S.DROPPED}),
    S.COMPLETED: frozenset(),
    S.DROPPED: frozenset(),
}

#: States in which a participant is still in the organisation's pipeline (one at a time).
ACTIVE_STATES = (S.WAITLISTED, S.OFFERED, S.ENROLLED)


def can_transition(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())
