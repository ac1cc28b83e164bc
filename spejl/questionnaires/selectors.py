"""Reads for the staff pages of questionnaires: instrument definitions and measurement plan
versions (the response overview and a group's progress are in
:mod:`spejl.questionnaires.overview`; the plan as a REDCap project in
:mod:`spejl.questionnaires.redcap_plan`).

Instruments and plans hold no personal data, so nothing here is audited. Every function takes
the acting user and returns only what they may see (:class:`NotFound` otherwise), in a bounded
number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.core import redcap
from spejl.core.instruments import Instrument
from spejl.core.waves import BASELINE_GRACE, FOLLOW_UP_HOUR, WAVES
from spejl.questionnaires import plans as plan_rules
from spejl.questionnaires.models import (
    InstrumentVersion,
    MeasurementPlan,
    PlanInstrument,
    PlanStatus,
    Wave,
)
from spejl.questionnaires.permissions import (
    can_manage_plans,
    can_view_instrument,
    check_can_view_plan,
)
from spejl.questionnaires.scheduling import plan_in_use as plan_in_use  # for the plan pages

#: Plan versions whose use of an instrument every staff role may see.
_SHOWN_PLAN_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.RETIRED)


def _visible_plan_statuses(actor: Actor) -> tuple[str, ...]:
    if can_manage_plans(actor):
        return (PlanStatus.DRAFT, *_SHOWN_PLAN_STATUSES)
    return _SHOWN_PLAN_STATUSES if actor.is_staff else ()


def _number(value: float) -> str:
    """28.0 → "28"; 9.51 → "9,51" in Danish."""
    if float(value).is_integer():
        return str(int(value))
    return str(formats.number_format(value, use_l10n=True))


def _in_language(text: object) -> str:
    """The current language's side of a :class:`spejl.core.instruments.Text`."""
    english = (get_language() or "da").startswith("en")
    return str(getattr(text, "en" if english else "da"))


# --- Instruments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanUse:
    """One plan version that holds an instrument, and in which waves."""

    plan: MeasurementPlan
    waves: tuple[str, ...]


@dataclass(frozen=True)
class InstrumentRow:
    """An instrument version for the list, with the plan versions that use it."""

    instrument: InstrumentVersion
    uses: tuple[PlanUse, ...]


def _plan_uses(
    entries: Iterable[PlanInstrument],
) -> dict[int, tuple[PlanUse, ...]]:
    waves: dict[int, dict[int, list[str]]] = defaultdict(dict)
    plans: dict[int, MeasurementPlan] = {}
    for entry in entries:
        plans[entry.plan_id] = entry.plan
        waves[entry.instrument_id].setdefault(entry.plan_id, []).append(entry.wave)
    return {
        instrument_id: tuple(
            PlanUse(plan=plans[plan_id], waves=tuple(sorted(set(plan_waves))))
            for plan_id, plan_waves in sorted(
                by_plan.items(), key=lambda item: -plans[item[0]].version
            )
        )
        for instrument_id, by_plan in waves.items()
    }


def _entries(actor: Actor) -> QuerySet[PlanInstrument]:
    return PlanInstrument.objects.filter(
        plan__status__in=_visible_plan_statuses(actor)
    ).select_related("plan")


def _in_a_plan(uses: Iterable[PlanUse]) -> bool:
    return any(use.plan.status in _SHOWN_PLAN_STATUSES for use in uses)


def instruments_for_actor(*, actor: Actor) -> list[InstrumentRow]:
    """Every instrument version the actor may see (see ``permissions.can_view_instrument``),
    by code and newest version first, each with the plan versions that use it. Two queries."""
    if not actor.is_staff:
        return []
    uses = _plan_uses(_entries(actor))
    rows = []
    for instrument in InstrumentVersion.objects.order_by("code", "-version"):
        instrument_uses = uses.get(instrument.pk, ())
        if can_view_instrument(actor, instrument, in_a_plan=_in_a_plan(instrument_uses)):
            rows.append(InstrumentRow(instrument=instrument, uses=instrument_uses))
    return rows


def instrument_get_for_actor(*, actor: Actor, code: str, version: int) -> InstrumentRow:
    """One instrument version with the plan versions that use it, or :class:`NotFound` if it
    does not exist or the actor may not see it. Two queries."""
    instrument = (
        InstrumentVersion.objects.select_related("enabled_changed_by")
        .filter(code=code, version=version)
        .first()
    )
    if instrument is None:
        raise NotFound
    uses = _plan_uses(_entries(actor).filter(instrument=instrument)).get(instrument.pk, ())
    if not can_view_instrument(actor, instrument, in_a_plan=_in_a_plan(uses)):
        raise NotFound
    return InstrumentRow(instrument=instrument, uses=uses)


