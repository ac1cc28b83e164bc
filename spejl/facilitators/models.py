"""Volunteer facilitators: their profile, training records and supervision sessions.

A facilitator is a staff user with a facilitator membership in one or more organisations
(see ``accounts.Membership``); the profile adds what coordinators need to know about them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spejl.access.encrypted import EncryptedTextField


class FacilitatorProfile(models.Model):
    """Extra facts about a facilitator. Personal data: phone number."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator_profile"
    )
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True)  # encrypted at rest
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("facilitator profile")
        verbose_name_plural = _("facilitator profiles")

    def __str__(self) -> str:
        return str(self.user)


class TrainingRecord(models.Model):
    """A course a facilitator has completed, with how long it counts. No health data."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    facilitator = models.ForeignKey(
        FacilitatorProfile, on_delete=models.CASCADE, related_name="training_records"
    )
    course_name = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty if it does not expire.")
    )
    certificate_note = models.CharField(_("certificate note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("completed_on")),
                name="training_valid_after_completed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_name} ({self.completed_on:%Y-%m-%d})"


class SupervisionSession(models.Model):
    """A supervision session a facilitator took part in. The note must not hold health details
    or participants' names (the form says so)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    facilitator = models.ForeignKey(
        FacilitatorProfile, on_delete=models.CASCADE, related_name="supervision_sessions"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("date"))
    supervisor = models.CharField(_("supervisor"), max_length=150)
    note = models.TextField(_("short note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.supervisor}"
