"""A test-only URL map: Spejl's own URLs plus ``/boom/``, a view that fails with the visitor's
input in its exception, as a database error quoting a value would."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from spejl.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@csrf_exempt
def boom(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name") or request.GET.get("name", "")
    raise RuntimeError(f"duplicate key value violates unique constraint: name=({name})")


urlpatterns = [path("boom/", boom, name="test_boom"), *urlpatterns]
