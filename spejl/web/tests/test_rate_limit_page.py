"""allauth's rate limits (logins per address, reset mails) answer with Spejl's own 429 page."""

from __future__ import annotations

import pytest
from allauth.core.ratelimit import respond_429
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory


@pytest.mark.django_db
def test_allauths_rate_limit_answers_with_spejls_kind_danish_page() -> None:
    request = RequestFactory().get("/accounts/password/reset/")
    request.session = SessionStore()
    response = respond_429(request)
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert "For at beskytte kontoene" in response.content.decode()
