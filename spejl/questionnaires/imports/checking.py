"""The check of an import: which organisation each row goes to, who each record is, whether
their consent allows it, and what each form would write next to the answers already stored.

:func:`check` writes nothing; :mod:`spejl.questionnaires.imports.writing` writes what it
found. Personal data: reads the file's record ids (pseudonyms), data access groups and answers
(health data), the participants' consent flags, enrolments, invitations and earlier answers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from spejl.consents.models import Consent, ConsentPurpose
from spejl.consents.selectors import current_text
from spejl.core.redcap import DAG_COLUMN, ParsedForm, ParsedRow, parse_flat_csv
from spejl.enrolments.models import Enrolment
from spejl.organisations.models import Organisation
from spejl.participants.models import Participant
from spejl.questionnaires.answering import answer_parse, wave_versions
from spejl.questionnaires.entry import entry_enrolment
from spejl.questionnaires.imports.inputs import slug_key
from spejl.questionnaires.imports.messages import ImportProblem
from spejl.questionnaires.imports.summary import FormCount, ImportSummary, OrganisationCount
from spejl.questionnaires.models import (
    ExternalRecord,
    ImportRun,
    ImportStatus,
    InstrumentVersion,
    Invitation,
    InvitationStatus,
    Response,
    ResponseStatus,
    Wave,
)
from spejl.questionnaires.redcap_plan import PlanForms, plan_forms
from spejl.questionnaires.scheduling import plan_in_use

#: How many problems a run keeps for its page (the count is kept in full).
PROBLEMS_KEPT: Final = 500
#: ``REDCap complete`` status of a finished form.
COMPLETE: Final = 2

# A participant code (``SP-7K3M-Q9XW``) in any case: such a record id never makes a new
# participant, so that a mistyped code is not silently imported as a stranger.
_CODE_LIKE = re.compile(r"SP-[2-9A-Z]{4}-[2-9A-Z]{4}", re.IGNORECASE)


@dataclass(frozen=True)
class ImportInput:
    """A file to check and how to read it: its content (UTF-8) and SHA-256, the wave of each
    REDCap event, the organisation for rows without a data access group, the one organisation
    a coordinator imports into (``None``: any) and the importer's word on paper consent."""

    content: str | bytes
    sha256: str
    events: Mapping[str, str]
    default_organisation: Organisation | None
    restrict_to: Organisation | None
    paper_consent_confirmed: bool

    @classmethod
    def of_run(cls, run: ImportRun) -> ImportInput:
        """The input a previewed run was checked with (the file it keeps)."""
        return cls(
            content=run.content,
            sha256=run.file_sha256,
            events=run.events,
            default_organisation=run.default_organisation,
            restrict_to=run.organisation,
            paper_consent_confirmed=run.paper_consent_confirmed,
        )


@dataclass
class Person:
    """A record id of an organisation and who it is (``participant`` ``None``: new)."""

    organisation: Organisation
    record_id: str
    participant: Participant | None
    give_consent: bool
    enrolment: Enrolment | None = None


@dataclass
class Write:
    """One response to write: whose, which wave and instrument version, the answers as stored
    (value, declined, text), REDCap's status of the form and the invitation it answers."""

    person: Person
    wave: str
    version: InstrumentVersion
    answers: dict[str, tuple[int | None, bool, str]]
    complete: int
    invitation: Invitation | None


@dataclass
class Checked:
    """What a check found: the summary, the people to add or record consent for, the
    responses to write and the invitations they complete."""

    summary: ImportSummary
    people: list[Person] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)


