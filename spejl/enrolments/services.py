"""Waitlist, offers and enrolment: every change is a conditional update from the states the
state machine allows, recorded as an ``EnrolmentTransition``, audited, and — where a seat is
involved — made while holding a lock on the group row, so a group is never overfilled and a
seat is never offered to two people at once (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite:
Spejl's transactions begin IMMEDIATE, which serialises writers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enrolments import policies
from spejl.enrolments.models import (
    SEAT_STATES,
    DropReason,
    Enrolment,
    EnrolmentState,
    EnrolmentTransition,
)
from spejl.groups.models import GroupStatus, PeerGroup
from spejl.groups.policies import accepts_new_participants
from spejl.groups.services import meeting_first_start
from spejl.participants.models import Participant

S = EnrolmentState


def _check_coordinates(actor: Actor, organisation_id: int) -> None:
    if not actor.coordinates(organisation_id):
        raise NotFound


def _move(
    enrolment: Enrolment,
    to_state: str,
    *,
    actor: Actor | None,
    reason: str = "",
    **fields: object,
) -> Enrolment:
    """Apply one transition with ``UPDATE … WHERE state IN (allowed sources)``; if another
    request changed the enrolment first, nothing is written and the person is told."""
    from_state = enrolment.state
    if not policies.can_transition(from_state, to_state):
        raise ValidationError(
            _("A place cannot go from “%(old)s” to “%(new)s”.")
            % {"old": S(from_state).label, "new": S(to_state).label}
        )
    now = timezone.now()
    updated = Enrolment.objects.filter(pk=enrolment.pk, state=from_state).update(
        state=to_state, state_changed_at=now, **fields
    )
    if updated != 1:
        raise ValidationError(_("This place was changed by someone else just now."))
    for key, value in fields.items():
        setattr(enrolment, key, value)
    enrolment.state, enrolment.state_changed_at = to_state, now
    EnrolmentTransition.objects.create(
        enrolment=enrolment,
        group=enrolment.group,
        from_state=from_state,
        to_state=to_state,
        actor=actor.user if actor else None,
        reason=reason[:300],
    )
    audit_record(
        actor=actor or _participant_actor(),
        action=AuditAction.UPDATE,
        obj=enrolment,
        organisation=enrolment.organisation,
        fields=("state",),
        purpose=f"enrolment {from_state} → {to_state}",
    )
    return enrolment


def _participant_actor() -> Actor:
    # The participant acting through their own secure link: no staff user.
    return Actor(user=None)


@transaction.atomic
def enrolment_waitlist(
    *, actor: Actor, participant: Participant, group: PeerGroup | None = None, reason: str = ""
) -> Enrolment:
    """Put a participant on their organisation's waitlist (optionally wishing a group).

    A person is in the pipeline once: if they already wait, hold an offer or a place, that
    enrolment is returned unchanged (so a repeated request stores nothing twice).
    """
    _check_coordinates(actor, participant.organisation_id)
    if group is not None and group.organisation_id != participant.organisation_id:
        raise NotFound
    existing = Enrolment.objects.filter(
        participant=participant, state__in=policies.ACTIVE_STATES
    ).first()
    if existing is not None:
        return existing
    enrolment = Enrolment.objects.create(
        participant=participant,
        organisation=participant.organisation,
        group=group,
        state=S.WAITLISTED,
    )
    EnrolmentTransition.objects.create(
        enrolment=enrolment,
        group=group,
        from_state="",
        to_state=S.WAITLISTED,
        actor=actor.user,
        reason=reason[:300],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=enrolment,
        organisation=participant.organisation,
        fields=("state",),
        purpose="put on waitlist",
    )
    return enrolment


def seats_taken(group: PeerGroup) -> int:
    return Enrolment.objects.filter(group=group, state__in=SEAT_STATES).count()


@transaction.atomic
def enrolment_offer(
    *,
    actor: Actor,
    enrolment: Enrolment,
    group: PeerGroup,
    days: int | None = None,
    now: datetime | None = None,
) -> Enrolment:
    """Offer a waiting participant a seat in a group of their organisation.

    The group row is locked while seats are counted, so two coordinators offering the last
    seat at once cannot both succeed. The offer holds the seat until it is answered or lapses.
    A message with a secure link to accept or decline goes to the participant.
    """
    _check_coordinates(actor, enrolment.organisation_id)
    if group.organisation_id != enrolment.organisation_id:
        raise NotFound
    now = now or timezone.now()
    locked = PeerGroup.objects.select_for_update().get(pk=group.pk)
    if locked.status not in (GroupStatus.PLANNING, GroupStatus.RECRUITING, GroupStatus.RUNNING):
        raise ValidationError(_("The group is not taking participants."))
    if not accepts_new_participants(locked, first_meeting_at=meeting_first_start(locked), now=now):
        raise ValidationError(
            _("The group has started and is closed. Reopen it first if the group agrees.")
        )
    if seats_taken(locked) >= locked.max_participants:
        raise ValidationError(_("The group is full: every seat is taken or offered."))
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    enrolment.group = locked
    expires = now + timedelta(days=days if days is not None else settings.SPEJL_OFFER_DAYS)
    _move(
        enrolment,
        S.OFFERED,
        actor=actor,
        reason=locked.title,
        group=locked,
        offer_expires_at=expires,
        offered_at=now,
    )
    from spejl.enrolments.notices import notify_offer

    notify_offer(enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_accept(
    *, enrolment: Enrolment, actor: Actor | None = None, now: datetime | None = None
) -> Enrolment:
    """Accept an offer (the participant through their link, or a coordinator on their behalf).

    Only an offer that has not lapsed can be accepted; accepting twice changes nothing.
    """
    if actor is not None:
        _check_coordinates(actor, enrolment.organisation_id)
    now = now or timezone.now()
    current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if current.state == S.ENROLLED:
        return current
    if current.state != S.OFFERED:
        raise ValidationError(_("This offer can no longer be accepted."))
    if current.offer_expires_at is not None and current.offer_expires_at <= now:
        raise ValidationError(_("The offer has expired, so the place went back to the group."))
    updated = Enrolment.objects.filter(
        pk=current.pk, state=S.OFFERED, offer_expires_at__gt=now
    ).update(state=S.ENROLLED, state_changed_at=now)
    if updated != 1:
        raise ValidationError(_("This offer can no longer be accepted."))
    current.state = S.ENROLLED
    EnrolmentTransition.objects.create(
        enrolment=current,
        group=current.group,
        from_state=S.OFFERED,
        to_state=S.ENROLLED,
        actor=actor.user if actor else None,
        reason="accepted by the participant" if actor is None else "accepted on their behalf",
    )
    audit_record(
        actor=actor or _participant_actor(),
        action=AuditAction.UPDATE,
        obj=current,
        organisation=current.organisation,
        fields=("state",),
        purpose="offer accepted",
    )
    from spejl.enrolments.notices import send_participant_page_link
    from spejl.questionnaires.scheduling import invitations_open_due

    send_participant_page_link(participant=current.participant, reason="place accepted")
    # The baseline questionnaire is due from enrolment: invite at once rather than at the
    # next periodic run (which would do the same, once).
    invitations_open_due(now=now, enrolment_ids=[current.pk])
    return current


@transaction.atomic
def enrolment_decline(
    *, enrolment: Enrolment, actor: Actor | None = None, reason: str = ""
) -> Enrolment:
    """Decline an offer (or leave the waitlist). The seat returns to the group at once."""
    if actor is not None:
        _check_coordinates(actor, enrolment.organisation_id)
    current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if current.state == S.DECLINED:
        return current
    return _move(current, S.DECLINED, actor=actor, reason=reason or "declined")


@transaction.atomic
def enrolment_return_to_waitlist(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Put someone whose offer lapsed or who declined back on the waitlist."""
    _check_coordinates(actor, enrolment.organisation_id)
    return _move(
        enrolment, S.WAITLISTED, actor=actor, reason="back on the waitlist", offer_expires_at=None
    )


