"""The public privacy notice (GDPR art. 13) states the periods the retention job keeps."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse


@pytest.mark.django_db
@override_settings(SPEJL_RETAIN_CONTACT_MONTHS=18, SPEJL_RETAIN_ENQUIRY_MONTHS=7)
def test_privacy_notice_is_public_danish_and_states_the_configured_periods() -> None:
    response = Client().get(reverse("web:privacy"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Sådan behandler vi dine oplysninger" in text
    assert "slettes 18 måneder efter din sidste gruppe" in text
    assert "slettes din henvendelse efter 7 måneder" in text
    assert "Datatilsynet" in text


@pytest.mark.django_db
def test_the_enquiry_form_links_to_the_privacy_notice() -> None:
    response = Client().get(reverse("enquiries:ask"))
    assert response.status_code == 200
    assert f'href="{reverse("web:privacy")}"' in response.content.decode()
