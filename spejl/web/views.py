"""The shell: dashboard per role and a health check for load balancers."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from spejl.access.actor import get_actor
from spejl.access.decorators import staff_required
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
