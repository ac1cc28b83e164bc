from django.urls import path

from spejl.groups import views

app_name = "groups"

urlpatterns = [
    path("groups/", views.group_list, name="list"),
    path("groups/new/", views.group_create, name="create"),
    path("groups/<uuid:group_id>/", views.group_detail, name="detail"),
    path("groups/<uuid:group_id>/edit/", views.group_edit, name="edit"),
    path("groups/<uuid:group_id>/status/", views.group_status, name="status"),
    path("groups/<uuid:group_id>/reopen/", views.group_reopen, name="reopen"),
    path("groups/<uuid:group_id>/facilitators/", views.group_facilitators, name="facilitators"),
    path(
        "groups/<uuid:group_id>/facilitators/<uuid:facilitator_id>/remove/",
        views.group_facilitator_remove,
        name="facilitator_remove",
    ),
    path("groups/<uuid:group_id>/schedule/", views.group_schedule, name="schedule"),
    path("groups/<uuid:group_id>/calendar/", views.group_calendar, name="calendar"),
    path("meetings/<uuid:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<uuid:meeting_id>/attendance/", views.meeting_mark, name="mark"),
    path("meetings/<uuid:meeting_id>/move/", views.meeting_move, name="meeting_move"),
    path("meetings/<uuid:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<uuid:meeting_id>/log/", views.meeting_log, name="meeting_log"),
    path("today/", views.today, name="today"),
    path("my-calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
]