@transaction.atomic
def enrolment_drop(*, actor: Actor, enrolment: Enrolment, reason: str, note: str = "") -> Enrolment:
    """Record that an enrolled participant stopped coming. The reason comes from a list; the
    free-text note is kept out of exports."""
    _check_coordinates(actor, enrolment.organisation_id)
    if reason not in DropReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    return _move(
        enrolment,
        S.DROPPED,
        actor=actor,
        reason=str(DropReason(reason).label),
        drop_reason=reason,
        drop_note=note.strip()[:1000],
    )


def enrolments_complete_for_group(*, actor: Actor, group: PeerGroup) -> int:
    """When a group completes, its enrolled participants complete the course."""
    count = 0
    for enrolment in Enrolment.objects.filter(group=group, state=S.ENROLLED):
        _move(enrolment, S.COMPLETED, actor=actor, reason="the group completed")
        count += 1
    return count


def enrolments_expire_due(*, now: datetime | None = None) -> int:
    """Let offers past their time lapse (the seats return). Safe to run twice at once: each
    lapse is a conditional update, so only one run records it."""
    now = now or timezone.now()
    count = 0
    for enrolment in Enrolment.objects.filter(state=S.OFFERED, offer_expires_at__lte=now):
        try:
            with transaction.atomic():
                _move(enrolment, S.EXPIRED, actor=None, reason="the offer lapsed")
                count += 1
        except ValidationError:
            continue  # answered or expired by another process just now
    return count


@transaction.atomic
def enrolments_end_for_participant(*, actor: Actor, participant: Participant, reason: str) -> int:
    """End every place the participant waits for, is offered or holds — used when their data
    are erased (GDPR art. 17): waiting and open offers are declined (an offered seat returns
    to its group at once, for the coordinator to offer on), a place in a group is dropped
    (reason "other"). Each change goes through the state machine: recorded, audited, and
    refused if someone changed the place at the same moment. Coordinators of the participant's
    organisation, national admins and the system. Returns how many places were ended.
    Personal data: the participant's places (states only)."""
    _check_coordinates(actor, participant.organisation_id)
    ended = 0
    active = Enrolment.objects.select_for_update(of=("self",)).filter(
        participant=participant, state__in=policies.ACTIVE_STATES
    )
    for enrolment in active.select_related("group", "organisation"):
        if enrolment.state == S.ENROLLED:
            _move(enrolment, S.DROPPED, actor=actor, reason=reason, drop_reason=DropReason.OTHER)
        else:
            _move(enrolment, S.DECLINED, actor=actor, reason=reason)
        ended += 1
    return ended
