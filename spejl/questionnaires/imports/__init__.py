"""Importing questionnaire answers from a REDCap flat CSV export, all or nothing.

An import is checked first (:func:`import_preview` stores the file and what the check found
as an :class:`ImportRun`), then written in one transaction (:func:`import_commit`), which
runs the same check again and writes only if nothing is wrong. The command
``manage.py import_redcap`` checks and writes in one step (:func:`import_file`).

What the check enforces, beyond the cell-by-cell checks of :mod:`spejl.core.redcap`:

* each row's ``redcap_data_access_group`` names an organisation by its short name (an empty
  one means the *default organisation* chosen for the import); a coordinator imports into
  their own organisation only;
* a ``record_id`` is, in that organisation, a record imported before (:class:`ExternalRecord`),
  else a participant code, else a new pseudonymous participant — only when the importer
  confirms that evaluation consent was obtained on paper, which is then recorded;
* evaluation consent is honoured: a participant who withdrew it is refused, always;
* a form the participant has already answered is "unchanged" when the answers are the same,
  and refused when they differ, so importing the same file twice stores the data once.

Who: national admins (any organisation), coordinators (their organisation) and the system.
Personal data: reads the file's record ids (pseudonyms), data access groups and answers
(health data), the participants' consent flags and earlier answers; writes participants
(code only, never a contact), external record ids, consents, responses, answers and scores.
Each preview, commit and discard is audited (object the :class:`ImportRun`).

The modules: :mod:`.messages` (problem codes and their messages), :mod:`.summary` (what a
check found), :mod:`.inputs` (who may import, the event mapping, the file), :mod:`.checking`
(the check), :mod:`.writing` (preview, commit, discard, import in one step) and :mod:`.runs`
(reading runs). The names callers use are imported here.
"""

from spejl.questionnaires.imports.inputs import (
    MAX_FILE_BYTES,
    can_import,
    check_can_import,
    content_problem,
    events_parse,
    file_problem,
    max_file_bytes,
    max_file_megabytes,
    organisation_by_slug,
)
from spejl.questionnaires.imports.messages import MESSAGES, ImportProblem, problem_message
from spejl.questionnaires.imports.runs import import_run_get_for_actor, import_runs_for_actor
from spejl.questionnaires.imports.summary import (
    FormCount,
    ImportRefused,
    ImportSummary,
    OrganisationCount,
)
from spejl.questionnaires.imports.writing import (
    import_check,
    import_commit,
    import_discard,
    import_file,
    import_preview,
)
from spejl.questionnaires.redcap_plan import SUGGESTED_EVENTS

__all__ = [
    "MAX_FILE_BYTES",
    "MESSAGES",
    "SUGGESTED_EVENTS",
    "FormCount",
    "ImportProblem",
    "ImportRefused",
    "ImportSummary",
    "OrganisationCount",
    "can_import",
    "check_can_import",
    "content_problem",
    "events_parse",
    "file_problem",
    "import_check",
    "import_commit",
    "import_discard",
    "import_file",
    "import_preview",
    "import_run_get_for_actor",
    "import_runs_for_actor",
    "max_file_bytes",
    "max_file_megabytes",
    "organisation_by_slug",
    "problem_message",
]
