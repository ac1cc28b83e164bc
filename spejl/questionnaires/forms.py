"""Forms of the staff pages of questionnaires: switching an instrument on or off, editing a
draft measurement plan, and filtering the response overview by organisation. They parse what
the person typed; the rules live in ``plans.py``, whose errors the views put back on the
form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spejl.core.waves import WAVES
from spejl.organisations.models import Organisation
from spejl.questionnaires.models import InstrumentVersion, Wave
from spejl.questionnaires.plans import (
    ANSWER_WINDOW_DAYS,
    FOLLOW_UP_MONTHS,
    MAX_REMINDERS,
    NOTE_MAX_LENGTH,
)

TIMING_FIELDS = ("follow_up_months", "answer_window_days", "reminder_days", "note")

#: The highest order number offered (more than any wave will hold).
MAX_POSITION = 99


class InstrumentEnableForm(forms.Form):
    """Switch an instrument on or off; switching on one shipped switched off asks the person
    to confirm that the licence is held."""

    enabled = forms.TypedChoiceField(
        choices=[("1", _("On")), ("0", _("Off"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    licence_confirmed = forms.BooleanField(
        label=_("We have registered for and hold the licence"), required=False
    )


def parse_reminder_days(value: str) -> list[int]:
    """ "3, 7" → [3, 7]. Raises ``forms.ValidationError`` for anything but whole numbers
    separated by commas; the plan's rules (increasing, before closing) are checked by the
    service."""
    parts = [part.strip() for part in value.replace(";", ",").split(",")]
    parts = [part for part in parts if part]
    if not all(part.isdigit() for part in parts):
        raise forms.ValidationError(
            _("Write whole days separated by commas, for example 3, 7."), code="format"
        )
    return [int(part) for part in parts]


def _field_key(wave: str, instrument: InstrumentVersion) -> str:
    return f"{wave.lower()}_{instrument.code}_v{instrument.version}"


@dataclass(frozen=True)
class WaveChoice:
    """One instrument's two fields in one wave (for the template)."""

    instrument: InstrumentVersion
    include: forms.BoundField
    order: forms.BoundField


@dataclass(frozen=True)
class WaveFields:
    wave: str
    label: str
    choices: tuple[WaveChoice, ...]


class PlanEditForm(forms.Form):
    """A draft plan's content: for each wave, a tick and an order number per instrument that
    can be chosen, and the timing settings."""

    follow_up_months = forms.IntegerField(
        label=_("Follow-up after (months)"),
        min_value=FOLLOW_UP_MONTHS[0],
        max_value=FOLLOW_UP_MONTHS[1],
        help_text=_("T2 opens this many months after the group's last meeting (1 to 24)."),
    )
    answer_window_days = forms.IntegerField(
        label=_("Open for (days)"),
        min_value=ANSWER_WINDOW_DAYS[0],
        max_value=ANSWER_WINDOW_DAYS[1],
        help_text=_(
            "How long the end and follow-up questionnaires can be answered (7 to 90 days)."
        ),
    )
    reminder_days = forms.CharField(
        label=_("Reminders after (days)"),
        required=False,
        help_text=_(
            "Days after the invitation, separated by commas, for example 3, 7. At most "
            "%(count)s, each before the questionnaire closes. Leave empty for no reminders."
        )
        % {"count": MAX_REMINDERS},
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=_("A sentence for the version list: what is different from the version before."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        instruments: Sequence[InstrumentVersion],
        initial_waves: dict[str, list[InstrumentVersion]],
        initial: dict[str, Any] | None = None,
    ) -> None:
        """``instruments``: those that may be chosen (enabled ones, and any the draft holds);
        ``initial_waves``: what the draft holds now."""
        initial = dict(initial or {})
        self.instruments = list(instruments)
        for wave in WAVES:
            for position, instrument in enumerate(initial_waves.get(wave, []), start=1):
                key = _field_key(wave, instrument)
                initial[key] = True
                initial[f"{key}_order"] = position
        super().__init__(data, initial=initial)
        for wave in WAVES:
            for instrument in self.instruments:
                key = _field_key(wave, instrument)
                self.fields[key] = forms.BooleanField(
                    label=f"{instrument.title} ({instrument.key})", required=False
                )
                self.fields[f"{key}_order"] = forms.IntegerField(
                    label=_("Order of %(name)s in %(wave)s")
                    % {"name": instrument.title, "wave": wave},
                    min_value=1,
                    max_value=MAX_POSITION,
                    required=False,
                )

    def clean_reminder_days(self) -> list[int]:
        return parse_reminder_days(self.cleaned_data.get("reminder_days", ""))

    def timing_fields(self) -> list[forms.BoundField]:
        """The plan-wide settings, for the template."""
        return [self[name] for name in TIMING_FIELDS]

    def wave_fields(self) -> list[WaveFields]:
        """Each wave's choices, for the template: what the draft holds first, in its order,
        then the rest."""

        def place(wave: str, index: int, instrument: InstrumentVersion) -> tuple[int, int]:
            position = self.initial.get(f"{_field_key(wave, instrument)}_order")
            return (position if isinstance(position, int) else MAX_POSITION + 1, index)

        return [
            WaveFields(
                wave=wave,
                label=str(Wave(wave).label),
                choices=tuple(
                    WaveChoice(
                        instrument=instrument,
                        include=self[_field_key(wave, instrument)],
                        order=self[f"{_field_key(wave, instrument)}_order"],
                    )
                    for _index, instrument in sorted(
                        enumerate(self.instruments), key=lambda pair: place(wave, *pair)
                    )
                ),
            )
            for wave in WAVES
        ]

    def chosen_waves(self) -> dict[str, list[InstrumentVersion]]:
        """The ticked instruments of each wave, by order number (unnumbered ones last, in the
        order listed). Call after ``is_valid()``."""
        waves: dict[str, list[InstrumentVersion]] = {}
        for wave in WAVES:
            chosen = []
            for index, instrument in enumerate(self.instruments):
                key = _field_key(wave, instrument)
                if self.cleaned_data.get(key):
                    order = self.cleaned_data.get(f"{key}_order")
                    chosen.append(
                        (order if order is not None else MAX_POSITION + 1, index, instrument)
                    )
            waves[wave] = [instrument for _order, _index, instrument in sorted(chosen)]
        return waves


class OverviewFilterForm(forms.Form):
    """The choice of one organisation, for national admins and coordinators of several. The
    view looks the chosen organisation up itself, so that one the person may not follow
    answers 404 rather than a form error."""

    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(self, data: Any = None, *, organisations: Sequence[Organisation]) -> None:
        super().__init__(data)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All organisations"))] + [(o.slug, o.name) for o in organisations]
