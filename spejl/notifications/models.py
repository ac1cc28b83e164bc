"""Outgoing e-mails and text messages, recorded so that nothing is sent twice.

The record holds which template and which objects it concerns, never the address or the text:
the recipient's address is looked up when sending, so erased contact data are never used.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (no address or no consent)")


class DeliveryOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced (not delivered)")


class Notification(models.Model):
    """One message to one person about one thing. ``dedupe_key`` makes sending idempotent.

    Queued by ``services.notification_queue`` and sent by ``services.notification_send``.
    Personal data: none of its own — it points at the recipient (a participant or a user) and
    holds ids in ``context``; the address and the text are produced only when sending.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dedupe_key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict)
    channel = models.CharField(max_length=5)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipient_participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    recipient_enquiry = models.ForeignKey(
        "enquiries.Enquiry",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # A short reason for the last failure or skip, written for an operator. Never an address.
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a sender claimed it (status SENDING): a claim older than 15 minutes is taken back.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A retried message waits until then, so a provider outage does not use up every attempt.
    retry_after = models.DateTimeField(null=True, blank=True)
    # The e-mail Message-ID or the SMS provider's id: lets an operator trace a delivery.
    provider_message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the provider reported afterwards (a delivery receipt or a bounce), if anything.
    delivery = models.CharField(max_length=10, choices=DeliveryOutcome.choices, blank=True)
    # The provider's short reason for a bounce, for an operator. Never an address.
    delivery_detail = models.CharField(max_length=200, blank=True)
    delivery_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["provider_message_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.channel}, {self.status})"
