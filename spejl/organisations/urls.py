from django.urls import path

from spejl.organisations import views

app_name = "organisations"

urlpatterns = [
    path("organisations/", views.organisation_list, name="list"),
    path("organisations/<slug:org_slug>/", views.organisation_detail, name="detail"),
    path("organisations/<slug:org_slug>/edit/", views.organisation_edit, name="edit"),
    path("organisations/<slug:org_slug>/venues/new/", views.venue_create, name="venue_create"),
    path("venues/<uuid:venue_id>/", views.venue_detail, name="venue_detail"),
    path("venues/<uuid:venue_id>/edit/", views.venue_edit, name="venue_edit"),
]
