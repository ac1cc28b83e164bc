"""Forms for editing draft consent texts and for recording consent given or withdrawn on paper
or by word of mouth. The services hold the rules; these parse what the person typed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spejl.consents.loader import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from spejl.consents.models import ConsentMethod, ConsentPurpose, ConsentText
from spejl.consents.policies import STAFF_METHODS


class DateInput(forms.DateInput):
    """The browser's date picker, which sends ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ConsentTextForm(forms.Form):
    title_da = forms.CharField(label=_("Title (Danish)"), max_length=TITLE_MAX_LENGTH)
    title_en = forms.CharField(label=_("Title (English)"), max_length=TITLE_MAX_LENGTH)
    body_da = forms.CharField(
        label=_("Text (Danish)"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Short paragraphs, separated by a blank line: what, why, who sees it, how long it "
            "is kept, and that it is voluntary and can be withdrawn as easily as it is given."
        ),
    )
    body_en = forms.CharField(
        label=_("Text (English)"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16}),
    )

    @classmethod
    def initial_for(cls, text: ConsentText) -> dict[str, Any]:
        return {name: getattr(text, name) for name in cls.base_fields}


def _staff_methods() -> list[tuple[str, Any]]:
    return [(m.value, m.label) for m in STAFF_METHODS]


class RecordConsentForm(forms.Form):
    """Consent the participant gave on paper or by word of mouth."""

    purpose = forms.ChoiceField(label=_("Consent to"), choices=ConsentPurpose.choices)
    method = forms.ChoiceField(
        label=_("How was it given?"), choices=_staff_methods, widget=forms.RadioSelect
    )
    given_on = forms.DateField(
        label=_("Date given"),
        widget=DateInput(),
        help_text=_("The day the participant signed or said yes. Not in the future."),
    )

    def clean_given_on(self) -> Any:
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(
                _("The date the consent was given cannot be in the future."), code="future"
            )
        return given_on

    def given_at(self) -> datetime:
        """Today: now. An earlier day: noon of that day, local time (the hour is unknown)."""
        given_on = self.cleaned_data["given_on"]
        if given_on >= timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(given_on, time(12, 0)))


class RecordWithdrawalForm(forms.Form):
    """A withdrawal the participant made on paper or by word of mouth."""

    purpose = forms.ChoiceField(label=_("Consent to withdraw"), choices=ConsentPurpose.choices)
    method = forms.ChoiceField(
        label=_("How was it withdrawn?"), choices=_staff_methods, widget=forms.RadioSelect
    )


def record_forms(
    data: Any = None, *, action: str | None = None
) -> tuple[RecordConsentForm, RecordWithdrawalForm]:
    """Both forms of the coordinator's page; only the one named by ``action`` is bound."""
    give = RecordConsentForm(
        data if action == "give" else None,
        prefix="give",
        initial={"given_on": timezone.localdate(), "method": ConsentMethod.PAPER},
    )
    withdraw = RecordWithdrawalForm(
        data if action == "withdraw" else None,
        prefix="withdraw",
        initial={"method": ConsentMethod.VERBAL},
    )
    return give, withdraw