@dataclass(frozen=True)
class OptionShown:
    score: int
    label: str


@dataclass(frozen=True)
class ItemShown:
    code: str
    text: str
    is_choice: bool
    options: tuple[OptionShown, ...]
    reversed: bool
    translation_pending: bool
    max_length: int


@dataclass(frozen=True)
class BandShown:
    code: str
    range: str
    label: str
    source: str


@dataclass(frozen=True)
class InstrumentShown:
    """An instrument's definition in the current language, ready for the detail page."""

    title: str
    instructions: str
    items: tuple[ItemShown, ...]
    scoring: tuple[str, ...]
    scoring_note: str
    table: tuple[tuple[int, str], ...]
    bands: tuple[BandShown, ...]
    reliability: str
    reliability_source: str
    licence: str
    attribution: str
    translation_pending: bool
    any_item_pending: bool


def scoring_in_words(instrument: Instrument) -> list[str]:
    """The scoring rule as sentences for a person (range, conversion, missing answers,
    direction, reversed items)."""
    rule = instrument.scoring
    low, high = instrument.raw_range
    values: dict[str, object] = {"low": low, "high": high}
    words: list[str] = []
    if rule.type == "sum":
        words.append(
            _("The score is the sum of the answers' scores: %(low)s to %(high)s.") % values
        )
    elif rule.type in ("sum_linear", "lookup"):
        score_range = instrument.score_range
        assert score_range is not None  # summed scoring
        values |= {"score_low": _number(score_range[0]), "score_high": _number(score_range[1])}
        if rule.type == "sum_linear":
            assert rule.multiplier is not None
            values["multiplier"] = _number(rule.multiplier)
            words.append(
                _(
                    "The answers' scores are added up (%(low)s to %(high)s) and multiplied by "
                    "%(multiplier)s: the score runs from %(score_low)s to %(score_high)s."
                )
                % values
            )
        else:
            words.append(
                _(
                    "The answers' scores are added up (%(low)s to %(high)s) and converted through "
                    "a table: the score runs from %(score_low)s to %(score_high)s."
                )
                % values
            )
    else:
        words.append(_("Each question is reported on its own; the answers are not added up."))
    if rule.on_missing == "no_score":
        words.append(
            _(
                "Every question must be answered for a score: with a question unanswered (or "
                "“don't want to answer”) there is no score."
            )
        )
    elif rule.on_missing == "prorate":
        words.append(
            ngettext(
                "Up to %(count)s question may be unanswered: the mean of the answered questions "
                "stands in for it. With more unanswered there is no score.",
                "Up to %(count)s questions may be unanswered: the mean of the answered questions "
                "stands in for them. With more unanswered there is no score.",
                rule.max_missing,
            )
            % {"count": rule.max_missing}
        )
    else:
        words.append(_("An unanswered question simply has no score."))
    if rule.type != "items":
        words.append(
            _("A lower score is better.")
            if instrument.direction == "lower_is_better"
            else _("A higher score is better.")
        )
    reversed_codes = [item.code for item in instrument.items if item.reversed]
    if reversed_codes:
        words.append(
            _("Scored from the other end: %(codes)s.") % {"codes": ", ".join(reversed_codes)}
        )
    return words


def instrument_shown(instrument: InstrumentVersion) -> InstrumentShown:
    """The definition of ``instrument`` in the current language (no query)."""
    definition = instrument.instrument
    reliability = definition.reliability
    return InstrumentShown(
        title=_in_language(definition.title),
        instructions=_in_language(definition.instructions),
        items=tuple(
            ItemShown(
                code=item.code,
                text=_in_language(item.text),
                is_choice=item.is_choice,
                options=tuple(
                    OptionShown(score=option.score, label=_in_language(option.label))
                    for option in item.options
                ),
                reversed=item.reversed,
                translation_pending=item.translation_pending,
                max_length=item.max_length,
            )
            for item in definition.items
        ),
        scoring=tuple(scoring_in_words(definition)),
        scoring_note=definition.scoring.note,
        table=tuple((raw, _number(score)) for raw, score in definition.scoring.table or ()),
        bands=tuple(
            BandShown(
                code=band.code,
                range=f"{_number(band.min)}–{_number(band.max)}",
                label=_in_language(band.label),
                source=band.source,
            )
            for band in definition.bands
        ),
        reliability=(
            f"{reliability.statistic} = {_number(reliability.value)}" if reliability else ""
        ),
        reliability_source=reliability.source if reliability else "",
        licence=definition.licence,
        attribution=definition.attribution,
        translation_pending=definition.translation_pending,
        any_item_pending=any(item.translation_pending for item in definition.items),
    )


