"""Organisations (the tenancy boundary), their venues, and the Danish postcode register."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """The five Danish regions, keyed by their official region codes."""

    NORDJYLLAND = "1081", _("North Denmark Region")
    MIDTJYLLAND = "1082", _("Central Denmark Region")
    SYDDANMARK = "1083", _("Region of Southern Denmark")
    HOVEDSTADEN = "1084", _("Capital Region of Denmark")
    SJAELLAND = "1085", _("Region Zealand")


class Postcode(models.Model):
    """A Danish postcode with a representative coordinate.

    Reference data loaded from ``spejl/data/dk_postcodes.csv`` (sources in
    ``spejl/data/SOURCES.md``). No personal data.
    """

    code = models.CharField(_("postcode"), max_length=4, primary_key=True)
    town = models.CharField(_("town"), max_length=100)
    municipality = models.CharField(_("municipality"), max_length=100)
    municipalities = models.CharField(_("all municipalities"), max_length=300)
    region = models.CharField(_("region"), max_length=4, choices=Region.choices)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    coordinate_source = models.CharField(_("coordinate source"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")

    def __str__(self) -> str:
        return f"{self.code} {self.town}"


class OrganisationKind(models.TextChoices):
    NATIONAL = "national", _("National secretariat")
    MEMBER = "member", _("Member organisation")


class Organisation(models.Model):
    """A member organisation or the national secretariat: the unit of data access.

    Holds the organisation's public contact details only (no personal data of participants).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=OrganisationKind.choices, default=OrganisationKind.MEMBER
    )
    municipality = models.CharField(_("municipality"), max_length=100)
    region = models.CharField(_("region"), max_length=4, choices=Region.choices)
    postcode = models.ForeignKey(
        Postcode, on_delete=models.PROTECT, verbose_name=_("postcode"), related_name="+"
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="national"),
                name="one_national_secretariat",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    """A place where groups meet, with its accessibility. No personal data."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="venues",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postcode = models.ForeignKey(
        Postcode, on_delete=models.PROTECT, verbose_name=_("postcode"), related_name="+"
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True, max_length=1000)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return f"{self.name}, {self.postcode.town}"
