from django.urls import path

from spejl.participants import views

app_name = "participants"

urlpatterns = [
    # Coordinators
    path("participants/<uuid:participant_id>/", views.participant_detail, name="detail"),
    path("participants/<uuid:participant_id>/offer/", views.participant_offer, name="offer_place"),
    path(
        "participants/<uuid:participant_id>/places/<uuid:enrolment_id>/drop/",
        views.enrolment_drop,
        name="drop",
    ),
    path(
        "participants/<uuid:participant_id>/places/<uuid:enrolment_id>/<str:action>/",
        views.enrolment_action,
        name="place_action",
    ),
    path(
        "participants/<uuid:participant_id>/send-link/",
        views.participant_send_link,
        name="send_link",
    ),
    path("participants/<uuid:participant_id>/data/", views.participant_data_view, name="data"),
    path("participants/<uuid:participant_id>/erase/", views.participant_erase, name="erase"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("pipeline/", views.pipeline, name="pipeline"),
    # Participants, through their own secure links
    path("p/<str:token>/", views.participant_page, name="page"),
    path("p/<str:token>/calendar.ics", views.participant_calendar, name="calendar"),
    path("p/<str:token>/my-data/", views.participant_own_data, name="own_data"),
    path("p/<str:token>/erase/", views.participant_erase_request, name="erase_request"),
    path(
        "p/<str:token>/meetings/<uuid:meeting_id>/cannot-come/",
        views.participant_cannot_come,
        name="cannot_come",
    ),
    path("offer/<str:token>/", views.offer_answer, name="offer"),
]
