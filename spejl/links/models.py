"""Secure links for participants, who never have an account or a password.

A link's token carries 256 bits of randomness, appears only in the URL sent to the person, and
is stored only as its SHA-256 hash. A link has one purpose, can expire, be used up or be
revoked (for example when consent is withdrawn).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkPurpose(models.TextChoices):
    PARTICIPANT_PAGE = "participant_page", _("The participant's own page")
    OFFER = "offer", _("Answer an offer of a place")
    CONSENT = "consent", _("Give consent")
    QUESTIONNAIRE = "questionnaire", _("Answer a questionnaire")


class SecureLink(models.Model):
    """One link sent to one participant for one purpose. No personal data of its own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="links"
    )
    enrolment = models.ForeignKey(
        "enrolments.Enrolment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
    )
    invitation = models.ForeignKey(
        "questionnaires.Invitation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["participant", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} link"
