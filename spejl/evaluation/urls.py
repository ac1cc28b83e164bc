"""URLs of evaluation: reports and evaluator exports."""

from django.urls import path

from spejl.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("evaluation/", views.report_start, name="start"),
    path("evaluation/reports/<uuid:report_id>/", views.report_view, name="report"),
    path("evaluation/reports/<uuid:report_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("evaluation/reports/<uuid:report_id>/report.json", views.report_json, name="report_json"),
    path("evaluation/exports/", views.export_list, name="exports"),
    path(
        "evaluation/exports/<uuid:export_id>/download/",
        views.export_download,
        name="export_download",
    ),
]
