"""What a course plan's state allows, apart from who is asking (see ``permissions.py``).

Each function returns the message to show a person when the step is not possible, or ``None``
(or an empty list) when it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from spejl.courseplans.loader import MAX_MEETINGS, MIN_MEETINGS
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting, CoursePlanStatus
from spejl.organisations.models import Organisation


def immutable_message() -> str:
    return _("A published course plan cannot be changed. Make a new version instead.")


def edit_problem(plan: CoursePlan) -> str | None:
    """Only drafts change; a published (or superseded) version is fixed for good."""
    return None if plan.status == CoursePlanStatus.DRAFT else immutable_message()


def existing_draft_message(draft: CoursePlan) -> str:
    return _(
        "There is already a draft of this course plan (version %(version)s). "
        "Continue with that draft instead."
    ) % {"version": draft.version}


def new_version_problem(plan: CoursePlan, existing_draft: CoursePlan | None) -> str | None:
    """A new version starts from a published or superseded version, one draft at a time."""
    if plan.status == CoursePlanStatus.DRAFT:
        return _("This version is still a draft: change it directly instead.")
    if existing_draft is not None:
        return existing_draft_message(existing_draft)
    return None


def adapt_problem(plan: CoursePlan, organisation: Organisation | None) -> str | None:
    """Only the current published version is adapted, and never into its own organisation."""
    if plan.status != CoursePlanStatus.PUBLISHED:
        return _("Only a published course plan that is in use can be adapted.")
    if organisation is not None and plan.organisation_id == organisation.pk:
        return _(
            "This course plan already belongs to %(organisation)s. Make a new version instead."
        ) % {"organisation": organisation.name}
    return None


def add_meeting_problem(meeting_count: int) -> str | None:
    if meeting_count >= MAX_MEETINGS:
        return _("A course plan can have at most %(max)s meetings.") % {"max": MAX_MEETINGS}
    return None


def remove_meeting_problem(meeting_count: int) -> str | None:
    if meeting_count <= MIN_MEETINGS:
        return _("A course plan needs at least one meeting.")
    return None


def publish_problems(
    plan: CoursePlan,
    meetings: Sequence[CoursePlanMeeting],
    newest_published_version: int | None,
) -> list[str]:
    """Everything that stops this draft from being published, in words for the person."""
    if plan.status != CoursePlanStatus.DRAFT:
        return [_("This version has already been published.")]
    problems: list[str] = []
    if not plan.title_da.strip() or not plan.title_en.strip():
        problems.append(_("Give the course plan a title in Danish and in English."))
    if not MIN_MEETINGS <= len(meetings) <= MAX_MEETINGS:
        problems.append(
            _("A course plan needs between %(min)s and %(max)s meetings to be published.")
            % {"min": MIN_MEETINGS, "max": MAX_MEETINGS}
        )
    for meeting in meetings:
        if not meeting.theme_da.strip() or not meeting.theme_en.strip():
            problems.append(
                _("Meeting %(number)s needs a theme in Danish and in English.")
                % {"number": meeting.number}
            )
    if newest_published_version is not None and newest_published_version > plan.version:
        problems.append(
            _(
                "A newer version (%(version)s) has been published since this draft was made. "
                "Make a new version from it instead."
            )
            % {"version": newest_published_version}
        )
    return problems
