"""Forms of the evaluation pages: what a report or an export covers, and the export options."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spejl.evaluation.models import ExportFormat, ExportLayout
from spejl.evaluation.scope import ReportScope
from spejl.groups.models import PeerGroup, Target
from spejl.organisations.models import Organisation


class ScopeForm(forms.Form):
    """Organisations (empty: all you may see), one group, target group and course period."""

    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for all the organisations you may see."),
    )
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=PeerGroup.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("All groups"),
        help_text=_("A group report is shown only when at least five in the group took part."),
    )
    target = forms.ChoiceField(
        label=_("Target group"),
        choices=[("", _("All target groups")), *Target.choices],
        required=False,
    )
    period_from = forms.DateField(
        label=_("Courses starting from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_to = forms.DateField(
        label=_("Courses starting until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [o.pk for o in organisations]
        chosen = self.fields["organisations"]
        assert isinstance(chosen, forms.ModelMultipleChoiceField)
        chosen.queryset = Organisation.objects.filter(pk__in=ids).order_by("name")
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.queryset = (
            PeerGroup.objects.filter(organisation_id__in=ids)
            .select_related("organisation")
            .order_by("organisation__name", "title")
        )
        group.label_from_instance = lambda g: f"{g.organisation.name}: {g.title}"  # type: ignore[method-assign,assignment]
        if len(ids) <= 1:
            del self.fields["organisations"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The end of the period must not be before its start."))
        return data

    def scope(self) -> ReportScope:
        data = self.cleaned_data
        organisations = data.get("organisations") or []
        group = data.get("group")
        return ReportScope(
            organisations=tuple(sorted(o.slug for o in organisations)),
            group=group.public_id if group else None,
            target=data.get("target") or "",
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
        )


class ExportForm(ScopeForm):
    """A scope plus the layout, format and de-identification options of an export."""

    layout = forms.ChoiceField(
        label=_("Layout"), choices=ExportLayout.choices, initial=ExportLayout.LONG
    )
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, initial="sav")
    drop_free_text = forms.BooleanField(
        label=_("Leave out free-text answers"), required=False, initial=True
    )
    shift_dates = forms.BooleanField(
        label=_("Shift dates by a fixed number of days per participant"),
        required=False,
        initial=True,
    )
    age = forms.ChoiceField(
        label=_("Age"),
        choices=[("band", _("Age band")), ("year", _("Birth year"))],
        initial="band",
    )
    place = forms.ChoiceField(
        label=_("Place"),
        choices=[
            ("region", _("Region")),
            ("municipality", _("Municipality")),
            ("none", _("Leave out")),
        ],
        initial="region",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["group"]

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "drop_free_text": bool(data.get("drop_free_text")),
            "shift_dates": bool(data.get("shift_dates")),
            "age": data.get("age") or "band",
            "place": data.get("place") or "region",
        }
