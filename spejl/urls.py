"""Spejl's URL map. Every pattern here must have an entry in ``spejl/access/matrix.py``."""

from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("spejl.web.urls")),
    path("", include("spejl.organisations.urls")),
    path("", include("spejl.accounts.urls")),
    path("", include("spejl.audit.urls")),
    path("", include("spejl.facilitators.urls")),
    path("", include("spejl.courseplans.urls")),
    path("", include("spejl.groups.urls")),
    path("", include("spejl.enquiries.urls")),
    path("", include("spejl.consents.urls")),
    path("", include("spejl.participants.urls")),
    path("", include("spejl.intake.urls")),
    path("", include("spejl.questionnaires.urls")),
    path("", include("spejl.notifications.urls")),
    path("", include("spejl.formation.urls")),
    path("", include("spejl.evaluation.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]

handler400 = "spejl.web.errors.bad_request"
handler404 = "spejl.web.errors.not_found"
handler500 = "spejl.web.errors.server_error"
# allauth's rate limits answer through this (allauth.core.ratelimit.respond_429).
handler429 = "spejl.web.errors.too_many_requests"
handler403 = "spejl.web.errors.forbidden"
