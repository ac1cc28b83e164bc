"""Changes to the measurement plan (new draft versions, editing a draft, publishing it) and
switching instruments on and off — with the rules they must keep.

Only national admins may do any of this (``check_can_manage_plans``: everyone else gets
:class:`NotFound`). A published plan version never changes: invitations point at the version
they were made under. Publishing makes the draft the plan in use and supersedes the one
before, in one transaction of conditional updates that the database's "one published, one
draft" constraints guard.

No personal data is read or written. Every change is still audited (the measurement plan
decides what participants are asked), in the same transaction.

The ``*_problems`` functions return messages for the person, in their language; the
services raise them as ``ValidationError`` (field errors where a form field is to blame).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core import redcap
from spejl.core.waves import WAVES
from spejl.questionnaires.models import (
    InstrumentVersion,
    MeasurementPlan,
    PlanInstrument,
    PlanStatus,
)
from spejl.questionnaires.permissions import check_can_manage_plans

FOLLOW_UP_MONTHS = (1, 24)
ANSWER_WINDOW_DAYS = (7, 90)
MAX_REMINDERS = 3
NOTE_MAX_LENGTH = 300

PLAN_FIELDS = ("entries", "follow_up_months", "answer_window_days", "reminder_days", "note")


# --- Reading a plan (used by the services and by selectors) -----------------------------------


def plan_instruments_by_wave(plan: MeasurementPlan) -> dict[str, list[InstrumentVersion]]:
    """Each wave of the plan (T0, T1, T2, all present) with its instruments in order. One
    query."""
    waves: dict[str, list[InstrumentVersion]] = {wave: [] for wave in WAVES}
    entries = (
        PlanInstrument.objects.filter(plan=plan)
        .select_related("instrument")
        .order_by("wave", "position", "pk")
    )
    for entry in entries:
        waves.setdefault(entry.wave, []).append(entry.instrument)
    return waves


def distinct_instruments(
    waves: Mapping[str, Sequence[InstrumentVersion]],
) -> list[InstrumentVersion]:
    """Every instrument version of the plan once, in the order first met (T0 first)."""
    seen: dict[int, InstrumentVersion] = {}
    for wave in WAVES:
        for instrument in waves.get(wave, ()):
            seen.setdefault(instrument.pk, instrument)
    return list(seen.values())


# --- Rules -----------------------------------------------------------------------------------


def reminder_days_problem(days: Sequence[int], answer_window_days: int) -> str | None:
    """Reminders: whole days after the invitation, strictly increasing, each at least 1 and
    before the wave closes, at most :data:`MAX_REMINDERS`."""
    if len(days) > MAX_REMINDERS:
        return _("At most %(count)s reminders.") % {"count": MAX_REMINDERS}
    if any(day < 1 for day in days):
        return _("A reminder is sent 1 day after the invitation at the earliest.")
    if any(later <= earlier for earlier, later in pairwise(days)):
        return _("Give the reminder days in increasing order, each day once (for example 3, 7).")
    if any(day >= answer_window_days for day in days):
        return _(
            "Every reminder must come before the questionnaire closes: fewer than "
            "%(days)s days after the invitation."
        ) % {"days": answer_window_days}
    return None


def plan_settings_problems(
    *, follow_up_months: int, answer_window_days: int, reminder_days: Sequence[int]
) -> dict[str, str]:
    """The timing settings' problems, keyed by field name."""
    problems: dict[str, str] = {}
    low, high = FOLLOW_UP_MONTHS
    if not low <= follow_up_months <= high:
        problems["follow_up_months"] = _(
            "The follow-up comes between %(low)s and %(high)s months after the last meeting."
        ) % {"low": low, "high": high}
    low, high = ANSWER_WINDOW_DAYS
    if not low <= answer_window_days <= high:
        problems["answer_window_days"] = _(
            "A questionnaire stays open between %(low)s and %(high)s days."
        ) % {"low": low, "high": high}
    else:
        problem = reminder_days_problem(reminder_days, answer_window_days)
        if problem:
            problems["reminder_days"] = problem
    return problems


