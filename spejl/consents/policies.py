"""What the state of a consent text or a consent allows, apart from who is asking (see
``permissions.py``), and what withdrawing a consent does.

Each ``*_problem(s)`` function returns the message to show a person when the step is not
possible, or ``None`` (or an empty list) when it is.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.consents.models import ConsentMethod, ConsentPurpose, ConsentText, ConsentTextStatus
from spejl.links.models import LinkPurpose

#: Methods a staff member records on the participant's behalf. ``DIGITAL`` is the participant's
#: own click through their secure link.
STAFF_METHODS = (ConsentMethod.PAPER, ConsentMethod.VERBAL)

#: Links switched off when a consent of this purpose is withdrawn.
REVOKED_LINKS: dict[str, list[LinkPurpose]] = {
    ConsentPurpose.EVALUATION: [LinkPurpose.QUESTIONNAIRE],
}

#: Pending notifications whose template code starts with one of these prefixes are cancelled
#: (marked skipped) when a consent of this purpose is withdrawn.
CANCELLED_TEMPLATE_PREFIXES: dict[str, tuple[str, ...]] = {
    ConsentPurpose.EVALUATION: ("questionnaire",),
    ConsentPurpose.FOLLOW_UP: ("follow_up",),
}

#: The error stored on a notification cancelled by a withdrawal (for operators; no person data).
CANCELLED_NOTIFICATION_ERROR = "consent withdrawn"


def immutable_message() -> str:
    return _(
        "A published consent text can never be changed, because people have agreed to exactly "
        "those words. Make a new version instead."
    )


def edit_problem(text: ConsentText) -> str | None:
    """Only drafts change; a published (or superseded) version is fixed for good."""
    return None if text.status == ConsentTextStatus.DRAFT else immutable_message()


def existing_draft_message(draft: ConsentText) -> str:
    return _(
        "There is already a draft of this consent text (version %(version)s). "
        "Continue with that draft instead."
    ) % {"version": draft.version}


def new_version_problem(text: ConsentText, existing_draft: ConsentText | None) -> str | None:
    """A new version starts from a published or superseded version, one draft at a time."""
    if text.status == ConsentTextStatus.DRAFT:
        return _("This version is still a draft: change it directly instead.")
    if existing_draft is not None:
        return existing_draft_message(existing_draft)
    return None


def publish_problems(text: ConsentText, newest_published_version: int | None) -> list[str]:
    """Everything that stops this draft from being published, in words for the person."""
    if text.status != ConsentTextStatus.DRAFT:
        return [_("This version has already been published.")]
    problems: list[str] = []
    if not text.title_da.strip() or not text.title_en.strip():
        problems.append(_("Give the consent text a title in Danish and in English."))
    if not text.body_da.strip() or not text.body_en.strip():
        problems.append(_("Write the consent text in Danish and in English."))
    if newest_published_version is not None and newest_published_version > text.version:
        problems.append(
            _(
                "A newer version (%(version)s) has been published since this draft was made. "
                "Make a new version from it instead."
            )
            % {"version": newest_published_version}
        )
    return problems


def given_at_problem(given_at: datetime, *, now: datetime | None = None) -> str | None:
    """Consent cannot be recorded as given in the future."""
    if given_at > (now or timezone.now()):
        return _("The date the consent was given cannot be in the future.")
    return None


def text_problem(text: ConsentText, purpose: str) -> str | None:
    """Consent is given to a published (or, recorded late, a superseded) text of its purpose."""
    if text.purpose != purpose:
        return _("This consent text belongs to another purpose.")
    if text.status == ConsentTextStatus.DRAFT:
        return _("Consent can only be given to a published consent text.")
    return None


def withdrawal_consequences(purpose: str) -> list[str]:
    """What withdrawing a consent of ``purpose`` does, in plain words for the participant
    (shown before they confirm, and in the documentation of the coordinator's page)."""
    if purpose == ConsentPurpose.PARTICIPATION:
        return [
            _("Your coordinator is told at once."),
            _(
                "Without this consent you cannot take part in the group, so your coordinator "
                "will take you off the group's list."
            ),
        ]
    if purpose == ConsentPurpose.EVALUATION:
        return [
            _("You will get no more questionnaires, and links you have had to them stop working."),
            _("No more information about you is passed on to the evaluator."),
            _("Information that is already part of an analysis cannot always be taken out again."),
            _("You keep your place in the group. Nothing else changes."),
        ]
    return [
        _(
            "We will not contact you after the course, and follow-up messages waiting to be sent "
            "are stopped."
        ),
        _("You keep your place in the group. Nothing else changes."),
    ]
