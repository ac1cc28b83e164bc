"""The README of a delivery, in Danish and then English.

It says what the delivery is, how it was pseudonymised and de-identified (the options
applied), that dates are shifted and how, that no small-cell suppression was applied to these
row-level data, how to open each file, how many rows each file has, when and by which software
version it was made, and which instrument versions it holds — all from the parameters passed.

Pure Python: no Django import; no personal data (the recipient's name is the only name in it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from spejl.core.exports.deidentify import DeidentifyOptions
from spejl.core.exports.pseudonym import MAX_SHIFT_DAYS
from spejl.core.exports.writers import Format

COPENHAGEN: Final = ZoneInfo("Europe/Copenhagen")
#: The smallest number of persons a published figure may rest on (see DESIGN.md §4).
SMALL_CELL: Final = 5


@dataclass(frozen=True, kw_only=True)
class ReadmeInfo:
    """What the README states about a delivery. ``generated_at`` must be time-zone aware;
    ``instrument_versions`` are scoring versions such as ``"tils.v1"``; ``population_da`` /
    ``population_en`` optionally say who is included (e.g. the consent it rests on)."""

    title: str
    recipient: str
    options: DeidentifyOptions
    generated_at: datetime
    software_version: str
    instrument_versions: Sequence[str]
    population_da: str = ""
    population_en: str = ""

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be time-zone aware")


@dataclass(frozen=True)
class FileSummary:
    """One data file of a delivery: its name in the ZIP, title, rows and variables."""

    name: str
    title: str
    rows: int
    variables: int


_FORMAT_NAMES: Final[Mapping[Format, tuple[str, str]]] = {
    "csv": ("CSV (komma, UTF-8)", "CSV (comma, UTF-8)"),
    "csv_excel": (
        "CSV til dansk Excel (semikolon, decimalkomma)",
        "CSV for Danish Excel (semicolon, decimal comma)",
    ),
    "xlsx": ("Excel-projektmappe (.xlsx)", "Excel workbook (.xlsx)"),
    "sav": ("SPSS (.sav)", "SPSS (.sav)"),
    "dta": ("Stata (.dta, version 14 og nyere)", "Stata (.dta, version 14 and later)"),
    "redcap": ("REDCap flad CSV med datadictionary", "REDCap flat CSV with data dictionary"),
}

_OPEN: Final[Mapping[Format, tuple[str, str]]] = {
    "csv": (
        "UTF-8, komma som skilletegn, punktum som decimaltegn, datoer som ÅÅÅÅ-MM-DD og tomme "
        "felter for manglende værdier. R: `readr::read_csv()`; Python: `pandas.read_csv()`; "
        "Stata: `import delimited, encoding(utf-8)`; SPSS: Filer › Importér data › CSV. "
        "Excel med dansk opsætning læser kommaer forkert: vælg formatet til Excel i stedet.",
        "UTF-8, comma separated, decimal point, dates as YYYY-MM-DD and empty cells for "
        "missing values. R: `readr::read_csv()`; Python: `pandas.read_csv()`; Stata: "
        "`import delimited, encoding(utf-8)`; SPSS: File › Import Data › CSV. Excel set up "
        "for Danish misreads commas: choose the Excel CSV format instead.",
    ),
    "csv_excel": (
        "Åbn filen direkte i Excel med dansk opsætning (dobbeltklik): semikolon som "
        "skilletegn, komma som decimaltegn, UTF-8 med BOM, så æ, ø og å vises rigtigt. En "
        "tekst, der begynder med =, +, -, @ eller tabulator, har fået et ' foran, så Excel "
        "ikke udfører den som en formel; fjern det, hvis teksten skal bruges ordret.",
        "Open the file directly in Excel set up for Danish (double-click): semicolon "
        "separated, decimal comma, UTF-8 with a byte-order mark so æ, ø and å show correctly. "
        "A text starting with =, +, -, @ or a tab has been given a leading ' so Excel does "
        "not run it as a formula; remove it where the text is needed verbatim.",
    ),
    "xlsx": (
        "Åbn i Excel eller LibreOffice Calc. Arket »data« har én variabel pr. kolonne med "
        "navnene i første række; arket »codebook« beskriver variablene. Tomme celler er "
        "manglende værdier.",
        "Open in Excel or LibreOffice Calc. Sheet 'data' has one variable per column with "
        "the names in the first row; sheet 'codebook' describes the variables. Empty cells "
        "are missing values.",
    ),
    "sav": (
        "Åbn i SPSS eller PSPP; i R med `haven::read_sav()`, i Python med "
        "`pyreadstat.read_sav()`. Variabel- og værdietiketter og måleniveau er sat. Manglende "
        "tal er system-missing; manglende tekst er tom.",
        "Open in SPSS or PSPP; in R with `haven::read_sav()`, in Python with "
        "`pyreadstat.read_sav()`. Variable and value labels and measurement levels are set. "
        "Missing numbers are system-missing; missing text is empty.",
    ),
    "dta": (
        "Åbn i Stata 14 eller nyere (`use`); i R med `haven::read_dta()`. Variabel- og "
        "værdietiketter er sat; etiketter over 80 tegn er afkortet med »…« (hele teksten står "
        "i kodebogen). Manglende tal er `.`; manglende tekst er tom.",
        "Open in Stata 14 or later (`use`); in R with `haven::read_dta()`. Variable and "
        "value labels are set; labels over 80 characters are cut with '…' (the codebook has "
        "the full text). Missing numbers are `.`; missing text is empty.",
    ),
    "redcap": (
        "Opret et REDCap-projekt ud fra redcap_data_dictionary.csv (Project Setup › Data "
        "Dictionary), slå longitudinelle målinger til med hændelserne t0, t1 og t2 (arm 1), "
        "tilknyt skemaerne med redcap_instrument_designation.csv, og importér datafilen med "
        "Data Import Tool. Kun svarene er med; scorer, datoer og baggrundsvariable er ikke "
        "REDCap-felter i denne ordbog.",
        "Create a REDCap project from redcap_data_dictionary.csv (Project Setup › Data "
        "Dictionary), enable longitudinal events t0, t1 and t2 (arm 1), designate the forms "
        "with redcap_instrument_designation.csv, and load the data file with the Data Import "
        "Tool. Only the answers travel; scores, dates and background variables are not REDCap "
        "fields of that dictionary.",
    ),
}


def _options_lines(options: DeidentifyOptions, da: bool) -> list[str]:
    if da:
        text = (
            "udeladt (åbne svar kan nævne personer og steder)"
            if options.drop_free_text
            else "medtaget — åbne svar kan nævne personer og steder; læs dem med omtanke"
        )
        dates = (
            f"forskudt 1–{MAX_SHIFT_DAYS} dage tilbage pr. deltager"
            if options.shift_dates
            else "ikke forskudt (de rigtige datoer)"
        )
        age = (
            "aldersgruppe (samme grupper og koder som bg_age_band)"
            if options.age == "band"
            else "fødselsår"
        )
        place = {
            "municipality": "kommune og region ud fra postnummer",
            "region": "region ud fra postnummer",
            "none": "udeladt",
        }[options.place]
        return [
            f"- Fritekst: {text}.",
            f"- Datoer: {dates}.",
            f"- Alder: {age}.",
            f"- Bopæl: {place}.",
        ]
    text = (
        "left out (open answers can name people and places)"
        if options.drop_free_text
        else "included — open answers can name people and places; read them with care"
    )
    dates = (
        f"shifted back 1–{MAX_SHIFT_DAYS} days per participant"
        if options.shift_dates
        else "not shifted (the true dates)"
    )
    age = (
        "age band (the same bands and codes as bg_age_band)"
        if options.age == "band"
        else ("birth year")
    )
    place = {
        "municipality": "municipality and region from the postcode",
        "region": "region from the postcode",
        "none": "left out",
    }[options.place]
    return [
        f"- Free text: {text}.",
        f"- Dates: {dates}.",
        f"- Age: {age}.",
        f"- Place of residence: {place}.",
    ]


def _files_lines(files: Sequence[FileSummary], extra: Sequence[str], da: bool) -> list[str]:
    lines = []
    for summary in files:
        rows = f"{summary.rows:,}".replace(",", "." if da else ",")
        if da:
            lines.append(
                f"- `{summary.name}`: {summary.title} — {rows} rækker, "
                f"{summary.variables} variable."
            )
        else:
            lines.append(
                f"- `{summary.name}`: {summary.title} — {rows} rows, {summary.variables} variables."
            )
    descriptions = {
        "codebook.csv": (
            "alle variable: etiket, type, værdier, instrument, version og kilde",
            "every variable: label, type, values, instrument, version and source",
        ),
        "codebook.md": ("den samme kodebog til at læse", "the same codebook, for reading"),
        "README.md": ("denne fil", "this file"),
        "redcap_data_dictionary.csv": (
            "REDCap-datadictionary for skemaerne",
            "REDCap data dictionary of the forms",
        ),
        "redcap_instrument_designation.csv": (
            "hvilke skemaer hører til hvilken måling",
            "which forms belong to which event",
        ),
    }
    for name in extra:
        da_text, en_text = descriptions.get(name, ("", ""))
        lines.append(f"- `{name}`: {da_text if da else en_text}.")
    return lines


def readme_text(
    info: ReadmeInfo,
    *,
    fmt: Format,
    files: Sequence[FileSummary],
    extra_files: Sequence[str] = ("codebook.csv", "codebook.md", "README.md"),
) -> str:
    """The README (Markdown): Danish, then English. ``files`` are the data files,
    ``extra_files`` the other files of the bundle (described by name)."""
    when = info.generated_at.astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M %Z")
    versions = ", ".join(info.instrument_versions) or "—"
    o = info.options
    da_shift = (
        f"Alle datoer for en deltager er rykket det samme antal dage tilbage (1–{MAX_SHIFT_DAYS}, "
        "forskelligt fra deltager til deltager, som i REDCaps afidentificering, men aldrig 0). "
        "Afstande mellem en deltagers datoer er bevaret; ugedage, årstider og datoer på tværs af "
        "deltagere kan ikke bruges. Forskydningen er den samme i alle udleveringer til denne "
        "modtager."
        if o.shift_dates
        else "Datoerne er ikke forskudt."
    )
    en_shift = (
        f"All dates of a participant move back by the same number of days (1–{MAX_SHIFT_DAYS}, "
        "different for each participant, as in REDCap's de-identification, but never 0). "
        "Intervals between one participant's dates are kept; weekdays, seasons and dates "
        "across participants cannot be used. The shift is the same in every delivery to this "
        "recipient."
        if o.shift_dates
        else "Dates are not shifted."
    )
    fmt_da, fmt_en = _FORMAT_NAMES[fmt]
    open_da, open_en = _OPEN[fmt]
    lines = [
        f"# {info.title}",
        "",
        "## Dansk",
        "",
        "### Hvad er dette",
        "",
        f"En pseudonymiseret dataudlevering fra Spejl til {info.recipient}. Format: {fmt_da}. "
        f"Dannet {when} af Spejl {info.software_version}.",
        *(["", info.population_da] if info.population_da else []),
        "",
        "### Filer",
        "",
        *_files_lines(files, extra_files, da=True),
        "",
        "Lang form (long) har én række pr. deltager, gruppe og måling (T0 før første møde, T1 "
        "ved sidste møde, T2 opfølgning). Bred form (wide) har én række pr. deltager og gruppe; "
        "variable fra en måling ender på _t0, _t1 eller _t2.",
        "",
        "### Pseudonymisering",
        "",
        "Deltagere (P…) og grupper (G…) er erstattet af nøglebaserede pseudonymer (HMAC-SHA256) "
        "med en nøgle, der kun gælder denne modtager: samme deltager har samme pseudonym i alle "
        "udleveringer til denne modtager og et andet i udleveringer til andre, så datasæt kan "
        "ikke kobles på tværs af modtagere. Koderne kan ikke føres tilbage til personer uden "
        "Spejls hemmelige nøgle. Der er ingen navne, kontaktoplysninger eller interne id'er.",
        "",
        "### Afidentificering",
        "",
        *_options_lines(o, da=True),
        "",
        da_shift,
        "",
        "### Små tal",
        "",
        "Der er ikke anvendt diskretionering (undertrykkelse af små celler): dette er data på "
        f"personniveau. Offentliggør ingen tal, der bygger på færre end {SMALL_CELL} personer, "
        "og forsøg ikke at genkende personer.",
        "",
        "### Sådan åbnes filerne",
        "",
        open_da,
        "",
        "### Instrumentversioner",
        "",
        versions,
        "",
        "## English",
        "",
        "### What this is",
        "",
        f"A pseudonymised data delivery from Spejl to {info.recipient}. Format: {fmt_en}. "
        f"Generated {when} by Spejl {info.software_version}.",
        *(["", info.population_en] if info.population_en else []),
        "",
        "### Files",
        "",
        *_files_lines(files, extra_files, da=False),
        "",
        "The long layout has one row per participant, group and wave (T0 before the first "
        "meeting, T1 at the last meeting, T2 follow-up). The wide layout has one row per "
        "participant and group; a wave's variables end in _t0, _t1 or _t2.",
        "",
        "### Pseudonymisation",
        "",
        "Participants (P…) and groups (G…) are replaced by keyed pseudonyms (HMAC-SHA256) with "
        "a key for this recipient only: the same participant has the same pseudonym in every "
        "delivery to this recipient and a different one in deliveries to others, so data sets "
        "cannot be linked across recipients. Without Spejl's secret key the codes cannot be "
        "traced back to people. There are no names, contact details or internal ids.",
        "",
        "### De-identification",
        "",
        *_options_lines(o, da=False),
        "",
        en_shift,
        "",
        "### Small numbers",
        "",
        "No small-cell suppression has been applied: these are row-level data. Publish no "
        f"figure resting on fewer than {SMALL_CELL} persons, and do not try to recognise "
        "anyone.",
        "",
        "### Opening the files",
        "",
        open_en,
        "",
        "### Instrument versions",
        "",
        versions,
        "",
    ]
    return "\n".join(lines)
