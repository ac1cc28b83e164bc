"""Accessible SVG charts for evaluation reports.

Each function returns one ``<svg>`` element as a string, meant to be placed inline in an HTML
page (and so also in the PDF that WeasyPrint renders from it). Hence plain SVG 1.1: presentation
attributes, no CSS, no script, no external resources; text in "DejaVu Sans, sans-serif".

Accessibility, the same in every chart:

- ``role="img"`` with a ``<title>`` and a ``<desc>`` (ids ``<chart_id>-title`` and
  ``<chart_id>-desc``) named by ``aria-labelledby``. The caller writes the description so that it
  carries what the chart shows in words; the title is not drawn (the page shows it as a caption).
- Colours have at least 3:1 contrast against white (:data:`PALETTE`, tested), and no chart
  relies on colour alone: series differ by marker shape and line dash, bar groups by fill
  pattern, and every value is written next to its mark.
- Numbers are formatted by the caller's ``fmt`` (Danish decimal commas, units) and every label
  is passed in already translated; all text is escaped.
- A withheld value (``None``, see :mod:`spejl.core.evaluation.suppression`) is drawn as a dashed,
  unfilled placeholder labelled with ``suppressed_text`` (e.g. "< 5") — never as a zero.

The output is deterministic (same input, same string) and sized by its ``viewBox`` with
``width="100%"``, so it scales to its container. Class names on the marks (``bar``, ``point``,
``whisker``, ``segment``, ``suppressed``, ``legend``) are hooks for tests and styling.

Personal data: none — the charts see aggregates only. Pure Python: no Django import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape  # nosec B406  # escapes SVG output; nothing is parsed

FONT_FAMILY = "DejaVu Sans, sans-serif"
#: Series and part colours, each ≥ 4.5:1 against white (so white text on them is legible too).
PALETTE: tuple[str, ...] = ("#0b5394", "#b45309", "#047857", "#7e22ce", "#9d174d", "#4b5563")
TEXT_COLOUR = "#1a1a1a"
#: Axes and placeholder outlines: 7:1 against white.
AXIS_COLOUR = "#595959"
#: Gridlines are decorative (the values are written out), so they may be faint.
GRID_COLOUR = "#d9d9d9"
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "triangle-down")
DASHES: tuple[str | None, ...] = (None, "6 3", "2 3", "8 3 2 3", "4 4")

WIDTH = 640.0
FONT_SIZE = 12.0
SMALL_FONT_SIZE = 11.0
#: DejaVu Sans averages about 0.6 em per character; used to estimate text widths.
CHAR_EM = 0.6
LEGEND_ROW = 20.0

Fmt = Callable[[float], str]
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class MeanPoint:
    """A mean with its 95 % confidence interval at one wave; ``mean`` None = withheld."""

    label: str
    mean: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Series:
    """One line of means, e.g. all participants or one organisation."""

    name: str
    points: tuple[MeanPoint, ...]


@dataclass(frozen=True)
class Bar:
    """One bar or part; ``value`` None = withheld. ``note`` is written after the value as given
    (also for a withheld value, so it must not contain the withheld number)."""

    label: str
    value: int | float | None
    note: str = ""


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """The WCAG 2.1 contrast ratio between two ``#rrggbb`` colours (1 … 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour_a), luminance(colour_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- SVG building blocks -------------------------------------------------------------------


