"""The intake conversation (*forsamtale*): fit, readiness and wishes, before a place."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from spejl.access.encrypted import EncryptedTextField


class ReferralDestination(models.Model):
    """Where a person can be referred when a group is not right now (configurable list)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: Names a shipped default (``data/referral_destinations.json``) so that loading it again
    #: adds only what is missing. Empty for destinations added by people.
    code = models.CharField(max_length=60, blank=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referral_destinations",
        help_text=_("Empty for the national list."),
    )
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    is_urgent = models.BooleanField(_("urgent (e.g. psychiatric emergency)"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_da"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="referral_destination_unique_code",
            )
        ]

    def __str__(self) -> str:
        return self.name_da

    @property
    def name(self) -> str:
        """The name in the active language (Danish unless English is chosen)."""
        language = get_language() or "da"
        return self.name_en if language.startswith("en") and self.name_en else self.name_da


class IntakeMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("Video call")


class IntakeStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")


class Decision(models.TextChoices):
    SUITABLE = "suitable", _("Suitable: offer a group")
    NOT_NOW = "not_now", _("Not now")
    REFERRED = "referred", _("Referred elsewhere")


class Intake(models.Model):
    """One intake conversation. Personal data: screening answers, decision, notes, wishes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="intakes"
    )
    enquiry = models.ForeignKey(
        "enquiries.Enquiry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intakes",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="intakes",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("time"))
    mode = models.CharField(_("how"), max_length=10, choices=IntakeMode.choices)
    # Free text about the person is encrypted at rest (docs/security.md).
    place = EncryptedTextField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.SCHEDULED
    )
    # Eligibility
    age_ok = models.BooleanField(_("age fits the target group"), null=True)
    target = models.CharField(_("target group"), max_length=10, blank=True)
    # T-ILS (UCLA-3) screening: 1 hardly ever, 2 some of the time, 3 often
    tils_1 = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    tils_2 = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    tils_3 = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    tils_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # Decision
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    referral_destination = models.ForeignKey(
        ReferralDestination, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = EncryptedTextField(_("note"), max_length=2000, blank=True, multiline=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Preferences
    preferred_times = models.JSONField(_("preferred days and times"), default=list, blank=True)
    max_travel_km = models.PositiveSmallIntegerField(
        _("furthest travel (km)"), null=True, blank=True
    )
    composition_wishes = EncryptedTextField(_("wishes about the group"), max_length=300, blank=True)
    #: The wishes the optimiser can weigh (codes from ``policies.GROUP_WISHES``).
    group_wishes = models.JSONField(_("wishes the placement can weigh"), default=list, blank=True)
    accessibility_needs = EncryptedTextField(_("accessibility needs"), max_length=300, blank=True)
    needs_step_free = models.BooleanField(_("needs step-free access"), default=False)
    language = models.CharField(_("language"), max_length=5, default="da")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return f"Intake {self.public_id}"
