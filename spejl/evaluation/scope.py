"""What a report or export covers, and who may ask for it.

Coordinators see their own organisation (or one of its groups); evaluators and the national
secretariat see everything, filterable by organisation and target group. Anyone else — and a
coordinator asking for another organisation — gets "not found".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from spejl.access.actor import Actor, NotFound
from spejl.groups.models import PeerGroup
from spejl.organisations.models import Organisation

Level = Literal["national", "organisation", "group"]


@dataclass(frozen=True)
class ReportScope:
    """The selection a report is made for: organisations (empty = all the actor may see), one
    group, a target group and a period of course starts (inclusive)."""

    organisations: tuple[str, ...] = ()
    group: uuid.UUID | None = None
    target: str = ""
    period_from: date | None = None
    period_to: date | None = None
    #: Resolved database ids (not serialised; filled by :func:`resolve_scope`).
    organisation_ids: frozenset[int] = field(default=frozenset(), compare=False)
    group_id: int | None = field(default=None, compare=False)

    @property
    def level(self) -> Level:
        if self.group is not None:
            return "group"
        if len(self.organisations) == 1:
            return "organisation"
        return "national"

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "organisations": list(self.organisations),
            "group": str(self.group) if self.group else None,
            "target": self.target or None,
            "period_from": self.period_from.isoformat() if self.period_from else None,
            "period_to": self.period_to.isoformat() if self.period_to else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportScope:
        def day(value: object) -> date | None:
            return date.fromisoformat(value) if isinstance(value, str) and value else None

        group = data.get("group")
        return cls(
            organisations=tuple(data.get("organisations") or ()),
            group=uuid.UUID(group) if group else None,
            target=data.get("target") or "",
            period_from=day(data.get("period_from")),
            period_to=day(data.get("period_to")),
        )


def can_use_reports(actor: Actor) -> bool:
    return (
        actor.is_national_admin
        or actor.is_evaluator
        or actor.is_system
        or bool(actor.coordinator_of)
    )


def can_export(actor: Actor) -> bool:
    """Row-level pseudonymised exports: evaluators and the national secretariat only."""
    return actor.is_national_admin or actor.is_evaluator or actor.is_system


def reportable_organisations(actor: Actor) -> list[Organisation]:
    """The organisations the actor may report on (for the filter form)."""
    organisations = Organisation.objects.filter(kind="member").order_by("name")
    if actor.sees_all_organisations:
        return list(organisations)
    return list(organisations.filter(pk__in=actor.coordinator_of))


def resolve_scope(actor: Actor, scope: ReportScope) -> ReportScope:
    """Check the actor may see ``scope`` and fill in database ids; :class:`NotFound` if not.

    A coordinator's report without organisations is narrowed to their own organisations.
    """
    if not can_use_reports(actor):
        raise NotFound
    allowed = None if actor.sees_all_organisations else actor.coordinator_of
    slugs = scope.organisations
    if slugs:
        found = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        if len(found) != len(set(slugs)):
            raise NotFound
        ids = frozenset(found.values())
        if allowed is not None and not ids <= allowed:
            raise NotFound
    else:
        ids = frozenset() if allowed is None else allowed
        if allowed is not None:
            slugs = tuple(
                Organisation.objects.filter(pk__in=allowed)
                .order_by("slug")
                .values_list("slug", flat=True)
            )
    group_id = None
    if scope.group is not None:
        group = (
            PeerGroup.objects.filter(public_id=scope.group)
            .values_list("pk", "organisation_id", "organisation__slug")
            .first()
        )
        if group is None or (allowed is not None and group[1] not in allowed):
            raise NotFound
        if ids and group[1] not in ids:
            raise NotFound
        group_id = group[0]
        ids = frozenset({group[1]})
        slugs = (group[2],)
    return ReportScope(
        organisations=tuple(sorted(slugs)),
        group=scope.group,
        target=scope.target,
        period_from=scope.period_from,
        period_to=scope.period_to,
        organisation_ids=ids,
        group_id=group_id,
    )


def describe_scope(scope: dict[str, Any]) -> str:
    """A short description of a serialised scope for the audit log (no personal data)."""
    organisations = scope.get("organisations") or []
    parts = [str(scope.get("level") or "national")]
    if len(organisations) == 1:
        parts.append(str(organisations[0]))
    elif organisations:
        parts.append(f"{len(organisations)} organisations")
    if scope.get("group"):
        parts.append(f"group {str(scope['group'])[:8]}")
    if scope.get("target"):
        parts.append(str(scope["target"]))
    if scope.get("period_from") or scope.get("period_to"):
        parts.append(f"{scope.get('period_from') or '…'}–{scope.get('period_to') or '…'}")
    return " ".join(parts)
