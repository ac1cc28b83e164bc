"""Pseudonymised data deliveries to evaluators: the pure core.

Building blocks that take plain data; the Django side decides who may export, filters by
consent, audits and runs the job. In order of use:

* :mod:`.pseudonym` — per-recipient keys, keyed pseudonyms, per-participant date shifts;
* :mod:`.deidentify` — the de-identification options (free text, dates, age, place);
* :mod:`.layout` — the long layout (one row per participant, group and wave) from response
  records, with the variables of :mod:`.variables`; :mod:`.model` — :class:`Variable`,
  :class:`Table` and :func:`long_to_wide`;
* :mod:`.writers` — CSV, CSV for Danish Excel, XLSX, SPSS, Stata, REDCap flat CSV;
* :mod:`.codebook`, :mod:`.readme`, :mod:`.bundle` — the documents and the ZIP.

No Django import anywhere in this package.
"""

from spejl.core.exports.bundle import REDCAP_DESIGNATION, REDCAP_DICTIONARY, bundle, write_bundle
from spejl.core.exports.codebook import (
    CODEBOOK_COLUMNS,
    codebook_csv,
    codebook_markdown,
    codebook_rows,
    value_labels_text,
)
from spejl.core.exports.deidentify import (
    AGE_BANDS,
    REGION_NAMES,
    AgeBand,
    DeidentifyOptions,
    Place,
    age_band,
    age_band_of,
    age_in_year,
    coarsen_place,
    region_name,
    shift_date,
)
from spejl.core.exports.layout import ParticipantRecord, ResponseRecord, long_table
from spejl.core.exports.model import (
    CONSTANT_VARIABLES,
    KINDS,
    MEASURES,
    NAME_MAX_LENGTH,
    Table,
    Variable,
    as_column,
    long_to_wide,
    missing_mask,
)
from spejl.core.exports.pseudonym import (
    MAX_SHIFT_DAYS,
    MIN_KEY_BYTES,
    date_shift_days,
    group_pseudonym,
    load_master_key,
    pseudonym,
    recipient_key,
)
from spejl.core.exports.readme import FileSummary, ReadmeInfo, readme_text
from spejl.core.exports.variables import (
    MODE_LABELS,
    MODES,
    WAVE_LABELS,
    WAVE_NUMBERS,
    WAVE_SUFFIXES,
)
from spejl.core.exports.writers import (
    EXTENSIONS,
    FORMATS,
    Format,
    latest_versions,
    redcap_event_names,
    shorten,
    write_csv,
    write_csv_excel,
    write_dta,
    write_redcap_csv,
    write_sav,
    write_table,
    write_xlsx,
)

__all__ = [
    "AGE_BANDS",
    "CODEBOOK_COLUMNS",
    "CONSTANT_VARIABLES",
    "EXTENSIONS",
    "FORMATS",
    "KINDS",
    "MAX_SHIFT_DAYS",
    "MEASURES",
    "MIN_KEY_BYTES",
    "MODES",
    "MODE_LABELS",
    "NAME_MAX_LENGTH",
    "REDCAP_DESIGNATION",
    "REDCAP_DICTIONARY",
    "REGION_NAMES",
    "WAVE_LABELS",
    "WAVE_NUMBERS",
    "WAVE_SUFFIXES",
    "AgeBand",
    "DeidentifyOptions",
    "FileSummary",
    "Format",
    "ParticipantRecord",
    "Place",
    "ReadmeInfo",
    "ResponseRecord",
    "Table",
    "Variable",
    "age_band",
    "age_band_of",
    "age_in_year",
    "as_column",
    "bundle",
    "coarsen_place",
    "codebook_csv",
    "codebook_markdown",
    "codebook_rows",
    "date_shift_days",
    "group_pseudonym",
    "latest_versions",
    "load_master_key",
    "long_table",
    "long_to_wide",
    "missing_mask",
    "pseudonym",
    "readme_text",
    "recipient_key",
    "redcap_event_names",
    "region_name",
    "shift_date",
    "shorten",
    "value_labels_text",
    "write_bundle",
    "write_csv",
    "write_csv_excel",
    "write_dta",
    "write_redcap_csv",
    "write_sav",
    "write_table",
    "write_xlsx",
]
