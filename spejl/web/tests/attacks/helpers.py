"""What every attack test needs: a snapshot of the stored data to prove that nothing changed,
the URL patterns to walk (from the access matrix's URL walk, so new URLs are attacked
automatically), and plausible form data for a forged POST."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db.models import Model
from django.urls import URLPattern, get_resolver

from spejl.access.tests.test_url_matrix import KWARG_FILLERS, _walk, all_url_names, url_for

__all__ = [
    "KWARG_FILLERS",
    "OBJECT_KEYWORDS",
    "all_url_names",
    "changed_tables",
    "forged_post",
    "hrefs_and_actions",
    "keywords_of",
    "snapshot",
    "url_for",
]

#: Tables that change on any visit and hold no business data: logins, the audit trail (reads
#: are audited), queued background work, Django's own catalogues.
VOLATILE = {
    "sessions.Session",
    "audit.AuditEvent",
    "audit.AuditSeal",
    "audit.AuditPrune",
    "django_tasks_database.DBTaskResult",
    "contenttypes.ContentType",
    "auth.Permission",
}

#: URL keywords that name an object of an organisation (not a page number or a wave).
OBJECT_KEYWORDS = {
    "org_slug",
    "venue_id",
    "person_id",
    "membership_id",
    "plan_id",
    "record_id",
    "session_id",
    "group_id",
    "meeting_id",
    "facilitator_id",
    "participant_id",
    "enrolment_id",
    "enquiry_id",
    "intake_id",
    "destination_id",
    "proposal_id",
    "pair_id",
    "run_id",
    "report_id",
    "export_id",
}


def _rows_digest(model: type[Model]) -> tuple[int, str]:
    rows = list(model._default_manager.order_by("pk").values_list())
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def snapshot() -> dict[str, tuple[int, str]]:
    """Every business table's row count and a digest of all its values."""
    return {
        model._meta.label: _rows_digest(model)
        for model in apps.get_models()
        if model._meta.label not in VOLATILE and model._meta.managed
    }


def changed_tables(before: dict[str, tuple[int, str]]) -> list[str]:
    """The tables whose rows differ from ``before`` (an empty list: nothing changed)."""
    after = snapshot()
    return sorted(label for label in before if before[label] != after.get(label))


def patterns() -> dict[str, URLPattern]:
    return dict(_walk(get_resolver().url_patterns))


def keywords_of(name: str) -> set[str]:
    return set(patterns()[name].pattern.regex.groupindex)


def forged_post() -> dict[str, Any]:
    """A POST that would pass many of Spejl's forms if access were not checked: the common
    field names with plausible values, so a refusal proves the access check, not a form
    error."""
    return {
        "action": "approve",
        "answer": "accept",
        "confirm": "1",
        "status": "cancelled",
        "decision": "suitable",
        "reason": "attack",
        "title": "Overtaget",
        "name": "Overtaget",
        "first_name": "Overtaget",
        "last_name": "Overtaget",
        "email": "attacker@example.org",
        "phone": "+45 11 11 11 11",
        "note": "attack",
        "notes": "attack",
        "message": "attack",
        "role": "coordinator",
        "organisation": "",
        "date": "2030-01-01",
        "time": "18:00",
        "starts_at": "2030-01-01 18:00",
        "capacity_max": "12",
        "capacity_min": "5",
        "language": "da",
        "target": "adults",
    }


_LINK = re.compile(r"""(?:href|action|src)\s*=\s*["']([^"']*)["']""", re.I)


def hrefs_and_actions(html: str) -> Iterator[str]:
    """Every link, form action and source a page points to."""
    yield from _LINK.findall(html)


def reset_rate_limits() -> None:
    """Forget counted guesses and failed logins (the cache), between attacks."""
    cache.clear()
