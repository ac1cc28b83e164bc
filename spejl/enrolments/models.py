"""Enrolment: a participant's place in a group, with an explicit state machine.

waitlisted → offered → enrolled → completed | dropped | declined (and offers can expire).
Every transition is recorded in ``EnrolmentTransition`` (who, when, why).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spejl.access.encrypted import EncryptedTextField


class EnrolmentState(models.TextChoices):
    WAITLISTED = "waitlisted", _("On the waitlist")
    OFFERED = "offered", _("Offered a place")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped out")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Offer expired")


#: States in which a participant holds a seat in the group.
SEAT_STATES = (EnrolmentState.OFFERED, EnrolmentState.ENROLLED)
#: States in which a participant appears on the group's roster and attendance.
ROSTER_STATES = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.DROPPED)


class DropReason(models.TextChoices):
    NOT_A_FIT = "not_a_fit", _("The group was not right for them")
    PRACTICAL = "practical", _("Practical reasons (time, transport)")
    HEALTH = "health", _("Health")
    FOUND_OTHER = "found_other", _("Found other help or company")
    NO_CONTACT = "no_contact", _("Could not be reached")
    OTHER = "other", _("Other")


class Enrolment(models.Model):
    """A participant's place (or wish for a place) in a group of their organisation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="enrolments"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "groups.PeerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=EnrolmentState.choices, default=EnrolmentState.WAITLISTED
    )
    state_changed_at = models.DateTimeField(_("state changed"), auto_now_add=True)
    waitlisted_at = models.DateTimeField(_("on waitlist since"), auto_now_add=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    drop_reason = models.CharField(
        _("reason for dropping out"), max_length=20, choices=DropReason.choices, blank=True
    )
    drop_note = EncryptedTextField(  # encrypted at rest (docs/security.md)
        _("note (kept out of exports)"), max_length=1000, blank=True, multiline=True
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "group"],
                condition=models.Q(state__in=["offered", "enrolled"]),
                name="enrolment_one_seat_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.state}"


class EnrolmentTransition(models.Model):
    """One recorded change of an enrolment's state."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="transitions")
    group = models.ForeignKey(
        "groups.PeerGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=12, choices=EnrolmentState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=EnrolmentState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"
