"""What an import check can find wrong, as codes with parameters and as messages for people.

:data:`MESSAGES` holds a translated message for every code, the parser's
(:data:`spejl.core.redcap.PROBLEM_CODES`) and the import's own; :class:`ImportProblem` is one
problem found. Problems quote record ids (pseudonyms) and short answer codes, never an open
answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from spejl.core.redcap import Problem, ProblemParams

#: A translated message for every problem code: the parser's (``spejl.core.redcap.PROBLEM_CODES``)
#: and the import's own. ``%(column)s`` is the column the problem is in.
MESSAGES: Final[Mapping[str, Promise]] = {
    "not_utf8": gettext_lazy(
        "The file is not UTF-8 text (the first wrong character is on this line). Save it as "
        "“CSV UTF-8” and try again."
    ),
    "empty_file": gettext_lazy("The file is empty."),
    "bad_csv": gettext_lazy(
        "The file cannot be read from this line on (%(detail)s). Check the quotation marks."
    ),
    "missing_column": gettext_lazy("The column “%(column)s” is missing."),
    "missing_column_form": gettext_lazy(
        "The column “%(column)s” of the form %(form)s is missing: export every field of a form."
    ),
    "unknown_column": gettext_lazy(
        "Column %(position)s (“%(column)s”) is not a field of these questionnaires. Export the "
        "questionnaire fields only, without survey identifiers or timestamps."
    ),
    "duplicate_column": gettext_lazy(
        "Column %(position)s repeats column %(first_position)s (“%(column)s”)."
    ),
    "unsupported_column": gettext_lazy(
        "“%(column)s” has the value “%(value)s”: repeating instruments and events cannot be "
        "imported."
    ),
    "wrong_field_count": gettext_lazy(
        "The row has %(found)s cells, but the header has %(expected)s."
    ),
    "empty_record_id": gettext_lazy("The record ID is empty."),
    "record_id_too_long": gettext_lazy(
        "The record ID has %(length)s characters; at most %(max)s are allowed."
    ),
    "unknown_event": gettext_lazy(
        "The event “%(event)s” is not one of the events given a wave (%(allowed)s)."
    ),
    "form_not_in_wave": gettext_lazy(
        "The form %(form)s has answers, but wave %(wave)s (event %(event)s) does not hold it in "
        "the measurement plan."
    ),
    "bad_value": gettext_lazy(
        "“%(value)s” is not an answer to %(column)s; the answers are %(allowed)s."
    ),
    "text_too_long": gettext_lazy(
        "The answer to %(column)s has %(length)s characters; at most %(max)s are allowed."
    ),
    "bad_complete": gettext_lazy("%(column)s is “%(value)s”; use 0, 1 or 2, or leave it empty."),
    "duplicate_record_event": gettext_lazy(
        "Record %(record_id)s already has a row for wave %(wave)s, on line %(first_line)s."
    ),
    "too_many_rows": gettext_lazy(
        "The file has more than %(max)s rows; split it into smaller files."
    ),
    # The import's own checks.
    "no_plan": gettext_lazy("There is no measurement plan in use yet, so nothing can be imported."),
    "no_rows": gettext_lazy("The file has no rows with data."),
    "unknown_dag": gettext_lazy(
        "The data access group “%(dag)s” is not the short name of any organisation."
    ),
    "dag_not_yours": gettext_lazy(
        "The data access group “%(dag)s” is not your organisation (%(organisation)s)."
    ),
    "no_default_organisation": gettext_lazy(
        "The row has no data access group: choose the organisation for rows without one."
    ),
    "unknown_record": gettext_lazy(
        "Record %(record_id)s is not a participant of %(organisation)s. If their consent to the "
        "evaluation was obtained on paper, tick the box to add them as new participants."
    ),
    "code_not_found": gettext_lazy(
        "Record %(record_id)s looks like a participant code, but %(organisation)s has no "
        "participant with that code."
    ),
    "consent_withdrawn": gettext_lazy(
        "Participant %(record_id)s has withdrawn their consent to the evaluation: their answers "
        "cannot be imported. Leave them out of the file."
    ),
    "no_consent": gettext_lazy(
        "Participant %(record_id)s has not consented to the evaluation. If consent was obtained "
        "on paper, tick the box; otherwise leave them out of the file."
    ),
    "no_consent_text": gettext_lazy(
        "There is no published consent text for the evaluation, so paper consent cannot be "
        "recorded."
    ),
    "same_participant": gettext_lazy(
        "Record %(record_id)s is the same participant as record %(other)s on line "
        "%(first_line)s, for the same wave %(wave)s."
    ),
    "other_answers": gettext_lazy(
        "Record %(record_id)s already has other answers for wave %(wave)s, form %(form)s."
    ),
    "answering_now": gettext_lazy(
        "Record %(record_id)s already has other answers for wave %(wave)s, form %(form)s: the "
        "participant is answering it on the web now."
    ),
    "conflict": gettext_lazy(
        "Someone imported answers for the same records at the same moment. Nothing was "
        "imported; check the file again."
    ),
}


def problem_message(code: str, params: Mapping[str, str], column: str | None = None) -> str:
    """The message for a problem, in the active language."""
    key = "missing_column_form" if code == "missing_column" and "form" in params else code
    template = MESSAGES.get(key)
    if template is None:
        return gettext("Problem “%(code)s”.") % {"code": code}
    return str(template) % ProblemParams({"column": column or "", **params})


@dataclass(frozen=True)
class ImportProblem:
    """One reason the file cannot be imported: the line (as a text editor counts; ``None`` for
    the file as a whole), the column, a code from :data:`MESSAGES` and its parameters. Quotes
    record ids and short answer codes, never an open answer."""

    line: int | None
    column: str | None
    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return problem_message(self.code, self.params, self.column)

    @classmethod
    def of(cls, line: int | None, column: str | None, code: str, **params: str) -> ImportProblem:
        """A problem with its parameters given by name."""
        return cls(line, column, code, params)

    @classmethod
    def from_parser(cls, problem: Problem) -> ImportProblem:
        return cls(problem.line, problem.column, problem.code, dict(problem.params))

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "params": dict(self.params),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportProblem:
        return cls(data.get("line"), data.get("column"), data["code"], dict(data.get("params", {})))