def instrument_redcap_dictionary(instrument: InstrumentVersion, *, language: str = "da") -> str:
    """The REDCap data dictionary (CSV) of one instrument. No personal data."""
    return redcap.data_dictionary_csv([instrument.instrument], language)


# --- Measurement plans -----------------------------------------------------------------------


def _visible_plans(actor: Actor) -> QuerySet[MeasurementPlan]:
    """Mirrors ``permissions.can_view_plan``."""
    return MeasurementPlan.objects.filter(status__in=_visible_plan_statuses(actor))


def plans_for_actor(*, actor: Actor) -> list[MeasurementPlan]:
    """Every plan version the actor may see, newest first (drafts: national admins). One
    query."""
    return list(
        _visible_plans(actor).select_related("published_by", "created_by").order_by("-version")
    )


def plan_get_for_actor(*, actor: Actor, public_id: str) -> MeasurementPlan:
    """The plan version, or :class:`NotFound` if it does not exist or the actor may not see
    it."""
    plan = (
        MeasurementPlan.objects.select_related("published_by", "created_by")
        .filter(public_id=public_id)
        .first()
    )
    if plan is None:
        raise NotFound
    check_can_view_plan(actor, plan)
    return plan


def plan_draft_for_actor(*, actor: Actor) -> MeasurementPlan | None:
    """The draft plan version, for national admins (``None`` for everyone else)."""
    if not can_manage_plans(actor):
        return None
    return MeasurementPlan.objects.filter(status=PlanStatus.DRAFT).first()


@dataclass(frozen=True)
class WaveShown:
    """One wave of a plan: its instruments in order and when it opens and closes."""

    wave: str
    label: str
    instruments: tuple[InstrumentVersion, ...]
    when: str


def wave_explanations(plan: MeasurementPlan) -> dict[str, str]:
    """When each wave opens and closes under ``plan``, in plain words (the rules of
    ``spejl.core.waves``, with the plan's numbers)."""
    window = ngettext(
        "It stays open %(count)s day.", "It stays open %(count)s days.", plan.answer_window_days
    ) % {"count": plan.answer_window_days}
    return {
        "T0": _(
            "Opens when the participant is enrolled in the group and closes %(days)s days after "
            "the first meeting starts: answered before the course, or at the latest in its first "
            "week. Someone enrolled after that gets no before-questionnaire."
        )
        % {"days": BASELINE_GRACE.days},
        "T1": _(
            "Opens at midnight (Danish time) on the day of the last meeting, so that people can "
            "answer at the meeting."
        )
        + " "
        + window,
        "T2": ngettext(
            "Opens at %(hour)s (Danish time) %(count)s month after the date of the last meeting "
            "(the 31st becomes the last day of a shorter month).",
            "Opens at %(hour)s (Danish time) %(count)s months after the date of the last meeting "
            "(the 31st becomes the last day of a shorter month).",
            plan.follow_up_months,
        )
        % {"hour": FOLLOW_UP_HOUR.strftime("%H:%M"), "count": plan.follow_up_months}
        + " "
        + window,
    }


def reminders_in_words(plan: MeasurementPlan) -> str:
    """When the plan's reminders go out, in plain words."""
    days = [int(day) for day in plan.reminder_days]
    if not days:
        return _("No reminders are sent.")
    return _(
        "A reminder goes out %(days)s days after the invitation to everyone who has not sent "
        "their answers yet (also to those who have answered part of it), as long as the "
        "questionnaire is open."
    ) % {"days": _(" and ").join(str(day) for day in days)}


def plan_waves(*, plan: MeasurementPlan) -> list[WaveShown]:
    """The plan's waves T0, T1, T2 with their instruments in order and when they open and
    close. One query."""
    by_wave = plan_rules.plan_instruments_by_wave(plan)
    when = wave_explanations(plan)
    return [
        WaveShown(
            wave=wave,
            label=str(Wave(wave).label),
            instruments=tuple(by_wave.get(wave, ())),
            when=when[wave],
        )
        for wave in WAVES
    ]


def plan_publish_problems(*, plan: MeasurementPlan) -> list[str]:
    """What stops ``plan`` from being published, for the confirmation page. The publish
    service checks again in its transaction."""
    return plan_rules.plan_publish_problems(plan)


def plan_choosable_instruments(*, plan: MeasurementPlan) -> list[InstrumentVersion]:
    """The instruments a draft can hold: every enabled one, and any the draft holds already
    (so that the form shows it and the service can say why it must go). One query."""
    return list(
        InstrumentVersion.objects.filter(
            Q(enabled=True) | Q(pk__in=plan.entries.values("instrument"))
        )
        .distinct()
        .order_by("code", "-version")
    )