def _n(x: float) -> str:
    """A coordinate with at most two decimals, for short deterministic output."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attr(value: str) -> str:
    return '"' + escape(value, {'"': "&quot;"}) + '"'


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * CHAR_EM


def _wrap(text: str, width: float, size: float = FONT_SIZE) -> list[str]:
    """Break ``text`` into lines of at most ``width`` (estimated); long words are cut."""
    limit = max(1, int(width / (size * CHAR_EM)))
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > limit:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = FONT_SIZE,
    fill: str = TEXT_COLOUR,
    extra: str = "",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
        f'fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _lines_text(
    x: float, y: float, lines: Sequence[str], *, anchor: str, size: float = FONT_SIZE
) -> str:
    """Several lines, the first baseline at ``y``."""
    step = size * 1.25
    return "".join(
        _text(x, y + k * step, line, anchor=anchor, size=size) for k, line in enumerate(lines)
    )


def _rect(
    x: float, y: float, w: float, h: float, *, fill: str, stroke: str = "", extra: str = ""
) -> str:
    stroke_attrs = f' stroke="{stroke}" stroke-width="1.5"' if stroke else ""
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0.0))}" height="{_n(max(h, 0.0))}" '
        f'fill="{fill}"{stroke_attrs}{extra}/>'
    )


def _line(
    x1: float, y1: float, x2: float, y2: float, *, stroke: str, width: float = 1.0, extra: str = ""
) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
        f'stroke-width="{_n(width)}"{extra}/>'
    )


def _placeholder_width(text: str, minimum: float, size: float = SMALL_FONT_SIZE) -> float:
    return max(minimum, _text_width(text, size) + 8)


def _placeholder(
    cx: float, y: float, w: float, h: float, text: str, *, size: float = SMALL_FONT_SIZE
) -> str:
    """A dashed, unfilled box centred on ``cx`` with ``text`` inside: a withheld value. The box
    grows to fit the text."""
    w = _placeholder_width(text, w, size)
    return (
        '<g class="suppressed">'
        + _rect(
            cx - w / 2, y, w, h, fill="none", stroke=AXIS_COLOUR, extra=' stroke-dasharray="4 3"'
        )
        + _text(cx, y + h / 2 + size * 0.35, text, anchor="middle", size=size)
        + "</g>"
    )


def _svg(
    chart_id: str, height: float, title: str, description: str, body: Sequence[str], defs: str = ""
) -> str:
    if not _ID.match(chart_id):
        raise ValueError(
            f"chart_id must be a plain XML id (letter, then letters, digits, - or _): {chart_id!r}"
        )
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="{chart_id}" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(math.ceil(height))}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family={_attr(FONT_FAMILY)}>'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + "".join(body)
        + "</svg>"
    )


def _marker(shape: str, x: float, y: float, colour: str, r: float = 5.0) -> str:
    common = f' fill="{colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}"{common}/>'
    if shape == "square":
        size = _n(2 * r)
        return f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{size}" height="{size}"{common}/>'
    if shape == "triangle":
        pts = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)]
    elif shape == "triangle-down":
        pts = [(x, y + r * 1.2), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)]
    else:  # diamond
        pts = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    points = " ".join(f"{_n(px)},{_n(py)}" for px, py in pts)
    return f'<polygon points="{points}"{common}/>'


def _patterns(chart_id: str, count: int) -> str:
    """Fill patterns for parts 0 … count − 1: solid, stripes, dots, cross-hatch, … in colour."""
    out = []
    for k in range(count):
        colour = PALETTE[k % len(PALETTE)]
        kind = k % 5
        pid = f"{chart_id}-pattern-{k}"
        if kind == 0:
            continue  # solid fill, no pattern needed
        head = f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="8" height="8"'
        base = f'<rect x="0" y="0" width="8" height="8" fill="{colour}"/>'
        if kind == 1:
            marks = _line(0, 0, 0, 8, stroke="#ffffff", width=3)
            out.append(f'{head} patternTransform="rotate(45)">{base}{marks}</pattern>')
        elif kind == 2:
            marks = '<circle cx="4" cy="4" r="1.8" fill="#ffffff"/>'
            out.append(f"{head}>{base}{marks}</pattern>")
        elif kind == 3:
            marks = _line(0, 4, 8, 4, stroke="#ffffff", width=1.5) + _line(
                4, 0, 4, 8, stroke="#ffffff", width=1.5
            )
            out.append(f'{head} patternTransform="rotate(45)">{base}{marks}</pattern>')
        else:
            marks = _line(0, 4, 8, 4, stroke="#ffffff", width=2.5)
            out.append(f"{head}>{base}{marks}</pattern>")
    return "".join(out)


def _fill(chart_id: str, k: int) -> str:
    """The fill of part ``k``: a plain colour or one of the patterns of :func:`_patterns`."""
    return PALETTE[k % len(PALETTE)] if k % 5 == 0 else f"url(#{chart_id}-pattern-{k})"


LegendItem = tuple[str, float]


def _legend(items: Sequence[LegendItem], top: float) -> tuple[str, float]:
    """Lay out legend items (an SVG fragment drawn from 0,0 and its estimated width) in rows
    that wrap at the chart width; returns the group and its height."""
    x, y = 0.0, top
    parts: list[str] = []
    for fragment, width in items:
        if x > 0 and x + width > WIDTH:
            x, y = 0.0, y + LEGEND_ROW
        parts.append(f'<g transform="translate({_n(x)} {_n(y)})">{fragment}</g>')
        x += width + 16
    height = (y - top + LEGEND_ROW) if items else 0.0
    return '<g class="legend">' + "".join(parts) + "</g>", height


def _legend_item(swatch: str, label: str, swatch_width: float = 24.0) -> LegendItem:
    text = _text(swatch_width + 6, 14, label)
    return swatch + text, swatch_width + 6 + _text_width(label)


def _check_value(value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise ValueError(f"bar values must be finite non-negative numbers, not {value}")


# --- means_chart ---------------------------------------------------------------------------


def _nice_ticks(low: float, high: float) -> list[float]:
    """Tick values for an axis from ``low`` to ``high``: both ends (a score range's ends mean
    something) and the round values between them, a step of 1, 2, 2.5 or 5 × 10^k giving at
    most six intervals; round values too close to an end to be read apart are left out."""
    span = high - low
    magnitude = 10.0 ** math.floor(math.log10(span))
    step = magnitude
    for factor in (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0):
        step = factor * magnitude
        if span / step <= 6:
            break
    ticks = [low]
    value = math.ceil(low / step - 1e-9) * step
    while value < high - step * 0.4:
        if value > low + step * 0.4:
            ticks.append(value)
        value += step
    ticks.append(high)
    # Avoid "-0" and float noise such as 0.30000000000000004 reaching the caller's fmt.
    return [round(t, 10) + 0.0 for t in ticks]


def means_chart(
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    y_label: str,
    y_min: float,
    y_max: float,
    fmt: Fmt,
    suppressed_text: str,
    chart_id: str,
) -> str:
    """Means with 95 % confidence-interval whiskers per wave, one line per series.

    The waves are the points' labels in order of first appearance across the series. Series
    differ by colour, marker shape and line dash, with a legend; each mean is written next to
    its marker. A withheld point is a placeholder — with its series' marker — in a strip under
    the axis, never a point on the scale; the series' line is broken there. Values outside
    ``y_min`` … ``y_max`` are drawn at the edge (their written value stays true).
    """
    if not (math.isfinite(y_min) and math.isfinite(y_max) and y_max > y_min):
        raise ValueError("y_max must be greater than y_min")
    labels: list[str] = []
    for s in series:
        for p in s.points:
            if p.mean is not None and not math.isfinite(p.mean):
                raise ValueError(f"a mean must be a finite number or None, not {p.mean}")
            if p.label not in labels:
                labels.append(p.label)

    def style(k: int) -> tuple[str, str, str]:
        dash = DASHES[k % len(DASHES)]
        return (
            PALETTE[k % len(PALETTE)],
            MARKERS[k % len(MARKERS)],
            f' stroke-dasharray="{dash}"' if dash else "",
        )

    legend_items = []
    for k, s in enumerate(series):
        colour, shape, dash_attr = style(k)
        swatch = _line(0, 10, 24, 10, stroke=colour, width=2, extra=dash_attr)
        legend_items.append(_legend_item(swatch + _marker(shape, 12, 10, colour), s.name))
    legend, legend_height = _legend(legend_items, 0.0)

    tick_values = _nice_ticks(y_min, y_max)
    tick_width = max(_text_width(fmt(v), SMALL_FONT_SIZE) for v in tick_values)
    left = 22 + tick_width + 8
    right = 48.0
    top = legend_height + 12
    plot_h = 240.0
    plot_w = WIDTH - left - right
    bottom = top + plot_h

    def y_of(value: float) -> float:
        clamped = min(max(value, y_min), y_max)
        return bottom - (clamped - y_min) / (y_max - y_min) * plot_h

    body = [legend]
    for v in tick_values:
        y = y_of(v)
        body.append(_line(left, y, left + plot_w, y, stroke=GRID_COLOUR))
        body.append(_text(left - 6, y + 4, fmt(v), anchor="end", size=SMALL_FONT_SIZE))
    body.append(_line(left, top, left, bottom, stroke=AXIS_COLOUR))
    body.append(_line(left, bottom, left + plot_w, bottom, stroke=AXIS_COLOUR))
    cy = (top + bottom) / 2
    rotate = f' transform="rotate(-90 12 {_n(cy)})"'
    body.append(_text(12, cy, y_label, anchor="middle", extra=rotate))

    # One strip row under the axis for each series with a withheld point.
    strip_rows: dict[int, int] = {}
    for k, s in enumerate(series):
        if any(p.mean is None for p in s.points):
            strip_rows[k] = len(strip_rows)
    strip_h = len(strip_rows) * 24.0

    slot = plot_w / len(labels) if labels else plot_w
    label_top = bottom + strip_h + 18
    label_lines = [_wrap(label, slot - 8) for label in labels]
    for i, lines in enumerate(label_lines):
        body.append(_lines_text(left + slot * (i + 0.5), label_top, lines, anchor="middle"))
    height = label_top + max((len(lines) for lines in label_lines), default=1) * 15 + 8

    count = len(series)
    spread = min(slot * 0.5 / max(count, 1), 28.0)
    for k, s in enumerate(series):
        colour, shape, dash_attr = style(k)
        offset = (k - (count - 1) / 2) * spread
        # Values are written on the outer side of each series so neighbours do not collide.
        label_dx, label_anchor = (-9.0, "end") if offset < 0 else (9.0, "start")
        segment: list[tuple[float, float]] = []
        paths: list[list[tuple[float, float]]] = []
        marks: list[str] = []
        by_label = {p.label: p for p in s.points}
        for i, label in enumerate(labels):
            x = left + slot * (i + 0.5) + offset
            point = by_label.get(label)
            if point is None or point.mean is None:
                if len(segment) > 1:
                    paths.append(segment)
                segment = []
                if point is not None:
                    marks.append(
                        _point_placeholder(
                            x, bottom + 4 + strip_rows[k] * 24, shape, colour, suppressed_text
                        )
                    )
                continue
            y = y_of(point.mean)
            segment.append((x, y))
            # An interval that could not be computed (None or NaN) is simply not drawn.
            if (
                point.low is not None
                and point.high is not None
                and math.isfinite(point.low)
                and math.isfinite(point.high)
            ):
                y_low, y_high = y_of(point.low), y_of(point.high)
                marks.append(
                    '<g class="whisker">'
                    + _line(x, y_low, x, y_high, stroke=colour, width=1.5)
                    + _line(x - 5, y_low, x + 5, y_low, stroke=colour, width=1.5)
                    + _line(x - 5, y_high, x + 5, y_high, stroke=colour, width=1.5)
                    + "</g>"
                )
            marks.append(f'<g class="point">{_marker(shape, x, y, colour)}</g>')
            marks.append(
                _text(
                    x + label_dx, y - 6, fmt(point.mean), anchor=label_anchor, size=SMALL_FONT_SIZE
                )
            )
        if len(segment) > 1:
            paths.append(segment)
        for path in paths:
            points = " ".join(f"{_n(px)},{_n(py)}" for px, py in path)
            body.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}/>'
            )
        body.extend(marks)
    return _svg(chart_id, height, title, description, body)


def _point_placeholder(cx: float, y: float, shape: str, colour: str, text: str) -> str:
    """A withheld mean: a dashed box with the series' marker and ``text``."""
    w = _text_width(text, SMALL_FONT_SIZE) + 26
    x = cx - w / 2
    return (
        '<g class="suppressed">'
        + _rect(x, y, w, 20, fill="none", stroke=AXIS_COLOUR, extra=' stroke-dasharray="4 3"')
        + _marker(shape, x + 10, y + 10, colour, r=4)
        + _text(x + 19, y + 14, text, size=SMALL_FONT_SIZE)
        + "</g>"
    )