class _Checker:
    """One pass over the parsed rows: organisations, people, consent, earlier answers."""

    def __init__(
        self,
        *,
        forms: PlanForms,
        default_organisation: Organisation | None,
        restrict_to: Organisation | None,
        paper_consent_confirmed: bool,
    ) -> None:
        self.forms = forms
        self.default_organisation = default_organisation
        self.restrict_to = restrict_to
        self.paper = paper_consent_confirmed
        self.problems: list[ImportProblem] = []
        self.people: dict[tuple[int, str], Person] = {}
        self.row_people: dict[int, Person] = {}

    def _refuse(self, row: ParsedRow, column: str | None, code: str, **params: str) -> None:
        """Note a problem that keeps ``row`` from being imported."""
        self.problems.append(ImportProblem(row.line, column, code, params))

    # Organisations of the rows.
    def organisations(self, rows: Sequence[ParsedRow]) -> dict[int, Organisation]:
        by_key = {slug_key(o.slug): o for o in Organisation.objects.all()}
        found: dict[int, Organisation] = {}
        for row in rows:
            if row.dag:
                organisation = by_key.get(slug_key(row.dag))
                named = row.dag
            elif self.default_organisation is None:
                self._refuse(row, DAG_COLUMN, "no_default_organisation")
                continue
            else:
                organisation = self.default_organisation
                named = organisation.slug
            if self.restrict_to is not None and organisation != self.restrict_to:
                self._refuse(
                    row, DAG_COLUMN, "dag_not_yours", dag=named, organisation=self.restrict_to.name
                )
                continue
            if organisation is None:
                self._refuse(row, DAG_COLUMN, "unknown_dag", dag=row.dag)
                continue
            found[row.line] = organisation
        return found

    # Who each record is, and whether their consent allows the import.
    def resolve_people(self, rows: Sequence[ParsedRow], orgs: Mapping[int, Organisation]) -> None:
        pairs = {(orgs[r.line].pk, r.record_id) for r in rows if r.line in orgs}
        org_ids = sorted({pk for pk, _rid in pairs})
        record_ids = sorted({rid for _pk, rid in pairs})
        external = {
            (e.organisation_id, e.record_id): e.participant
            for e in ExternalRecord.objects.filter(
                organisation_id__in=org_ids, record_id__in=record_ids
            ).select_related("participant")
        }
        by_code = {
            (p.organisation_id, p.code): p
            for p in Participant.objects.filter(
                organisation_id__in=org_ids, code__in=sorted({r.upper() for r in record_ids})
            )
        }
        known = {p.pk for p in (*external.values(), *by_code.values())}
        active: set[int] = set()
        withdrawn: set[int] = set()
        for participant_id, withdrawn_at in Consent.objects.filter(
            participant_id__in=sorted(known), purpose=ConsentPurpose.EVALUATION
        ).values_list("participant_id", "withdrawn_at"):
            (withdrawn if withdrawn_at else active).add(participant_id)
        consent_wanted: set[int] = set()
        for row in rows:
            organisation = orgs.get(row.line)
            if organisation is None:
                continue
            key = (organisation.pk, row.record_id)
            person = self.people.get(key)
            if person is None:
                participant = external.get(key) or by_code.get(
                    (organisation.pk, row.record_id.upper())
                )
                person = self._person(row, organisation, participant, active, withdrawn)
                if person is None:
                    continue
                if person.participant is not None and person.give_consent:
                    # Two record ids of one participant record one consent.
                    person.give_consent = person.participant.pk not in consent_wanted
                    consent_wanted.add(person.participant.pk)
                self.people[key] = person
            self.row_people[row.line] = person

    def _person(
        self,
        row: ParsedRow,
        organisation: Organisation,
        participant: Participant | None,
        active: set[int],
        withdrawn: set[int],
    ) -> Person | None:
        said = {"record_id": row.record_id, "organisation": organisation.name}
        if participant is None:
            if _CODE_LIKE.fullmatch(row.record_id):
                self._refuse(row, "record_id", "code_not_found", **said)
                return None
            if not self.paper:
                self._refuse(row, "record_id", "unknown_record", **said)
                return None
            return Person(organisation, row.record_id, None, give_consent=True)
        if participant.pk not in active:
            if participant.pk in withdrawn:
                self._refuse(row, "record_id", "consent_withdrawn", **said)
                return None
            if not self.paper:
                self._refuse(row, "record_id", "no_consent", **said)
                return None
        give = participant.pk not in active
        person = Person(organisation, row.record_id, participant, give_consent=give)
        person.enrolment = entry_enrolment(participant)
        return person

    # One row per participant and wave (two record ids can name one participant).
    def drop_same_participant(self, rows: Sequence[ParsedRow]) -> None:
        seen: dict[tuple[object, str], ParsedRow] = {}
        for row in rows:
            person = self.row_people.get(row.line)
            if person is None:
                continue
            who: object = (
                person.participant.pk
                if person.participant is not None
                else (person.organisation.pk, person.record_id)
            )
            first = seen.setdefault((who, row.wave), row)
            if first is row:
                continue
            self._refuse(
                row,
                "record_id",
                "same_participant",
                record_id=row.record_id,
                other=first.record_id,
                first_line=str(first.line),
                wave=row.wave,
            )
            del self.row_people[row.line]

    # What each form would write, compared with the answers already stored.
    def compare(self, rows: Sequence[ParsedRow]) -> Checked:
        people = [self.row_people[r.line] for r in rows if r.line in self.row_people]
        known = {p.participant.pk for p in people if p.participant is not None}
        stored: dict[tuple[int, str, str], list[Response]] = defaultdict(list)
        for response in Response.objects.filter(participant_id__in=sorted(known)).prefetch_related(
            "answers"
        ):
            stored[(response.participant_id, response.wave, response.instrument_code)].append(
                response
            )
        enrolment_ids = sorted({p.enrolment.pk for p in people if p.enrolment is not None})
        invitations = {
            (i.enrolment_id, i.wave): i
            for i in Invitation.objects.filter(enrolment_id__in=enrolment_ids)
        }
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        writes: list[Write] = []
        completing: dict[int, Invitation] = {}
        wave_codes: dict[tuple[int, str], set[str]] = {}
        for row in rows:
            person = self.row_people.get(row.line)
            if person is None:
                continue
            enrolment = person.enrolment
            invitation = invitations.get((enrolment.pk, row.wave)) if enrolment else None
            for form in row.forms:
                version = self.forms.versions[form.form]
                answers = _answers(version, form)
                same = self._same(row, person, form, answers, stored)
                if same is None:
                    continue
                count = counts[(row.wave, form.form)]
                if same:
                    count[1] += 1
                    continue
                count[0] += 1
                writes.append(Write(person, row.wave, version, answers, form.complete, invitation))
            if invitation is None or invitation.status != InvitationStatus.OPEN:
                continue
            key = (invitation.plan_id, invitation.wave)
            if key not in wave_codes:
                wave_codes[key] = {v.code for v in wave_versions(invitation)}
            finished = {f.form for f in row.forms if f.complete == COMPLETE}
            if wave_codes[key] and wave_codes[key] <= finished:
                completing[invitation.pk] = invitation
        return Checked(
            summary=ImportSummary(
                forms=self._form_counts(counts),
                new_participants=sum(1 for p in self.people.values() if p.participant is None),
                consents_recorded=sum(1 for p in self.people.values() if p.give_consent),
                invitations_completed=len(completing),
            ),
            people=[p for p in self.people.values() if p.participant is None or p.give_consent],
            writes=writes,
            invitations=list(completing.values()),
        )

    def _same(
        self,
        row: ParsedRow,
        person: Person,
        form: ParsedForm,
        answers: Mapping[str, tuple[int | None, bool, str]],
        stored: Mapping[tuple[int, str, str], list[Response]],
    ) -> bool | None:
        """True: already stored as is; False: new; None: refused (a problem was noted)."""
        if person.participant is None:
            return False
        enrolment_id = person.enrolment.pk if person.enrolment else None
        candidates = [
            r
            for r in stored.get((person.participant.pk, row.wave, form.form), [])
            if r.enrolment_id is None or r.enrolment_id == enrolment_id
        ]
        said = {"record_id": row.record_id, "wave": row.wave, "form": form.form}
        if any(r.status == ResponseStatus.IN_PROGRESS for r in candidates):
            self._refuse(row, None, "answering_now", **said)
            return None
        if any(_stored_answers(r) == answers for r in candidates):
            return True
        if candidates:
            self._refuse(row, None, "other_answers", **said)
            return None
        return False

    def _form_counts(self, counts: Mapping[tuple[str, str], list[int]]) -> tuple[FormCount, ...]:
        order = {wave: index for index, wave in enumerate(Wave.values)}

        def position(key: tuple[str, str]) -> tuple[int, int, str]:
            wave, form = key
            codes = self.forms.forms_by_wave.get(wave, [])
            return (order.get(wave, 9), codes.index(form) if form in codes else 99, form)

        return tuple(
            FormCount(wave=wave, form=form, new=new, unchanged=unchanged)
            for (wave, form), (new, unchanged) in sorted(
                counts.items(), key=lambda i: position(i[0])
            )
        )


