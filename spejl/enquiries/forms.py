"""Forms for the public group finder, the public enquiry form and the coordinators' pages.

The person-facing rules (a phone number or an e-mail, a plausible birth year, the kind answer
to a 15-year-old) live in ``policies.details_errors`` and are shown next to the fields here;
the services apply the same rules again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from spejl.enquiries import policies
from spejl.enquiries.models import (
    ContactPreference,
    EnquirySource,
    EnquiryStatus,
    HeardAbout,
    Referrer,
)
from spejl.enquiries.policies import EnquiryDetails
from spejl.enquiries.selectors import PublicGroupFilter, PublicGroupRow
from spejl.enquiries.services import STAFF_SOURCES
from spejl.enquiries.times import PARTS_OF_DAY, TIME_SLOTS, WEEKDAYS, slot_label
from spejl.groups.models import PeerGroup, Target, Weekday
from spejl.organisations.forms import PostcodeField
from spejl.organisations.models import Organisation, Region

#: The trap field's name: robots fill in fields with names like this one.
TRAP_FIELD = "website"


# --- The group finder -------------------------------------------------------------------------


class FinderForm(forms.Form):
    """The finder's search (GET): a postcode to sort by distance, and three filters."""

    postcode = PostcodeField(
        label=_("Your postcode"),
        required=False,
        help_text=_("We show the groups nearest to you first."),
    )
    target = forms.ChoiceField(
        label=_("Target group"),
        required=False,
        choices=[("", _("All target groups")), *Target.choices],
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any day")), *Weekday.choices],
    )

    def filters(self) -> PublicGroupFilter:
        """The filters of a valid form (a filter with an error is left out)."""
        data = getattr(self, "cleaned_data", {})
        return PublicGroupFilter(
            target=data.get("target") or "",
            region=data.get("region") or "",
            weekday=data.get("weekday"),
        )


# --- Preferred days and times -----------------------------------------------------------------


@dataclass(frozen=True)
class TimeBox:
    code: str
    label: Promise
    checked: bool
    html_id: str


@dataclass(frozen=True)
class TimeDay:
    label: Promise
    boxes: list[TimeBox]


class DetailsForm(forms.Form):
    """The fields a person tells us about themselves (shared by the public form and the
    coordinators' registration)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=30,
        help_text=_("8 digits, for example 12 34 56 78."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    preferred_contact = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=ContactPreference.choices,
        widget=forms.RadioSelect,
    )
    postcode = PostcodeField(label=_("Postcode"))
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        help_text=_("Four digits, for example 1968."),
        error_messages={"invalid": policies.MESSAGES["birth_year_implausible"]},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )
    heard_about = forms.ChoiceField(
        label=_("How did you hear about us?"),
        required=False,
        choices=[("", _("Choose (optional)")), *HeardAbout.choices],
    )
    preferred_times = forms.MultipleChoiceField(
        label=_("Which days and times suit you?"),
        required=False,
        choices=[(code, slot_label(code)) for code in TIME_SLOTS],
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        max_length=2000,
        help_text=_(
            "Optional. You do not need to explain why you are asking; you can tell the "
            "coordinator in the conversation."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )

    #: The person asks themselves (a 15-year-old gets the kind answer).
    public = True

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data.get("phone", "").strip()
        if phone and policies.normalise_phone(phone) is None:
            raise forms.ValidationError(policies.MESSAGES["phone_invalid"])
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        details = self.details(language="da")
        errors = policies.details_errors(
            details, year=timezone.localdate().year, public=self.public
        )
        # A mistyped phone or e-mail already has its message; don't add "give one of them".
        contact_has_error = "phone" in self.errors or "email" in self.errors
        for field, message in errors.items():
            if field not in self.fields or field in self.errors:
                continue
            if contact_has_error and field in ("phone", "email"):
                continue
            self.add_error(field, message)
        return data

    def details(self, *, language: str) -> EnquiryDetails:
        """The person's details from what validated (call after ``is_valid()``)."""
        data = getattr(self, "cleaned_data", {})
        return EnquiryDetails(
            first_name=data.get("first_name", ""),
            postcode=data.get("postcode"),
            birth_year=data.get("birth_year"),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            preferred_contact=data.get("preferred_contact", ""),
            heard_about=data.get("heard_about", ""),
            preferred_times=tuple(data.get("preferred_times") or ()),
            message=data.get("message", ""),
            language=language,
        )

    def time_days(self) -> list[TimeDay]:
        """The preferred-times boxes grouped by weekday, with what the person ticked."""
        chosen = set(self["preferred_times"].value() or [])
        prefix = self["preferred_times"].auto_id or "id_preferred_times"
        return [
            TimeDay(
                label=day_label,
                boxes=[
                    TimeBox(
                        code=f"{day}-{part}",
                        label=part_label,
                        checked=f"{day}-{part}" in chosen,
                        html_id=f"{prefix}_{day}_{part}",
                    )
                    for part, part_label in PARTS_OF_DAY
                ],
            )
            for day, day_label in WEEKDAYS
        ]