# --- bar_chart -----------------------------------------------------------------------------


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    value_label: str,
    fmt: Fmt,
    suppressed_text: str,
    chart_id: str,
    horizontal: bool = True,
    max_value: float | None = None,
) -> str:
    """Bars from zero, one per item (the way in, attendance, RCI categories), each labelled
    with its value and note; ``max_value`` fixes the scale (default: the largest value), so
    charts side by side can share one. ``value_label`` names the unit under the bars."""
    for bar in bars:
        _check_value(bar.value)
    known = [float(b.value) for b in bars if b.value is not None]
    scale_max = max_value if max_value is not None else max(known, default=0.0)
    if horizontal:
        return _horizontal_bars(
            bars, title, description, value_label, fmt, suppressed_text, chart_id, scale_max
        )
    return _vertical_bars(
        bars, title, description, value_label, fmt, suppressed_text, chart_id, scale_max
    )


def _value_text(bar: Bar, fmt: Fmt, suppressed_text: str) -> str:
    shown = suppressed_text if bar.value is None else fmt(bar.value)
    return f"{shown} {bar.note}".rstrip() if bar.note else shown


def _length(value: float, scale_max: float, span: float) -> float:
    return 0.0 if scale_max <= 0 else min(value / scale_max, 1.0) * span


def _horizontal_bars(
    bars: Sequence[Bar],
    title: str,
    description: str,
    value_label: str,
    fmt: Fmt,
    suppressed_text: str,
    chart_id: str,
    scale_max: float,
) -> str:
    label_w = min(max((_text_width(b.label) for b in bars), default=0.0) + 12, WIDTH * 0.4)
    value_w = min(
        max(
            (_text_width(_value_text(b, fmt, suppressed_text), SMALL_FONT_SIZE) for b in bars),
            default=0.0,
        )
        + 12,
        WIDTH * 0.3,
    )
    left = label_w
    span = WIDTH - label_w - value_w
    bar_h = 18.0
    y = 8.0
    body: list[str] = []
    for bar in bars:
        lines = _wrap(bar.label, label_w - 12)
        row_h = max(bar_h + 10, len(lines) * 15 + 8)
        bar_y = y + (row_h - bar_h) / 2
        text_y = bar_y + bar_h / 2 - (len(lines) - 1) * 7.5 + 4
        body.append(_lines_text(label_w - 8, text_y, lines, anchor="end"))
        if bar.value is None:
            width = _placeholder_width(suppressed_text, 44)
            body.append(_placeholder(left + width / 2, bar_y, width, bar_h, suppressed_text))
            end = left + width
            if bar.note:
                body.append(_text(end + 6, bar_y + bar_h / 2 + 4, bar.note, size=SMALL_FONT_SIZE))
        else:
            length = _length(float(bar.value), scale_max, span)
            body.append(_rect(left, bar_y, length, bar_h, fill=PALETTE[0], extra=' class="bar"'))
            body.append(
                _text(
                    left + length + 6,
                    bar_y + bar_h / 2 + 4,
                    _value_text(bar, fmt, suppressed_text),
                    size=SMALL_FONT_SIZE,
                )
            )
        y += row_h
    body.append(_line(left, 4, left, y + 4, stroke=AXIS_COLOUR))
    body.append(_text(left, y + 22, value_label, size=SMALL_FONT_SIZE))
    return _svg(chart_id, y + 32, title, description, body)


