"""Consent: versioned texts per purpose, and each participant's consents over time."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spejl.web.i18n import in_current_language


class ConsentPurpose(models.TextChoices):
    PARTICIPATION = "participation", _("Taking part in the group")
    EVALUATION = "evaluation", _("Evaluation data for the external evaluator")
    FOLLOW_UP = "follow_up", _("Being contacted for follow-up")


class ConsentTextStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Superseded")


class ConsentText(models.Model):
    """One version of the text a person consents to. Published versions are immutable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=15, choices=ConsentPurpose.choices)
    version = models.PositiveIntegerField(_("version"))
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_da = models.TextField(_("text (Danish)"))
    body_en = models.TextField(_("text (English)"))
    status = models.CharField(
        max_length=10, choices=ConsentTextStatus.choices, default=ConsentTextStatus.DRAFT
    )
    content_hash = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consenttext_version"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version}"

    @property
    def title(self) -> str:
        return in_current_language(self.title_da, self.title_en)

    @property
    def body(self) -> str:
        return in_current_language(self.body_da, self.body_en)


class ConsentMethod(models.TextChoices):
    DIGITAL = "digital", _("Digitally, through a link")
    PAPER = "paper", _("On paper, recorded by the coordinator")
    VERBAL = "verbal", _("Verbally, recorded by the coordinator")


class Consent(models.Model):
    """A participant's consent to one purpose under one text version; withdrawal is recorded
    on the same row. A new consent after a withdrawal is a new row."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=15, choices=ConsentPurpose.choices)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_method = models.CharField(max_length=10, choices=ConsentMethod.choices, blank=True)

    class Meta:
        ordering = ["purpose", "-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} consent"
