"""Managing referral destinations: the national list (national admins) and organisations' own
lists (their coordinators). Destinations are never deleted, only taken out of use, because
past decisions point to them. No personal data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.intake.models import ReferralDestination
from spejl.intake.permissions import can_add_destination_for, check_can_manage_destination
from spejl.organisations.models import Organisation

DESTINATION_FIELDS = ("name_da", "name_en", "is_urgent", "is_active", "position")


def _validate_destination(destination: ReferralDestination) -> None:
    errors = {}
    destination.name_da = destination.name_da.strip()
    destination.name_en = destination.name_en.strip()
    if not destination.name_da:
        errors["name_da"] = _("Write the name in Danish.")
    if not destination.name_en:
        errors["name_en"] = _("Write the name in English.")
    if errors:
        raise ValidationError(errors)
    destination.full_clean(exclude=["organisation"])


@transaction.atomic
def destination_create(
    *, actor: Actor, organisation: Organisation | None, **data: Any
) -> ReferralDestination:
    """Add a referral destination: to the national list (national admins) or to an
    organisation's own list (its coordinators). No personal data."""
    if not can_add_destination_for(actor, organisation.pk if organisation else None):
        raise NotFound
    destination = ReferralDestination(
        organisation=organisation, **{k: data[k] for k in DESTINATION_FIELDS if k in data}
    )
    _validate_destination(destination)
    destination.save()
    return destination


@transaction.atomic
def destination_update(
    *, actor: Actor, destination: ReferralDestination, **data: Any
) -> ReferralDestination:
    """Rename, reorder, mark urgent, or take out of use (never delete: past intakes refer to
    it). No personal data."""
    check_can_manage_destination(actor, destination)
    for key in DESTINATION_FIELDS:
        if key in data:
            setattr(destination, key, data[key])
    _validate_destination(destination)
    destination.save()
    return destination
