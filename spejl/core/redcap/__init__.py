"""REDCap interoperability: a data dictionary to build the project, and a checked CSV import.

Evaluators often keep questionnaire data in REDCap. This module lets Spejl meet them on
REDCap's own terms:

* :func:`data_dictionary_rows` / :func:`data_dictionary_csv` describe Spejl's instruments as a
  REDCap data dictionary (one *form* per instrument, one *field* per item, field names = item
  codes, choice codes = Spejl's option scores), so a REDCap project built from it exports
  answers Spejl can read back unchanged.
* :func:`event_mapping_csv` writes REDCap's instrument-designation file (which forms belong to
  which event in a longitudinal project: T0, T1, T2).
* :func:`parse_flat_csv` reads a REDCap "flat" CSV export (raw values, one row per record and
  event) and checks every cell against the instruments. It collects *all* problems, each with
  the line a person can find in the file, as a code and string parameters, so the Django layer
  can show a translated message; :func:`describe` gives the English text for logs and tests.

The CSV text this module writes uses ``"\\r\\n"`` line ends (as RFC 4180 and Python's csv
module write them), comma separators and minimal quoting, and no byte-order mark: the
caller adds one if a spreadsheet program needs it.

The modules: :mod:`.dictionary` (data dictionary and event mapping), :mod:`.flat_csv` (the
import) and :mod:`.fields` (the field names both share). The public names are imported here.

Pure Python: no Django import. The dictionary functions touch no personal data. The parser
reads whatever the export holds — record ids (pseudonyms), data access groups, answers and free
text, i.e. health data — and keeps it only in the result it returns. Problems quote record ids
and, cut to a few characters, a faulty answer, status or event cell; never an open answer.
"""

from spejl.core.redcap.dictionary import (
    DICTIONARY_COLUMNS,
    VERSION_TAG,
    data_dictionary_csv,
    data_dictionary_rows,
    event_mapping_csv,
)
from spejl.core.redcap.fields import (
    DAG_COLUMN,
    EVENT_COLUMN,
    RECORD_ID,
    REDCAP_COLUMNS,
    REPEAT_COLUMNS,
    complete_field,
)
from spejl.core.redcap.flat_csv import (
    COMPLETE_VALUES,
    PROBLEM_CODES,
    QUOTE_MAX_LENGTH,
    RECORD_ID_MAX_LENGTH,
    ParsedForm,
    ParsedRow,
    ParseResult,
    Problem,
    ProblemParams,
    describe,
    parse_flat_csv,
)

__all__ = [
    "COMPLETE_VALUES",
    "DAG_COLUMN",
    "DICTIONARY_COLUMNS",
    "EVENT_COLUMN",
    "PROBLEM_CODES",
    "QUOTE_MAX_LENGTH",
    "RECORD_ID",
    "RECORD_ID_MAX_LENGTH",
    "REDCAP_COLUMNS",
    "REPEAT_COLUMNS",
    "VERSION_TAG",
    "ParseResult",
    "ParsedForm",
    "ParsedRow",
    "Problem",
    "ProblemParams",
    "complete_field",
    "data_dictionary_csv",
    "data_dictionary_rows",
    "describe",
    "event_mapping_csv",
    "parse_flat_csv",
]