def _vertical_bars(
    bars: Sequence[Bar],
    title: str,
    description: str,
    value_label: str,
    fmt: Fmt,
    suppressed_text: str,
    chart_id: str,
    scale_max: float,
) -> str:
    top, plot_h, left, right = 32.0, 200.0, 8.0, 8.0
    bottom = top + plot_h
    slot = (WIDTH - left - right) / max(len(bars), 1)
    bar_w = min(slot * 0.6, 56.0)
    body = [_text(left, 14, value_label, size=SMALL_FONT_SIZE)]
    label_lines = [_wrap(bar.label, slot - 6) for bar in bars]
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        if bar.value is None:
            body.append(_placeholder(cx, bottom - 22, bar_w, 22, suppressed_text))
            if bar.note:
                body.append(_text(cx, bottom - 28, bar.note, anchor="middle", size=SMALL_FONT_SIZE))
        else:
            length = _length(float(bar.value), scale_max, plot_h)
            body.append(
                _rect(
                    cx - bar_w / 2,
                    bottom - length,
                    bar_w,
                    length,
                    fill=PALETTE[0],
                    extra=' class="bar"',
                )
            )
            body.append(
                _text(
                    cx,
                    bottom - length - 6,
                    _value_text(bar, fmt, suppressed_text),
                    anchor="middle",
                    size=SMALL_FONT_SIZE,
                )
            )
        body.append(_lines_text(cx, bottom + 18, label_lines[i], anchor="middle"))
    body.append(_line(left, bottom, WIDTH - right, bottom, stroke=AXIS_COLOUR))
    height = bottom + 18 + max((len(lines) for lines in label_lines), default=1) * 15 + 8
    return _svg(chart_id, height, title, description, body)