def _answers(
    version: InstrumentVersion, form: ParsedForm
) -> dict[str, tuple[int | None, bool, str]]:
    """A form's answers as stored (value, declined, text); blank cells are no answer."""
    answers: dict[str, tuple[int | None, bool, str]] = {}
    instrument = version.instrument
    for code, value in form.answers.items():
        if value is not None:
            # The parser has checked the value; REDCap cannot say "declined".
            answers[code] = answer_parse(instrument.item(code), str(value), False)
    for code, text in form.texts.items():
        answers[code] = answer_parse(instrument.item(code), text, False)
    return answers


def _stored_answers(response: Response) -> dict[str, tuple[int | None, bool, str]]:
    return {
        a.item_code: (a.value, a.declined, a.text)
        for a in response.answers.all()
        if a.value is not None or a.declined or a.text
    }


def check(given: ImportInput) -> Checked:
    """Check a file against the plan in use and what is stored: what would be written, and
    every problem found (in the order of the file, the file-wide ones first). Writes nothing.
    Reads the participants' consent flags and earlier answers."""
    plan = plan_in_use()
    if plan is None:
        problem = ImportProblem.of(None, None, "no_plan")
        return Checked(summary=ImportSummary(problems=(problem,), problem_count=1))
    forms = plan_forms(plan)
    parsed = parse_flat_csv(
        given.content,
        instruments=[v.instrument for v in forms.versions.values()],
        events=given.events,
        forms_by_wave=forms.forms_by_wave,
    )
    checker = _Checker(
        forms=forms,
        default_organisation=given.default_organisation,
        restrict_to=given.restrict_to,
        paper_consent_confirmed=given.paper_consent_confirmed,
    )
    problems = [ImportProblem.from_parser(p) for p in parsed.problems]
    rows = parsed.rows
    if not rows and not problems:
        problems.append(ImportProblem.of(None, None, "no_rows"))
    orgs = checker.organisations(rows)
    checker.resolve_people(rows, orgs)
    checker.drop_same_participant(rows)
    checked = checker.compare(rows)
    problems += checker.problems
    if (
        checked.summary.consents_recorded
        and current_text(purpose=ConsentPurpose.EVALUATION) is None
    ):
        problems.append(ImportProblem.of(None, None, "no_consent_text"))
    # In the order of the file; the file-wide ones first.
    problems.sort(key=lambda p: p.line or 0)
    per_organisation: dict[int, int] = defaultdict(int)
    for organisation in orgs.values():
        per_organisation[organisation.pk] += 1
    by_pk = {o.pk: o for o in orgs.values()}
    previous = (
        ImportRun.objects.filter(file_sha256=given.sha256, status=ImportStatus.COMMITTED)
        .order_by("-finished_at")
        .first()
    )
    checked.summary = replace(
        checked.summary,
        rows=len(rows),
        organisations=tuple(
            OrganisationCount(slug=by_pk[pk].slug, name=by_pk[pk].name, rows=count)
            for pk, count in sorted(per_organisation.items(), key=lambda i: by_pk[i[0]].name)
        ),
        problems=tuple(problems[:PROBLEMS_KEPT]),
        problem_count=len(problems),
        previous_import_at=previous.finished_at if previous else None,
        previous_file_name=previous.file_name if previous else "",
    )
    return checked
