"""Tests for the accessible SVG charts in :mod:`spejl.core.evaluation.charts`."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable

import pytest

from spejl.core.evaluation.charts import (
    AXIS_COLOUR,
    FONT_FAMILY,
    PALETTE,
    TEXT_COLOUR,
    Bar,
    MeanPoint,
    Series,
    bar_chart,
    contrast_ratio,
    means_chart,
    paired_distribution_chart,
    stacked_share_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
WHITE = "#ffffff"


def fmt(value: float) -> str:
    """Danish decimal comma, as the report layer will pass it."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own output, not untrusted input


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == name]


def placeholder_texts(root: ET.Element) -> list[str]:
    return [
        "".join(t.itertext()) for g in by_class(root, "suppressed") for t in g.iter(f"{SVG}text")
    ]


def means(chart_id: str = "m", series: list[Series] | None = None) -> str:
    if series is None:
        series = [
            Series(
                "Alle",
                (
                    MeanPoint("T0", 6.8, 6.5, 7.1),
                    MeanPoint("T1", 5.9, 5.5, 6.3),
                    MeanPoint("T2", 5.6, 5.1, 6.1),
                ),
            ),
            Series(
                "Forening A",
                (
                    MeanPoint("T0", 7.1, 6.4, 7.8),
                    MeanPoint("T1", None, None, None),
                    MeanPoint("T2", 6.0, 5.0, 7.0),
                ),
            ),
        ]
    return means_chart(
        series,
        title="T-ILS over tid",
        description="Gennemsnitlig ensomhed falder fra T0 til T2.",
        y_label="T-ILS (3–9)",
        y_min=3,
        y_max=9,
        fmt=fmt,
        suppressed_text="< 5",
        chart_id=chart_id,
    )


def bars(items: list[Bar], chart_id: str = "b", **kwargs: object) -> str:
    return bar_chart(
        items,
        title="Vejen ind",
        description="Antal personer i hvert trin.",
        value_label="Antal personer",
        fmt=fmt,
        suppressed_text="< 5",
        chart_id=chart_id,
        **kwargs,  # type: ignore[arg-type]
    )


def paired(
    before: list[int | None],
    after: list[int | None],
    chart_id: str = "p",
    cats: list[str] | None = None,
) -> str:
    return paired_distribution_chart(
        cats if cats is not None else [f"{i}" for i in range(len(before))],
        before,
        after,
        before_label="Før",
        after_label="Efter",
        title="Fordeling",
        description="Antal personer pr. scoreinterval før og efter.",
        fmt=fmt,
        suppressed_text="< 5",
        chart_id=chart_id,
    )


def stacked(parts: list[Bar], chart_id: str = "s", total: float | None = None) -> str:
    return stacked_share_chart(
        parts,
        title="Pålidelig ændring",
        description="Andel forbedret, uændret og forværret.",
        fmt=fmt,
        suppressed_text="< 5",
        chart_id=chart_id,
        total=total,
    )


ALL_CHARTS: dict[str, Callable[[str], str]] = {
    "means": lambda cid: means(cid),
    "bars": lambda cid: bars([Bar("Henvendelser", 120), Bar("Startet", 60, "(50 %)")], cid),
    "columns": lambda cid: bars(
        [Bar("Forbedret", 30), Bar("Uændret", None)], cid, horizontal=False
    ),
    "paired": lambda cid: paired([10, 20, None], [25, None, 12], cid),
    "stacked": lambda cid: stacked(
        [Bar("Forbedret", 30), Bar("Uændret", 20), Bar("Forværret", 10)], cid
    ),
}


