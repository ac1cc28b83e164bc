"""Navigation and banners that every page's layout needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spejl.access.actor import get_actor


def shell(request: HttpRequest) -> dict[str, Any]:
    """The navigation entries the acting user's roles allow, and the demo banners."""
    actor = get_actor(request)
    nav: list[tuple[str, Any]] = []
    if actor.is_staff:
        nav.append((reverse("web:dashboard"), _("Dashboard")))
        if actor.member_of or actor.is_national_admin:
            nav.append((reverse("groups:list"), _("Groups")))
        if actor.coordinator_of or actor.is_national_admin:
            nav.append((reverse("participants:pipeline"), _("The way in")))
        if actor.facilitator_of:
            nav.append((reverse("groups:today"), _("Today")))
            nav.append((reverse("facilitators:me"), _("My training")))
        nav.append((reverse("organisations:list"), _("Organisations")))
        if actor.is_national_admin or actor.coordinator_of:
            nav.append((reverse("accounts:staff_list"), _("People")))
        nav.append((reverse("courseplans:list"), _("Course plans")))
        if actor.coordinator_of or actor.is_national_admin:
            nav.append((reverse("questionnaires:overview"), _("Questionnaires")))
        elif actor.is_evaluator:
            nav.append((reverse("questionnaires:instruments"), _("Questionnaires")))
        if actor.is_national_admin or actor.is_evaluator or actor.coordinator_of:
            nav.append((reverse("evaluation:start"), _("Evaluation")))
        if actor.is_national_admin:
            nav.append((reverse("consents:texts"), _("Consent texts")))
            nav.append((reverse("audit:list"), _("Audit log")))
    return {
        "nav_items": nav,
        "demo_mode": settings.SPEJL_DEMO,
        # Demo mode outside production waives the second login step; every staff page says so.
        "two_factor_waived": settings.SPEJL_DEMO and not settings.SPEJL_REQUIRE_2FA,
        "spejl_version": settings.SPEJL_VERSION,
    }