# --- paired_distribution_chart -------------------------------------------------------------


def paired_distribution_chart(
    categories: Sequence[str],
    before: Sequence[int | None],
    after: Sequence[int | None],
    *,
    before_label: str,
    after_label: str,
    title: str,
    description: str,
    fmt: Fmt,
    suppressed_text: str,
    chart_id: str,
) -> str:
    """Grouped bars of the distribution of scores before and after (counts per score band).

    "Before" bars are solid, "after" bars hatched and in another colour, with a legend; every
    count is written above its bar. The three sequences must have the same length.
    """
    if not len(categories) == len(before) == len(after):
        raise ValueError("categories, before and after must have the same length")
    for value in (*before, *after):
        _check_value(value)
    defs = _patterns(chart_id, 2)
    fills = (_fill(chart_id, 0), _fill(chart_id, 1))
    legend, legend_h = _legend(
        [
            _legend_item(_rect(0, 3, 24, 14, fill=fills[0], stroke=PALETTE[0]), before_label),
            _legend_item(_rect(0, 3, 24, 14, fill=fills[1], stroke=PALETTE[1]), after_label),
        ],
        0.0,
    )
    top = legend_h + 24
    plot_h = 200.0
    bottom = top + plot_h
    left, right = 8.0, 8.0
    slot = (WIDTH - left - right) / max(len(categories), 1)
    bar_w = min(slot * 0.36, 44.0)
    known = [v for v in (*before, *after) if v is not None]
    scale_max = float(max(known, default=0))
    body = [legend]
    label_lines = [_wrap(c, slot - 6) for c in categories]
    for i, category_lines in enumerate(label_lines):
        centre = left + slot * (i + 0.5)
        for k, value in enumerate((before[i], after[i])):
            cx = centre + (k - 0.5) * (bar_w + 3)
            if value is None:
                body.append(_placeholder(cx, bottom - 22, bar_w, 22, suppressed_text, size=10))
                continue
            length = _length(float(value), scale_max, plot_h)
            body.append(
                _rect(
                    cx - bar_w / 2,
                    bottom - length,
                    bar_w,
                    length,
                    fill=fills[k],
                    stroke=PALETTE[k],
                    extra=' class="bar"',
                )
            )
            body.append(_text(cx, bottom - length - 5, fmt(value), anchor="middle", size=10))
        body.append(_lines_text(centre, bottom + 18, category_lines, anchor="middle"))
    body.append(_line(left, bottom, WIDTH - right, bottom, stroke=AXIS_COLOUR))
    height = bottom + 18 + max((len(lines) for lines in label_lines), default=1) * 15 + 8
    return _svg(chart_id, height, title, description, body, defs)


