"""Enquiries: someone asked to join a group (public form, phone call or referral).

An enquiry holds the identifying data the person gave (first name, phone, e-mail, postcode):
it lives in the organisation's inbox until it becomes a participant through an intake
conversation, or is closed. Retention rules delete closed enquiries after a period.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spejl.access.encrypted import EncryptedEmailField, EncryptedTextField


class EnquirySource(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone call")
    REFERRAL = "referral", _("Referral")
    IN_PERSON = "in_person", _("In person")


class Referrer(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    GP = "gp", _("GP (own doctor)")
    ASSOCIATION = "association", _("Another association")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    OTHER = "other", _("Other")


class HeardAbout(models.TextChoices):
    FRIEND = "friend", _("Family or friends")
    DOCTOR = "doctor", _("Doctor or health professional")
    MUNICIPALITY = "municipality", _("The municipality")
    INTERNET = "internet", _("The internet or social media")
    NEWSPAPER = "newspaper", _("Newspaper, radio or poster")
    ASSOCIATION = "association", _("An association")
    OTHER = "other", _("Other")


class ContactPreference(models.TextChoices):
    """How the person would like the coordinator to get in touch."""

    PHONE = "phone", _("A phone call")
    SMS = "sms", _("A text message")
    EMAIL = "email", _("An e-mail")


class EnquiryStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    INTAKE = "intake", _("Intake conversation")
    CONVERTED = "converted", _("Became a participant")
    CLOSED = "closed", _("Closed")


class Enquiry(models.Model):
    """A wish to join. Personal data: first name, phone, e-mail, postcode, birth year,
    message."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="enquiries"
    )
    group = models.ForeignKey(
        "groups.PeerGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
        verbose_name=_("group asked about"),
    )
    source = models.CharField(_("source"), max_length=10, choices=EnquirySource.choices)
    referrer = models.CharField(
        _("referred by"), max_length=15, choices=Referrer.choices, blank=True
    )
    # Contact data and free text are encrypted at rest (docs/security.md).
    first_name = EncryptedTextField(_("first name"), max_length=100)
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True)
    email = EncryptedEmailField(_("e-mail"), blank=True)
    preferred_contact = models.CharField(
        _("prefers to be contacted by"),
        max_length=5,
        choices=ContactPreference.choices,
        blank=True,
    )
    postcode = models.ForeignKey(
        "organisations.Postcode",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("postcode"),
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    heard_about = models.CharField(
        _("how they heard about us"), max_length=15, choices=HeardAbout.choices, blank=True
    )
    preferred_times = models.JSONField(_("preferred days and times"), default=list, blank=True)
    message = EncryptedTextField(_("message"), max_length=2000, blank=True, multiline=True)
    language = models.CharField(max_length=5, default="da")
    status = models.CharField(
        _("status"), max_length=10, choices=EnquiryStatus.choices, default=EnquiryStatus.NEW
    )
    closed_reason = EncryptedTextField(_("reason for closing"), max_length=300, blank=True)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Keyed hash (HMAC-SHA256 under SPEJL_LOOKUP_KEY) of the normalised e-mail/phone, to spot
    #: repeated enquiries without searching personal data in clear.
    contact_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")

    def __str__(self) -> str:
        return f"Enquiry {self.public_id}"

    @property
    def age_this_year(self) -> int:
        """The age the person reaches this year (from the birth year alone)."""
        return timezone.localdate().year - self.birth_year

    @property
    def days_since(self) -> int:
        """Whole days since the enquiry came in."""
        return (timezone.now() - self.created_at).days