def _name(instrument: InstrumentVersion) -> str:
    return f"{instrument.title} ({instrument.key})"


def shared_item_problems(instruments: Sequence[InstrumentVersion]) -> list[str]:
    """Two instruments of one plan may not share an item code: answers are stored, exported
    and imported (REDCap) under the item code, so a shared code would mix two questions."""
    problems: list[str] = []
    owner: dict[str, InstrumentVersion] = {}
    for instrument in instruments:
        for code in instrument.instrument.item_codes:
            first = owner.setdefault(code, instrument)
            if first.pk != instrument.pk:
                problems.append(
                    _(
                        "%(first)s and %(second)s both have a question with the code "
                        "“%(code)s”. Keep only one of them in the plan."
                    )
                    % {"first": _name(first), "second": _name(instrument), "code": code}
                )
    return problems


def plan_content_problems(waves: Mapping[str, Sequence[InstrumentVersion]]) -> list[str]:
    """What stops this content from being a plan in use: an empty wave, a switched-off
    instrument, a shared item code (or anything else a REDCap project could not hold)."""
    problems: list[str] = []
    for wave in WAVES:
        if not waves.get(wave):
            problems.append(
                _("%(wave)s has no questionnaires. Choose at least one.") % {"wave": wave}
            )
    instruments = distinct_instruments(waves)
    for instrument in instruments:
        if not instrument.enabled:
            problems.append(
                _("%(name)s is switched off. Take it out of the plan, or switch it on first.")
                % {"name": _name(instrument)}
            )
    shared = shared_item_problems(instruments)
    problems.extend(shared)
    if instruments and not shared:
        try:
            redcap.data_dictionary_rows([i.instrument for i in instruments])
        except ValueError as exc:
            problems.append(
                _("The plan cannot be described as a REDCap project: %(detail)s") % {"detail": exc}
            )
    return problems


def plan_publish_problems(plan: MeasurementPlan) -> list[str]:
    """Everything that stops ``plan`` from being published, in words for the person."""
    if plan.status != PlanStatus.DRAFT:
        return [_("This version has already been published.")]
    problems = plan_content_problems(plan_instruments_by_wave(plan))
    problems.extend(
        plan_settings_problems(
            follow_up_months=plan.follow_up_months,
            answer_window_days=plan.answer_window_days,
            reminder_days=[int(day) for day in plan.reminder_days],
        ).values()
    )
    return problems


def immutable_message() -> str:
    return _(
        "A published measurement plan never changes, because invitations were made under it. "
        "Make a new version instead."
    )


def plan_usage_of(instrument: InstrumentVersion) -> list[MeasurementPlan]:
    """The published and draft plan versions that hold ``instrument`` (they keep it on)."""
    return list(
        MeasurementPlan.objects.filter(
            entries__instrument=instrument,
            status__in=[PlanStatus.PUBLISHED, PlanStatus.DRAFT],
        )
        .distinct()
        .order_by("-version")
    )


def disable_problem(instrument: InstrumentVersion, plans: Sequence[MeasurementPlan]) -> str | None:
    """An instrument the plan in use (or its draft) holds cannot be switched off."""
    if not plans:
        return None
    versions = ", ".join(str(plan.version) for plan in plans)
    return _(
        "%(name)s cannot be switched off: measurement plan version %(versions)s uses it. "
        "Take it out in a new version of the plan and publish that first."
    ) % {"name": _name(instrument), "versions": versions}


def licence_needed(instrument: InstrumentVersion) -> bool:
    """An instrument shipped switched off (SWEMWBS: licence) needs the licence confirmed."""
    return not bool(instrument.definition.get("enabled_by_default", True))


# --- Services --------------------------------------------------------------------------------


def _draft() -> MeasurementPlan | None:
    return MeasurementPlan.objects.filter(status=PlanStatus.DRAFT).first()


class NotPublishable(ValidationError):
    """The draft cannot be published; ``messages`` says every reason."""


