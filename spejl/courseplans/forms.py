"""Forms for editing draft course plans and adapting a plan for an organisation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from spejl.courseplans.loader import THEME_MAX_LENGTH, TITLE_MAX_LENGTH
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting
from spejl.organisations.models import Organisation


class CoursePlanForm(forms.Form):
    title_da = forms.CharField(label=_("Title (Danish)"), max_length=TITLE_MAX_LENGTH)
    title_en = forms.CharField(label=_("Title (English)"), max_length=TITLE_MAX_LENGTH)
    description_da = forms.CharField(
        label=_("Description (Danish)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @classmethod
    def initial_for(cls, plan: CoursePlan) -> dict[str, Any]:
        return {name: getattr(plan, name) for name in cls.base_fields}


class MeetingForm(forms.Form):
    theme_da = forms.CharField(label=_("Theme (Danish)"), max_length=THEME_MAX_LENGTH)
    theme_en = forms.CharField(label=_("Theme (English)"), max_length=THEME_MAX_LENGTH)
    guide_da = forms.CharField(
        label=_("Facilitator guide (Danish)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A few sentences for the facilitators: how to open and hold the theme."),
    )
    guide_en = forms.CharField(
        label=_("Facilitator guide (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    is_review = forms.BooleanField(
        label=_("This is the group's review meeting"),
        required=False,
        help_text=_("At the review the group looks at how it is going and decides how to go on."),
    )

    @classmethod
    def initial_for(cls, meeting: CoursePlanMeeting) -> dict[str, Any]:
        return {name: getattr(meeting, name) for name in cls.base_fields}


class AdaptForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("The organisation that will own the copy."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
