"""The codebook of a delivery: every variable with its label, type, values and origin.

:func:`codebook_rows` gives the rows (the Excel writer puts them on the ``codebook`` sheet),
:func:`codebook_csv` and :func:`codebook_markdown` the two files a bundle carries. Value
labels are listed as ``code = label``, separated by ``"; "``.

Pure Python: no Django import; describes variables, touches no personal data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Final

from spejl.core.exports.model import Table, Variable

#: The codebook's columns, with the file's name first (left out for a single table).
CODEBOOK_COLUMNS: Final[tuple[str, ...]] = (
    "file",
    "variable",
    "label",
    "type",
    "values",
    "instrument",
    "version",
    "source",
    "measure",
)


def value_labels_text(variable: Variable) -> str:
    """``"1 = Næsten aldrig; 2 = En gang imellem; 3 = Ofte"`` (by code), or ``""``."""
    return "; ".join(f"{code} = {text}" for code, text in sorted(variable.value_labels.items()))


def _cells(variable: Variable) -> list[str]:
    version = "" if variable.instrument_version is None else str(variable.instrument_version)
    return [
        variable.name,
        variable.label,
        variable.kind,
        value_labels_text(variable),
        variable.instrument,
        version,
        variable.source,
        variable.measure,
    ]


def codebook_rows(files: Mapping[str, Table], *, with_file: bool = True) -> list[list[str]]:
    """Header row, then one row per variable of every table in ``files`` (file name →
    table), in the tables' order. ``with_file=False`` leaves out the ``file`` column."""
    header = list(CODEBOOK_COLUMNS if with_file else CODEBOOK_COLUMNS[1:])
    rows = [header]
    for name, table in files.items():
        for variable in table.variables:
            cells = _cells(variable)
            rows.append([name, *cells] if with_file else cells)
    return rows


def codebook_csv(files: Mapping[str, Table]) -> str:
    """:func:`codebook_rows` as CSV text: comma, ``"\\r\\n"``, minimal quoting, no BOM."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(codebook_rows(files))
    return buffer.getvalue()


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def codebook_markdown(files: Mapping[str, Table], *, title: str = "Codebook") -> str:
    """The codebook as Markdown: a heading per file (with its title and row count) and a
    table of its variables."""
    lines = [f"# {title}", ""]
    for name, table in files.items():
        lines += [
            f"## {name}",
            "",
            f"{table.title} — {table.n_rows} rows, {len(table.variables)} variables.",
            "",
        ]
        header = CODEBOOK_COLUMNS[1:]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for variable in table.variables:
            cells = [_markdown_cell(cell) for cell in _cells(variable)]
            cells[0] = f"`{variable.name}`"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