# --- accessibility and well-formedness -----------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ALL_CHARTS))
def test_every_chart_is_an_image_named_by_its_title_and_description(kind: str) -> None:
    root = parse(ALL_CHARTS[kind]("chart-1"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-1-title chart-1-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "chart-1-title" and title.text
    assert desc is not None and desc.get("id") == "chart-1-desc" and desc.text
    assert root.get("width") == "100%"
    assert (root.get("viewBox") or "").startswith("0 0 ")
    assert root.get("font-family") == FONT_FAMILY


@pytest.mark.parametrize("kind", sorted(ALL_CHARTS))
def test_charts_use_no_script_css_or_external_references(kind: str) -> None:
    svg = ALL_CHARTS[kind]("c")
    root = parse(svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "style", "foreignObject", "image", "a"}
    assert "var(" not in svg
    assert not any(el.get("style") for el in root.iter())
    # Every url(#…) points to a pattern defined in the same chart.
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        fill = el.get("fill") or ""
        if fill.startswith("url("):
            assert fill[5:-1] in ids


def test_the_same_input_gives_the_same_svg() -> None:
    assert means("m") == means("m")
    assert paired([1, 2], [3, None]) == paired([1, 2], [3, None])


def test_ids_of_two_charts_on_one_page_do_not_collide() -> None:
    page = "<div>" + paired([10, 20], [5, 30], "p1") + paired([10, 20], [5, 30], "p2") + "</div>"
    ids = [el.get("id") for el in parse(page).iter() if el.get("id")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("bad", ["", "1chart", "a b", 'x"y', "a<b"])
def test_a_chart_id_that_is_not_a_plain_xml_id_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="chart_id"):
        bars([Bar("a", 1)], bad)


def test_labels_with_markup_are_escaped_not_interpreted() -> None:
    evil = '<script>alert("x")</script> & Co'
    svgs = [
        means(series=[Series(evil, (MeanPoint(evil, 5.0, 4.0, 6.0),))]),
        bars([Bar(evil, 3, note=evil)]),
        paired([1], [2], cats=[evil]),
        stacked([Bar(evil, 1)]),
        stacked_share_chart(
            [Bar("a", 1)], title=evil, description=evil, fmt=fmt, suppressed_text=evil, chart_id="e"
        ),
    ]
    for svg in svgs:
        root = parse(svg)
        assert not any(el.tag.endswith("script") for el in root.iter())
        title, desc = root.findtext(f"{SVG}title") or "", root.findtext(f"{SVG}desc") or ""
        everything = [*texts(root), title, desc]
        assert any(evil in t for t in everything)


def test_palette_axes_and_text_have_enough_contrast_against_white() -> None:
    for colour in (*PALETTE, AXIS_COLOUR):
        assert contrast_ratio(colour, WHITE) >= 3.0, colour
    assert contrast_ratio(TEXT_COLOUR, WHITE) >= 4.5
    assert contrast_ratio("#000000", WHITE) == pytest.approx(21.0)
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)


def test_means_series_differ_by_marker_shape_not_only_colour() -> None:
    root = parse(means())
    legend = by_class(root, "legend")[0]
    shapes = [
        tuple(sorted(child.tag for child in item if child.tag != f"{SVG}text")) for item in legend
    ]
    assert len(shapes) == 2 and shapes[0] != shapes[1]


def test_after_bars_are_patterned_so_before_and_after_differ_without_colour() -> None:
    root = parse(paired([10, 20], [15, 25]))
    fills = [el.get("fill") for el in by_class(root, "bar")]
    assert fills[0] == fills[2] and not (fills[0] or "").startswith("url(")
    assert fills[1] == fills[3] and (fills[1] or "").startswith("url(#p-pattern-")


def test_parts_of_a_stacked_bar_have_different_fills() -> None:
    root = parse(stacked([Bar("a", 1), Bar("b", 1), Bar("c", 1), Bar("d", 1), Bar("e", 1)]))
    fills = [el.get("fill") for el in by_class(root, "segment")]
    assert len(set(fills)) == 5


# --- values, formatting, suppression -------------------------------------------------------


def test_means_are_written_with_the_callers_number_format() -> None:
    all_text = texts(parse(means()))
    assert {"6,8", "5,9", "5,6", "7,1", "6"} <= set(all_text)
    assert "6.8" not in all_text


def test_a_withheld_mean_is_a_labelled_placeholder_not_a_point() -> None:
    root = parse(means())
    assert placeholder_texts(root) == ["< 5"]
    assert len(by_class(root, "point")) == 5  # 3 + 2 shown means
    assert len(by_class(root, "whisker")) == 5


def test_whiskers_span_the_confidence_interval_on_the_scale() -> None:
    root = parse(means(series=[Series("Alle", (MeanPoint("T0", 6.0, 4.0, 8.0),))]))
    whisker = by_class(root, "whisker")[0]
    vertical = next(iter(whisker))
    y1, y2 = float(vertical.get("y1") or 0), float(vertical.get("y2") or 0)
    # Ticks: one per score 3 … 9; the CI 4 … 8 spans four of the six intervals.
    grid = sorted(
        float(el.get("y1") or 0) for el in root.iter(f"{SVG}line") if el.get("stroke") == "#d9d9d9"
    )
    step = (grid[-1] - grid[0]) / 6
    assert abs(y1 - y2) == pytest.approx(4 * step)


def test_a_withheld_bar_is_a_labelled_placeholder_never_a_zero() -> None:
    for horizontal in (True, False):
        root = parse(
            bars([Bar("Henvendelser", 40), Bar("Gennemført", None)], horizontal=horizontal)
        )
        assert placeholder_texts(root) == ["< 5"]
        assert len(by_class(root, "bar")) == 1
        assert "0" not in texts(root)


def test_a_withheld_count_in_the_paired_chart_is_a_placeholder() -> None:
    root = parse(paired([10, None], [None, 30]))
    assert placeholder_texts(root) == ["< 5", "< 5"]
    assert len(by_class(root, "bar")) == 2


def test_withheld_parts_of_a_stacked_bar_fill_the_rest_of_the_known_total() -> None:
    root = parse(
        stacked([Bar("Forbedret", 30), Bar("Uændret", None), Bar("Forværret", 10)], total=60)
    )
    segments = [float(el.get("width") or 0) for el in by_class(root, "segment")]
    holder = by_class(root, "suppressed")[0]
    hole = float(next(iter(holder)).get("width") or 0)
    whole = sum(segments) + hole
    assert segments[0] / whole == pytest.approx(30 / 60, abs=1e-3)
    assert hole / whole == pytest.approx(20 / 60, abs=1e-3)
    legend = texts(by_class(root, "legend")[0])
    assert legend == ["Forbedret: 30", "Uændret: < 5", "Forværret: 10"]


def test_without_a_total_a_stacked_bar_with_withheld_parts_is_one_placeholder() -> None:
    root = parse(stacked([Bar("Forbedret", 30), Bar("Uændret", None)]))
    assert by_class(root, "segment") == []
    assert placeholder_texts(root) == ["< 5"]


# --- scale ---------------------------------------------------------------------------------


def test_a_horizontal_bar_twice_the_value_is_twice_as_long() -> None:
    root = parse(bars([Bar("a", 10), Bar("b", 20), Bar("c", 5)]))
    widths = [float(el.get("width") or 0) for el in by_class(root, "bar")]
    assert widths[1] == pytest.approx(2 * widths[0], abs=0.02)
    assert widths[0] == pytest.approx(2 * widths[2], abs=0.02)


def test_a_vertical_bar_twice_the_value_is_twice_as_tall() -> None:
    root = parse(bars([Bar("a", 10), Bar("b", 20)], horizontal=False))
    heights = [float(el.get("height") or 0) for el in by_class(root, "bar")]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)


