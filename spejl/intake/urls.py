from django.urls import path

from spejl.intake import views

app_name = "intake"

urlpatterns = [
    path("intakes/", views.intake_list, name="list"),
    path("intakes/<uuid:intake_id>/", views.intake_detail, name="detail"),
    path("intakes/<uuid:intake_id>/record/", views.intake_record, name="record"),
    path("enquiries/<uuid:enquiry_id>/intake/new/", views.schedule, name="schedule"),
    path(
        "participants/<uuid:participant_id>/intake/new/",
        views.schedule_for_participant,
        name="schedule_for_participant",
    ),
    path("referral-destinations/", views.destinations, name="destinations"),
    path("referral-destinations/new/", views.destination_add, name="destination_add"),
    path(
        "referral-destinations/<uuid:destination_id>/edit/",
        views.destination_edit,
        name="destination_edit",
    ),
]
