"""Tests for the delivery documents and ZIP: codebook, README and bundle."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from spejl.core.exports.bundle import bundle, write_bundle
from spejl.core.exports.codebook import codebook_csv, codebook_markdown, codebook_rows
from spejl.core.exports.deidentify import DeidentifyOptions
from spejl.core.exports.layout import ResponseRecord, long_table
from spejl.core.exports.model import Table, long_to_wide
from spejl.core.exports.pseudonym import recipient_key
from spejl.core.exports.readme import FileSummary, ReadmeInfo, readme_text
from spejl.core.exports.writers import FORMATS, Format
from spejl.core.instruments import load_all
from spejl.core.redcap import data_dictionary_csv

INSTRUMENTS = load_all(Path(__file__).resolve().parents[2] / "instruments")
TILS, EXPERIENCE = INSTRUMENTS["tils.v1"], INSTRUMENTS["experience.v1"]
USED = (TILS, EXPERIENCE)
KEY = recipient_key(bytes(32), "recipient-1")
RESPONSES = [
    ResponseRecord(
        participant_id=f"p{i}",
        wave=wave,
        instrument="tils",
        instrument_version=1,
        mode="web",
        answered_on=date(2024, 3, 1),
        answers={"tils_1": 1, "tils_2": 2, "tils_3": 3},
        score=6.0,
        group_id="g",
    )
    for i in range(4)
    for wave in ("T0", "T1")
] + [
    ResponseRecord(
        participant_id="p0",
        wave="T1",
        instrument="experience",
        instrument_version=1,
        mode="web",
        answers={"exp_met": 4},
        group_id="g",
    )
]
LONG = long_table(RESPONSES, instruments=USED, key=KEY, title="Spejl evaluering 2025 (lang)")
WIDE = long_to_wide(LONG, title="Spejl evaluering 2025 (bred)")
FILES = {"spejl_long": LONG, "spejl_wide": WIDE}
OPTIONS = DeidentifyOptions(drop_free_text=True, shift_dates=True, age="band", place="region")
INFO = ReadmeInfo(
    title="Spejl – evaluering af selvhjælpsgrupper",
    recipient="DEFACTUM",
    options=OPTIONS,
    generated_at=datetime(2025, 6, 2, 8, 30, tzinfo=UTC),
    software_version="0.1.0",
    instrument_versions=("tils.v1", "experience.v1"),
    population_da="Deltagere med samtykke til evaluering.",
    population_en="Participants who consented to evaluation.",
)


def names_in(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def read(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def test_codebook_covers_every_variable_of_every_file() -> None:
    rows = list(csv.DictReader(io.StringIO(codebook_csv(FILES))))
    listed = [(row["file"], row["variable"]) for row in rows]
    expected = [(stem, name) for stem, table in FILES.items() for name in table.names]
    assert listed == expected
    tils_1 = next(r for r in rows if r["variable"] == "tils_1")
    assert tils_1["values"] == "1 = Næsten aldrig; 2 = En gang imellem; 3 = Ofte"
    assert (tils_1["instrument"], tils_1["version"], tils_1["type"]) == ("tils", "1", "integer")
    assert tils_1["source"] == "questionnaire tils v1, item tils_1"
    markdown = codebook_markdown(FILES)
    for stem, table in FILES.items():
        assert f"## {stem}" in markdown
        for name in table.names:
            assert f"| `{name}` |" in markdown


def test_codebook_markdown_escapes_pipes() -> None:
    from spejl.core.exports.model import Variable

    variable = Variable(name="x", label="a | b", kind="string", source="s", measure="nominal")
    markdown = codebook_markdown({"f": Table.from_rows([variable], [], "t")})
    assert "a \\| b" in markdown
    assert (
        codebook_rows({"f": Table.from_rows([variable], [], "t")}, with_file=False)[1][1] == "a | b"
    )


def summaries() -> list[FileSummary]:
    return [
        FileSummary(f"{stem}.sav", t.title, t.n_rows, len(t.variables)) for stem, t in FILES.items()
    ]


def test_readme_is_danish_first_then_english_and_states_the_delivery() -> None:
    text = readme_text(INFO, fmt="sav", files=summaries())
    assert text.index("## Dansk") < text.index("## English")
    danish, english = text.split("## English")
    for part in (danish, english):
        assert "DEFACTUM" in part and "0.1.0" in part and "tils.v1, experience.v1" in part
        assert "2025-06-02 10:30" in part  # Copenhagen time
        assert "spejl_long.sav" in part and "spejl_wide.sav" in part
        assert "HMAC-SHA256" in part
    assert "8 rækker" in danish and "8 rows" in english
    assert "Deltagere med samtykke" in danish and "Participants who consented" in english


def test_readme_states_the_options_applied() -> None:
    text = readme_text(INFO, fmt="sav", files=summaries())
    assert "Fritekst: udeladt" in text and "Free text: left out" in text
    assert "forskudt 1–364 dage tilbage" in text and "shifted back 1–364 days" in text
    assert "Alder: aldersgruppe" in text and "Age: age band" in text
    assert "Bopæl: region" in text and "Place of residence: region" in text
    assert "No small-cell suppression has been applied" in text
    assert "Der er ikke anvendt diskretionering" in text
    other = ReadmeInfo(
        **{**INFO.__dict__, "options": DeidentifyOptions(False, False, "year", "municipality")}
    )
    changed = readme_text(other, fmt="sav", files=summaries())
    assert "Free text: included" in changed and "Dates: not shifted" in changed
    assert "Age: birth year" in changed and "municipality and region" in changed
    assert "Dates are not shifted." in changed


@pytest.mark.parametrize("fmt", FORMATS)
def test_readme_explains_how_to_open_each_format(fmt: Format) -> None:
    text = readme_text(INFO, fmt=fmt, files=summaries())
    hints = {
        "csv": "read_csv",
        "csv_excel": "decimal comma",
        "xlsx": "codebook",
        "sav": "read_sav",
        "dta": "read_dta",
        "redcap": "Data Import Tool",
    }
    assert hints[fmt] in text.split("## English")[1]


def test_readme_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        ReadmeInfo(**{**INFO.__dict__, "generated_at": datetime(2025, 1, 1)})


@pytest.mark.parametrize(
    ("fmt", "data_names"),
    [
        ("csv", ["spejl_long.csv", "spejl_wide.csv"]),
        ("csv_excel", ["spejl_long.csv", "spejl_wide.csv"]),
        ("xlsx", ["spejl_long.xlsx", "spejl_wide.xlsx"]),
        ("sav", ["spejl_long.sav", "spejl_wide.sav"]),
        ("dta", ["spejl_long.dta", "spejl_wide.dta"]),
    ],
)
def test_bundle_holds_data_codebook_and_readme(fmt: Format, data_names: list[str]) -> None:
    data = bundle(files=FILES, fmt=fmt, info=INFO)
    assert names_in(data) == [*data_names, "codebook.csv", "codebook.md", "README.md"]
    assert read(data, "codebook.csv").decode() == codebook_csv(FILES)
    readme = read(data, "README.md").decode()
    assert data_names[0] in readme and "codebook.csv" in readme


def test_redcap_bundle_adds_the_dictionary_and_designation() -> None:
    data = bundle(files={"spejl_redcap": LONG}, fmt="redcap", info=INFO, instruments=USED)
    assert names_in(data) == [
        "spejl_redcap.csv",
        "codebook.csv",
        "codebook.md",
        "README.md",
        "redcap_data_dictionary.csv",
        "redcap_instrument_designation.csv",
    ]
    assert read(data, "redcap_data_dictionary.csv").decode() == data_dictionary_csv(USED)
    designation = read(data, "redcap_instrument_designation.csv").decode()
    assert designation == (
        "arm_num,unique_event_name,form\r\n1,t0_arm_1,tils\r\n1,t1_arm_1,tils\r\n"
        "1,t1_arm_1,experience\r\n"
    )


def test_bundle_refuses_what_it_cannot_deliver(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one data file"):
        bundle(files={}, fmt="csv", info=INFO)
    with pytest.raises(ValueError, match="file stem"):
        bundle(files={"Spejl Long": LONG}, fmt="csv", info=INFO)
    with pytest.raises(ValueError, match="needs the instruments"):
        bundle(files=FILES, fmt="redcap", info=INFO)
    with pytest.raises(ValueError, match="unknown format"):
        bundle(files=FILES, fmt="json", info=INFO)  # type: ignore[arg-type]


def test_write_bundle_writes_to_a_path_and_names_the_entries(tmp_path: Path) -> None:
    path = tmp_path / "delivery.zip"
    names = write_bundle(path, files={"spejl_long": LONG}, fmt="csv", info=INFO)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == names
        assert archive.testzip() is None