def test_a_fixed_maximum_sets_the_scale() -> None:
    root = parse(bars([Bar("a", 50), Bar("b", 100)], max_value=200))
    widths = [float(el.get("width") or 0) for el in by_class(root, "bar")]
    full = parse(bars([Bar("a", 200)], max_value=200))
    full_width = float(by_class(full, "bar")[0].get("width") or 0)
    assert widths == pytest.approx([full_width / 4, full_width / 2], abs=0.02)


def test_paired_bars_share_one_scale() -> None:
    root = parse(paired([10, 40], [20, 5]))
    heights = [float(el.get("height") or 0) for el in by_class(root, "bar")]
    assert heights == pytest.approx(
        [heights[2] / 4, heights[2] / 2, heights[2], heights[2] / 8], abs=0.02
    )


def test_stacked_parts_are_proportional_to_their_values() -> None:
    root = parse(stacked([Bar("a", 30), Bar("b", 15), Bar("c", 15)]))
    widths = [float(el.get("width") or 0) for el in by_class(root, "segment")]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.02)
    assert widths[1] == pytest.approx(widths[2], abs=0.02)


# --- edge cases ----------------------------------------------------------------------------


def test_empty_and_all_withheld_input_draws_without_errors() -> None:
    cases = [
        means(series=[]),
        means(series=[Series("Alle", ())]),
        means(
            series=[
                Series(
                    "Alle", (MeanPoint("T0", None, None, None), MeanPoint("T1", None, None, None))
                )
            ]
        ),
        bars([]),
        bars([], horizontal=False),
        bars([Bar("a", None), Bar("b", None)]),
        bars([Bar("a", 0), Bar("b", 0)]),
        paired([], []),
        paired([None, None], [None, None]),
        stacked([]),
        stacked([Bar("a", None), Bar("b", None)]),
        stacked([Bar("a", None), Bar("b", None)], total=12),
        stacked([Bar("a", 0), Bar("b", 0)]),
    ]
    for svg in cases:
        root = parse(svg)
        assert root.get("role") == "img"
    assert placeholder_texts(parse(cases[2])) == ["< 5", "< 5"]
    assert placeholder_texts(parse(cases[5])) == ["< 5", "< 5"]
    assert placeholder_texts(parse(cases[8])) == ["< 5"] * 4


