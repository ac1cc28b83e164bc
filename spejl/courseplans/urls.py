from django.urls import path

from spejl.courseplans import views

app_name = "courseplans"

urlpatterns = [
    path("course-plans/", views.plan_list, name="list"),
    path("course-plans/<uuid:plan_id>/", views.plan_detail, name="detail"),
    path("course-plans/<uuid:plan_id>/new-version/", views.plan_new_version, name="new_version"),
    path("course-plans/<uuid:plan_id>/adapt/", views.plan_adapt, name="adapt"),
    path("course-plans/<uuid:plan_id>/edit/", views.plan_edit, name="edit"),
    path("course-plans/<uuid:plan_id>/publish/", views.plan_publish, name="publish"),
    path("course-plans/<uuid:plan_id>/meetings/add/", views.meeting_add, name="meeting_add"),
    path(
        "course-plans/<uuid:plan_id>/meetings/<int:number>/edit/",
        views.meeting_edit,
        name="meeting_edit",
    ),
    path(
        "course-plans/<uuid:plan_id>/meetings/<int:number>/remove/",
        views.meeting_remove,
        name="meeting_remove",
    ),
]
