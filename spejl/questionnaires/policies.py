"""What the state of an enrolment, a consent or an invitation allows, apart from who asks.

No personal data: these functions look at states, waves and consent flags only.
"""

from __future__ import annotations

from spejl.enrolments.models import EnrolmentState

#: Enrolments whose participants can be invited at all.
INVITABLE_STATES = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.DROPPED)

#: Template codes of the messages (prefixed "questionnaire": withdrawing evaluation consent
#: cancels them, see ``spejl.consents.policies``).
INVITATION_TEMPLATE = "questionnaire_invitation"
REMINDER_TEMPLATE = "questionnaire_reminder"

#: Items shown together on one answering page (a short block, kind to a small phone).
ITEMS_PER_PAGE = 3


def not_invitable_reason(
    *, wave: str, enrolment_state: str, evaluation_consent: bool, follow_up_consent: bool
) -> str:
    """Why this participant may not be invited to ``wave`` now ("" when they may).

    Evaluation consent is needed for every wave. A participant who dropped out is followed
    up at the end and follow-up waves only if they agreed to follow-up contact, and never
    gets a baseline after dropping out.
    """
    if not evaluation_consent:
        return "no evaluation consent"
    if enrolment_state not in INVITABLE_STATES:
        return f"enrolment {enrolment_state}"
    if enrolment_state == EnrolmentState.DROPPED:
        if wave == "T0":
            return "dropped before the baseline"
        if not follow_up_consent:
            return "dropped without follow-up consent"
    return ""