def test_a_mean_without_a_computable_interval_is_drawn_without_whisker() -> None:
    root = parse(
        means(
            series=[
                Series(
                    "Alle",
                    (MeanPoint("T0", 6.0, None, None), MeanPoint("T1", 5.0, float("nan"), 6.0)),
                )
            ]
        )
    )
    assert len(by_class(root, "point")) == 2
    assert by_class(root, "whisker") == []


def test_means_outside_the_axis_are_drawn_at_the_edge_with_their_true_value() -> None:
    root = parse(means(series=[Series("Alle", (MeanPoint("T0", 12.0, 10.0, 14.0),))]))
    assert "12" in texts(root)


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="y_max"):
        means_chart(
            [],
            title="t",
            description="d",
            y_label="y",
            y_min=5,
            y_max=5,
            fmt=fmt,
            suppressed_text="< 5",
            chart_id="m",
        )
    with pytest.raises(ValueError, match="non-negative"):
        bars([Bar("a", -1)])
    with pytest.raises(ValueError, match="finite"):
        bars([Bar("a", float("inf"))])
    with pytest.raises(ValueError, match="finite"):
        means(series=[Series("Alle", (MeanPoint("T0", float("nan"), None, None),))])
    with pytest.raises(ValueError, match="same length"):
        paired([1, 2], [1])
    with pytest.raises(ValueError, match="total"):
        stacked([Bar("a", 10)], total=5)


# --- WeasyPrint ----------------------------------------------------------------------------


def test_weasyprint_renders_a_page_with_every_chart_type_as_tagged_pdf(
    caplog: pytest.LogCaptureFixture,
) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    figures = "".join(
        f"<figure><figcaption>{kind}</figcaption>{make(f'chart-{kind}')}</figure>"
        for kind, make in sorted(ALL_CHARTS.items())
    )
    html = (
        '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Rapport</title>'
        f"</head><body><h1>Rapport</h1>{figures}</body></html>"
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf.startswith(b"%PDF")
    # The structure objects sit in compressed object streams.
    objects = b"".join(
        zlib.decompress(m.group(1))
        for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
        if m.group(1).startswith(b"x")
    )
    assert b"/StructTreeRoot" in objects
    # WeasyPrint tags each chart as a Figure and takes its <title> (not <desc>) as /Alt text.
    for title in (b"T-ILS over tid", b"Vejen ind", b"Fordeling"):
        assert b"/Alt (" + title + b")" in objects
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING
    ]
    assert problems == []
