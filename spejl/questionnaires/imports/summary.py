"""What an import check found, kept with the run: counts and problems, never an answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from spejl.questionnaires.imports.messages import ImportProblem


@dataclass(frozen=True)
class FormCount:
    """Responses of one form at one wave: to be written (``new``) and already stored."""

    wave: str
    form: str
    new: int
    unchanged: int


@dataclass(frozen=True)
class OrganisationCount:
    slug: str
    name: str
    rows: int


@dataclass(frozen=True)
class ImportSummary:
    """What a check found (kept as ``ImportRun.summary``): counts, and the problems. Counts
    and record ids only (pseudonymous), never an answer."""

    rows: int = 0
    organisations: tuple[OrganisationCount, ...] = ()
    new_participants: int = 0
    consents_recorded: int = 0
    forms: tuple[FormCount, ...] = ()
    invitations_completed: int = 0
    problems: tuple[ImportProblem, ...] = ()
    problem_count: int = 0
    previous_import_at: datetime | None = None
    previous_file_name: str = ""

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def responses_new(self) -> int:
        return sum(count.new for count in self.forms)

    @property
    def responses_unchanged(self) -> int:
        return sum(count.unchanged for count in self.forms)

    @property
    def problems_left_out(self) -> int:
        return self.problem_count - len(self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "organisations": [asdict(o) for o in self.organisations],
            "new_participants": self.new_participants,
            "consents_recorded": self.consents_recorded,
            "forms": [asdict(f) for f in self.forms],
            "invitations_completed": self.invitations_completed,
            "problems": [p.as_json() for p in self.problems],
            "problem_count": self.problem_count,
            "previous_import_at": (
                self.previous_import_at.isoformat() if self.previous_import_at else None
            ),
            "previous_file_name": self.previous_file_name,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportSummary:
        previous = data.get("previous_import_at")
        return cls(
            rows=data.get("rows", 0),
            organisations=tuple(OrganisationCount(**o) for o in data.get("organisations", [])),
            new_participants=data.get("new_participants", 0),
            consents_recorded=data.get("consents_recorded", 0),
            forms=tuple(FormCount(**f) for f in data.get("forms", [])),
            invitations_completed=data.get("invitations_completed", 0),
            problems=tuple(ImportProblem.from_json(p) for p in data.get("problems", [])),
            problem_count=data.get("problem_count", 0),
            previous_import_at=parse_datetime(previous) if previous else None,
            previous_file_name=data.get("previous_file_name", ""),
        )


class ImportRefused(Exception):
    """The file did not pass the check at the moment of writing; nothing was written."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)
