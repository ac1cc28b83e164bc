"""Forms for asking for a proposal and for the pairs the optimiser must respect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spejl.formation.services import DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT
from spejl.organisations.models import Organisation


class ProposalForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Several neighbouring organisations at once can place people near a border in a "
            "group across it (those placements are suggested as referrals, not offered)."
        ),
    )
    time_limit = forms.IntegerField(
        label=_("Time for the calculation (seconds)"),
        min_value=1,
        max_value=int(MAX_TIME_LIMIT),
        initial=int(DEFAULT_TIME_LIMIT),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = [organisations.first()]
            field.widget = forms.MultipleHiddenInput()


class ApproveForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days each person has to answer the offer"),
        min_value=1,
        max_value=30,
        initial=7,
    )


class PairForm(forms.Form):
    first = forms.ChoiceField(label=_("First person"))
    second = forms.ChoiceField(label=_("Second person"))
    together = forms.TypedChoiceField(
        label=_("They must be placed"),
        choices=[
            ("1", _("together (they came together)")),
            ("0", _("apart (never the same group)")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a person on the waitlist")), *people]
        self.fields["first"].choices = choices  # type: ignore[attr-defined]
        self.fields["second"].choices = choices  # type: ignore[attr-defined]
