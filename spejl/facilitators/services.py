"""Changes to facilitators' profiles, training records and supervision sessions.

Coordinators manage the facilitators of the organisations they coordinate, national admins
everyone; a facilitator sees but does not change their own records. Every write is audited
with the names of the fields written (the phone number is personal data; training and
supervision are facts about a person).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor
from spejl.accounts.models import User
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.facilitators import permissions
from spejl.facilitators.models import FacilitatorProfile, SupervisionSession, TrainingRecord
from spejl.facilitators.selectors import facilitator_organisation_ids
from spejl.organisations.models import Organisation

TRAINING_FIELDS = ("course_name", "provider", "completed_on", "valid_until", "certificate_note")
SUPERVISION_FIELDS = ("held_on", "supervisor", "note")
PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ()\-]{3,28}")


def _audit_organisation(actor: Actor, organisation_ids: frozenset[int]) -> Organisation | None:
    """The organisation to file a profile-level audit event under: the one organisation in
    which the actor manages the facilitator, if there is exactly one."""
    ids = permissions.manageable_organisation_ids(actor, organisation_ids)
    if len(ids) != 1:
        return None
    return Organisation.objects.filter(pk=next(iter(ids))).first()


def _check_manage(actor: Actor, profile: FacilitatorProfile) -> frozenset[int]:
    organisation_ids = facilitator_organisation_ids(user=profile.user)
    permissions.check_can_manage_facilitator(actor, profile.user, organisation_ids)
    return organisation_ids


@transaction.atomic
def facilitator_profile_for(*, actor: Actor, user: User) -> FacilitatorProfile:
    """The user's facilitator profile, created (empty) if they have none yet.

    The user must hold a facilitator membership, and the actor must coordinate one of its
    organisations, be a national admin, or be the user themself; otherwise :class:`NotFound`.
    Creating a profile writes no personal data; it is audited with no fields.
    """
    organisation_ids = facilitator_organisation_ids(user=user)
    permissions.check_can_view_facilitator(actor, user, organisation_ids)
    profile, created = FacilitatorProfile.objects.get_or_create(user=user)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=profile,
            organisation=_audit_organisation(actor, organisation_ids),
            fields=(),
            purpose="create facilitator profile",
        )
    return profile


@transaction.atomic
def facilitator_update(*, actor: Actor, profile: FacilitatorProfile, phone: str) -> None:
    """Change the facilitator's phone number. Audited write of ``phone``."""
    organisation_ids = _check_manage(actor, profile)
    phone = " ".join(phone.split())
    if phone and not PHONE_PATTERN.fullmatch(phone):
        raise ValidationError(
            {"phone": _("Enter the phone number in digits, for example 20 30 40 50.")}
        )
    profile.phone = phone
    profile.full_clean()
    profile.save(update_fields=["phone"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=profile,
        organisation=_audit_organisation(actor, organisation_ids),
        fields=("phone",),
        purpose="edit facilitator",
    )


def _clean_training(data: dict[str, Any], *, today: date) -> None:
    """Validate a training record's values, with messages for the person typing them."""
    errors: dict[str, str] = {}
    if not data["course_name"]:
        errors["course_name"] = _("Enter the name of the course.")
    if not data["provider"]:
        errors["provider"] = _("Enter who gave the course.")
    completed_on: date = data["completed_on"]
    valid_until: date | None = data["valid_until"]
    if completed_on > today:
        errors["completed_on"] = _(
            "The completion date cannot be in the future. Record the course once it is completed."
        )
    if valid_until is not None and valid_until < completed_on:
        errors["valid_until"] = _(
            "“Valid until” cannot be before the date the course was completed."
        )
    if errors:
        raise ValidationError(errors)


def _training_data(
    course_name: str,
    provider: str,
    completed_on: date,
    valid_until: date | None,
    certificate_note: str,
) -> dict[str, Any]:
    return {
        "course_name": course_name.strip(),
        "provider": provider.strip(),
        "completed_on": completed_on,
        "valid_until": valid_until,
        "certificate_note": certificate_note.strip(),
    }


@transaction.atomic
def training_record_add(
    *,
    actor: Actor,
    profile: FacilitatorProfile,
    course_name: str,
    provider: str,
    completed_on: date,
    valid_until: date | None,
    certificate_note: str = "",
    today: date | None = None,
) -> TrainingRecord:
    """Record a course the facilitator has completed. ``valid_until`` empty: it never expires.

    Refused with a message when the course is completed in the future or its validity ends
    before it was completed. Audited write of the record's fields.
    """
    organisation_ids = _check_manage(actor, profile)
    data = _training_data(course_name, provider, completed_on, valid_until, certificate_note)
    _clean_training(data, today=today or timezone.localdate())
    record = TrainingRecord(facilitator=profile, **data)
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        organisation=_audit_organisation(actor, organisation_ids),
        fields=TRAINING_FIELDS,
        purpose="add training record",
    )
    return record


