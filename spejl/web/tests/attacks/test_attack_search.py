"""SQL-ish and odd input in every search box and filter of Spejl's list pages: quotes and
comments, LIKE wildcards, NUL bytes, very long and unusual Unicode text. Each page answers 200
or a clear 400 — never a server error — changes nothing, and never shows another
organisation's data.

The parameters come from the GET forms the pages render themselves, plus common filter names,
so a new search box is attacked as soon as it is shown.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from spejl.access.matrix import MATRIX
from spejl.conftest import World
from spejl.intake.tests.fixtures import make_enquiry
from spejl.testing.groups import make_group
from spejl.testing.participants import waiting_participant
from spejl.web.tests.attacks.helpers import (
    OBJECT_KEYWORDS,
    all_url_names,
    changed_tables,
    keywords_of,
    snapshot,
    url_for,
)

PAYLOADS = [
    "' OR 1=1 --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "a\x00b",
    "x" * 5000,
    "ÆØÅ æøå \u202e\u200b 🙂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "00000000-0000-0000-0000-000000000000",
]
#: Filter names Spejl's lists read that a page may not show as a form field.
COMMON_PARAMETERS = ["q", "page", "status"]
#: Organisation B's people: never on a page of organisation A's coordinator.
SECRET_B = ["Bodilhemmelig", "Bjarkehemmelig", "Bgruppehemmelig"]

_FORM = re.compile(r"<form\b[^>]*method=\"get\"[^>]*>(.*?)</form>", re.S | re.I)
_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def _list_pages(role: str) -> list[str]:
    return [
        name
        for name in all_url_names()
        if not keywords_of(name) & (OBJECT_KEYWORDS | {"token", "key", "uidb36"})
        and MATRIX[name].status(role) == 200
        and not MATRIX[name].post_only
    ]


def _parameters(html: str) -> set[str]:
    found = {name for form in _FORM.findall(html) for name in _NAME.findall(form)}
    return (found | set(COMMON_PARAMETERS)) - {"csrfmiddlewaretoken"}


@pytest.fixture
def organisation_b_people(world: World) -> None:
    waiting_participant(world, first_name=SECRET_B[0], organisation=world.org_b)
    make_enquiry(world.org_b, first_name=SECRET_B[1])
    make_group(world, organisation=world.org_b, title=SECRET_B[2], participants=1)


def test_the_walk_finds_the_search_boxes(world: World, client_as: Any) -> None:
    html = client_as("coordinator_a").get(url_for("enquiries:list", world)).content.decode()
    assert "q" in _parameters(html)


@pytest.mark.parametrize("role", ["coordinator_a", "national_admin"])
def test_odd_input_in_every_search_and_filter_fails_safely(
    role: str, world: World, organisation_b_people: None
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.user(role))  # type: ignore[arg-type]
    names = _list_pages(role)
    if role != "coordinator_a":  # the pages coordinators have are attacked as coordinator A
        names = [n for n in names if n not in _list_pages("coordinator_a")]
    pages = {name: url_for(name, world) for name in names}
    forms = {name: _parameters(client.get(url).content.decode()) for name, url in pages.items()}
    before = snapshot()
    failures = []
    for name, url in pages.items():
        for parameter in sorted(forms[name]):
            for payload in PAYLOADS:
                response = client.get(url, {parameter: payload})
                if response.status_code not in (200, 302, 400, 404):
                    failures.append(f"{name}?{parameter}={payload[:20]!r} → {response.status_code}")
                    continue
                if role == "coordinator_a":
                    body = response.content.decode(errors="replace")
                    leaked = [secret for secret in SECRET_B if secret in body]
                    if leaked:
                        failures.append(f"{name}?{parameter}={payload[:20]!r} shows {leaked}")
    assert failures == []
    assert changed_tables(before) == []
