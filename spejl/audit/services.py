"""Writing audit events. Called by every service and selector that touches personal data."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from spejl.access.actor import Actor
from spejl.audit.models import AuditAction, AuditEvent
from spejl.organisations.models import Organisation


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str = "",
    organisation: Organisation | None,
    fields: Iterable[str],
    purpose: str,
) -> AuditEvent:
    """Append one audit event in the caller's transaction.

    ``fields`` are the names of the personal-data fields touched, never their values.
    ``obj`` names the object (its model label and public id); for lists, pass
    ``object_type`` and leave ``object_id`` empty.
    """
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(getattr(obj, "public_id", obj.pk))
    if not object_type:
        raise ValueError("audit_record needs obj or object_type")
    return AuditEvent.objects.create(
        actor=actor.user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        organisation=organisation,
        fields=sorted(set(fields)),
        purpose=purpose,
    )
