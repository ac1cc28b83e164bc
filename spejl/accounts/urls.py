from django.urls import path

from spejl.accounts import login_views, views

app_name = "accounts"

urlpatterns = [
    path("people/", views.staff_list, name="staff_list"),
    path("people/add/", views.staff_add, name="staff_add"),
    path("people/<uuid:person_id>/", views.staff_detail, name="staff_detail"),
    path(
        "people/<uuid:person_id>/second-factor/reset/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
    path(
        "people/<uuid:person_id>/roles/<uuid:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("accounts/two-factor/setup/", login_views.two_factor_setup, name="two_factor_setup"),
    path(
        "accounts/two-factor/continue/",
        login_views.two_factor_continue,
        name="two_factor_continue",
    ),
]
