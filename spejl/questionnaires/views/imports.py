"""REDCap import pages: upload a flat CSV export, see what the check found, then import it
all at once or discard it. National admins and coordinators (their organisation)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from spejl.access.actor import Actor, get_actor
from spejl.access.decorators import staff_required
from spejl.organisations.models import Organisation
from spejl.questionnaires import imports
from spejl.questionnaires.imports import ImportProblem, ImportRefused, ImportSummary
from spejl.questionnaires.models import ImportRun, ImportStatus, Wave
from spejl.questionnaires.scheduling import plan_in_use
from spejl.web.forms import attach_service_errors

SUGGESTED_EVENTS_TEXT = ", ".join(f"{e}={w}" for e, w in imports.SUGGESTED_EVENTS.items())


class ImportForm(forms.Form):
    """The file, how its events map to waves, the organisation for rows without a data
    access group, and the importer's word on paper consent."""

    file = forms.FileField(
        label=gettext_lazy("CSV file from REDCap"),
        help_text=gettext_lazy(
            "In REDCap: Data Exports → “CSV / Microsoft Excel (raw data)”. At most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    events = forms.CharField(
        label=gettext_lazy("Events and waves"),
        initial=SUGGESTED_EVENTS_TEXT,
        max_length=500,
        help_text=gettext_lazy(
            "Each REDCap event name with the wave it holds, separated by commas, for example "
            "t0_arm_1=T0, t1_arm_1=T1, t2_arm_1=T2."
        ),
    )
    default_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation for rows without a data access group"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Rows whose redcap_data_access_group is filled in go to the organisation with that "
            "short name."
        ),
    )
    paper_consent_confirmed = forms.BooleanField(
        label=gettext_lazy(
            "Evaluation consent was obtained on paper for the new participants in this file"
        ),
        required=False,
        help_text=gettext_lazy(
            "Tick this only if each new participant (a record id Spejl does not know) and each "
            "known participant without consent signed the evaluation consent on paper. Their "
            "consent is then recorded as given on paper. Without it, such records are refused."
        ),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The limit is a setting (SPEJL_IMPORT_MAX_BYTES): the help text names the one in force.
        self.fields["file"].help_text = _(
            "In REDCap: Data Exports → “CSV / Microsoft Excel (raw data)”. At most "
            "%(megabytes)s MB."
        ) % {"megabytes": imports.max_file_megabytes()}
        field = self.fields["default_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        if actor.is_national_admin or actor.is_system:
            field.queryset = Organisation.objects.order_by("name")
            return
        field.queryset = Organisation.objects.filter(pk__in=sorted(actor.coordinator_of)).order_by(
            "name"
        )
        field.required = True
        field.label = gettext_lazy("Your organisation")
        field.help_text = gettext_lazy(
            "Every row is imported into this organisation; a row whose data access group names "
            "another organisation is refused."
        )
        if len(actor.coordinator_of) == 1:
            field.initial = next(iter(actor.coordinator_of))
            field.empty_label = None

    def clean_file(self) -> UploadedFile[bytes]:
        """Refuse a file by its name, size (the message names the limit) and content (binary,
        semicolons, formulas, endless lines) before anything is checked or kept."""
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        problem = imports.file_problem(upload.name or "", upload.size or 0)
        if problem is None:
            problem = imports.content_problem(upload.read())
            upload.seek(0)
        if problem is not None:
            raise ValidationError(problem, code="file")
        return upload

    def clean_events(self) -> dict[str, str]:
        return imports.events_parse(self.cleaned_data["events"])


@staff_required
def import_index(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    imports.check_can_import(actor)
    form = ImportForm(request.POST or None, request.FILES or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        problem = imports.file_problem(upload.name or "", upload.size or 0)
        if problem is not None:
            form.add_error("file", problem)
        else:
            try:
                run = imports.import_preview(
                    actor=actor,
                    file_name=upload.name or "",
                    content=upload.read(),
                    events=form.cleaned_data["events"],
                    default_organisation=form.cleaned_data["default_organisation"],
                    paper_consent_confirmed=form.cleaned_data["paper_consent_confirmed"],
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                return redirect("questionnaires:import_detail", run_id=run.public_id)
    return render(
        request,
        "questionnaires/import_index.html",
        {
            "form": form,
            "runs": [
                (run, ImportSummary.from_json(run.summary))
                for run in imports.import_runs_for_actor(actor=actor)
            ],
            "max_megabytes": imports.max_file_megabytes(),
            "plan": plan_in_use(),
        },
        status=400 if form.errors else 200,
    )


def _detail(
    request: HttpRequest,
    run: ImportRun,
    *,
    problems: list[ImportProblem] | None = None,
    status: int = 200,
) -> HttpResponse:
    summary = ImportSummary.from_json(run.summary)
    waiting = run.status == ImportStatus.PREVIEWED
    shown = problems if problems is not None else list(summary.problems)
    left_out = summary.problems_left_out if problems is None else 0
    return render(
        request,
        "questionnaires/import_detail.html",
        {
            "run": run,
            "summary": summary,
            "problems": shown,
            "problems_left_out": left_out,
            "problem_count": len(shown) + left_out,
            "refused_now": problems is not None,
            "can_commit": waiting and summary.ok and bool(run.content) and problems is None,
            "can_discard": waiting,
            "wave_labels": dict(Wave.choices),
        },
        status=status,
    )


@staff_required
def import_detail(request: HttpRequest, run_id: UUID) -> HttpResponse:
    run = imports.import_run_get_for_actor(actor=get_actor(request), public_id=str(run_id))
    return _detail(request, run)


@staff_required
@require_POST
def import_commit(request: HttpRequest, run_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    run = imports.import_run_get_for_actor(actor=actor, public_id=str(run_id))
    try:
        summary = imports.import_commit(actor=actor, run=run)
    except ImportRefused as refused:
        messages.error(
            request,
            _("The file no longer passes the check, so nothing was imported. See why below."),
        )
        return _detail(request, run, problems=refused.problems, status=400)
    if summary is None:
        messages.warning(
            request, _("This file has already been imported or discarded; nothing was changed.")
        )
    else:
        messages.success(
            request,
            _("Imported: %(new)s new responses, %(unchanged)s already there.")
            % {"new": summary.responses_new, "unchanged": summary.responses_unchanged},
        )
    return redirect("questionnaires:import_detail", run_id=run.public_id)


@staff_required
@require_POST
def import_discard(request: HttpRequest, run_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    run = imports.import_run_get_for_actor(actor=actor, public_id=str(run_id))
    if imports.import_discard(actor=actor, run=run):
        messages.success(request, _("The file was discarded; nothing was imported."))
    else:
        messages.warning(
            request, _("This file has already been imported or discarded; nothing was changed.")
        )
    return redirect("questionnaires:import")
