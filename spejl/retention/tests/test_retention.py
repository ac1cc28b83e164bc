"""The retention rules: what each removes and what it keeps, the dry run, the audit events,
running twice and twice at once, and the command. SQLite and PostgreSQL alike.

Most tests run the job "in the future" (``now`` a little over a year ahead) instead of
back-dating rows; the audit log's pruning needs really old events, which are written with the
clock turned back."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from spejl.access.actor import SYSTEM
from spejl.audit.chain import seal_pending, verify
from spejl.audit.models import AuditAction, AuditEvent, AuditPrune
from spejl.audit.services import audit_record
from spejl.conftest import World
from spejl.enquiries.models import Enquiry, EnquiryStatus
from spejl.enquiries.tests.fixtures import make_enquiry
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import GroupStatus, PeerGroup
from spejl.intake.models import Intake, IntakeMode
from spejl.links.models import LinkPurpose, SecureLink
from spejl.notifications.models import Notification, NotificationStatus
from spejl.participants.models import Contact, Participant
from spejl.retention import policies
from spejl.retention.services import RULE_NAMES, RuleReport, retention_run
from spejl.testing.concurrency import twice_at_once
from spejl.testing.groups import make_group
from spejl.testing.participants import waiting_participant

YEAR = timedelta(days=365)


def later(days: int = 400) -> datetime:
    """A moment past the 12-month periods of everything written now."""
    return timezone.now() + timedelta(days=days)


def by_rule(reports: list[RuleReport]) -> dict[str, RuleReport]:
    return {r.rule: r for r in reports}


def has_contact(participant: Participant) -> bool:
    return Contact.objects.filter(participant=participant).exists()


def completed_group(world: World, title: str = "Afsluttet") -> PeerGroup:
    group = make_group(world, title=title, status=GroupStatus.COMPLETED, participants=2)
    Enrolment.objects.filter(group=group).update(state=EnrolmentState.COMPLETED)
    return group


def members(group: PeerGroup) -> list[Participant]:
    return list(Participant.objects.filter(enrolments__group=group).order_by("pk"))


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def old_audit_events(count: int) -> None:
    with clock(timezone.now() - 6 * YEAR):
        for n in range(count):
            audit_record(
                actor=SYSTEM,
                action=AuditAction.READ,
                object_type="participants.participant",
                object_id=f"old-{n}",
                organisation=None,
                fields=["phone"],
                purpose="old read",
            )
    seal_pending(settle_seconds=0)


# --- Contact data -----------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_data_go_a_year_after_the_last_meeting_while_a_running_group_keeps_them(
    world: World,
) -> None:
    running = members(make_group(world, title="Kører"))
    ended = members(completed_group(world))

    reports = by_rule(retention_run(dry_run=False, now=later(), only=["contact_data"]))

    assert reports["contact_data"].count == 2
    assert not any(has_contact(p) for p in ended)
    assert all(has_contact(p) for p in running)
    # The pseudonymous participant and their place stay: only identifying data go.
    assert Participant.objects.filter(pk__in=[p.pk for p in ended]).count() == 2
    assert Enrolment.objects.filter(participant__in=ended).count() == 2
    erasures = AuditEvent.objects.filter(
        object_type="participants.participant", purpose="contact data erased (retention)"
    )
    assert sorted(erasures.values_list("object_id", flat=True)) == sorted(
        str(p.public_id) for p in ended
    )
    assert all(e.actor_id is None for e in erasures)


@pytest.mark.django_db
def test_contact_data_stay_until_the_period_after_the_last_meeting_has_passed(
    world: World,
) -> None:
    ended = members(completed_group(world))
    reports = by_rule(retention_run(dry_run=False, now=later(days=300), only=["contact_data"]))
    assert reports["contact_data"].count == 0
    assert all(has_contact(p) for p in ended)


@pytest.mark.django_db
def test_enrolled_in_a_group_that_ended_counts_from_the_groups_last_meeting(
    world: World,
) -> None:
    group = make_group(world, title="Glemt", status=GroupStatus.COMPLETED, participants=1)
    (person,) = members(group)  # still "enrolled": nobody closed the places
    retention_run(dry_run=False, now=later(), only=["contact_data"])
    assert not has_contact(person)


@pytest.mark.django_db
def test_someone_waiting_for_a_place_keeps_contact_data_however_long_they_wait(
    world: World,
) -> None:
    person = waiting_participant(world)
    reports = by_rule(retention_run(dry_run=False, now=later(days=900), only=["contact_data"]))
    assert has_contact(person)
    assert reports["contact_data"].count == 0
    assert reports["contact_data"].details == {"kept_waiting_longer_than_period": 1}


@pytest.mark.django_db
def test_a_person_who_never_got_a_group_is_erased_a_period_after_their_last_activity(
    world: World,
) -> None:
    person = waiting_participant(world)
    Enrolment.objects.filter(participant=person).update(state=EnrolmentState.DECLINED)
    retention_run(dry_run=False, now=later(days=200), only=["contact_data"])
    assert has_contact(person)
    retention_run(dry_run=False, now=later(), only=["contact_data"])
    assert not has_contact(person)


# --- Enquiries ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_enquiries_that_never_became_participants_go_with_their_intake_appointments(
    world: World,
) -> None:
    closed = make_enquiry(world.org_a, first_name="Åse", status=EnquiryStatus.CLOSED)
    stale = make_enquiry(world.org_a, first_name="Bo")
    intake = Intake.objects.create(
        organisation=world.org_a,
        enquiry=closed,
        scheduled_at=timezone.now(),
        mode=IntakeMode.PHONE,
    )
    person = waiting_participant(world)
    converted = make_enquiry(
        world.org_a, first_name="Cæcilie", status=EnquiryStatus.CONVERTED, participant=person
    )

    reports = by_rule(retention_run(dry_run=False, now=later(), only=["enquiries"]))

    assert reports["enquiries"].count == 2
    assert reports["enquiries"].details == {"intakes": 1}
    assert list(Enquiry.objects.values_list("pk", flat=True)) == [converted.pk]
    assert not Intake.objects.filter(pk=intake.pk).exists()
    deleted = AuditEvent.objects.filter(object_type="enquiries.enquiry", action="delete")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(
        [str(closed.public_id), str(stale.public_id)]
    )
    assert {e.organisation_id for e in deleted} == {world.org_a.pk}


@pytest.mark.django_db
def test_recent_enquiries_stay(world: World) -> None:
    make_enquiry(world.org_a, status=EnquiryStatus.CLOSED)
    retention_run(dry_run=False, now=later(days=300), only=["enquiries"])
    assert Enquiry.objects.count() == 1


# --- Technical rows -------------------------------------------------------------------------


@pytest.mark.django_db
def test_finished_messages_dead_links_and_expired_sessions_go_and_live_ones_stay(
    world: World,
) -> None:
    person = waiting_participant(world)
    common = {"template": "t", "channel": "email", "recipient_participant": person}
    sent = Notification.objects.create(dedupe_key="a", status=NotificationStatus.SENT, **common)
    pending = Notification.objects.create(dedupe_key="b", **common)
    dead = SecureLink.objects.create(
        token_hash="1" * 64,
        purpose=LinkPurpose.OFFER,
        participant=person,
        expires_at=timezone.now() - timedelta(days=1),
    )
    used = SecureLink.objects.create(
        token_hash="2" * 64,
        purpose=LinkPurpose.CONSENT,
        participant=person,
        used_at=timezone.now(),
    )
    alive = SecureLink.objects.create(
        token_hash="3" * 64, purpose=LinkPurpose.PARTICIPANT_PAGE, participant=person
    )
    Session.objects.create(
        session_key="old", session_data="", expire_date=timezone.now() - timedelta(hours=1)
    )
    Session.objects.create(session_key="new", session_data="", expire_date=later(days=401))

    reports = by_rule(
        retention_run(
            dry_run=False, now=later(), only=["notifications", "secure_links", "sessions"]
        )
    )

    assert (reports["notifications"].count, reports["secure_links"].count) == (1, 2)
    assert reports["sessions"].count == 1
    assert list(Notification.objects.values_list("pk", flat=True)) == [pending.pk]
    assert not Notification.objects.filter(pk=sent.pk).exists()
    assert list(SecureLink.objects.values_list("pk", flat=True)) == [alive.pk]
    assert not SecureLink.objects.filter(pk__in=[dead.pk, used.pk]).exists()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_links_stay_for_the_grace_period_after_they_stop_working(world: World) -> None:
    person = waiting_participant(world)
    SecureLink.objects.create(
        token_hash="4" * 64, purpose=LinkPurpose.OFFER, participant=person, used_at=timezone.now()
    )
    retention_run(dry_run=False, now=later(days=10), only=["secure_links"])
    assert SecureLink.objects.count() == 1


# --- Research data and settings -----------------------------------------------------------


@pytest.mark.django_db
def test_research_data_are_only_reported_never_removed(settings: Any) -> None:
    report = by_rule(retention_run(dry_run=False, only=["research_data"]))["research_data"]
    assert (report.count, report.note) == (0, "kept: SPEJL_EVALUATION_ENDS is not set")
    settings.SPEJL_EVALUATION_ENDS = "2020-06-30"
    settings.SPEJL_RETAIN_RESEARCH_YEARS = 2
    report = by_rule(retention_run(dry_run=False, only=["research_data"]))["research_data"]
    assert report.count == 0
    assert report.note.startswith("due since 2022-06-30: delete or anonymise by hand")


def test_periods_below_their_floor_are_refused(settings: Any) -> None:
    settings.SPEJL_RETAIN_CONTACT_MONTHS = 3
    with pytest.raises(ImproperlyConfigured, match="SPEJL_RETAIN_CONTACT_MONTHS"):
        policies.periods()
    settings.SPEJL_RETAIN_CONTACT_MONTHS = 12
    settings.SPEJL_EVALUATION_ENDS = "next year"
    with pytest.raises(ImproperlyConfigured, match="SPEJL_EVALUATION_ENDS"):
        policies.periods()


def test_months_before_keeps_the_time_and_clamps_the_day() -> None:
    moment = datetime(2026, 3, 31, 14, 5, tzinfo=timezone.get_current_timezone())
    assert policies.months_before(moment, 1) == moment.replace(month=2, day=28)
    assert policies.months_before(moment, 12) == moment.replace(year=2025)
    assert policies.months_before(moment, 15).date() == date(2024, 12, 31)


# --- The run as a whole -------------------------------------------------------------------


def due_everywhere(world: World) -> dict[str, Any]:
    """Something due for most rules (at ``later()``), and something to keep."""
    ended = members(completed_group(world))
    running = members(make_group(world, title="Kører"))
    make_enquiry(world.org_a, first_name="Åse", status=EnquiryStatus.CLOSED)
    make_enquiry(world.org_a, first_name="Bo", status=EnquiryStatus.CLOSED)
    for n in range(3):
        Notification.objects.create(
            dedupe_key=f"n{n}", template="t", channel="email", status=NotificationStatus.SENT
        )
    old_audit_events(4)
    return {"ended": ended, "running": running}


def retention_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type__startswith="retention."))


@pytest.mark.django_db
def test_dry_run_reports_counts_and_changes_nothing(world: World) -> None:
    data = due_everywhere(world)
    events_before = AuditEvent.objects.count()

    reports = by_rule(retention_run(dry_run=True, now=later()))

    assert [r for r in RULE_NAMES] == list(reports)
    assert reports["contact_data"].count == 2
    assert reports["enquiries"].count == 2
    assert reports["notifications"].count == 3
    assert reports["audit_events"].count == 4
    assert reports["contact_data"].oldest is not None
    assert all(has_contact(p) for p in data["ended"])
    assert Enquiry.objects.count() == 2
    assert Notification.objects.count() == 3
    assert not AuditPrune.objects.exists()
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_real_run_removes_what_is_due_writes_one_event_per_rule_and_a_second_run_nothing(
    world: World,
) -> None:
    data = due_everywhere(world)

    first = by_rule(retention_run(dry_run=False, now=later()))

    assert {r: first[r].count for r in ("contact_data", "enquiries", "notifications")} == {
        "contact_data": 2,
        "enquiries": 2,
        "notifications": 3,
    }
    assert first["audit_events"].count == 4
    events = retention_events()
    assert sorted(e.object_type for e in events) == sorted(f"retention.{r}" for r in RULE_NAMES)
    assert all(e.actor_id is None and e.action == AuditAction.DELETE for e in events)
    contact_event = next(e for e in events if e.object_type == "retention.contact_data")
    assert "removed:2" in contact_event.fields
    assert all(has_contact(p) for p in data["running"])

    second = by_rule(retention_run(dry_run=False, now=later()))
    assert all(report.count == 0 for report in second.values()), second
    assert len(retention_events()) == 2 * len(RULE_NAMES)
    seal_pending(settle_seconds=0)
    assert verify(settle_seconds=0).intact


@pytest.mark.django_db
def test_command_prints_counts_without_personal_data_and_json_on_request(world: World) -> None:
    due_everywhere(world)
    out = io.StringIO()
    out_json = io.StringIO()
    with clock(later()):  # a dry run changes nothing, so the moved clock writes nothing
        call_command("apply_retention", dry_run=True, stdout=out)
        call_command("apply_retention", dry_run=True, json=True, stdout=out_json)
    text = out.getvalue()
    assert text.startswith("Dry run: nothing was changed.")
    assert "enquiries: 2 due (12 months after the last change), oldest " in text
    payload = json.loads(out_json.getvalue())
    assert payload["dry_run"] is True
    assert [r["rule"] for r in payload["rules"]] == list(RULE_NAMES)
    for name in ("Åse", "Bo", "Testesen", "example.org", "+45"):
        assert name not in text and name not in out_json.getvalue()
    assert not retention_events()


@pytest.mark.django_db
def test_command_runs_only_the_named_rules(world: World) -> None:
    due_everywhere(world)
    out = io.StringIO()
    call_command("apply_retention", only=["notifications"], stdout=out)
    assert out.getvalue().startswith("notifications: ")
    assert [e.object_type for e in retention_events()] == ["retention.notifications"]


@pytest.mark.django_db
def test_a_broken_audit_chain_is_not_pruned_and_the_command_exits_1(world: World) -> None:
    from spejl.audit.tests.support import raw

    old_audit_events(2)
    first = AuditEvent.objects.order_by("pk").first()
    assert first is not None
    raw("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["rewritten", first.pk])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("apply_retention", only=["audit_events"], stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "audit_events" in err.getvalue()
    assert not AuditPrune.objects.exists()
    (event,) = retention_events()
    assert event.purpose.startswith("retention refused: audit_events")


# --- Twice at once ----------------------------------------------------------------------------


def _check_twice_at_once(world: World) -> None:
    data = due_everywhere(world)
    moment = later()
    results = twice_at_once(lambda: retention_run(dry_run=False, now=moment))
    assert all(isinstance(r, list) for r in results), results
    totals = {
        rule: sum(by_rule(reports)[rule].count for reports in results)
        for rule in ("contact_data", "enquiries", "notifications", "audit_events")
    }
    assert totals == {"contact_data": 2, "enquiries": 2, "notifications": 3, "audit_events": 4}
    assert not any(has_contact(p) for p in data["ended"])
    assert all(has_contact(p) for p in data["running"])
    assert Enquiry.objects.count() == 0
    assert len(retention_events()) == 2 * len(RULE_NAMES)
    erasures = AuditEvent.objects.filter(purpose="contact data erased (retention)").count()
    assert erasures == 2
    seal_pending(settle_seconds=0)
    assert verify(settle_seconds=0).intact


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remove_everything_once(world: World, chain_cleanup: None) -> None:
    _check_twice_at_once(world)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_commands_at_once_on_postgresql(world: World, chain_cleanup: None) -> None:
    # Real concurrent transactions: row locks, the advisory chain lock and re-checked
    # conditions decide; the second command removes nothing twice and fails on nothing.
    with clock(timezone.now() - timedelta(days=400)):  # the command runs at the real time
        due_everywhere(world)
    outputs = twice_at_once(lambda: call_command("apply_retention", stdout=io.StringIO()))
    assert outputs == [None, None]
    assert Enquiry.objects.count() == 0
    assert AuditPrune.objects.exists()
    seal_pending(settle_seconds=0)
    assert verify(settle_seconds=0).intact
