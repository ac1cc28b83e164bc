"""Who may see instrument definitions and measurement plans, who may change them, and who may
see how far groups have come with their questionnaires.

Instruments and measurement plans are national and hold no personal data:

* Every staff role reads the instruments in use or that could be used (enabled ones, and any
  that a published or superseded plan holds), so coordinators and facilitators can see what
  participants are asked and evaluators what the scores rest on. An instrument that is
  switched off and has never been in a plan (SWEMWBS until the licence is held) is a national
  decision still to be made: only national admins and evaluators see it.
* Every staff role reads the published and superseded plan versions; drafts exist only for
  national admins, who alone make, edit and publish plan versions and switch instruments on
  and off.

The response overview (counts per group and wave, never answers or names) is for
coordinators — their organisations' groups — and national admins. A group's own progress
(answered of invited per wave) is shown on the group page to its facilitators as well.

``can_*`` return a bool for templates; ``check_can_*`` raise :class:`NotFound`: to a role
without access these pages and objects do not exist.
"""

from __future__ import annotations

from spejl.access.actor import Actor, NotFound
from spejl.groups.models import PeerGroup
from spejl.groups.permissions import facilitates
from spejl.questionnaires.models import InstrumentVersion, MeasurementPlan, PlanStatus


def can_manage_plans(actor: Actor) -> bool:
    """National admins (and the system): plan versions and switching instruments on and off."""
    return actor.is_national_admin or actor.is_system


def check_can_manage_plans(actor: Actor) -> None:
    """:class:`NotFound` for everyone but national admins and the system."""
    if not can_manage_plans(actor):
        raise NotFound


def sees_undecided_instruments(actor: Actor) -> bool:
    """National admins decide on switched-off instruments; evaluators read every definition."""
    return can_manage_plans(actor) or actor.is_evaluator


def can_view_instrument(actor: Actor, instrument: InstrumentVersion, *, in_a_plan: bool) -> bool:
    """Every staff role, for an enabled instrument or one that a published or superseded plan
    holds (``in_a_plan``); otherwise national admins and evaluators."""
    if not actor.is_staff:
        return False
    return instrument.enabled or in_a_plan or sees_undecided_instruments(actor)


def can_view_plan(actor: Actor, plan: MeasurementPlan) -> bool:
    """Every staff role sees published and superseded versions; drafts only national admins."""
    if not actor.is_staff:
        return False
    return plan.status != PlanStatus.DRAFT or can_manage_plans(actor)


def check_can_view_plan(actor: Actor, plan: MeasurementPlan) -> None:
    if not can_view_plan(actor, plan):
        raise NotFound


def can_view_response_overview(actor: Actor) -> bool:
    """Coordinators (their organisations' groups) and national admins (all groups)."""
    return actor.is_national_admin or actor.is_system or bool(actor.coordinator_of)


def check_can_view_response_overview(actor: Actor) -> None:
    if not can_view_response_overview(actor):
        raise NotFound


def can_view_group_progress(actor: Actor, group: PeerGroup) -> bool:
    """The group's coordinators (and national admins) and its own facilitators see how many
    have answered each wave — counts only."""
    return actor.coordinates(group.organisation_id) or facilitates(actor, group)


def check_can_view_group_progress(actor: Actor, group: PeerGroup) -> None:
    if not can_view_group_progress(actor, group):
        raise NotFound
