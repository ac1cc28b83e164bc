"""Facilitator reads: list rows, counts, scoping and audit."""

from __future__ import annotations

from datetime import date, timedelta

from spejl.access.actor import actor_for_user
from spejl.accounts.models import Membership, Role
from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.facilitators.models import FacilitatorProfile, SupervisionSession
from spejl.facilitators.policies import TrainingStatus
from spejl.facilitators.selectors import (
    facilitator_get_for_actor,
    facilitators_for_organisation,
    one_year_before,
)
from spejl.facilitators.tests.fixtures import (
    add_training,
    lead_group,
    make_facilitator,
    make_group,
    profile_for,
)

TODAY = date(2026, 3, 10)


def _session(world: World, user: object, organisation: object, held_on: date) -> None:
    SupervisionSession.objects.create(
        facilitator=profile_for(user),  # type: ignore[arg-type]
        organisation=organisation,
        held_on=held_on,
        supervisor="Lone",
    )


def test_list_rows_carry_status_validity_groups_and_recent_supervision(world: World) -> None:
    add_training(world.facilitator_a, completed_on=date(2024, 1, 1), valid_until=date(2026, 4, 1))
    expired = make_facilitator(world.org_a, "Birthe Udløbet")
    add_training(expired, completed_on=date(2022, 1, 1), valid_until=date(2025, 1, 1))
    forever = make_facilitator(world.org_a, "Åge Altid")
    add_training(forever, completed_on=date(2020, 1, 1), valid_until=None)
    make_facilitator(world.org_a, "Carl Ingen")  # no profile at all
    # Facilitator A leads two groups in A and one in B (also volunteers for B).
    Membership.objects.create(
        user=world.facilitator_a, role=Role.FACILITATOR, organisation=world.org_b
    )
    lead_group(world.facilitator_a, make_group(world.org_a, world.venue_a, title="G1"))
    lead_group(world.facilitator_a, make_group(world.org_a, world.venue_a, title="G2"))
    lead_group(world.facilitator_a, make_group(world.org_b, world.venue_b, title="G3"))
    lead_group(forever, make_group(world.org_a, world.venue_a, title="G4"))
    # Supervision: two recent with A, one too old, one with B.
    _session(world, world.facilitator_a, world.org_a, TODAY)
    _session(world, world.facilitator_a, world.org_a, one_year_before(TODAY))
    _session(world, world.facilitator_a, world.org_a, one_year_before(TODAY) - timedelta(days=1))
    _session(world, world.facilitator_a, world.org_b, TODAY)

    rows = facilitators_for_organisation(
        actor=actor_for_user(world.coordinator_a), organisation=world.org_a, today=TODAY
    )

    by_name = {r.user.full_name: r for r in rows}
    # Danish order: Å last.
    assert [r.user.full_name for r in rows] == [
        "Birthe Udløbet",
        "Carl Ingen",
        "Søren Ærø",
        "Åge Altid",
    ]
    a = by_name["Søren Ærø"]
    assert (a.status, a.valid_until, a.groups_led, a.supervision_recent) == (
        TrainingStatus.EXPIRING,
        date(2026, 4, 1),
        2,
        2,
    )
    assert a.badge_class == "badge-warn"
    assert by_name["Birthe Udløbet"].status == TrainingStatus.EXPIRED
    assert by_name["Birthe Udløbet"].badge_class == "badge-err"
    assert by_name["Birthe Udløbet"].valid_until == date(2025, 1, 1)
    assert by_name["Carl Ingen"].status == TrainingStatus.MISSING
    assert by_name["Carl Ingen"].profile is None
    assert by_name["Åge Altid"].status == TrainingStatus.VALID
    assert by_name["Åge Altid"].does_not_expire
    assert by_name["Åge Altid"].groups_led == 1


def test_needs_attention_keeps_expired_missing_and_expiring(world: World) -> None:
    add_training(world.facilitator_a, completed_on=date(2024, 1, 1), valid_until=date(2026, 4, 1))
    fine = make_facilitator(world.org_a, "Fin Uddannet")
    add_training(fine, completed_on=date(2025, 1, 1), valid_until=date(2028, 1, 1))
    make_facilitator(world.org_a, "Mangler Kursus")
    rows = facilitators_for_organisation(
        actor=actor_for_user(world.coordinator_a),
        organisation=world.org_a,
        today=TODAY,
        needs_attention=True,
    )
    assert {r.user.full_name for r in rows} == {"Søren Ærø", "Mangler Kursus"}


def test_list_is_an_audited_read_of_names(world: World) -> None:
    facilitators_for_organisation(
        actor=actor_for_user(world.coordinator_a), organisation=world.org_a
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.organisation, event.fields) == (
        AuditAction.READ,
        "accounts.user",
        world.org_a,
        ["full_name"],
    )


def test_reading_a_page_does_not_create_a_profile(world: World) -> None:
    detail = facilitator_get_for_actor(
        actor=actor_for_user(world.coordinator_a), public_id=world.facilitator_a.public_id
    )
    assert detail.profile is None
    assert detail.status == TrainingStatus.MISSING
    assert not FacilitatorProfile.objects.exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.fields) == (
        AuditAction.READ,
        str(world.facilitator_a.public_id),
        ["email", "full_name", "phone"],
    )


def test_a_coordinator_sees_only_their_organisation_and_its_supervision(world: World) -> None:
    Membership.objects.create(
        user=world.facilitator_a, role=Role.FACILITATOR, organisation=world.org_b
    )
    _session(world, world.facilitator_a, world.org_a, date(2025, 5, 1))
    _session(world, world.facilitator_a, world.org_b, date(2025, 6, 1))
    as_b = facilitator_get_for_actor(
        actor=actor_for_user(world.coordinator_b), public_id=world.facilitator_a.public_id
    )
    assert as_b.organisations == [world.org_b]
    assert [s.organisation for s in as_b.supervision_sessions] == [world.org_b]
    assert as_b.supervision_organisations == [world.org_b]
    as_self = facilitator_get_for_actor(
        actor=actor_for_user(world.facilitator_a), public_id=world.facilitator_a.public_id
    )
    assert len(as_self.supervision_sessions) == 2
    assert not as_self.can_manage
    assert as_self.supervision_organisations == []


def test_one_year_before_a_leap_day_is_the_28th_of_february() -> None:
    assert one_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert one_year_before(date(2026, 3, 10)) == date(2025, 3, 10)