@dataclass(frozen=True)
class NewVersion:
    """The draft to continue with, and whether it was made just now."""

    plan: MeasurementPlan
    created: bool


@transaction.atomic
def plan_new_version(*, actor: Actor, source: MeasurementPlan | None = None) -> NewVersion:
    """Start the next plan version as a draft copy of ``source`` (default: the published
    version; a superseded one may be copied to go back to it). There is one draft at a time:
    if a draft exists, it is returned instead (``created`` false). National admins."""
    check_can_manage_plans(actor)
    existing = _draft()
    if existing is not None:
        return NewVersion(existing, created=False)
    if source is None:
        source = MeasurementPlan.objects.filter(status=PlanStatus.PUBLISHED).first()
    newest = MeasurementPlan.objects.aggregate(v=Max("version"))["v"] or 0
    try:
        with transaction.atomic():
            draft = MeasurementPlan.objects.create(
                version=newest + 1,
                status=PlanStatus.DRAFT,
                created_by=actor.user,
                **(
                    {
                        "follow_up_months": source.follow_up_months,
                        "answer_window_days": source.answer_window_days,
                        "reminder_days": list(source.reminder_days),
                    }
                    if source is not None
                    else {}
                ),
            )
            if source is not None:
                PlanInstrument.objects.bulk_create(
                    PlanInstrument(
                        plan=draft, wave=e.wave, instrument_id=e.instrument_id, position=e.position
                    )
                    for e in PlanInstrument.objects.filter(plan=source).order_by("pk")
                )
    except IntegrityError:
        # Someone made a draft at the same moment (one draft at a time): continue with theirs.
        winner = _draft()
        if winner is None:
            raise
        return NewVersion(winner, created=False)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=draft,
        organisation=None,
        fields=PLAN_FIELDS,
        purpose=f"measurement plan version {draft.version} drafted"
        + (f" from version {source.version}" if source is not None else ""),
    )
    return NewVersion(draft, created=True)


def _locked_draft(plan: MeasurementPlan) -> MeasurementPlan:
    current = MeasurementPlan.objects.select_for_update().get(pk=plan.pk)
    if current.status != PlanStatus.DRAFT:
        raise ValidationError(immutable_message(), code="immutable")
    return current


@transaction.atomic
def plan_update_draft(
    *,
    actor: Actor,
    plan: MeasurementPlan,
    waves: Mapping[str, Sequence[InstrumentVersion]],
    follow_up_months: int,
    answer_window_days: int,
    reminder_days: Sequence[int],
    note: str,
) -> MeasurementPlan:
    """Replace a draft's content: the instruments of each wave in order (a wave may be left
    empty while drafting; publishing refuses it), the follow-up month, how long a wave stays
    open, the reminder days and a note on what changed. Only enabled instruments, each once
    per wave. National admins; a published or superseded version is refused."""
    check_can_manage_plans(actor)
    unknown = set(waves) - set(WAVES)
    if unknown:
        raise ValueError(f"unknown waves {sorted(unknown)}")
    current = _locked_draft(plan)
    errors: dict[str, list[str]] = {
        field: [message]
        for field, message in plan_settings_problems(
            follow_up_months=follow_up_months,
            answer_window_days=answer_window_days,
            reminder_days=reminder_days,
        ).items()
    }
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [
            _("Keep the note under %(count)s characters.") % {"count": NOTE_MAX_LENGTH}
        ]
    general: list[str] = []
    for wave in WAVES:
        chosen = list(waves.get(wave, ()))
        if len({i.pk for i in chosen}) != len(chosen):
            general.append(_("%(wave)s lists the same questionnaire twice.") % {"wave": wave})
    for instrument in distinct_instruments(waves):
        if not instrument.enabled:
            general.append(
                _("%(name)s is switched off and cannot be put in the plan.")
                % {"name": _name(instrument)}
            )
    if general:
        errors["__all__"] = general
    if errors:
        raise ValidationError(errors)
    current.follow_up_months = follow_up_months
    current.answer_window_days = answer_window_days
    current.reminder_days = list(reminder_days)
    current.note = note
    current.save(update_fields=["follow_up_months", "answer_window_days", "reminder_days", "note"])
    PlanInstrument.objects.filter(plan=current).delete()
    PlanInstrument.objects.bulk_create(
        PlanInstrument(plan=current, wave=wave, instrument=instrument, position=position)
        for wave in WAVES
        for position, instrument in enumerate(waves.get(wave, ()))
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        organisation=None,
        fields=PLAN_FIELDS,
        purpose=f"measurement plan version {current.version} draft changed",
    )
    return current


