"""Forms for scheduling and recording intake conversations and for referral destinations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from spejl.groups.models import Target
from spejl.intake import policies
from spejl.intake.models import Decision, IntakeMode, IntakeStatus, ReferralDestination
from spejl.intake.services import MAX_TRAVEL_KM, IntakeAnswers
from spejl.organisations.models import Organisation
from spejl.participants.models import Gender

#: The T-ILS questions as asked at the intake (Danish wording in DESIGN.md §4; the Danish text
#: comes from the translation catalogue).
TILS_QUESTIONS = (
    _("How often do you feel that you lack companionship?"),
    _("How often do you feel left out?"),
    _("How often do you feel isolated from others?"),
)
TILS_OPTIONS = (
    (1, format_lazy("1 – {}", _("Hardly ever"))),
    (2, format_lazy("2 – {}", _("Some of the time"))),
    (3, format_lazy("3 – {}", _("Often"))),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def combine_local(day: date, at: time) -> datetime:
    """A date and a wall-clock time in Copenhagen as an aware datetime."""
    return datetime.combine(day, at, tzinfo=local_zone())


class AppointmentFields(forms.Form):
    """Date and time (Copenhagen), how, and where."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    mode = forms.ChoiceField(
        label=_("How"), choices=IntakeMode.choices, widget=forms.RadioSelect, initial="in_person"
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where you meet; for a phone or video call you may leave it empty."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("time"):
            data["scheduled_at"] = combine_local(data["date"], data["time"])
        return data


class ScheduleForm(AppointmentFields):
    pass


