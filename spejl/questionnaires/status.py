"""Where a participant stands with the questionnaires: per wave, the invitation, the messages
sent and the responses' modes — never the answers or scores. For the coordinator's page."""

from __future__ import annotations

from dataclasses import dataclass

from spejl.notifications.models import Notification
from spejl.participants.models import Participant
from spejl.questionnaires import policies
from spejl.questionnaires.models import Invitation, Response, Wave


@dataclass(frozen=True)
class WaveStatus:
    wave: str
    label: str
    invitation: Invitation | None
    messages: list[Notification]
    responses: list[Response]

    @property
    def can_enter(self) -> bool:
        return self.invitation is None or self.invitation.status != "completed"

    @property
    def can_correct(self) -> bool:
        """Entered from paper or a call: the coordinator may correct the entry."""
        return (
            self.invitation is not None
            and self.invitation.status == "completed"
            and self.invitation.completed_mode in ("paper", "phone")
        )


def participant_waves(*, participant: Participant) -> list[WaveStatus]:
    """One row per wave for the participant's newest invitations. The caller has checked
    that the actor coordinates the participant's organisation (and audited the read of the
    participant). Three queries."""
    invitations = {
        i.wave: i for i in Invitation.objects.filter(participant=participant).order_by("created_at")
    }
    messages: dict[str, list[Notification]] = {}
    public_ids = {str(i.public_id): i.wave for i in invitations.values()}
    for notification in Notification.objects.filter(
        recipient_participant=participant,
        template__in=(policies.INVITATION_TEMPLATE, policies.REMINDER_TEMPLATE),
    ).order_by("created_at"):
        wave = public_ids.get(str(notification.context.get("invitation")))
        if wave:
            messages.setdefault(wave, []).append(notification)
    responses: dict[str, list[Response]] = {}
    for response in Response.objects.filter(
        participant=participant, invitation__in=list(invitations.values())
    ).order_by("pk"):
        responses.setdefault(response.wave, []).append(response)
    return [
        WaveStatus(
            wave=wave,
            label=str(label),
            invitation=invitations.get(wave),
            messages=messages.get(wave, []),
            responses=responses.get(wave, []),
        )
        for wave, label in Wave.choices
    ]
