from django.urls import path

from spejl.facilitators import views

app_name = "facilitators"

urlpatterns = [
    path("organisations/<slug:org_slug>/facilitators/", views.facilitator_list, name="list"),
    path("facilitators/me/", views.facilitator_me, name="me"),
    path("facilitators/<uuid:person_id>/", views.facilitator_detail, name="detail"),
    path("facilitators/<uuid:person_id>/edit/", views.facilitator_edit, name="edit"),
    path("facilitators/<uuid:person_id>/training/add/", views.training_add, name="training_add"),
    path(
        "facilitators/<uuid:person_id>/training/<uuid:record_id>/edit/",
        views.training_edit,
        name="training_edit",
    ),
    path(
        "facilitators/<uuid:person_id>/training/<uuid:record_id>/remove/",
        views.training_remove,
        name="training_remove",
    ),
    path(
        "facilitators/<uuid:person_id>/supervision/add/",
        views.supervision_add,
        name="supervision_add",
    ),
    path(
        "facilitators/<uuid:person_id>/supervision/<uuid:session_id>/remove/",
        views.supervision_remove,
        name="supervision_remove",
    ),
]
