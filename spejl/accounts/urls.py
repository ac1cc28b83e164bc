from django.urls import path

from spejl.accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.staff_list, name="staff_list"),
    path("people/add/", views.staff_add, name="staff_add"),
    path("people/<uuid:person_id>/", views.staff_detail, name="staff_detail"),
    path(
        "people/<uuid:person_id>/roles/<uuid:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
]
