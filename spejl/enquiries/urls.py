from django.urls import path

from spejl.enquiries import views

app_name = "enquiries"

urlpatterns = [
    # The public way in (no login)
    path("find/", views.finder, name="finder"),
    path("find/groups.json", views.feed, name="feed"),
    path("find/ask/", views.ask, name="ask"),
    path("find/thanks/", views.thanks, name="thanks"),
    # The coordinators' inbox
    path("enquiries/", views.enquiry_list, name="list"),
    path("enquiries/new/", views.enquiry_register, name="register"),
    path("enquiries/<uuid:enquiry_id>/", views.enquiry_detail, name="detail"),
    path("enquiries/<uuid:enquiry_id>/status/", views.enquiry_status, name="status"),
]
