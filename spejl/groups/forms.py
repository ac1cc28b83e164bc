"""Forms for groups, schedules, meetings, attendance and meeting logs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spejl.accounts.models import User
from spejl.groups.models import (
    AbsenceReason,
    AttendanceStatus,
    GroupStatus,
    MeetingLog,
    PeerGroup,
    Target,
)
from spejl.groups.services import GROUP_FIELDS
from spejl.organisations.models import Organisation, Region, Venue


class VenueChoiceField(forms.ModelChoiceField[Venue]):
    def label_from_instance(self, obj: Venue) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class LabelledChoiceField(forms.ModelChoiceField[User]):
    """Choices labelled from a dict the selector computed (name and training status)."""

    labels: dict[int, str] = {}

    def label_from_instance(self, obj: User) -> str:
        return self.labels.get(obj.pk, str(obj))


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class GroupForm(forms.ModelForm[PeerGroup]):
    """Create or edit a group. Venue and course plan choices are limited to what the
    organisation may use (set by the view from selectors)."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    venue = VenueChoiceField(label=_("Venue"), queryset=Venue.objects.none())

    class Meta:
        model = PeerGroup
        fields = list(GROUP_FIELDS)
        widgets = {"first_date": DateInput(), "start_time": TimeInput()}
        help_texts = {
            "age_min": _("Only for another age band."),
            "first_date": _("The first meeting is the first chosen weekday on or after this date."),
        }

    def __init__(
        self,
        *args: Any,
        organisations: Any,
        venues: Any,
        course_plans: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        if self.instance.pk:
            del self.fields["organisation"]
        else:
            org_field.queryset = organisations
            org_field.required = True
            if organisations.count() == 1:
                org_field.initial = organisations.first()
        venue_field = self.fields["venue"]
        assert isinstance(venue_field, forms.ModelChoiceField)
        venue_field.queryset = venues
        plan_field = self.fields["course_plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = course_plans
        plan_field.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation = data.get("organisation") or getattr(self.instance, "organisation", None)
        venue: Venue | None = data.get("venue")
        if organisation and venue and venue.organisation_id != organisation.pk:
            self.add_error("venue", _("Choose one of the organisation's own venues."))
        if data.get("target") == Target.CUSTOM and (
            data.get("age_min") is None or data.get("age_max") is None
        ):
            self.add_error("age_min", _("Give the youngest and oldest age for another age band."))
        return data


class GroupFilterForm(forms.Form):
    q = forms.CharField(label=_("Search title"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *GroupStatus.choices]
    )
    target = forms.ChoiceField(
        label=_("Target group"), required=False, choices=[("", _("All")), *Target.choices]
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("All organisations"),
    )

    def __init__(self, *args: Any, organisations: Any, national: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = organisations
        if not national:
            del self.fields["region"]
            if organisations.count() <= 1:
                del self.fields["organisation"]


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when a group is cancelled or goes back to planning."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ReopenForm(forms.Form):
    reopened = forms.BooleanField(label=_("Open the group for new participants"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class AssignFacilitatorForm(forms.Form):
    facilitator = LabelledChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    override_reason = forms.CharField(
        label=_("Reason for assigning despite missing or expired training"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed when the facilitator's training is missing or expired."),
    )

    def __init__(self, *args: Any, facilitators: Any, labels: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["facilitator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = facilitators
        assert isinstance(field, LabelledChoiceField)
        field.labels = labels


class ScheduleForm(forms.Form):
    excluded_dates = forms.CharField(
        label=_("Dates to skip"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Besides public holidays, Constitution Day, Christmas Eve and New Year's Eve. "
            "One date per line, for example 2026-10-13."
        ),
    )

    def clean_excluded_dates(self) -> frozenset[date]:
        raw = self.cleaned_data.get("excluded_dates", "")
        dates: set[date] = set()
        for line_no, token in enumerate(raw.replace(",", "\n").split(), start=1):
            try:
                dates.add(date.fromisoformat(token.strip()))
            except ValueError as exc:
                raise forms.ValidationError(
                    _("“%(value)s” (line %(line)s) is not a date like 2026-10-13."),
                    params={"value": token[:20], "line": line_no},
                ) from exc
        return frozenset(dates)


class MeetingMoveForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=DateInput())
    time = forms.TimeField(label=_("New start time"), widget=TimeInput())
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none())
    reason = forms.CharField(label=_("Reason (sent to participants)"), max_length=300)

    def __init__(self, *args: Any, venues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["venue"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = venues

    def starts_at(self) -> datetime:
        return datetime.combine(
            self.cleaned_data["date"],
            self.cleaned_data["time"],
            tzinfo=timezone.get_current_timezone(),
        )


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to participants)"), max_length=300)


class AttendanceForm(forms.Form):
    enrolment = forms.UUIDField()
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    absence_reason = forms.ChoiceField(choices=[("", "—"), *AbsenceReason.choices], required=False)


class MeetingLogForm(forms.ModelForm[MeetingLog]):
    class Meta:
        model = MeetingLog
        fields = ["theme_covered", "atmosphere", "concern", "contact_coordinator", "note"]
        widgets = {
            "atmosphere": forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]),
            "note": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "atmosphere": _("1 = heavy or tense, 5 = warm and open."),
            "note": _(
                "Do not write health details or names here. The note is kept out of "
                "everything the evaluator receives."
            ),
        }
