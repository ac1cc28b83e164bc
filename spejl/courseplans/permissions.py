"""Who may see and change course plans.

National plans (no organisation) are seen by every staff role once published; only national
admins see their drafts, make new versions, edit and publish them. An organisation's plans are
seen by national roles and the organisation's staff, and changed by its coordinators and
national admins; to everyone else they do not exist (404).

``can_*`` return a bool for templates; ``check_can_*`` raise :class:`NotFound` when the actor
may not know the plan exists, and ``PermissionDenied`` when they may see it but not do this.
Course plans hold no personal data.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from spejl.access.actor import Actor, NotFound
from spejl.courseplans.models import CoursePlan, CoursePlanStatus
from spejl.organisations.models import Organisation


def _is_national_manager(actor: Actor) -> bool:
    return actor.is_national_admin or actor.is_system


def can_view_course_plan(actor: Actor, plan: CoursePlan) -> bool:
    """Staff see published national plans; national admins also their drafts. An
    organisation's plans are seen by national roles and that organisation's staff."""
    if not actor.is_staff:
        return False
    if plan.organisation_id is None:
        return plan.status != CoursePlanStatus.DRAFT or _is_national_manager(actor)
    return actor.sees_all_organisations or plan.organisation_id in actor.member_of


def can_manage_course_plan(actor: Actor, plan: CoursePlan) -> bool:
    """National plans: national admins. An organisation's plans: its coordinators and national
    admins. Managing is making new versions, editing drafts and publishing them."""
    if plan.organisation_id is None:
        return _is_national_manager(actor)
    return actor.coordinates(plan.organisation_id)


def can_adapt_course_plans(actor: Actor) -> bool:
    """Coordinators (into the organisations they coordinate) and national admins (into any)."""
    return _is_national_manager(actor) or bool(actor.coordinator_of)


def can_adapt_course_plan(actor: Actor, plan: CoursePlan) -> bool:
    """Is there an organisation, other than the plan's own, that the actor may copy it into?"""
    if not can_view_course_plan(actor, plan):
        return False
    return _is_national_manager(actor) or bool(actor.coordinator_of - {plan.organisation_id})


def can_adapt_into(actor: Actor, organisation: Organisation) -> bool:
    """May the actor make ``organisation``'s own copy of a plan?"""
    return actor.coordinates(organisation.pk)


def check_can_view_course_plan(actor: Actor, plan: CoursePlan) -> None:
    if not can_view_course_plan(actor, plan):
        raise NotFound


def check_can_manage_course_plan(actor: Actor, plan: CoursePlan) -> None:
    check_can_view_course_plan(actor, plan)
    if not can_manage_course_plan(actor, plan):
        raise PermissionDenied


def check_can_adapt_course_plan(actor: Actor, plan: CoursePlan) -> None:
    """The adapt page: the actor sees the plan and coordinates some organisation (the page
    itself says when there is no other organisation to copy it into)."""
    check_can_view_course_plan(actor, plan)
    if not can_adapt_course_plans(actor):
        raise PermissionDenied


def check_can_adapt_into(actor: Actor, plan: CoursePlan, organisation: Organisation) -> None:
    check_can_adapt_course_plan(actor, plan)
    if not (actor.sees_all_organisations or organisation.pk in actor.member_of):
        raise NotFound
    if not can_adapt_into(actor, organisation):
        raise PermissionDenied
