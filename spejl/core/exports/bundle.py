"""A delivery as one ZIP: data file(s), codebook (CSV and Markdown), README, and for REDCap the
data dictionary and instrument designation.

:func:`write_bundle` writes the ZIP to a path (use it for real deliveries: the data files are
written to a temporary directory and streamed into the archive); :func:`bundle` returns the
bytes, for small deliveries and tests.

Pure Python: no Django import. Writes the pseudonymous research data it is given; the
temporary files are removed when the ZIP is done.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from spejl.core.exports.codebook import codebook_csv, codebook_markdown
from spejl.core.exports.model import NAME_PATTERN, Table
from spejl.core.exports.readme import FileSummary, ReadmeInfo, readme_text
from spejl.core.exports.writers import (
    EXTENSIONS,
    FORMATS,
    Format,
    latest_versions,
    redcap_forms_by_event,
    write_table,
)
from spejl.core.instruments import Instrument
from spejl.core.redcap import data_dictionary_csv, event_mapping_csv

REDCAP_DICTIONARY: Final = "redcap_data_dictionary.csv"
REDCAP_DESIGNATION: Final = "redcap_instrument_designation.csv"


def write_bundle(
    path: str | Path,
    *,
    files: Mapping[str, Table],
    fmt: Format,
    info: ReadmeInfo,
    instruments: Sequence[Instrument] = (),
    language: str = "da",
) -> list[str]:
    """Write the ZIP of a delivery to ``path``; return the names of its entries.

    ``files`` maps a file stem (``"spejl_long"``; lower-case letters, digits, ``_``) to its
    table; each becomes ``<stem>.<extension>`` in ``fmt``. The codebook covers every table.
    For ``redcap`` every table must be in the long layout and ``instruments`` give the data
    dictionary (the latest version of each code, labels in ``language``) and the designation
    of forms to events. Raises ``ValueError`` for no files, a bad stem, an unknown format, or
    missing instruments for REDCap; a file left half-written by any error is removed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")
    if not files:
        raise ValueError("a delivery needs at least one data file")
    for stem in files:
        if not NAME_PATTERN.fullmatch(stem):
            raise ValueError(f"file stem {stem!r} must be lower-case letters, digits and '_'")
    if fmt == "redcap" and not instruments:
        raise ValueError("a REDCap delivery needs the instruments for its data dictionary")
    try:
        return _write(
            path, files=files, fmt=fmt, info=info, instruments=instruments, language=language
        )
    except BaseException:
        # No half-written delivery is left behind for someone to pick up.
        Path(path).unlink(missing_ok=True)
        raise


def _write(
    path: str | Path,
    *,
    files: Mapping[str, Table],
    fmt: Format,
    info: ReadmeInfo,
    instruments: Sequence[Instrument],
    language: str,
) -> list[str]:
    names: list[str] = []
    summaries: list[FileSummary] = []
    extra = ["codebook.csv", "codebook.md", "README.md"]
    if fmt == "redcap":
        extra += [REDCAP_DICTIONARY, REDCAP_DESIGNATION]
    with (
        tempfile.TemporaryDirectory(prefix="spejl-export-") as directory,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        for stem, table in files.items():
            name = f"{stem}.{EXTENSIONS[fmt]}"
            data_path = Path(directory) / name
            write_table(table, data_path, fmt, instruments=instruments)
            archive.write(data_path, arcname=name)
            data_path.unlink()
            names.append(name)
            summaries.append(FileSummary(name, table.title, table.n_rows, len(table.variables)))
        texts = {
            "codebook.csv": codebook_csv(files),
            "codebook.md": codebook_markdown(files, title=f"{info.title} — codebook"),
            "README.md": readme_text(info, fmt=fmt, files=summaries, extra_files=extra),
        }
        if fmt == "redcap":
            texts[REDCAP_DICTIONARY] = data_dictionary_csv(latest_versions(instruments), language)
            forms: dict[str, list[str]] = {}
            for table in files.values():
                for event, codes in redcap_forms_by_event(table, instruments).items():
                    present = forms.setdefault(event, [])
                    present += [code for code in codes if code not in present]
            order = [instrument.code for instrument in instruments]
            texts[REDCAP_DESIGNATION] = event_mapping_csv(
                {event: sorted(codes, key=order.index) for event, codes in forms.items()}
            )
        for name in extra:
            archive.writestr(name, texts[name].encode("utf-8"))
            names.append(name)
    return names


def bundle(
    *,
    files: Mapping[str, Table],
    fmt: Format,
    info: ReadmeInfo,
    instruments: Sequence[Instrument] = (),
    language: str = "da",
) -> bytes:
    """The ZIP of :func:`write_bundle` as bytes (for small deliveries and tests)."""
    with tempfile.TemporaryDirectory(prefix="spejl-export-") as directory:
        path = Path(directory) / "bundle.zip"
        write_bundle(
            path, files=files, fmt=fmt, info=info, instruments=instruments, language=language
        )
        return path.read_bytes()
