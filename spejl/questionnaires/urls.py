"""URLs of questionnaires: the participant's answering pages (secure link, no login)."""

from django.urls import path

from spejl.questionnaires.views import answer, entry, imports, instruments, overview, plans

app_name = "questionnaires"

urlpatterns = [
    path("q/thanks/", answer.thanks, name="thanks"),
    path("q/<str:token>/", answer.answer, name="answer"),
    path("q/<str:token>/send/", answer.review, name="review"),
    path("q/<str:token>/<int:page>/", answer.page, name="page"),
    path("p/<str:token>/questionnaire/", answer.from_page, name="from_page"),
    # Coordinators: a participant's questionnaires, and paper or telephone answers.
    path(
        "questionnaires/participants/<uuid:participant_id>/",
        entry.participant_questionnaires,
        name="participant",
    ),
    path(
        "questionnaires/participants/<uuid:participant_id>/enter/<str:wave>/",
        entry.response_enter_view,
        name="enter",
    ),
    # Staff: instrument definitions, the measurement plan and the response overview.
    path("questionnaires/instruments/", instruments.instrument_list, name="instruments"),
    path(
        "questionnaires/instruments/<slug:code>/v<int:version>/",
        instruments.instrument_detail,
        name="instrument_detail",
    ),
    path(
        "questionnaires/instruments/<slug:code>/v<int:version>/redcap.csv",
        instruments.instrument_redcap,
        name="instrument_redcap",
    ),
    path(
        "questionnaires/instruments/<slug:code>/v<int:version>/fhir.json",
        instruments.instrument_fhir,
        name="instrument_fhir",
    ),
    path(
        "questionnaires/instruments/<slug:code>/v<int:version>/enable/",
        instruments.instrument_enable,
        name="instrument_enable",
    ),
    path("questionnaires/plan/", plans.plan_list, name="plans"),
    path(
        "questionnaires/plan/<uuid:measurement_plan_id>/",
        plans.plan_detail,
        name="plan_detail",
    ),
    path(
        "questionnaires/plan/<uuid:measurement_plan_id>/redcap.csv",
        plans.plan_redcap,
        name="plan_redcap",
    ),
    path(
        "questionnaires/plan/<uuid:measurement_plan_id>/events.csv",
        plans.plan_events,
        name="plan_events",
    ),
    path(
        "questionnaires/plan/<uuid:measurement_plan_id>/new-version/",
        plans.plan_new_version,
        name="plan_new_version",
    ),
    path(
        "questionnaires/plan/<uuid:measurement_plan_id>/edit/",
        plans.plan_edit,
        name="plan_edit",
    ),
    path(
        "questionnaires/plan/<uuid:measurement_plan_id>/publish/",
        plans.plan_publish,
        name="plan_publish",
    ),
    path("questionnaires/overview/", overview.overview, name="overview"),
    # REDCap imports: national admins, and coordinators for their organisation.
    path("questionnaires/import/", imports.import_index, name="import"),
    path("questionnaires/import/<uuid:run_id>/", imports.import_detail, name="import_detail"),
    path("questionnaires/import/<uuid:run_id>/commit", imports.import_commit, name="import_commit"),
    path(
        "questionnaires/import/<uuid:run_id>/discard",
        imports.import_discard,
        name="import_discard",
    ),
]
