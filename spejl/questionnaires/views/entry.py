"""The coordinator's questionnaire page for one participant, and entering a paper or
telephone response."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.participants.selectors import participant_get_for_actor
from spejl.questionnaires.answering import DECLINED
from spejl.questionnaires.entry import STAFF_MODES, EntryForm, entry_form_for, response_enter
from spejl.questionnaires.models import ResponseMode, Wave
from spejl.questionnaires.status import participant_waves
from spejl.web.forms import attach_service_errors
from spejl.web.i18n import in_current_language


@staff_required
def participant_questionnaires(request: HttpRequest, participant_id: str) -> HttpResponse:
    actor = get_actor(request)
    participant = participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="questionnaire status"
    )
    return render(
        request,
        "questionnaires/participant.html",
        {"participant": participant, "waves": participant_waves(participant=participant)},
    )


class PaperResponseForm(forms.Form):
    """The wave's items as fields named by item code, after the mode and the date."""

    mode = forms.ChoiceField(
        label=gettext_lazy("How were the questions answered?"),
        choices=[(m.value, m.label) for m in ResponseMode if m in STAFF_MODES],
        widget=forms.RadioSelect,
    )
    answered_on = forms.DateField(
        label=gettext_lazy("Date answered"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, entry: EntryForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections: list[tuple[str, list[str]]] = []
        for version in entry.versions:
            instrument = version.instrument
            names = []
            for item in instrument.items:
                label = in_current_language(item.text.da, item.text.en)
                if item.is_choice:
                    choices = [("", _("— not answered —"))]
                    choices += [
                        (str(o.score), f"{o.score} · {in_current_language(o.label.da, o.label.en)}")
                        for o in item.options
                    ]
                    choices.append((DECLINED, _("Did not want to answer")))
                    self.fields[item.code] = forms.ChoiceField(
                        label=label, choices=choices, required=False
                    )
                else:
                    self.fields[item.code] = forms.CharField(
                        label=label,
                        required=False,
                        max_length=item.max_length,
                        widget=forms.Textarea(attrs={"rows": 3}),
                    )
                names.append(item.code)
            self.sections.append((version.title, names))

    def section_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.sections]


@staff_required
def response_enter_view(request: HttpRequest, participant_id: str, wave: str) -> HttpResponse:
    actor = get_actor(request)
    if wave not in Wave.values:
        raise NotFound
    participant = participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="enter a paper or telephone response"
    )
    back = redirect("questionnaires:participant", participant_id=participant.public_id)
    try:
        entry = entry_form_for(actor=actor, participant=participant, wave=wave)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return back
    initial: dict[str, object] = {"answered_on": timezone.localdate(), **entry.initial}
    if entry.is_correction and entry.invitation is not None:
        first = entry.invitation.responses.exclude(answered_on=None).first()
        initial["mode"] = entry.invitation.completed_mode
        if first is not None:
            initial["answered_on"] = first.answered_on
    form = PaperResponseForm(request.POST or None, entry=entry, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            response_enter(
                actor=actor,
                participant=participant,
                wave=wave,
                mode=data["mode"],
                answered_on=data["answered_on"],
                answers={k: str(v) for k, v in data.items() if k not in ("mode", "answered_on")},
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The corrected answers were saved and scored again.")
                if entry.is_correction
                else _("The answers were saved and scored."),
            )
            return back
    return render(
        request,
        "questionnaires/enter.html",
        {
            "participant": participant,
            "wave": wave,
            "wave_label": Wave(wave).label,
            "form": form,
            "entry": entry,
            "correction": entry.is_correction,
        },
        status=400 if form.errors else 200,
    )
