"""Forms for venues and organisation contact details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spejl.organisations.models import Organisation, Postcode, Venue
from spejl.organisations.selectors import postcode_get


class PostcodeField(forms.CharField):
    """A Danish four-digit postcode, resolved to the postcode register."""

    default_error_messages = {
        "invalid": _("Enter a Danish postcode of four digits, for example 8000."),
        "unknown": _("We do not know the postcode %(code)s. Check it and try again."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("min_length", 4)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "postal-code", "pattern": "[0-9]{4}"})
        return attrs

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Postcode):
            return value.code
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Postcode | None:  # type: ignore[override]
        code = super().to_python(value)
        if not code:
            return None
        code = str(code).strip()
        if len(code) != 4 or not code.isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        postcode = postcode_get(code=code)
        if postcode is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"code": code}
            )
        return postcode

    def run_validators(self, value: Any) -> None:
        # Length validators apply to the typed text, which to_python has already checked.
        return None


class VenueForm(forms.ModelForm[Venue]):
    postcode = PostcodeField(label=_("Postcode"))

    class Meta:
        model = Venue
        fields = [
            "name",
            "street_address",
            "postcode",
            "step_free_access",
            "accessible_toilet",
            "hearing_loop",
            "accessibility_notes",
            "is_active",
        ]
        widgets = {"accessibility_notes": forms.Textarea(attrs={"rows": 3})}


class OrganisationContactForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["name", "contact_email", "contact_phone", "website"]
