"""NUL characters in query strings and form fields are removed before any view sees them:
PostgreSQL cannot store or compare text holding one, and nobody means to type one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from spejl.web.middleware import StripNulCharactersMiddleware

Seen = dict[str, Any]


def _through(request: HttpRequest) -> Seen:
    seen: Seen = {}

    def view(req: HttpRequest) -> HttpResponse:
        seen["GET"] = req.GET
        seen["POST"] = req.POST
        seen["FILES"] = req.FILES
        return HttpResponse("ok")

    StripNulCharactersMiddleware(view)(request)
    return seen


def test_nul_is_removed_from_the_query_string_and_the_rest_kept() -> None:
    seen = _through(RequestFactory().get("/people/", {"q": "Åse\x00 Ærø", "pa\x00ge": "2"}))
    assert seen["GET"]["q"] == "Åse Ærø"
    assert seen["GET"]["page"] == "2"
    assert not seen["GET"]._mutable


def test_nul_is_removed_from_form_fields_and_every_value_of_a_list_kept() -> None:
    request = RequestFactory().post(
        "/x/", {"answer": "jeg\x00 har det godt", "days": ["1", "2\x00"]}
    )
    seen = _through(request)
    assert seen["POST"]["answer"] == "jeg har det godt"
    assert seen["POST"].getlist("days") == ["1", "2"]


def test_uploaded_files_are_left_as_they_are() -> None:
    upload = SimpleUploadedFile("data.csv", b"a,b\n\x00\x01,2\n", content_type="text/csv")
    seen = _through(RequestFactory().post("/import/", {"file": upload, "note": "x\x00y"}))
    assert seen["POST"]["note"] == "xy"
    assert seen["FILES"]["file"].read() == b"a,b\n\x00\x01,2\n"


def test_requests_without_nul_are_passed_on_untouched() -> None:
    request = RequestFactory().get("/people/", {"q": "Åse"})
    original = request.GET
    assert _through(request)["GET"] is original


@pytest.mark.django_db
def test_a_search_with_a_nul_character_answers_instead_of_failing(client_as: Any) -> None:
    response = client_as("coordinator_a").get("/people/", {"q": "Å\x00se"})
    assert response.status_code == 200
