"""Forms for adding staff members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spejl.access.actor import Actor
from spejl.accounts.models import Role
from spejl.organisations.models import Organisation


class StaffAddForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("For coordinators and facilitators."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        roles = [
            (Role.COORDINATOR, Role.COORDINATOR.label),
            (Role.FACILITATOR, Role.FACILITATOR.label),
        ]
        if actor.is_national_admin:
            roles += [
                (Role.EVALUATOR, Role.EVALUATOR.label),
                (Role.NATIONAL_ADMIN, Role.NATIONAL_ADMIN.label),
            ]
            organisations = Organisation.objects.all()
        else:
            organisations = Organisation.objects.filter(pk__in=actor.coordinator_of)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = roles
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = organisations.order_by("name")
        if organisations.count() == 1:
            org_field.initial = organisations.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in (Role.COORDINATOR, Role.FACILITATOR) and not data.get(
            "organisation"
        ):
            self.add_error("organisation", _("Choose the organisation the role is held in."))
        return data