@transaction.atomic
def training_record_update(
    *,
    actor: Actor,
    record: TrainingRecord,
    course_name: str,
    provider: str,
    completed_on: date,
    valid_until: date | None,
    certificate_note: str = "",
    today: date | None = None,
) -> TrainingRecord:
    """Correct a training record. Same rules as adding one; audited write of the fields that
    changed (nothing is written when nothing changed)."""
    organisation_ids = _check_manage(actor, record.facilitator)
    data = _training_data(course_name, provider, completed_on, valid_until, certificate_note)
    _clean_training(data, today=today or timezone.localdate())
    changed = [k for k in TRAINING_FIELDS if getattr(record, k) != data[k]]
    if not changed:
        return record
    for key in changed:
        setattr(record, key, data[key])
    record.full_clean()
    record.save(update_fields=changed)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=record,
        organisation=_audit_organisation(actor, organisation_ids),
        fields=changed,
        purpose="edit training record",
    )
    return record


@transaction.atomic
def training_record_remove(*, actor: Actor, record: TrainingRecord) -> None:
    """Delete a training record entered by mistake. Audited."""
    organisation_ids = _check_manage(actor, record.facilitator)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=record,
        organisation=_audit_organisation(actor, organisation_ids),
        fields=TRAINING_FIELDS,
        purpose="remove training record",
    )
    record.delete()


@transaction.atomic
def supervision_add(
    *,
    actor: Actor,
    profile: FacilitatorProfile,
    organisation: Organisation,
    held_on: date,
    supervisor: str,
    note: str = "",
    today: date | None = None,
) -> SupervisionSession:
    """Record a supervision session the facilitator took part in, with one of the
    facilitator's organisations that the actor coordinates.

    Supervision is recorded after it took place, so a date in the future is refused. The note
    must hold no health details or participants' names (the form says so). Audited write.
    """
    organisation_ids = facilitator_organisation_ids(user=profile.user)
    permissions.check_can_manage_supervision(actor, profile.user, organisation_ids, organisation.pk)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if organisation.pk not in organisation_ids:
        errors["organisation"] = _(
            "Choose one of the organisations the facilitator volunteers for."
        )
    if held_on > today:
        errors["held_on"] = _(
            "Supervision is recorded after it has taken place: the date cannot be in the future."
        )
    supervisor = supervisor.strip()
    if not supervisor:
        errors["supervisor"] = _("Enter who gave the supervision.")
    if errors:
        raise ValidationError(errors)
    session = SupervisionSession(
        facilitator=profile,
        organisation=organisation,
        held_on=held_on,
        supervisor=supervisor,
        note=note.strip(),
    )
    session.full_clean()
    session.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=session,
        organisation=organisation,
        fields=SUPERVISION_FIELDS,
        purpose="add supervision session",
    )
    return session


@transaction.atomic
def supervision_remove(*, actor: Actor, session: SupervisionSession) -> None:
    """Delete a supervision session recorded by mistake: the coordinators of its organisation
    and national admins. Audited."""
    user = session.facilitator.user
    organisation_ids = facilitator_organisation_ids(user=user)
    permissions.check_can_manage_supervision(actor, user, organisation_ids, session.organisation_id)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=session,
        organisation=session.organisation,
        fields=SUPERVISION_FIELDS,
        purpose="remove supervision session",
    )
    session.delete()
