"""Reading, validating and loading consent text files (``spejl/consents/data/*.json``).

A file holds one version of the text for one purpose (``<purpose>.v<version>.json``). Loading is
idempotent: a version that is already in the database with the same content is left alone, and
one with different content is refused, because a published version never changes — people
consented to exactly those words (make a new file with the next version instead).

The loading core takes the model class as an argument so that a data migration can pass its
historical model (as :mod:`spejl.courseplans.loader` does). No personal data is read or written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

DATA_DIR = Path(__file__).resolve().parent / "data"

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000

# Values of ``ConsentPurpose`` and ``ConsentTextStatus``, repeated so that this module works on
# historical models in migrations.
PURPOSES = ("participation", "evaluation", "follow_up")
DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"

_REQUIRED = ("purpose", "version", "title_da", "title_en", "body_da", "body_en")
_FILE_NAME = re.compile(r"^(?P<purpose>[a-z_]+)\.v(?P<version>[0-9]+)\.json\Z")


class ConsentTextFileError(ValueError):
    """A consent text file is malformed or conflicts with the database; the message names the
    file and the fault."""


@dataclass(frozen=True)
class TextData:
    """One version of a consent text. Bodies are plain text, paragraphs separated by a blank
    line."""

    purpose: str
    version: int
    title_da: str
    title_en: str
    body_da: str
    body_en: str


# --- Content hash ---------------------------------------------------------------------------


def normalise_body(body: str) -> str:
    """Paragraphs stripped and separated by exactly one blank line; line ends unified."""
    paragraphs = re.split(r"\n\s*\n", body.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def text_content(text: TextData) -> dict[str, str]:
    """What a published version promises never to change. Purpose and version name the
    content and are left out, so an unchanged copy hashes the same."""
    return {
        "title_da": text.title_da.strip(),
        "title_en": text.title_en.strip(),
        "body_da": normalise_body(text.body_da),
        "body_en": normalise_body(text.body_en),
    }


def text_content_hash(text: TextData) -> str:
    """SHA-256 (hex) of the canonical JSON of :func:`text_content`."""
    canonical = json.dumps(
        text_content(text), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text_data_from_model(text: Any) -> TextData:
    """A :class:`TextData` of a ``ConsentText`` row (current or historical model)."""
    return TextData(
        purpose=text.purpose,
        version=text.version,
        title_da=text.title_da,
        title_en=text.title_en,
        body_da=text.body_da,
        body_en=text.body_en,
    )


# --- Reading and validating -----------------------------------------------------------------


def read_text_file(path: Path) -> TextData:
    """Read and validate one file; raise :class:`ConsentTextFileError` on any fault."""
    try:
        raw_text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConsentTextFileError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConsentTextFileError(f"{path.name}: is not UTF-8 text") from exc
    try:
        raw = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        raise ConsentTextFileError(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    data = parse_text(raw, source=path.name)
    match = _FILE_NAME.match(path.name)
    if match is None or (match["purpose"], int(match["version"])) != (
        data.purpose,
        data.version,
    ):
        raise ConsentTextFileError(
            f"{path.name}: the file must be named {data.purpose}.v{data.version}.json "
            f"after the purpose and version it holds"
        )
    return data


def parse_text(raw: object, *, source: str) -> TextData:
    """Validate the decoded JSON of a consent text file. ``source`` names it in messages.

    Bodies may be one string (paragraphs separated by a blank line) or a list of paragraphs.
    """
    if not isinstance(raw, dict):
        raise ConsentTextFileError(f"{source}: the file must hold one JSON object")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ConsentTextFileError(f"{source}: missing key(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(_REQUIRED))
    if unknown:
        raise ConsentTextFileError(f"{source}: unknown key(s): {', '.join(unknown)}")
    purpose = raw["purpose"]
    if purpose not in PURPOSES:
        raise ConsentTextFileError(
            f"{source}: purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}"
        )
    version = raw["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ConsentTextFileError(
            f"{source}: version must be a whole number from 1, not {version!r}"
        )
    return TextData(
        purpose=purpose,
        version=version,
        title_da=_title(raw, "title_da", source=source),
        title_en=_title(raw, "title_en", source=source),
        body_da=_body(raw, "body_da", source=source),
        body_en=_body(raw, "body_en", source=source),
    )


def _title(raw: Mapping[str, object], key: str, *, source: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise ConsentTextFileError(f"{source}: {key} must be a text that is not empty")
    value = value.strip()
    if len(value) > TITLE_MAX_LENGTH:
        raise ConsentTextFileError(f"{source}: {key} is longer than {TITLE_MAX_LENGTH} characters")
    return value


def _body(raw: Mapping[str, object], key: str, *, source: str) -> str:
    value = raw[key]
    if isinstance(value, list):
        if not all(isinstance(p, str) for p in value):
            raise ConsentTextFileError(f"{source}: {key} must be a list of paragraphs (texts)")
        if any("\n\n" in p.strip() for p in value):
            raise ConsentTextFileError(f"{source}: {key}: a paragraph holds a blank line")
        value = "\n\n".join(value)
    if not isinstance(value, str):
        raise ConsentTextFileError(f"{source}: {key} must be a text or a list of paragraphs")
    body = normalise_body(value)
    if not body:
        raise ConsentTextFileError(f"{source}: {key} is empty")
    if len(body) > BODY_MAX_LENGTH:
        raise ConsentTextFileError(f"{source}: {key} is longer than {BODY_MAX_LENGTH} characters")
    return body


# --- Loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    purpose: str
    version: int
    created: bool
    status: str

    def __str__(self) -> str:
        what = "loaded" if self.created else "already loaded, unchanged"
        return f"{self.purpose} v{self.version}: {what} ({self.status})"


def load_text_file(text_model: Any, path: Path) -> LoadResult:
    """Read ``path`` and load it with :func:`sync_text`."""
    return sync_text(text_model, read_text_file(path), source=path.name)


def sync_text(text_model: Any, data: TextData, *, source: str) -> LoadResult:
    """Create the version ``data`` as published, unless it is already there.

    ``text_model`` is ``ConsentText`` (or its historical version). Run it inside a transaction.
    The same purpose and version with the same content is a no-op; with other content, or when
    that version exists as a draft made in the admin pages, it is refused with
    :class:`ConsentTextFileError`. A newly loaded version supersedes older published versions of
    its purpose; if a newer version is already published, the loaded one is stored as
    superseded straight away.
    """
    digest = text_content_hash(data)
    where = f"{source}: {data.purpose} v{data.version}"
    existing = text_model.objects.filter(purpose=data.purpose, version=data.version).first()
    if existing is not None:
        if existing.status == DRAFT:
            raise ConsentTextFileError(
                f"{where} exists as a draft in the database; publish it or use the next version"
            )
        if text_content_hash(text_data_from_model(existing)) != digest:
            raise ConsentTextFileError(
                f"{where} is already published with other content; a published version "
                f"never changes, so give the file the next version number"
            )
        return LoadResult(data.purpose, data.version, created=False, status=existing.status)

    same_purpose = text_model.objects.filter(purpose=data.purpose)
    newer_published = same_purpose.filter(status=PUBLISHED, version__gt=data.version).exists()
    status = RETIRED if newer_published else PUBLISHED
    if status == PUBLISHED:
        same_purpose.filter(status=PUBLISHED, version__lt=data.version).update(status=RETIRED)
    content = text_content(data)
    text_model.objects.create(
        purpose=data.purpose,
        version=data.version,
        status=status,
        content_hash=digest,
        published_at=timezone.now(),
        **content,
    )
    return LoadResult(data.purpose, data.version, created=True, status=status)


def text_files(directory: Path = DATA_DIR) -> list[Path]:
    """The consent text files shipped in ``directory``, by purpose and then version."""

    def key(path: Path) -> tuple[str, int, str]:
        match = _FILE_NAME.match(path.name)
        return (match["purpose"], int(match["version"]), "") if match else ("", 0, path.name)

    return sorted(directory.glob("*.json"), key=key)


def load_all(text_model: Any, directory: Path = DATA_DIR) -> list[LoadResult]:
    """Load every shipped file, oldest version of each purpose first."""
    return [load_text_file(text_model, path) for path in text_files(directory)]
