"""The acting user with their role memberships resolved once per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest

if TYPE_CHECKING:
    from spejl.accounts.models import User


class NotFound(Http404):
    """The object does not exist *for this actor*: missing and forbidden look the same."""


@dataclass(frozen=True)
class Actor:
    """Everything access decisions need about the acting user.

    ``user`` is ``None`` for anonymous visitors and for the system (management commands).
    Organisation sets hold primary keys of organisations.
    """

    user: User | None
    is_national_admin: bool = False
    is_evaluator: bool = False
    coordinator_of: frozenset[int] = field(default_factory=frozenset)
    facilitator_of: frozenset[int] = field(default_factory=frozenset)
    is_system: bool = False

    @property
    def is_staff(self) -> bool:
        """Holds at least one role (anonymous visitors and role-less accounts do not)."""
        return bool(
            self.is_national_admin
            or self.is_evaluator
            or self.coordinator_of
            or self.facilitator_of
            or self.is_system
        )

    @property
    def member_of(self) -> frozenset[int]:
        """Organisations in which the actor holds a role."""
        return self.coordinator_of | self.facilitator_of

    @property
    def sees_all_organisations(self) -> bool:
        return self.is_national_admin or self.is_evaluator or self.is_system

    def coordinates(self, organisation_id: int) -> bool:
        return self.is_national_admin or self.is_system or organisation_id in self.coordinator_of


ANONYMOUS = Actor(user=None)
SYSTEM = Actor(user=None, is_system=True)


def actor_for_user(user: User | None) -> Actor:
    """Resolve a user's memberships into an :class:`Actor` (one query)."""
    from spejl.accounts.models import Membership, Role

    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    national_admin = evaluator = False
    coordinator: set[int] = set()
    facilitator: set[int] = set()
    for role, organisation_id in Membership.objects.filter(user=user).values_list(
        "role", "organisation_id"
    ):
        if role == Role.NATIONAL_ADMIN:
            national_admin = True
        elif role == Role.EVALUATOR:
            evaluator = True
        elif role == Role.COORDINATOR:
            coordinator.add(organisation_id)
        elif role == Role.FACILITATOR:
            facilitator.add(organisation_id)
    return Actor(
        user=user,
        is_national_admin=national_admin,
        is_evaluator=evaluator,
        coordinator_of=frozenset(coordinator),
        facilitator_of=frozenset(facilitator),
    )


def get_actor(request: HttpRequest) -> Actor:
    """The request's actor, computed once and cached on the request."""
    cached: Actor | None = getattr(request, "_spejl_actor", None)
    if cached is None:
        cached = actor_for_user(getattr(request, "user", None))
        request._spejl_actor = cached  # type: ignore[attr-defined]
    return cached
