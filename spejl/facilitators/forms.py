"""Forms for a facilitator's phone, training records and supervision sessions.

Plain forms (not model forms): the services hold the rules and their messages; a
``ValidationError`` they raise is shown next to the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spejl.organisations.models import Organisation


class DateInput(forms.DateInput):
    """The browser's date picker, which sends ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FacilitatorForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )


class TrainingRecordForm(forms.Form):
    course_name = forms.CharField(label=_("Course"), max_length=200)
    provider = forms.CharField(
        label=_("Provider"), max_length=200, help_text=_("Who gave the course.")
    )
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if it does not expire."),
    )
    certificate_note = forms.CharField(
        label=_("Certificate note"),
        max_length=300,
        required=False,
        help_text=_("For example where the certificate is kept."),
    )


SUPERVISION_NOTE_WARNING = _("Do not write health details or participants' names.")


class SupervisionForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    supervisor = forms.CharField(label=_("Supervisor"), max_length=150)
    note = forms.CharField(
        label=_("Short note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=SUPERVISION_NOTE_WARNING,
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices from the already loaded organisations, so rendering runs no query.
        self._organisations = {o.slug: o for o in organisations}
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        choices: list[tuple[str, Any]] = [(o.slug, o.name) for o in organisations]
        if len(organisations) == 1:
            field.initial = organisations[0].slug
        else:
            choices.insert(0, ("", _("Choose an organisation")))
        field.choices = choices

    def clean_organisation(self) -> Organisation:
        return self._organisations[self.cleaned_data["organisation"]]
