"""Questionnaire instruments as versioned data files, loaded and validated.

Each instrument (T-ILS, WHO-5, SWEMWBS, the direct loneliness items, …) is one JSON file in
``spejl/instruments/`` named ``<code>.v<version>.json``. A published version is never edited,
only superseded by a new file, so scores can always be traced to the exact wording and rule
that produced them; :func:`content_hash` fingerprints that content.

:func:`load_instrument` checks everything a scoring bug could hide behind — missing keys, both
languages present, duplicate codes, numeric option scores, a known scoring type, a lookup table
that covers every possible raw score, bands inside the score range — and raises
:class:`InstrumentFileError` naming the file and the fault.

Pure Python: no Django import. No personal data: definitions only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, cast

LANGUAGES = ("da", "en")
ITEM_KINDS = ("choice", "text")
#: Codes of instruments and items double as REDCap form and field names: lower-case letters,
#: digits and underscores, starting with a letter; at most 26 characters (REDCap's advice).
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,25}$")
#: The longest answer a free-text item takes, whatever its file says.
TEXT_MAX_LENGTH = 2000
SCORING_TYPES = ("sum", "sum_linear", "lookup", "items")
MISSING_RULES = ("no_score", "prorate", "item_none")
DIRECTIONS = ("lower_is_better", "higher_is_better")

ItemKind = Literal["choice", "text"]
ScoringType = Literal["sum", "sum_linear", "lookup", "items"]
MissingRule = Literal["no_score", "prorate", "item_none"]
Direction = Literal["lower_is_better", "higher_is_better"]


class InstrumentFileError(ValueError):
    """An instrument file that cannot be used; the message names the file and the fault."""


@dataclass(frozen=True)
class Text:
    """Wording in both languages of the service (Danish is the default)."""

    da: str
    en: str


@dataclass(frozen=True)
class Option:
    """One answer option: the number it scores and its label."""

    score: int
    label: Text


@dataclass(frozen=True)
class Item:
    """One question. ``options`` are resolved (the instrument's, unless the item has its own).

    A ``choice`` item is answered by picking an option and is what scoring reads. A ``text``
    item (an open question) has no options, is always optional, takes at most ``max_length``
    characters and is never scored.
    """

    code: str
    text: Text
    options: tuple[Option, ...]
    reversed: bool = False
    translation_pending: bool = False
    kind: ItemKind = "choice"
    max_length: int = 0

    @property
    def is_choice(self) -> bool:
        return self.kind == "choice"

    @property
    def scores(self) -> frozenset[int]:
        return frozenset(option.score for option in self.options)

    @property
    def min_score(self) -> int:
        return min(self.scores)

    @property
    def max_score(self) -> int:
        return max(self.scores)


@dataclass(frozen=True)
class ScoringRule:
    """How item answers become a score.

    ``sum``: the raw sum is the score. ``sum_linear``: raw × ``multiplier``. ``lookup``: the
    score is ``table[raw]``. ``items``: items are reported one by one, never summed.

    Up to ``max_missing`` items may be unanswered; more and the score is ``None``. Within the
    limit, ``on_missing`` says what then: ``no_score`` (only with ``max_missing`` 0),
    ``prorate`` (the mean of the answered items stands in for the missing ones) or
    ``item_none`` (``items`` type: the missing item simply has no score).
    """

    type: ScoringType
    max_missing: int
    on_missing: MissingRule
    multiplier: float | None = None
    table: tuple[tuple[int, float], ...] | None = None
    note: str = ""

    def lookup(self, raw: int) -> float:
        assert self.table is not None  # guaranteed by validation
        return dict(self.table)[raw]


@dataclass(frozen=True)
class Band:
    """A named range of final scores (inclusive at both ends), with its source."""

    code: str
    min: float
    max: float
    label: Text
    source: str

    def contains(self, score: float) -> bool:
        return self.min <= score <= self.max


@dataclass(frozen=True)
class Reliability:
    """The reliability coefficient used for the Reliable Change Index, with its source."""

    statistic: str
    value: float
    source: str


@dataclass(frozen=True)
class Instrument:
    """A validated, immutable questionnaire definition."""

    code: str
    version: int
    title: Text
    instructions: Text
    items: tuple[Item, ...]
    scoring: ScoringRule
    direction: Direction
    bands: tuple[Band, ...]
    reliability: Reliability | None
    enabled_by_default: bool
    licence: str
    attribution: str
    translation_pending: bool = False
    allow_decline: bool = True

    @property
    def scoring_version(self) -> str:
        return f"{self.code}.v{self.version}"

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @property
    def choice_items(self) -> tuple[Item, ...]:
        """The items scoring reads (open questions left out)."""
        return tuple(item for item in self.items if item.is_choice)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"{self.scoring_version} has no item {code!r}")

    @property
    def raw_range(self) -> tuple[int, int]:
        return (
            sum(item.min_score for item in self.choice_items),
            sum(item.max_score for item in self.choice_items),
        )

    @property
    def score_range(self) -> tuple[float, float] | None:
        """The smallest and largest final score; ``None`` for unsummed (``items``) scoring."""
        low, high = self.raw_range
        rule = self.scoring
        if rule.type == "sum":
            return (low, high)
        if rule.type == "sum_linear":
            assert rule.multiplier is not None  # guaranteed by validation
            ends = (low * rule.multiplier, high * rule.multiplier)
            return (min(ends), max(ends))
        if rule.type == "lookup":
            assert rule.table is not None  # guaranteed by validation
            values = [value for raw, value in rule.table if low <= raw <= high]
            return (min(values), max(values))
        return None


def content_hash(instrument: Instrument) -> str:
    """SHA-256 (hex) of the instrument's canonical JSON: same content, same hash."""
    canonical = json.dumps(
        asdict(instrument), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_instrument(path: str | Path) -> Instrument:
    """Read and validate one instrument file; raise :class:`InstrumentFileError` on any fault."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InstrumentFileError(f"{path}: cannot read instrument file: {exc}") from exc
    return _Parser(path).instrument(data)


def instrument_from_data(data: object, source: str | Path) -> Instrument:
    """Validate already-parsed JSON (e.g. a stored copy of a file); ``source`` names it in
    errors and must be the file name the code and version call for."""
    return _Parser(Path(source)).instrument(data)


def load_all(directory: str | Path) -> dict[str, Instrument]:
    """Load every ``*.json`` in ``directory``, keyed by scoring version (``"who5.v1"``)."""
    instruments: dict[str, Instrument] = {}
    for path in sorted(Path(directory).glob("*.json")):
        instrument = load_instrument(path)
        key = instrument.scoring_version
        if key in instruments:
            raise InstrumentFileError(f"{path}: duplicate instrument version {key!r}")
        instruments[key] = instrument
    return instruments


class _Parser:
    """Validating conversion from parsed JSON to dataclasses; every error names the file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, fault: str) -> InstrumentFileError:
        return InstrumentFileError(f"{self.path}: {where}: {fault}")

    def obj(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {type(value).__name__}")
        return cast(Mapping[str, Any], value)

    def key(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data:
            raise self.fail(where, f"missing key {key!r}")
        return data[key]

    def string(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value

    def integer(self, value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"expected an integer, got {value!r}")
        return value

    def number(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"expected a number, got {value!r}")
        return float(value)

    def boolean(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {value!r}")
        return value

    def name(self, value: object, where: str) -> str:
        name = self.string(value, where)
        if not NAME_PATTERN.fullmatch(name):
            raise self.fail(
                where,
                f"{name!r} is not a usable code: lower-case letters, digits and _ only, "
                "starting with a letter, at most 26 characters",
            )
        return name

    def text(self, value: object, where: str) -> Text:
        data = self.obj(value, where)
        for language in LANGUAGES:
            if language not in data:
                raise self.fail(where, f"missing {language!r} text")
        da = self.string(data["da"], f"{where}.da")
        en = self.string(data["en"], f"{where}.en")
        return Text(da=da, en=en)

    def options(self, value: object, where: str) -> tuple[Option, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list of options")
        options: list[Option] = []
        for index, raw in enumerate(value):
            at = f"{where}[{index}]"
            data = self.obj(raw, at)
            score = self.key(data, "score", at)
            if isinstance(score, bool) or not isinstance(score, int):
                raise self.fail(f"{at}.score", f"option score must be an integer, got {score!r}")
            options.append(Option(score=score, label=self.text(self.key(data, "label", at), at)))
        scores = [option.score for option in options]
        if len(set(scores)) != len(scores):
            raise self.fail(where, f"duplicate option scores {scores}")
        return tuple(options)

    def instrument(self, value: object) -> Instrument:
        data = self.obj(value, "file")
        code = self.name(self.key(data, "code", "file"), "code")
        version = self.integer(self.key(data, "version", "file"), "version")
        if version < 1:
            raise self.fail("version", "must be 1 or more")
        expected_name = f"{code}.v{version}.json"
        if self.path.name != expected_name:
            raise self.fail("file name", f"expected {expected_name!r} for this code and version")
        shared = (
            self.options(data["options"], "options") if data.get("options") is not None else None
        )
        items = self.items(self.key(data, "items", "file"), shared)
        reversed_codes = self.key(data, "reversed_items", "file")
        if not isinstance(reversed_codes, list):
            raise self.fail("reversed_items", "expected a list of item codes")
        unknown = [c for c in reversed_codes if c not in {i.code for i in items if i.is_choice}]
        if unknown:
            raise self.fail("reversed_items", f"unknown item codes {unknown}")
        items = tuple(
            Item(
                code=item.code,
                text=item.text,
                options=item.options,
                reversed=item.code in reversed_codes,
                translation_pending=item.translation_pending,
                kind=item.kind,
                max_length=item.max_length,
            )
            for item in items
        )
        direction = self.key(data, "direction", "file")
        if direction not in DIRECTIONS:
            raise self.fail(
                "direction", f"unknown direction {direction!r}; use one of {DIRECTIONS}"
            )
        instrument = Instrument(
            code=code,
            version=version,
            title=self.text(self.key(data, "title", "file"), "title"),
            instructions=self.text(self.key(data, "instructions", "file"), "instructions"),
            items=items,
            scoring=self.scoring(self.key(data, "scoring", "file"), items),
            direction=cast(Direction, direction),
            bands=(),
            reliability=self.reliability(self.key(data, "reliability", "file")),
            enabled_by_default=self.boolean(
                self.key(data, "enabled_by_default", "file"), "enabled_by_default"
            ),
            licence=self.string(self.key(data, "licence", "file"), "licence"),
            attribution=self.string(self.key(data, "attribution", "file"), "attribution"),
            translation_pending=self.boolean(
                data.get("translation_pending", False), "translation_pending"
            ),
            allow_decline=self.boolean(self.key(data, "allow_decline", "file"), "allow_decline"),
        )
        complete_field = f"{code}_complete"
        if complete_field in instrument.item_codes:
            raise self.fail("items", f"item code {complete_field!r} is reserved for REDCap")
        if not instrument.choice_items:
            raise self.fail("items", "an instrument needs at least one item with options")
        bands = self.bands(self.key(data, "bands", "file"), instrument)
        return replace(instrument, bands=bands)

    def items(self, value: object, shared: tuple[Option, ...] | None) -> tuple[Item, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("items", "expected a non-empty list of items")
        items: list[Item] = []
        seen: set[str] = set()
        for index, raw in enumerate(value):
            at = f"items[{index}]"
            data = self.obj(raw, at)
            code = self.name(self.key(data, "code", at), f"{at}.code")
            if code in seen:
                raise self.fail(f"{at}.code", f"duplicate item code {code!r}")
            seen.add(code)
            kind = data.get("kind", "choice")
            if kind not in ITEM_KINDS:
                raise self.fail(
                    f"{at}.kind", f"unknown item kind {kind!r}; use one of {ITEM_KINDS}"
                )
            text = self.text(self.key(data, "text", at), f"{at}.text")
            pending = self.boolean(
                data.get("translation_pending", False), f"{at}.translation_pending"
            )
            if kind == "text":
                if data.get("options") is not None:
                    raise self.fail(f"{at}.options", "an open (text) question has no options")
                max_length = self.integer(self.key(data, "max_length", at), f"{at}.max_length")
                if not 1 <= max_length <= TEXT_MAX_LENGTH:
                    raise self.fail(f"{at}.max_length", f"must be between 1 and {TEXT_MAX_LENGTH}")
                items.append(
                    Item(
                        code=code,
                        text=text,
                        options=(),
                        translation_pending=pending,
                        kind="text",
                        max_length=max_length,
                    )
                )
                continue
            if data.get("options") is not None:
                options = self.options(data["options"], f"{at}.options")
            elif shared is not None:
                options = shared
            else:
                raise self.fail(at, "missing key 'options' (no instrument-level options either)")
            items.append(Item(code=code, text=text, options=options, translation_pending=pending))
        return tuple(items)

    def scoring(self, value: object, items: tuple[Item, ...]) -> ScoringRule:
        data = self.obj(value, "scoring")
        kind = self.key(data, "type", "scoring")
        if kind not in SCORING_TYPES:
            raise self.fail(
                "scoring.type", f"unknown scoring type {kind!r}; use one of {SCORING_TYPES}"
            )
        max_missing = self.integer(self.key(data, "max_missing", "scoring"), "scoring.max_missing")
        scored = sum(1 for item in items if item.is_choice)
        if not 0 <= max_missing <= scored:
            raise self.fail("scoring.max_missing", f"must be between 0 and {scored}")
        on_missing = self.key(data, "on_missing", "scoring")
        if on_missing not in MISSING_RULES:
            raise self.fail(
                "scoring.on_missing", f"unknown rule {on_missing!r}; use one of {MISSING_RULES}"
            )
        if (kind == "items") != (on_missing == "item_none"):
            raise self.fail(
                "scoring.on_missing", "'item_none' goes with, and only with, type 'items'"
            )
        if on_missing == "no_score" and max_missing != 0:
            raise self.fail("scoring.max_missing", "must be 0 when on_missing is 'no_score'")
        if on_missing == "prorate" and max_missing == 0:
            raise self.fail("scoring.max_missing", "must be 1 or more when on_missing is 'prorate'")
        note = data.get("note", "")
        if not isinstance(note, str):
            raise self.fail("scoring.note", "expected a string")
        multiplier: float | None = None
        table: tuple[tuple[int, float], ...] | None = None
        if kind == "sum_linear":
            multiplier = self.number(self.key(data, "multiplier", "scoring"), "scoring.multiplier")
            if multiplier == 0:
                raise self.fail("scoring.multiplier", "must not be 0")
        if kind == "lookup":
            table = self.table(self.key(data, "table", "scoring"), items)
        return ScoringRule(
            type=cast(ScoringType, kind),
            max_missing=max_missing,
            on_missing=cast(MissingRule, on_missing),
            multiplier=multiplier,
            table=table,
            note=note,
        )

    def table(self, value: object, items: tuple[Item, ...]) -> tuple[tuple[int, float], ...]:
        data = self.obj(value, "scoring.table")
        table: dict[int, float] = {}
        for key, score in data.items():
            try:
                raw = int(key)
            except ValueError:
                raise self.fail("scoring.table", f"raw score {key!r} is not an integer") from None
            table[raw] = self.number(score, f"scoring.table[{key!r}]")
        low = sum(item.min_score for item in items if item.is_choice)
        high = sum(item.max_score for item in items if item.is_choice)
        missing = [raw for raw in range(low, high + 1) if raw not in table]
        if missing:
            raise self.fail(
                "scoring.table",
                f"lookup table does not cover raw scores {missing} (raw range {low}–{high})",
            )
        extra = sorted(raw for raw in table if not low <= raw <= high)
        if extra:
            raise self.fail("scoring.table", f"raw scores {extra} are outside {low}–{high}")
        return tuple(sorted(table.items()))

    def bands(self, value: object, instrument: Instrument) -> tuple[Band, ...]:
        if not isinstance(value, list):
            raise self.fail("bands", "expected a list")
        score_range = instrument.score_range
        if value and score_range is None:
            raise self.fail("bands", "unsummed ('items') scoring cannot have bands")
        bands: list[Band] = []
        for index, raw in enumerate(value):
            at = f"bands[{index}]"
            data = self.obj(raw, at)
            band = Band(
                code=self.string(self.key(data, "code", at), f"{at}.code"),
                min=self.number(self.key(data, "min", at), f"{at}.min"),
                max=self.number(self.key(data, "max", at), f"{at}.max"),
                label=self.text(self.key(data, "label", at), f"{at}.label"),
                source=self.string(self.key(data, "source", at), f"{at}.source"),
            )
            assert score_range is not None  # checked above
            low, high = score_range
            if band.min > band.max:
                raise self.fail(at, f"band {band.code!r} has min {band.min} above max {band.max}")
            if band.min < low or band.max > high:
                raise self.fail(
                    at,
                    f"band {band.code!r} ({band.min}–{band.max}) is outside the score range "
                    f"{low}–{high}",
                )
            for other in bands:
                if other.code == band.code:
                    raise self.fail(f"{at}.code", f"duplicate band code {band.code!r}")
                if band.min <= other.max and other.min <= band.max:
                    raise self.fail(at, f"band {band.code!r} overlaps band {other.code!r}")
            bands.append(band)
        return tuple(bands)

    def reliability(self, value: object) -> Reliability | None:
        if value is None:
            return None
        data = self.obj(value, "reliability")
        reliability = Reliability(
            statistic=self.string(
                self.key(data, "statistic", "reliability"), "reliability.statistic"
            ),
            value=self.number(self.key(data, "value", "reliability"), "reliability.value"),
            source=self.string(self.key(data, "source", "reliability"), "reliability.source"),
        )
        if not 0 < reliability.value < 1:
            raise self.fail("reliability.value", "must be between 0 and 1")
        return reliability
