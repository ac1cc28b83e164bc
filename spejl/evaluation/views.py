"""Evaluation pages: ask for a report, read it (HTML, PDF, JSON), and evaluator exports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.accounts.reauth import reauthentication_required
from spejl.evaluation import exports, reports
from spejl.evaluation.forms import ExportForm, ScopeForm
from spejl.evaluation.models import JobStatus
from spejl.evaluation.presentation import present
from spejl.evaluation.scope import can_export, can_use_reports, reportable_organisations


@staff_required
def report_start(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can_use_reports(actor):
        raise NotFound
    data = request.POST if request.method == "POST" else None
    form = ScopeForm(data, organisations=reportable_organisations(actor))
    if request.method == "POST" and form.is_valid():
        run = reports.report_request(actor, form.scope())
        return redirect("evaluation:report", report_id=run.public_id)
    return render(
        request,
        "evaluation/report_start.html",
        {"form": form, "runs": reports.recent_runs(actor), "can_export": can_export(actor)},
        status=400 if form.errors else 200,
    )


@staff_required
def report_view(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    run = reports.report_run_for(actor, report_id)
    building = run.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    context: dict[str, object] = {"run": run, "building": building}
    if request.GET.get("progress"):
        # The page's progress box asks every few seconds; once ready, the page reloads.
        response = render(request, "evaluation/_progress.html", context)
        if not building:
            response["HX-Refresh"] = "true"
        return response
    if run.status == JobStatus.DONE and run.result is not None:
        context["report"] = present(run.result, language=get_language() or "da")
    return render(request, "evaluation/report.html", context)


@staff_required
def report_json(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    run = reports.report_run_for(actor, report_id)
    if run.status != JobStatus.DONE or run.result is None:
        raise NotFound
    response = JsonResponse(run.result, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="spejl-report-{run.public_id}.json"'
    return response


@staff_required
def report_pdf(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    run = reports.report_run_for(actor, report_id)
    if run.status != JobStatus.DONE or run.result is None:
        raise NotFound
    from weasyprint import HTML  # type: ignore[import-untyped]  # heavy: only for a PDF

    language = get_language() or "da"
    html = render_to_string(
        "evaluation/report_pdf.html",
        {"run": run, "report": present(run.result, language=language), "language": language},
        request=request,
    )
    static_root = str(settings.BASE_DIR / "spejl" / "static")
    pdf = HTML(string=html, base_url=static_root).write_pdf(pdf_variant="pdf/ua-1", lang=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="spejl-report-{run.public_id}.pdf"'
    return response


@staff_required
@reauthentication_required(allow_get=True, when=can_export)
def export_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can_export(actor):
        raise NotFound
    data = request.POST if request.method == "POST" else None
    form = ExportForm(data, organisations=reportable_organisations(actor))
    if request.method == "POST" and form.is_valid():
        exports.export_request(
            actor,
            form.scope(),
            layout=form.cleaned_data["layout"],
            file_format=form.cleaned_data["format"],
            options=form.options(),
        )
        return redirect("evaluation:exports")
    items = exports.exports_for(actor)
    return render(
        request,
        "evaluation/exports.html",
        {
            "form": form,
            "exports": items,
            "building": any(e.status in (JobStatus.QUEUED, JobStatus.RUNNING) for e in items),
            "hours": settings.SPEJL_EXPORT_HOURS,
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    handle, name = exports.export_take(actor, export_id)
    response: HttpResponse = FileResponse(handle, as_attachment=True, filename=name)  # type: ignore[assignment]
    return response
