"""What a facilitator's training records allow (state rules, not who-may rules)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Training that runs out within this many days is shown as "expiring soon".
EXPIRY_WARNING_DAYS = 60


class TrainingStatus(models.TextChoices):
    VALID = "valid", _("Trained")
    EXPIRING = "expiring", _("Training expires soon")
    EXPIRED = "expired", _("Training expired")
    MISSING = "missing", _("No training recorded")


class HasValidity(Protocol):
    completed_on: date
    valid_until: date | None


def training_status(records: Iterable[HasValidity], *, today: date) -> TrainingStatus:
    """The best status any record gives: a record without an end date never expires."""
    records = list(records)
    if not records:
        return TrainingStatus.MISSING
    current = [
        r
        for r in records
        if r.completed_on <= today and (r.valid_until is None or r.valid_until >= today)
    ]
    if not current:
        return TrainingStatus.EXPIRED
    if any(r.valid_until is None for r in current):
        return TrainingStatus.VALID
    latest = max(r.valid_until for r in current if r.valid_until is not None)
    if latest - today <= timedelta(days=EXPIRY_WARNING_DAYS):
        return TrainingStatus.EXPIRING
    return TrainingStatus.VALID


def needs_override(status: TrainingStatus) -> bool:
    """Assigning a facilitator whose training is missing or expired needs a coordinator's
    override with a reason."""
    return status in (TrainingStatus.MISSING, TrainingStatus.EXPIRED)
