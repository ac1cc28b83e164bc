"""Participants (pseudonymous) and their contact data (identifying), kept apart.

``Participant`` carries only a random code and the organisation: research data hang off it.
``Contact`` holds the identifying data — minimal, readable only by roles that need it through
audited selectors, and deletable on its own.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from spejl.access.encrypted import EncryptedEmailField, EncryptedTextField

# Crockford-style alphabet without look-alikes (no I, L, O, U, 0, 1).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_participant_code() -> str:
    """A random pseudonym such as ``SP-7K3M-Q9XW`` (≈ 39 bits: unguessable, easy to read out)."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"SP-{raw[:4]}-{raw[4:]}"


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")


class Participant(models.Model):
    """A person taking part, known by a random code. No name or contact data here."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_participant_code)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="participants"
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    gender = models.CharField(
        _("gender"),
        max_length=12,
        choices=Gender.choices,
        blank=True,
        help_text=_("Only if the person wants to say; used for wishes about the group."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.code


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class Contact(models.Model):
    """How to reach a participant. Personal data: name, phone, e-mail, postcode."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="contact"
    )
    # Encrypted at rest (docs/security.md): never filtered or sorted in SQL.
    first_name = EncryptedTextField(_("first name"), max_length=100)
    last_name = EncryptedTextField(_("last name"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True)
    email = EncryptedEmailField(_("e-mail"), blank=True)
    postcode = models.ForeignKey(
        "organisations.Postcode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=5, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(_("language"), max_length=5, default="da")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.first_name