def _tils_field(number: int) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=TILS_QUESTIONS[number - 1],
        choices=[*TILS_OPTIONS, ("", _("Not answered"))],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _yes_no_unknown(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DestinationChoiceField(forms.ModelChoiceField[ReferralDestination]):
    def label_from_instance(self, obj: ReferralDestination) -> str:
        if obj.is_urgent:
            return str(format_lazy("{} ({})", obj.name, _("urgent")))
        return obj.name


@dataclass(frozen=True)
class SlotCell:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class SlotRow:
    day: str
    label: str
    cells: list[SlotCell]


class RecordForm(AppointmentFields):
    """How the conversation went, the person, the screening, the decision and their wishes."""

    status = forms.ChoiceField(
        label=_("How did it go?"),
        choices=[
            (IntakeStatus.SCHEDULED, _("Not held yet")),
            (IntakeStatus.HELD, IntakeStatus.HELD.label),
            (IntakeStatus.CANCELLED, IntakeStatus.CANCELLED.label),
            (IntakeStatus.NO_SHOW, IntakeStatus.NO_SHOW.label),
        ],
        widget=forms.RadioSelect,
    )
    birth_year = forms.IntegerField(label=_("Birth year"), required=False)
    gender = forms.ChoiceField(
        label=_("Gender (optional)"),
        choices=[("", _("Not given")), *Gender.choices],
        required=False,
        help_text=_("Only if the person wants to say; used for wishes about the group."),
    )
    target = forms.ChoiceField(
        label=_("Target group"),
        choices=[(t.value, t.label) for t in policies.INTAKE_TARGETS],
        required=False,
        widget=forms.RadioSelect,
    )
    age_ok = forms.TypedChoiceField(
        label=_("Does the person's age fit the target group?"),
        choices=[("yes", _("Yes")), ("no", _("No")), ("", _("Not settled yet"))],
        coerce=_yes_no_unknown,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Left unsettled, Spejl works it out from the birth year where it can."),
    )
    tils_1 = _tils_field(1)
    tils_2 = _tils_field(2)
    tils_3 = _tils_field(3)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("No decision yet")), *Decision.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    referral_destination = DestinationChoiceField(
        label=_("Referred to"),
        queryset=ReferralDestination.objects.none(),
        required=False,
        empty_label=_("Choose where"),
        help_text=_("Only when the decision is “referred elsewhere”."),
    )
    decision_note = forms.CharField(
        label=_("Note about the decision"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Keep it short: write only what the next person needs to know."),
    )
    preferred_times = forms.MultipleChoiceField(
        label=_("Preferred days and times"),
        choices=[(s, s) for s in policies.TIME_SLOTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_travel_km = forms.IntegerField(
        label=_("Furthest they can travel (km)"),
        min_value=0,
        max_value=MAX_TRAVEL_KM,
        required=False,
    )
    composition_wishes = forms.CharField(
        label=_("Wishes about the group"),
        max_length=300,
        required=False,
        help_text=_("For example “not the only man” or “people my age”."),
    )
    group_wishes = forms.MultipleChoiceField(
        label=_("Wishes the placement should weigh"),
        choices=policies.GROUP_WISHES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Spejl's placement proposals try to meet these."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"), max_length=300, required=False
    )
    needs_step_free = forms.BooleanField(label=_("Needs step-free access"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the group"), choices=[("da", _("Danish")), ("en", _("English"))]
    )

    PERSON = ("birth_year", "gender", "target", "age_ok")
    SCREENING = ("tils_1", "tils_2", "tils_3")
    DECISION = ("decision", "referral_destination", "decision_note")
    WISHES = (
        "max_travel_km",
        "composition_wishes",
        "group_wishes",
        "accessibility_needs",
        "needs_step_free",
        "language",
    )

    def __init__(self, *args: Any, destinations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referral_destination"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = destinations

    def section(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def person_fields(self) -> list[forms.BoundField]:
        return self.section(self.PERSON)

    def screening_fields(self) -> list[forms.BoundField]:
        return self.section(self.SCREENING)

    def decision_fields(self) -> list[forms.BoundField]:
        return self.section(self.DECISION)

    def wish_fields(self) -> list[forms.BoundField]:
        return self.section(self.WISHES)

    def slot_rows(self) -> list[SlotRow]:
        """The weekday × part-of-day grid of checkboxes, with what is ticked now."""
        chosen = set(self["preferred_times"].value() or [])
        return [
            SlotRow(
                day=day,
                label=str(day_label),
                cells=[
                    SlotCell(
                        value=f"{day}-{part}",
                        label=str(part_label),
                        checked=f"{day}-{part}" in chosen,
                    )
                    for part, part_label in policies.PARTS_OF_DAY
                ],
            )
            for day, day_label in policies.WEEKDAYS
        ]

    def answers(self) -> IntakeAnswers:
        data = self.cleaned_data
        return IntakeAnswers(
            status=data["status"],
            scheduled_at=data["scheduled_at"],
            mode=data["mode"],
            place=data.get("place", ""),
            target=data.get("target", ""),
            age_ok=data.get("age_ok"),
            tils_1=data.get("tils_1"),
            tils_2=data.get("tils_2"),
            tils_3=data.get("tils_3"),
            decision=data.get("decision", ""),
            referral_destination=data.get("referral_destination"),
            decision_note=data.get("decision_note", ""),
            preferred_times=list(data.get("preferred_times", [])),
            max_travel_km=data.get("max_travel_km"),
            composition_wishes=data.get("composition_wishes", ""),
            group_wishes=list(data.get("group_wishes", [])),
            accessibility_needs=data.get("accessibility_needs", ""),
            needs_step_free=bool(data.get("needs_step_free")),
            language=data["language"],
            birth_year=data.get("birth_year"),
            gender=data.get("gender", ""),
        )


def initial_from_answers(answers: IntakeAnswers, *, suggested_target: str) -> dict[str, Any]:
    """The record form's starting values (times shown in Copenhagen time)."""
    local = answers.scheduled_at.astimezone(local_zone())
    return {
        "status": answers.status,
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "mode": answers.mode,
        "place": answers.place,
        "birth_year": answers.birth_year,
        "gender": answers.gender,
        "target": answers.target or suggested_target,
        "age_ok": {True: "yes", False: "no", None: ""}[answers.age_ok],
        "tils_1": answers.tils_1 if answers.tils_1 is not None else "",
        "tils_2": answers.tils_2 if answers.tils_2 is not None else "",
        "tils_3": answers.tils_3 if answers.tils_3 is not None else "",
        "decision": answers.decision,
        "referral_destination": answers.referral_destination,
        "decision_note": answers.decision_note,
        "preferred_times": answers.preferred_times,
        "max_travel_km": answers.max_travel_km,
        "composition_wishes": answers.composition_wishes,
        "group_wishes": answers.group_wishes,
        "accessibility_needs": answers.accessibility_needs,
        "needs_step_free": answers.needs_step_free,
        "language": answers.language,
    }


class DestinationForm(forms.ModelForm[ReferralDestination]):
    """A referral destination. A new one is for one of the actor's organisations, or for the
    national list (national admins)."""

    organisation = forms.ModelChoiceField(
        label=_("List"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    class Meta:
        model = ReferralDestination
        fields = ["name_da", "name_en", "is_urgent", "is_active", "position"]
        labels = {
            "name_da": _("Name in Danish"),
            "name_en": _("Name in English"),
            "is_urgent": _("Urgent (the person needs help today, e.g. psychiatric emergency)"),
            "is_active": _("In use"),
            "position": _("Position in the list"),
        }
        help_texts = {
            "is_active": _(
                "Take a destination out of use instead of deleting it: past "
                "decisions keep pointing to it."
            ),
            "position": _("Lower numbers come first."),
        }

    def __init__(
        self, *args: Any, organisations: Any = None, national: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        if self.instance.pk:
            del self.fields["organisation"]
            return
        field.queryset = organisations
        if national:
            field.empty_label = _("The national list")
            field.help_text = _("The national list is shared by every organisation.")
        else:
            field.required = True
            field.empty_label = None


def target_label(value: str) -> str:
    return str(Target(value).label) if value in Target.values else ""
