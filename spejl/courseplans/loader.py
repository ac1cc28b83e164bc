"""Reading, validating and loading course plan data files (``spejl/courseplans/data/*.json``).

A plan file holds one version of a national course plan. Loading is idempotent: a version that
is already in the database with the same content is left alone, and one with different content
is refused, because a published version never changes (make a new file with the next version).

The loading core takes the model classes as arguments so that a data migration can pass its
historical models (as :func:`spejl.organisations.postcodes.sync_postcodes` does). No personal
data is read or written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

DATA_DIR = Path(__file__).resolve().parent / "data"
NATIONAL_DEFAULT_FILE = DATA_DIR / "national-default.v1.json"

MIN_MEETINGS = 1
MAX_MEETINGS = 20
TITLE_MAX_LENGTH = 200
THEME_MAX_LENGTH = 200
CODE_MAX_LENGTH = 60

# Status values of ``CoursePlanStatus``, repeated so that this module works on historical models.
DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
_PLAN_REQUIRED = ("code", "version", "title_da", "title_en", "meetings")
_PLAN_OPTIONAL = ("description_da", "description_en")
_MEETING_REQUIRED = ("number", "theme_da", "theme_en")
_MEETING_OPTIONAL = ("guide_da", "guide_en", "is_review")


class CoursePlanFileError(ValueError):
    """A plan file is malformed or conflicts with the database; the message names the file and
    the fault."""


@dataclass(frozen=True)
class MeetingData:
    number: int
    theme_da: str
    theme_en: str
    guide_da: str = ""
    guide_en: str = ""
    is_review: bool = False


@dataclass(frozen=True)
class PlanData:
    code: str
    version: int
    title_da: str
    title_en: str
    description_da: str
    description_en: str
    meetings: tuple[MeetingData, ...]


# --- Content hash ---------------------------------------------------------------------------


def plan_content(plan: PlanData) -> dict[str, Any]:
    """The plan's content: what a published version promises never to change.

    Code and version name the content and are left out, so an unchanged copy hashes the same.
    """
    return {
        "title_da": plan.title_da,
        "title_en": plan.title_en,
        "description_da": plan.description_da,
        "description_en": plan.description_en,
        "meetings": [
            {
                "number": m.number,
                "theme_da": m.theme_da,
                "theme_en": m.theme_en,
                "guide_da": m.guide_da,
                "guide_en": m.guide_en,
                "is_review": m.is_review,
            }
            for m in sorted(plan.meetings, key=lambda m: m.number)
        ],
    }


def plan_content_hash(plan: PlanData) -> str:
    """SHA-256 (hex) of the canonical JSON of :func:`plan_content`."""
    canonical = json.dumps(
        plan_content(plan), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plan_data_from_models(plan: Any, meetings: Iterable[Any]) -> PlanData:
    """A :class:`PlanData` of a ``CoursePlan`` row and its ``CoursePlanMeeting`` rows (current
    or historical models)."""
    return PlanData(
        code=plan.code,
        version=plan.version,
        title_da=plan.title_da,
        title_en=plan.title_en,
        description_da=plan.description_da,
        description_en=plan.description_en,
        meetings=tuple(
            MeetingData(
                number=m.number,
                theme_da=m.theme_da,
                theme_en=m.theme_en,
                guide_da=m.guide_da,
                guide_en=m.guide_en,
                is_review=m.is_review,
            )
            for m in meetings
        ),
    )


# --- Reading and validating -----------------------------------------------------------------


def read_plan_file(path: Path) -> PlanData:
    """Read and validate one plan file; raise :class:`CoursePlanFileError` on any fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CoursePlanFileError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise CoursePlanFileError(f"{path.name}: is not UTF-8 text") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CoursePlanFileError(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    return parse_plan(raw, source=path.name)


def parse_plan(raw: object, *, source: str) -> PlanData:
    """Validate the decoded JSON of a plan file. ``source`` names the file in messages."""
    if not isinstance(raw, dict):
        raise CoursePlanFileError(f"{source}: the file must hold one JSON object")
    _check_keys(raw, _PLAN_REQUIRED, _PLAN_OPTIONAL, where=source)
    code = raw["code"]
    if not isinstance(code, str) or not _SLUG.match(code) or len(code) > CODE_MAX_LENGTH:
        raise CoursePlanFileError(
            f"{source}: code must be a slug (letters, digits, '-' or '_') of at most "
            f"{CODE_MAX_LENGTH} characters, not {code!r}"
        )
    version = raw["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CoursePlanFileError(
            f"{source}: version must be a whole number from 1, not {version!r}"
        )
    titles = {
        key: _text(raw, key, where=source, required=True, max_length=TITLE_MAX_LENGTH)
        for key in ("title_da", "title_en")
    }
    descriptions = {
        key: _text(raw, key, where=source, required=False, max_length=None)
        for key in ("description_da", "description_en")
    }
    meetings = _parse_meetings(raw["meetings"], source=source)
    return PlanData(code=code, version=version, meetings=meetings, **titles, **descriptions)


def _parse_meetings(raw: object, *, source: str) -> tuple[MeetingData, ...]:
    if not isinstance(raw, list):
        raise CoursePlanFileError(f"{source}: meetings must be a list")
    if not MIN_MEETINGS <= len(raw) <= MAX_MEETINGS:
        raise CoursePlanFileError(
            f"{source}: a plan needs {MIN_MEETINGS} to {MAX_MEETINGS} meetings, not {len(raw)}"
        )
    meetings: list[MeetingData] = []
    seen: set[int] = set()
    for index, item in enumerate(raw):
        where = f"{source}: meetings[{index}]"
        if not isinstance(item, dict):
            raise CoursePlanFileError(f"{where} must be a JSON object")
        _check_keys(item, _MEETING_REQUIRED, _MEETING_OPTIONAL, where=where)
        number = item["number"]
        if isinstance(number, bool) or not isinstance(number, int):
            raise CoursePlanFileError(f"{where}: number must be a whole number, not {number!r}")
        where = f"{source}: meeting {number}"
        if number in seen:
            raise CoursePlanFileError(f"{where}: the number {number} is used twice")
        seen.add(number)
        is_review = item.get("is_review", False)
        if not isinstance(is_review, bool):
            raise CoursePlanFileError(f"{where}: is_review must be true or false")
        meetings.append(
            MeetingData(
                number=number,
                theme_da=_text(
                    item, "theme_da", where=where, required=True, max_length=THEME_MAX_LENGTH
                ),
                theme_en=_text(
                    item, "theme_en", where=where, required=True, max_length=THEME_MAX_LENGTH
                ),
                guide_da=_text(item, "guide_da", where=where, required=False, max_length=None),
                guide_en=_text(item, "guide_en", where=where, required=False, max_length=None),
                is_review=is_review,
            )
        )
    expected = list(range(1, len(meetings) + 1))
    numbers = [m.number for m in meetings]
    if sorted(numbers) != expected:
        found = ", ".join(str(n) for n in sorted(numbers))
        raise CoursePlanFileError(
            f"{source}: meetings must be numbered 1 to {len(meetings)} without gaps (found {found})"
        )
    return tuple(sorted(meetings, key=lambda m: m.number))


def _check_keys(
    raw: Mapping[str, object], required: tuple[str, ...], optional: tuple[str, ...], *, where: str
) -> None:
    missing = [k for k in required if k not in raw]
    if missing:
        raise CoursePlanFileError(f"{where}: missing key(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(required) - set(optional))
    if unknown:
        raise CoursePlanFileError(f"{where}: unknown key(s): {', '.join(unknown)}")


def _text(
    raw: Mapping[str, object], key: str, *, where: str, required: bool, max_length: int | None
) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise CoursePlanFileError(f"{where}: {key} must be text")
    value = value.strip()
    if required and not value:
        raise CoursePlanFileError(f"{where}: {key} is empty")
    if max_length is not None and len(value) > max_length:
        raise CoursePlanFileError(f"{where}: {key} is longer than {max_length} characters")
    return value


# --- Loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    code: str
    version: int
    created: bool
    status: str

    def __str__(self) -> str:
        what = "loaded" if self.created else "already loaded, unchanged"
        return f"{self.code} v{self.version}: {what} ({self.status})"


def load_plan_file(plan_model: Any, meeting_model: Any, path: Path) -> LoadResult:
    """Read ``path`` and load it with :func:`sync_plan`."""
    return sync_plan(plan_model, meeting_model, read_plan_file(path), source=path.name)


def sync_plan(plan_model: Any, meeting_model: Any, data: PlanData, *, source: str) -> LoadResult:
    """Create the national plan version ``data`` as published, unless it is already there.

    ``plan_model`` and ``meeting_model`` are ``CoursePlan`` and ``CoursePlanMeeting`` (or their
    historical versions). Run it inside a transaction. The same code and version with the same
    content is a no-op; with other content, or as a draft or an organisation's plan, it is
    refused with :class:`CoursePlanFileError`. A newly loaded version supersedes older published
    versions of its code (they become retired); if a newer version is already published, the
    loaded one is stored as retired straight away.
    """
    digest = plan_content_hash(data)
    existing = plan_model.objects.filter(code=data.code, version=data.version).first()
    if existing is not None:
        where = f"{source}: {data.code} v{data.version}"
        if existing.organisation_id is not None:
            raise CoursePlanFileError(f"{where} exists as an organisation's plan")
        if existing.status == DRAFT:
            raise CoursePlanFileError(
                f"{where} exists as a draft in the database; publish it or use the next version"
            )
        stored = plan_data_from_models(
            existing, meeting_model.objects.filter(plan=existing).order_by("number")
        )
        if plan_content_hash(stored) != digest:
            raise CoursePlanFileError(
                f"{where} is already published with other content; a published version "
                f"never changes, so give the file the next version number"
            )
        return LoadResult(data.code, data.version, created=False, status=existing.status)

    same_code = plan_model.objects.filter(code=data.code)
    if same_code.exclude(organisation=None).exists():
        raise CoursePlanFileError(f"{source}: the code {data.code} belongs to an organisation")
    newer_published = same_code.filter(status=PUBLISHED, version__gt=data.version).exists()
    status = RETIRED if newer_published else PUBLISHED
    if status == PUBLISHED:
        same_code.filter(status=PUBLISHED, version__lt=data.version).update(status=RETIRED)
    plan = plan_model.objects.create(
        code=data.code,
        version=data.version,
        organisation=None,
        title_da=data.title_da,
        title_en=data.title_en,
        description_da=data.description_da,
        description_en=data.description_en,
        status=status,
        content_hash=digest,
        published_at=timezone.now(),
    )
    meeting_model.objects.bulk_create(
        [
            meeting_model(
                plan=plan,
                number=m.number,
                theme_da=m.theme_da,
                theme_en=m.theme_en,
                guide_da=m.guide_da,
                guide_en=m.guide_en,
                is_review=m.is_review,
            )
            for m in data.meetings
        ]
    )
    return LoadResult(data.code, data.version, created=True, status=status)


def plan_files(directory: Path = DATA_DIR) -> list[Path]:
    """The plan files shipped in ``directory``, in name order."""
    return sorted(directory.glob("*.json"))