# --- The public enquiry form -------------------------------------------------------------------


def _group_label(row: PublicGroupRow) -> str:
    return (
        f"{row.title} – {row.town}, {row.weekday_label} {row.start_time:%H:%M} "
        f"({row.organisation_name})"
    )


class PublicEnquiryForm(DetailsForm):
    """The form anyone can send to ask to join. The chosen group or organisation is a value
    ``group:<id>`` or ``organisation:<id>``; empty means the organisation nearest to the
    person's postcode."""

    field_order = [
        "first_name",
        "phone",
        "email",
        "preferred_contact",
        "postcode",
        "birth_year",
        "choice",
        "preferred_times",
        "heard_about",
        "message",
    ]

    choice = forms.CharField(
        label=_("Which group or organisation would you like to ask?"),
        required=False,
        widget=forms.Select(),
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(
        self,
        *args: Any,
        groups: list[PublicGroupRow],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postcode"].label = _("Your postcode")
        self.fields["first_name"].label = _("Your first name")
        choices: list[Any] = [("", _("The organisation nearest to my postcode"))]
        if groups:
            choices.append(
                (
                    _("Groups that take new participants"),
                    [(f"group:{row.public_id}", _group_label(row)) for row in groups],
                )
            )
        organisation_choices = [(f"organisation:{o.public_id}", o.name) for o in organisations]
        if organisation_choices:
            choices.append((_("Organisations"), organisation_choices))
        widget = self.fields["choice"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = choices

    def target_ids(self) -> tuple[UUID | None, UUID | None]:
        """``(group_id, organisation_id)`` from the choice; unreadable values count as
        "the nearest" (the service routes by postcode)."""
        kind, _sep, value = (self.cleaned_data.get("choice") or "").partition(":")
        try:
            chosen = UUID(value) if value else None
        except ValueError:
            chosen = None
        if kind == "group":
            return chosen, None
        if kind == "organisation":
            return None, chosen
        return None, None


# --- Coordinators ---------------------------------------------------------------------------


class GroupChoiceField(forms.ModelChoiceField[PeerGroup]):
    def label_from_instance(self, obj: PeerGroup) -> str:
        return f"{obj.title} ({obj.organisation.name})"


class RegisterForm(DetailsForm):
    """A coordinator registers an enquiry taken by phone, in person or as a referral."""

    public = False
    field_order = [
        "organisation",
        "source",
        "referrer",
        "first_name",
        "phone",
        "email",
        "preferred_contact",
        "postcode",
        "birth_year",
        "group",
        "preferred_times",
        "heard_about",
        "message",
        "language",
    ]

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    source = forms.ChoiceField(
        label=_("How did the enquiry come in?"),
        choices=[(s.value, s.label) for s in STAFF_SOURCES],
        widget=forms.RadioSelect,
    )
    referrer = forms.ChoiceField(
        label=_("Referred by"),
        required=False,
        choices=[("", _("Not a referral")), *Referrer.choices],
        help_text=_("Only for referrals."),
    )
    group = GroupChoiceField(
        label=_("Group asked about"), required=False, queryset=PeerGroup.objects.none()
    )
    language = forms.ChoiceField(
        label=_("Language for messages to the person"),
        choices=settings.LANGUAGES,
        initial="da",
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        groups: QuerySet[PeerGroup],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].label = _("First name")
        self.fields["preferred_contact"].label = _("How would they like to be contacted?")
        self.fields["preferred_contact"].required = False
        self.fields["preferred_times"].label = _("Which days and times suit them?")
        self.fields["heard_about"].label = _("How did they hear about us?")
        self.fields["message"].label = _("Note")
        self.fields["message"].help_text = _(
            "What the person asked or told you that the intake needs. No health details."
        )
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = organisations
        if len(organisations) == 1:
            org_field.initial = organisations[0]
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = groups
        self.fields["source"].initial = EnquirySource.PHONE

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organisation: Organisation | None = data.get("organisation")
        group: PeerGroup | None = data.get("group")
        if organisation and group and group.organisation_id != organisation.pk:
            self.add_error("group", _("Choose one of the organisation's own groups."))
        if data.get("source") == EnquirySource.REFERRAL and not data.get("referrer"):
            self.add_error("referrer", _("Say who referred the person."))
        return data


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("open", _("Open (new, contacted, intake)")),
            ("all", _("All enquiries")),
            *EnquiryStatus.choices,
        ],
    )

    def status_filter(self) -> str | None:
        """``None`` for all enquiries; ``"open"`` by default."""
        value = (self.cleaned_data.get("status") if self.is_valid() else "") or "open"
        return None if value == "all" else value


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason for closing"),
        required=False,
        max_length=300,
        help_text=_(
            "Only when closing. Short, without health details: for example “Could not be "
            "reached” or “Found other help”."
        ),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in policies.NEEDS_REASON and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Write a short reason for closing."))
        return data
