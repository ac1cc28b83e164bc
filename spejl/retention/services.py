"""The retention rules: what each removes when its period has passed, and the run over all.

Each rule can *plan* (count what is due, and the oldest date; changes nothing) and *apply*
(remove it in batches, one transaction each). Every statement that removes something repeats
the rule's condition, so a row that stopped being due meanwhile (a new place, a converted
enquiry) is left alone, and two runs at once never remove anything twice: the second finds
the rows gone (PostgreSQL locks the batch's rows with ``SELECT … FOR UPDATE`` and re-checks;
SQLite's immediate transactions serialise the batches). The audit log's own pruning takes the
chain lock (``spejl.audit.chain.audit_prune``).

A real run writes one audit event per rule, as the system, with the counts — also when there
was nothing to remove, so the log shows that the job ran. Reports hold counts and dates, never
personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from spejl.access.actor import SYSTEM
from spejl.audit.chain import PruneRefused, audit_prune, audit_prune_plan
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enquiries.models import Enquiry
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import GroupStatus, Meeting
from spejl.intake.models import Intake
from spejl.links.models import SecureLink
from spejl.notifications.models import Notification, NotificationStatus
from spejl.organisations.models import Organisation
from spejl.participants.models import Participant
from spejl.questionnaires.models import Invitation, Response
from spejl.retention.policies import Periods, days_before, months_before, periods


@dataclass(frozen=True)
class RuleReport:
    """What one rule found (dry run) or removed (real run). Counts and dates only."""

    rule: str
    description: str
    period: str
    count: int
    oldest: date | None
    details: dict[str, int] = field(default_factory=dict)
    note: str = ""
    failed: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "description": self.description,
            "period": self.period,
            "count": self.count,
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "details": self.details,
            "note": self.note,
            "failed": self.failed,
        }


@dataclass(frozen=True)
class Found:
    count: int
    oldest: datetime | date | None = None
    details: dict[str, int] = field(default_factory=dict)
    note: str = ""
    failed: bool = False


@dataclass(frozen=True)
class Rule:
    """One retention rule: its name, what it removes, its period, and how to plan or apply."""

    name: str
    description: str
    period: Callable[[Periods], str]
    plan: Callable[[datetime, Periods], Found]
    apply: Callable[[datetime, Periods], Found]


def _oldest(qs: QuerySet[models.Model], name: str) -> datetime | None:
    value: datetime | None = qs.aggregate(oldest=models.Min(name))["oldest"]
    return value


def _delete_in_batches(
    candidates: Callable[[], QuerySet[models.Model]], *, batch: int
) -> tuple[int, dict[str, int]]:
    """Delete what ``candidates()`` selects, ``batch`` rows per transaction. Each batch locks
    its rows and deletes them by the same condition, so rows no longer due (or already gone,
    by a run at the same moment) stay untouched. Returns rows of the rule's model and rows
    removed with them (cascades), by model label."""
    total = 0
    cascaded: dict[str, int] = {}
    while True:
        with transaction.atomic():
            qs = candidates()
            label = qs.model._meta.label
            ids = list(
                qs.select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return total, cascaded
            _count, per_model = candidates().filter(pk__in=ids).delete()
        deleted = per_model.get(label, 0)
        total += deleted
        for other, n in per_model.items():
            if other != label and n:
                cascaded[other] = cascaded.get(other, 0) + n
        if deleted == 0:
            return total, cascaded


# --- Contact data -----------------------------------------------------------------------


def _latest(qs: QuerySet[models.Model], name: str) -> Subquery:
    return Subquery(qs.order_by(f"-{name}").values(name)[:1])


def _still_taking_part() -> Q:
    """A place that keeps contact data: waiting, an open offer, or enrolled in a group that is
    not over (or has no group yet)."""
    going = [GroupStatus.PLANNING, GroupStatus.RECRUITING, GroupStatus.RUNNING]
    return (
        Q(state__in=[EnrolmentState.WAITLISTED, EnrolmentState.OFFERED])
        | Q(state=EnrolmentState.ENROLLED, group__isnull=True)
        | Q(state=EnrolmentState.ENROLLED, group__status__in=going)
    )


def contact_candidates(*, now: datetime, cutoff: datetime) -> QuerySet[Participant]:
    """Participants whose contact data are past their period: they hold contact data, neither
    wait nor hold a place in a group that is still going, and their last activity is before
    ``cutoff``. Last activity is the latest of: the record's creation, a change of a place,
    the end of the last meeting held of a group they were in (enrolled or completed), an
    intake conversation's last change, and the close of a questionnaire invitation (an open
    invitation keeps the address until it closes). Annotated ``last_activity``. Reads no
    contact data (only whether a contact row exists)."""
    pk = OuterRef("pk")
    created = models.F("created_at")
    active = Enrolment.objects.filter(participant=pk).filter(_still_taking_part())
    sources = [
        _latest(Enrolment.objects.filter(participant=pk), "state_changed_at"),
        _latest(
            Meeting.objects.filter(
                group__enrolments__participant=pk,
                group__enrolments__state__in=[EnrolmentState.ENROLLED, EnrolmentState.COMPLETED],
                starts_at__lte=now,
            ),
            "ends_at",
        ),
        _latest(Intake.objects.filter(participant=pk), "updated_at"),
        _latest(Invitation.objects.filter(participant=pk), "closes_at"),
    ]
    return (
        Participant.objects.filter(contact__isnull=False)
        .exclude(Exists(active))
        .annotate(
            last_activity=Greatest(
                created,
                *(
                    Coalesce(source, created, output_field=models.DateTimeField())
                    for source in sources
                ),
                output_field=models.DateTimeField(),
            )
        )
        .filter(last_activity__lt=cutoff)
    )


def _contact_details(now: datetime, cutoff: datetime) -> dict[str, int]:
    waiting_long = (
        Participant.objects.filter(
            contact__isnull=False,
            enrolments__state=EnrolmentState.WAITLISTED,
            enrolments__waitlisted_at__lt=cutoff,
        )
        .distinct()
        .count()
    )
    return {"kept_waiting_longer_than_period": waiting_long}


def _contact_plan(now: datetime, p: Periods) -> Found:
    cutoff = months_before(now, p.contact_months)
    due = contact_candidates(now=now, cutoff=cutoff)
    oldest = due.aggregate(oldest=models.Min("last_activity"))["oldest"]
    return Found(due.count(), oldest, _contact_details(now, cutoff))


def _contact_apply(now: datetime, p: Periods) -> Found:
    from spejl.participants.erasure import participant_contact_erase

    cutoff = months_before(now, p.contact_months)
    details = _contact_details(now, cutoff)
    erased = 0
    oldest: datetime | None = None
    last_pk = 0
    while True:
        due = list(
            contact_candidates(now=now, cutoff=cutoff)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            # The annotation is added by contact_candidates; the stubs cannot see it.
            .values_list("pk", "last_activity")[: p.batch]  # type: ignore[misc]
        )
        if not due:
            break
        for pk, last_activity in due:
            with transaction.atomic():
                participant = (
                    contact_candidates(now=now, cutoff=cutoff)
                    .select_for_update(of=("self",))
                    .filter(pk=pk)
                    .first()
                )
                # Re-checked under the lock: a new place meanwhile keeps the contact data.
                if participant is not None and participant_contact_erase(
                    actor=SYSTEM, participant=participant, reason="retention"
                ):
                    erased += 1
                    if oldest is None or last_activity < oldest:
                        oldest = last_activity
        last_pk = due[-1][0]
    return Found(erased, oldest, details)


# --- Enquiries that never became participants ----------------------------------------------


#: The enquiry's personal fields, named in the audit event of its deletion.
ENQUIRY_FIELDS = (
    "first_name",
    "phone",
    "email",
    "postcode",
    "birth_year",
    "preferred_times",
    "message",
    "closed_reason",
)


def enquiry_candidates(*, cutoff: datetime) -> QuerySet[Enquiry]:
    """Enquiries without a participant — closed, still open but untouched, or converted into
    a participant who has since been erased completely — that have not changed since
    ``cutoff``. An enquiry that became a participant who still exists is kept (its
    identifying fields go with the participant's contact data). Reads no contact data."""
    return Enquiry.objects.filter(participant__isnull=True, updated_at__lt=cutoff).order_by()


def orphan_intake_candidates(*, cutoff: datetime) -> QuerySet[Intake]:
    """Intake appointments with neither an enquiry nor a participant (their enquiry is gone):
    nothing can follow from them."""
    return Intake.objects.filter(
        participant__isnull=True, enquiry__isnull=True, updated_at__lt=cutoff
    ).order_by()


def _enquiry_plan(now: datetime, p: Periods) -> Found:
    cutoff = months_before(now, p.enquiry_months)
    due = enquiry_candidates(cutoff=cutoff)
    intakes = Intake.objects.filter(participant__isnull=True, enquiry__in=due).count()
    orphans = orphan_intake_candidates(cutoff=cutoff).count()
    oldest = _oldest(due, "updated_at")
    return Found(due.count(), oldest, {"intakes": intakes + orphans})


def _enquiry_apply(now: datetime, p: Periods) -> Found:
    cutoff = months_before(now, p.enquiry_months)
    deleted = intakes = 0
    oldest: datetime | None = None
    while True:
        with transaction.atomic():
            ids = list(
                enquiry_candidates(cutoff=cutoff)
                .select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[: p.batch]
            )
            if not ids:
                break
            rows = list(
                enquiry_candidates(cutoff=cutoff)
                .filter(pk__in=ids)
                .values("pk", "public_id", "organisation_id", "updated_at")
            )
            organisations = Organisation.objects.in_bulk({r["organisation_id"] for r in rows})
            _t, intake_rows = Intake.objects.filter(
                participant__isnull=True, enquiry_id__in=[r["pk"] for r in rows]
            ).delete()
            batch_intakes = intake_rows.get(Intake._meta.label, 0)
            for row in rows:
                audit_record(
                    actor=SYSTEM,
                    action=AuditAction.DELETE,
                    object_type=Enquiry._meta.label_lower,
                    object_id=str(row["public_id"]),
                    organisation=organisations.get(row["organisation_id"]),
                    fields=ENQUIRY_FIELDS,
                    purpose="retention: enquiry that did not become a participant deleted",
                )
                if oldest is None or row["updated_at"] < oldest:
                    oldest = row["updated_at"]
            _n, per_model = Enquiry.objects.filter(
                pk__in=[r["pk"] for r in rows], participant__isnull=True
            ).delete()
        deleted += per_model.get(Enquiry._meta.label, 0)
        intakes += batch_intakes
        if not rows:
            break
    orphans, _cascade = _delete_in_batches(
        lambda: orphan_intake_candidates(cutoff=cutoff), batch=p.batch
    )
    return Found(deleted, oldest, {"intakes": intakes + orphans})


# --- Technical rows -------------------------------------------------------------------------


def notification_candidates(*, cutoff: datetime) -> QuerySet[Notification]:
    """Outbox rows that are finished (not waiting or being sent) and were queued before
    ``cutoff``. They hold no address or text."""
    return Notification.objects.exclude(
        status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
    ).filter(created_at__lt=cutoff)


def _notification_plan(now: datetime, p: Periods) -> Found:
    due = notification_candidates(cutoff=months_before(now, p.notification_months))
    return Found(due.count(), _oldest(due, "created_at"))


def _notification_apply(now: datetime, p: Periods) -> Found:
    cutoff = months_before(now, p.notification_months)
    oldest = _oldest(notification_candidates(cutoff=cutoff), "created_at")
    count, _c = _delete_in_batches(lambda: notification_candidates(cutoff=cutoff), batch=p.batch)
    return Found(count, oldest if count else None)


def link_candidates(*, cutoff: datetime) -> QuerySet[SecureLink]:
    """Secure links that stopped working (expired, used up or revoked) before ``cutoff``."""
    return SecureLink.objects.filter(
        Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    )


def _link_plan(now: datetime, p: Periods) -> Found:
    due = link_candidates(cutoff=days_before(now, p.link_days))
    return Found(due.count(), _oldest(due, "created_at"))


def _link_apply(now: datetime, p: Periods) -> Found:
    cutoff = days_before(now, p.link_days)
    oldest = _oldest(link_candidates(cutoff=cutoff), "created_at")
    count, _c = _delete_in_batches(lambda: link_candidates(cutoff=cutoff), batch=p.batch)
    return Found(count, oldest if count else None)


def _session_model() -> type[Session] | None:
    engine = settings.SESSION_ENGINE
    if engine in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }:
        return Session
    return None


def _session_plan(now: datetime, p: Periods) -> Found:
    model = _session_model()
    if model is None:
        return Found(0, note="sessions are not in the database; clearsessions is called")
    due = model.objects.filter(expire_date__lt=now)
    return Found(due.count(), _oldest(due, "expire_date"))


def _session_apply(now: datetime, p: Periods) -> Found:
    model = _session_model()
    if model is None:
        from importlib import import_module

        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        return Found(0, note="sessions are not in the database; clearsessions was called")
    oldest = _oldest(model.objects.filter(expire_date__lt=now), "expire_date")
    count, _c = _delete_in_batches(lambda: model.objects.filter(expire_date__lt=now), batch=p.batch)
    return Found(count, oldest if count else None)


def _task_candidates(cutoff: datetime) -> QuerySet[models.Model]:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)


def _task_plan(now: datetime, p: Periods) -> Found:
    due = _task_candidates(days_before(now, p.task_days))
    return Found(due.count(), _oldest(due, "finished_at"))


def _task_apply(now: datetime, p: Periods) -> Found:
    cutoff = days_before(now, p.task_days)
    oldest = _oldest(_task_candidates(cutoff), "finished_at")
    count, _c = _delete_in_batches(lambda: _task_candidates(cutoff), batch=p.batch)
    return Found(count, oldest if count else None)


def _report_run_plan(now: datetime, p: Periods) -> Found:
    from spejl.evaluation.models import ReportRun

    due = ReportRun.objects.filter(created_at__lt=now - timedelta(days=p.report_run_days))
    return Found(due.count(), _oldest(due, "created_at"))


def _report_run_apply(now: datetime, p: Periods) -> Found:
    from spejl.evaluation.reports import cleanup_runs

    oldest = _report_run_plan(now, p).oldest
    count = cleanup_runs(days=p.report_run_days)
    return Found(count, oldest if count else None)


def _finished_export_candidates(cutoff: datetime) -> QuerySet[models.Model]:
    from spejl.evaluation.models import Export, JobStatus

    return Export.objects.exclude(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE]
    ).filter(created_at__lt=cutoff)


def _export_plan(now: datetime, p: Periods) -> Found:
    from spejl.evaluation.models import Export, JobStatus

    files = Export.objects.filter(status=JobStatus.DONE, expires_at__lte=now).count()
    records = _finished_export_candidates(months_before(now, p.export_record_months))
    return Found(records.count(), _oldest(records, "created_at"), {"files_expired": files})


def _export_apply(now: datetime, p: Periods) -> Found:
    from spejl.evaluation.exports import expire_exports, export_dir

    # The files: evaluation_cleanup's own rule (one download or SPEJL_EXPORT_HOURS).
    files = expire_exports()
    cutoff = months_before(now, p.export_record_months)
    oldest = _oldest(_finished_export_candidates(cutoff), "created_at")
    public_ids = list(_finished_export_candidates(cutoff).values_list("public_id", flat=True))
    count, _c = _delete_in_batches(lambda: _finished_export_candidates(cutoff), batch=p.batch)
    for public_id in public_ids:  # a failed build may have left a partial file
        (export_dir() / f"{public_id}.zip").unlink(missing_ok=True)
    return Found(count, oldest if count else None, {"files_expired": files})


# --- Research data and the audit log ----------------------------------------------------------


def research_due_on(p: Periods) -> date | None:
    """The day research data fall due for deletion or anonymisation, or None while the end of
    the evaluation is not fixed."""
    if p.evaluation_ends is None:
        return None
    end = p.evaluation_ends
    try:
        return end.replace(year=end.year + p.research_years)
    except ValueError:  # 29 February
        return end.replace(year=end.year + p.research_years, day=28)


def _research(now: datetime, p: Periods) -> Found:
    due_on = research_due_on(p)
    if due_on is None:
        return Found(0, note="kept: SPEJL_EVALUATION_ENDS is not set")
    if timezone.localdate(now) < due_on:
        return Found(0, note=f"kept until {due_on.isoformat()}")
    people = Response.objects.values("participant_id").distinct().count()
    return Found(
        0,
        details={"participants_with_research_data": people},
        note=(
            f"due since {due_on.isoformat()}: delete or anonymise by hand with the evaluator "
            "(never automatic; see docs/retention.md)"
        ),
    )


def _audit_cutoff(now: datetime, p: Periods) -> datetime:
    return months_before(now, 12 * p.audit_years)


def _audit_plan(now: datetime, p: Periods) -> Found:
    if p.audit_years == 0:
        return Found(0, note="kept for ever: SPEJL_RETAIN_AUDIT_YEARS is 0")
    plan = audit_prune_plan(cutoff=_audit_cutoff(now, p))
    return Found(plan.events, plan.oldest, {"unsealed_not_pruned": plan.unsealed_old})


def _audit_apply(now: datetime, p: Periods) -> Found:
    if p.audit_years == 0:
        return Found(0, note="kept for ever: SPEJL_RETAIN_AUDIT_YEARS is 0")
    cutoff = _audit_cutoff(now, p)
    unsealed = audit_prune_plan(cutoff=cutoff).unsealed_old
    try:
        result = audit_prune(cutoff=cutoff, batch=max(p.batch, 1000))
    except PruneRefused as refused:
        return Found(0, note=f"refused, nothing pruned: {refused.broken}", failed=True)
    return Found(
        result.removed,
        result.oldest,
        {"prunes": result.prunes, "unsealed_not_pruned": unsealed},
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "contact_data",
        "participants' contact data (and enquiry details, intake free text, links, waiting "
        "messages) after their last activity",
        lambda p: f"{p.contact_months} months",
        _contact_plan,
        _contact_apply,
    ),
    Rule(
        "enquiries",
        "enquiries that never became participants, with their intake appointments",
        lambda p: f"{p.enquiry_months} months after the last change",
        _enquiry_plan,
        _enquiry_apply,
    ),
    Rule(
        "notifications",
        "finished outbox rows (sent, failed, skipped)",
        lambda p: f"{p.notification_months} months after queueing",
        _notification_plan,
        _notification_apply,
    ),
    Rule(
        "secure_links",
        "secure links that expired, were used up or revoked",
        lambda p: f"{p.link_days} days after they stopped working",
        _link_plan,
        _link_apply,
    ),
    Rule(
        "sessions",
        "expired login sessions (Django's clearsessions)",
        lambda p: "at expiry",
        _session_plan,
        _session_apply,
    ),
    Rule(
        "task_results",
        "finished background-task rows",
        lambda p: f"{p.task_days} days after finishing",
        _task_plan,
        _task_apply,
    ),
    Rule(
        "report_runs",
        "report runs and their aggregates",
        lambda p: f"{p.report_run_days} days",
        _report_run_plan,
        _report_run_apply,
    ),
    Rule(
        "exports",
        "export files past their download time, and finished export records",
        lambda p: (
            f"files: {settings.SPEJL_EXPORT_HOURS} hours; records: {p.export_record_months} months"
        ),
        _export_plan,
        _export_apply,
    ),
    Rule(
        "research_data",
        "pseudonymous research data (report only: deleted or anonymised by hand)",
        lambda p: f"{p.research_years} years after the evaluation ends",
        _research,
        _research,
    ),
    Rule(
        "audit_events",
        "sealed audit events with their seals, through a prune record",
        lambda p: "kept for ever" if p.audit_years == 0 else f"{p.audit_years} years",
        _audit_plan,
        _audit_apply,
    ),
)
RULE_NAMES: tuple[str, ...] = tuple(rule.name for rule in RULES)


def _as_date(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def _record_run(rule: Rule, found: Found) -> None:
    counts = [f"removed:{found.count}"] + [f"{k}:{n}" for k, n in found.details.items()]
    state = "refused" if found.failed else "applied"
    audit_record(
        actor=SYSTEM,
        action=AuditAction.DELETE,
        object_type=f"retention.{rule.name}",
        organisation=None,
        fields=counts,
        purpose=f"retention {state}: {rule.name}, {found.count} removed"[:120],
    )


def retention_run(
    *, dry_run: bool, now: datetime | None = None, only: Sequence[str] | None = None
) -> list[RuleReport]:
    """Plan (``dry_run``) or apply every retention rule (or those named in ``only``).

    For cron, daily; the system is the actor. A dry run changes nothing and writes no audit
    event. A real run removes what is due in batches and writes one audit event per rule with
    its counts. Idempotent; safe twice at once (see the module docstring). Touches the personal
    data each rule removes; reports and audit events hold counts and dates only.
    """
    p = periods()
    now = now or timezone.now()
    unknown = set(only or ()) - set(RULE_NAMES)
    if unknown:
        raise ValueError(f"unknown retention rule(s): {', '.join(sorted(unknown))}")
    reports = []
    for rule in RULES:
        if only and rule.name not in only:
            continue
        found = rule.plan(now, p) if dry_run else rule.apply(now, p)
        if not dry_run:
            with transaction.atomic():
                _record_run(rule, found)
        reports.append(
            RuleReport(
                rule=rule.name,
                description=rule.description,
                period=rule.period(p),
                count=found.count,
                oldest=_as_date(found.oldest),
                details=found.details,
                note=found.note,
                failed=found.failed,
            )
        )
    return reports