@transaction.atomic
def plan_publish(*, actor: Actor, plan: MeasurementPlan) -> MeasurementPlan:
    """Make the draft the plan in use. The version published before it is superseded: its
    invitations stay as they were made, new invitations follow this version. Refused with
    every reason at once: a wave without questionnaires, a switched-off instrument, two
    instruments sharing an item code, timing outside the limits. National admins."""
    check_can_manage_plans(actor)
    current = MeasurementPlan.objects.select_for_update().get(pk=plan.pk)
    if current.status != PlanStatus.DRAFT:
        raise ValidationError(_("This version has already been published."), code="published")
    problems = plan_publish_problems(current)
    if problems:
        raise NotPublishable(problems)
    # Supersede first, then publish: at no moment are two versions published (constraint
    # one_published_measurement_plan). Both conditional, so of two publishes at once only one
    # finds the draft, and the other's whole transaction is undone by the error below.
    previous = list(
        MeasurementPlan.objects.filter(status=PlanStatus.PUBLISHED).values_list(
            "version", flat=True
        )
    )
    MeasurementPlan.objects.filter(status=PlanStatus.PUBLISHED).exclude(pk=current.pk).update(
        status=PlanStatus.RETIRED
    )
    updated = MeasurementPlan.objects.filter(pk=current.pk, status=PlanStatus.DRAFT).update(
        status=PlanStatus.PUBLISHED, published_at=timezone.now(), published_by=actor.user
    )
    if not updated:
        raise ValidationError(_("This version has already been published."), code="published")
    current.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        organisation=None,
        fields=("status",),
        purpose=f"measurement plan version {current.version} published"
        + (f"; version {', '.join(map(str, previous))} superseded" if previous else ""),
    )
    return current


@transaction.atomic
def instrument_set_enabled(
    *,
    actor: Actor,
    instrument: InstrumentVersion,
    enabled: bool,
    licence_confirmed: bool = False,
) -> InstrumentVersion:
    """Switch an instrument on (it may then be put in a plan) or off. Switching on one that
    ships switched off (SWEMWBS) needs ``licence_confirmed``: the organisation has registered
    for and holds the licence. One that the published or draft plan holds cannot be switched
    off. Records who and when; audited (field ``enabled``). National admins. Switching to the
    state it is already in changes nothing."""
    check_can_manage_plans(actor)
    current = InstrumentVersion.objects.select_for_update().get(pk=instrument.pk)
    if current.enabled == enabled:
        return current
    if enabled and licence_needed(current) and not licence_confirmed:
        raise ValidationError(
            {
                "licence_confirmed": _(
                    "Confirm that you have registered for and hold the licence before "
                    "switching this questionnaire on."
                )
            },
            code="licence",
        )
    if not enabled:
        problem = disable_problem(current, plan_usage_of(current))
        if problem:
            raise ValidationError(problem, code="in_use")
    now = timezone.now()
    updated = InstrumentVersion.objects.filter(pk=current.pk, enabled=not enabled).update(
        enabled=enabled, enabled_changed_by=actor.user, enabled_changed_at=now
    )
    current.refresh_from_db()
    if updated:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            organisation=None,
            fields=("enabled",),
            purpose=f"instrument {current.key} {'switched on' if enabled else 'switched off'}"
            + (" (licence confirmed)" if enabled and licence_needed(current) else ""),
        )
    return current