# --- stacked_share_chart -------------------------------------------------------------------


def stacked_share_chart(
    parts: Sequence[Bar],
    *,
    title: str,
    description: str,
    fmt: Fmt,
    suppressed_text: str,
    chart_id: str,
    total: float | None = None,
) -> str:
    """One 100 % bar split into parts (improved / unchanged / deteriorated) with a legend.

    Each part's width is its value over the whole: ``total`` if given (e.g. *n*), else the sum
    of the values. Withheld parts are drawn together as one placeholder at the place of the
    first of them, as wide as ``total`` minus the shown parts (a width that follows from the
    published numbers anyway); without ``total`` the whole bar becomes a placeholder, since the
    shares are unknown. Parts differ by colour and fill pattern; the legend lists every part
    with its value (or ``suppressed_text``) and note, in order.
    """
    for part in parts:
        _check_value(part.value)
    known = sum(float(p.value) for p in parts if p.value is not None)
    any_withheld = any(p.value is None for p in parts)
    if total is not None and total < known:
        raise ValueError("total is smaller than the sum of the shown parts")
    whole = total if total is not None else (None if any_withheld else known)

    defs = _patterns(chart_id, len(parts))
    bar_y, bar_h, left = 8.0, 36.0, 0.0
    span = WIDTH - left
    body: list[str] = []
    if whole is None:
        body.append(_placeholder(left + span / 2, bar_y, span, bar_h, suppressed_text))
    elif whole <= 0:
        body.append(
            _rect(left, bar_y, span, bar_h, fill="none", stroke=AXIS_COLOUR, extra=' class="empty"')
        )
    else:
        x = left
        placed_withheld = False
        for k, part in enumerate(parts):
            if part.value is None:
                if placed_withheld:
                    continue
                placed_withheld = True
                width = (whole - known) / whole * span
                # Drawn at its true width; the text goes under the bar when it does not fit.
                fits = width >= _text_width(suppressed_text, SMALL_FONT_SIZE) + 8
                text_y = bar_y + bar_h / 2 + 4 if fits else bar_y + bar_h + 16
                body.append(
                    '<g class="suppressed">'
                    + _rect(
                        x,
                        bar_y,
                        width,
                        bar_h,
                        fill="none",
                        stroke=AXIS_COLOUR,
                        extra=' stroke-dasharray="4 3"',
                    )
                    + _text(
                        x + width / 2,
                        text_y,
                        suppressed_text,
                        anchor="middle",
                        size=SMALL_FONT_SIZE,
                    )
                    + "</g>"
                )
                x += width
                continue
            width = float(part.value) / whole * span
            colour = PALETTE[k % len(PALETTE)]
            body.append(
                _rect(
                    x,
                    bar_y,
                    width,
                    bar_h,
                    fill=_fill(chart_id, k),
                    stroke=colour,
                    extra=' class="segment"',
                )
            )
            text = fmt(part.value)
            if width >= _text_width(text, SMALL_FONT_SIZE) + 4:
                body.append(
                    _text(
                        x + width / 2,
                        bar_y + bar_h + 16,
                        text,
                        anchor="middle",
                        size=SMALL_FONT_SIZE,
                    )
                )
            x += width
    items = []
    for k, part in enumerate(parts):
        swatch = (
            _rect(0, 3, 24, 14, fill="none", stroke=AXIS_COLOUR, extra=' stroke-dasharray="4 3"')
            if part.value is None
            else _rect(0, 3, 24, 14, fill=_fill(chart_id, k), stroke=PALETTE[k % len(PALETTE)])
        )
        items.append(
            _legend_item(swatch, f"{part.label}: {_value_text(part, fmt, suppressed_text)}")
        )
    # One legend entry per row: parts are few and their labels may be long.
    legend_top = bar_y + bar_h + 28
    legend_parts = []
    for k, (fragment, _) in enumerate(items):
        legend_parts.append(
            f'<g transform="translate(0 {_n(legend_top + k * LEGEND_ROW)})">{fragment}</g>'
        )
    body.append('<g class="legend">' + "".join(legend_parts) + "</g>")
    height = legend_top + len(items) * LEGEND_ROW + 8
    return _svg(chart_id, height, title, description, body, defs)
