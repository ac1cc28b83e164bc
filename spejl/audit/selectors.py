"""Browsing the audit log: national admins only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    object_type: str = ""
    organisation_id: int | None = None
    actor_email: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def audit_events_for_actor(*, actor: Actor, filters: AuditFilter) -> QuerySet[AuditEvent]:
    """Audit events matching the filters, newest first. Only national admins may browse."""
    if not (actor.is_national_admin or actor.is_system):
        raise NotFound
    qs = AuditEvent.objects.select_related("actor", "organisation")
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    if filters.actor_email:
        qs = qs.filter(actor__email__iexact=filters.actor_email.strip())
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return qs


def audit_object_types() -> list[str]:
    """The object types that occur in the log, for the filter's choices."""
    return list(
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )
