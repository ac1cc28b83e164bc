"""The shell: dashboard per role, the public privacy notice and a health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from spejl.access.actor import get_actor
from spejl.access.decorators import staff_required
from spejl.retention.policies import periods
from spejl.web.selectors import dashboard_for_actor


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    return render(
        request,
        "web/dashboard.html",
        {"dashboard": dashboard_for_actor(actor=actor), "actor": actor},
    )


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer. Reveals nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice for people who ask to join (GDPR art. 13), public.

    The retention periods shown are the configured ones, so the notice never promises a period
    the retention job does not keep. Touches no personal data.
    """
    return render(request, "web/privacy_notice.html", {"periods": periods()})
