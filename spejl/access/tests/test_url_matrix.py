"""Walk every URL pattern of Spejl as every role and assert the access matrix.

A new URL without an entry in ``spejl/access/matrix.py`` fails here, so every later page is
covered automatically. Object URLs are filled with organisation A's objects: coordinator B
must get 404 for every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from spejl.access.matrix import MATRIX, ROLES
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.consents.tests.fixtures import draft_consent_text
from spejl.courseplans.tests.fixtures import org_a_draft_plan
from spejl.evaluation.tests.fixtures import export_a, report_run_a
from spejl.facilitators.tests.fixtures import supervision_session_a, training_record_a
from spejl.formation.tests.fixtures import pair_a, proposal_a
from spejl.intake.tests.fixtures import destination_a, enquiry_a, intake_a
from spejl.questionnaires.models import MeasurementPlan
from spejl.questionnaires.tests.test_import_pages import import_run_a
from spejl.testing.groups import group_a, todays_meeting
from spejl.testing.participants import enrolment_of, participant_a


def _walk(patterns: list[Any], namespace: str | None = None) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(f"URL pattern {pattern.pattern} has no name")
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def all_url_names() -> list[str]:
    return sorted({name for name, _ in _walk(get_resolver().url_patterns)})


#: How to fill each URL keyword with organisation A's objects.
KWARG_FILLERS: dict[str, Callable[[World], str]] = {
    "org_slug": lambda w: w.org_a.slug,
    "venue_id": lambda w: str(w.venue_a.public_id),
    "person_id": lambda w: str(w.facilitator_a.public_id),
    "membership_id": lambda w: str(w.facilitator_a_membership.public_id),
    # Course plans: a draft plan of organisation A (spejl/courseplans/tests/fixtures.py).
    "plan_id": lambda w: str(org_a_draft_plan(w).public_id),
    "number": lambda w: "1",
    "record_id": lambda w: str(training_record_a(w).public_id),
    "session_id": lambda w: str(supervision_session_a(w).public_id),
    "group_id": lambda w: str(group_a(w).public_id),
    "meeting_id": lambda w: str(todays_meeting(group_a(w)).public_id),
    "facilitator_id": lambda w: str(group_a(w).facilitations.get().facilitator.public_id),
    "token": lambda w: "not-a-valid-token",
    # Consents: a draft text (national admins only) and a purpose of the participant links.
    "text_id": lambda w: str(draft_consent_text(w).public_id),
    "purpose": lambda w: "evaluation",
    "participant_id": lambda w: str(participant_a(w).public_id),
    "enrolment_id": lambda w: str(enrolment_of(KWARG_FILLERS["participant_id"](w)).public_id),
    "action": lambda w: "waitlist",
    # Intake conversations (spejl/intake/tests/fixtures.py).
    "enquiry_id": lambda w: str(enquiry_a(w).public_id),
    "intake_id": lambda w: str(intake_a(w).public_id),
    "destination_id": lambda w: str(destination_a(w).public_id),
    # Questionnaires: a page of an (invalid) link; SWEMWBS, switched off and in no plan
    # (national admins and evaluators only); a wave for paper entry; a previewed REDCap import
    # run of organisation A; a draft measurement plan (national admins only).
    "page": lambda w: "1",
    "code": lambda w: "swemwbs",
    "version": lambda w: "1",
    "wave": lambda w: "T0",
    # Group formation: a stored proposal and a pair of organisation A.
    "proposal_id": lambda w: str(proposal_a(w).public_id),
    "pair_id": lambda w: str(pair_a(w).public_id),
    "run_id": lambda w: str(import_run_a(w).public_id),
    "measurement_plan_id": lambda w: str(
        MeasurementPlan.objects.get_or_create(status="draft", defaults={"version": 99})[0].public_id
    ),
    # Evaluation: a finished report run of coordinator A; a finished export of the evaluator.
    "report_id": lambda w: str(report_run_a(w).public_id),
    "export_id": lambda w: str(export_a(w).public_id),
    # allauth links: well-formed but invalid keys (the pages explain the link is bad).
    "key": lambda w: "not-a-valid-key",
    "uidb36": lambda w: "zz",
    # allauth.mfa: a passkey that does not exist (each user manages only their own).
    "pk": lambda w: "999999",
}


def _keywords(name: str, pattern: URLPattern) -> list[str]:
    # Keywords of an include() prefix (allauth's "keys/<int:pk>/") are not in the leaf
    # pattern: take them from the resolver's reverse table too.
    keywords = set(pattern.pattern.regex.groupindex)
    if ":" not in name:
        for possibilities, *_ in get_resolver().reverse_dict.getlist(name):
            for _text, params in possibilities:
                keywords |= set(params)
    return sorted(keywords)


def url_for(name: str, world: World) -> str:
    patterns = dict(_walk(get_resolver().url_patterns))
    pattern = patterns[name]
    keywords = _keywords(name, pattern)
    missing = [k for k in keywords if k not in KWARG_FILLERS]
    assert not missing, f"Add a filler for URL keyword(s) {missing} of {name} to KWARG_FILLERS"
    return reverse(name, kwargs={k: KWARG_FILLERS[k](world) for k in keywords})


def test_every_url_pattern_has_an_entry_in_the_access_matrix() -> None:
    names = set(all_url_names())
    assert names - set(MATRIX) == set(), "URLs missing from spejl/access/matrix.py"
    assert set(MATRIX) - names == set(), "stale entries in spejl/access/matrix.py"


@pytest.mark.parametrize("name", all_url_names())
def test_url_answers_each_role_as_the_matrix_says(name: str, world: World, client_as: Any) -> None:
    rule = MATRIX[name]
    url = url_for(name, world)
    got = {}
    for role in ROLES:
        response = client_as(role).get(url)
        got[role] = response.status_code
        staff_page = rule.status("anonymous") == 302 and rule.status("national_admin") == 200
        if role == "anonymous" and staff_page and response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), name
    expected = {role: rule.status(role) for role in ROLES}
    assert got == expected, f"{name} ({url})"


@pytest.mark.parametrize("name", [n for n in all_url_names() if MATRIX[n].post_only])
def test_post_only_url_answers_each_role_as_the_matrix_says(
    name: str, world: World, client_as: Any
) -> None:
    rule = MATRIX[name]
    assert rule.post_only is not None
    url = url_for(name, world)
    got = {}
    for role in ROLES:
        # Each role acts on the same starting state: undo what an allowed POST changed.
        with transaction.atomic():
            got[role] = client_as(role).post(url, {}).status_code
            transaction.set_rollback(True)
    assert got == dict(zip(ROLES, rule.post_only, strict=True)), name


@pytest.mark.parametrize("name", [n for n in all_url_names() if MATRIX[n].post])
def test_refused_roles_cannot_post_either_and_nothing_changes(
    name: str, world: World, client_as: Any
) -> None:
    rule = MATRIX[name]
    url = url_for(name, world)
    for role in ROLES:
        expected = rule.status(role)
        if expected not in (302, 403, 404):
            continue
        before = AuditEvent.objects.count()
        response = client_as(role).post(url, {})
        assert response.status_code == expected, f"POST {name} as {role}"
        assert AuditEvent.objects.filter(action__in=["create", "update", "delete"]).count() == 0
        assert AuditEvent.objects.count() == before


def test_coordinator_b_gets_404_for_every_object_url_of_organisation_a(
    world: World, client_as: Any
) -> None:
    object_urls = [
        n
        for n in all_url_names()
        # allauth's pages act on the user's own account and factors, never on an
        # organisation's objects.
        if any(k in KWARG_FILLERS for k in get_keywords(n))
        and not n.startswith(("account_", "mfa_"))
    ]
    assert object_urls, "expected object URLs to check"
    client = client_as("coordinator_b")
    for name in object_urls:
        url = url_for(name, world)
        response = client.post(url, {}) if MATRIX[name].post_only else client.get(url)
        assert response.status_code == 404, name


def get_keywords(name: str) -> list[str]:
    return _keywords(name, dict(_walk(get_resolver().url_patterns))[name])


def test_docs_access_md_shows_the_current_matrix() -> None:
    from spejl.web.management.commands.access_matrix import DOC, document_with_matrix

    text = DOC.read_text(encoding="utf-8")
    assert text == document_with_matrix(text), "run: manage.py access_matrix --write"
