"""Erasure of a participant's data (GDPR art. 17), decided per consent.

Two services, both irreversible (rows are deleted or overwritten, never flagged), idempotent
(a second call finds nothing left and writes nothing) and safe to run twice at once (the
participant row is locked — ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite Spejl's
transactions begin IMMEDIATE, which serialises writers):

- :func:`participant_contact_erase` erases the identifying data only: contact details, the
  identifying fields and free text of the enquiries that led to the person, the free text of
  intake conversations and of a dropping-out note, their secure links, and messages still
  waiting to be sent. The retention job calls it (as the system) when contact data pass their
  retention period; erasure starts with it.
- :func:`participant_erase` erases the identifying data and, unless the participant's
  evaluation consent is in force, their research data too — by deleting the participant and
  everything hanging off them. With evaluation consent in force, the pseudonymous research
  data are kept for the evaluation (art. 17(3)(d) with art. 89(1); legal basis in
  ``spejl/access/privacy.py``): code, birth year and gender, places in groups and their
  history, attendance, questionnaire invitations, coded answers and scores, and the consent
  records that show the basis. Everything else about the person goes, including free-text
  questionnaire answers (free text can name someone) and the intake conversation but for its
  date, status and decision (counted in the way-in figures). A consent withdrawn earlier does
  not count: the data are then no longer used for the evaluation (exports and reports read only
  people whose consent is in force), so nothing justifies keeping them, and they are erased.

Erasure carries through to what is in motion: open offers are declined (the seat returns to
the group), waiting and places in groups end, open questionnaire invitations are cancelled,
messages waiting to go are stopped, and evaluator exports not yet downloaded that may hold the
person are cancelled and their files deleted. One audit event records that an erasure
happened, why (a fixed phrase), whether research data were kept and how many rows of each kind
were erased — never a value.

See ``docs/data-subject-rights.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from spejl.access.actor import Actor
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.consents.models import Consent, ConsentPurpose
from spejl.enquiries.models import Enquiry
from spejl.enrolments.models import Enrolment
from spejl.enrolments.policies import ACTIVE_STATES
from spejl.groups.models import Attendance
from spejl.intake.models import Intake
from spejl.links.models import SecureLink
from spejl.notifications.models import Notification, NotificationStatus
from spejl.participants.models import Contact, Participant
from spejl.participants.permissions import check_can_erase
from spejl.questionnaires.models import Answer, Invitation, InvitationStatus, Response

#: Why an erasure was made: fixed phrases (they go into the audit log, so never typed text).
REASONS = {
    "request": _("The person asked for their data to be erased"),
    "consent_withdrawn": _("The person withdrew their consent to take part"),
    "not_needed": _("The data are no longer needed"),
    "retention": _("The retention period has passed"),
}

#: What a notification stopped by erasure says to operators.
STOPPED_MESSAGE = "participant erased"

#: Enquiry fields that identify the person or are their own words.
_ENQUIRY_TEXT = ("first_name", "phone", "email", "message", "closed_reason")
#: Intake fields that are free text (may name the person, or say where they live).
_INTAKE_TEXT = ("place", "decision_note", "composition_wishes", "accessibility_needs")
#: Intake fields beyond the free text that go when research data are kept: only the date,
#: mode, status and decision of the conversation stay (the way-in figures count them).
_INTAKE_DETAIL: dict[str, object] = {
    "age_ok": None,
    "target": "",
    "tils_1": None,
    "tils_2": None,
    "tils_3": None,
    "tils_score": None,
    "referral_destination": None,
    "preferred_times": [],
    "max_travel_km": None,
    "group_wishes": [],
    "needs_step_free": False,
}

# Plan and result keys, in the order the confirmation page lists them.
_LABELS = {
    "contact": _("Name, phone, e-mail, postcode and how they like to be contacted"),
    "enquiries": _("Enquiries that led to them (name, phone, e-mail and their message)"),
    "intake_text": _("Free text from intake conversations (place, notes, wishes, needs)"),
    "drop_notes": _("Notes on why they stopped"),
    "links": _("Their secure links (they stop working at once)"),
    "messages": _("Messages waiting to be sent to them or about them"),
    "message_history": _("The record of messages sent to them"),
    "pairs": _("Wishes to be placed with or apart from another person"),
    "proposals": _("Their places in group-formation proposals"),
    "free_text_answers": _("Free-text answers to questionnaires"),
    "intake_detail": _("Intake details: loneliness screening, wishes, travel and needs"),
    "participant": _("The participant record: code, birth year and gender"),
    "places": _("Places in groups, their history and attendance"),
    "questionnaires": _("Questionnaire invitations, answers and scores"),
    "consents": _("Consent records"),
    "intakes": _("Intake conversations"),
    "external_records": _("Record numbers of imported questionnaires"),
}
_EFFECT_LABELS = {
    "places_ended": _("Waiting, an open offer or a place in a group ends (a seat is freed)"),
    "invitations_cancelled": _("Open questionnaire invitations are cancelled"),
    "messages_stopped": _("Messages waiting to be sent are stopped"),
    "exports_cancelled": _("Evaluator exports not yet downloaded are cancelled and deleted"),
}


@dataclass(frozen=True)
class PlanItem:
    """One kind of data (or one effect) with how many rows it concerns."""

    key: str
    count: int

    @property
    def label(self) -> str:
        return str(_LABELS.get(self.key) or _EFFECT_LABELS[self.key])


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing the participant would erase, keep and set in motion — shown before the
    coordinator confirms. Counts and consent dates only: no personal data."""

    code: str
    research_kept: bool
    evaluation_consent_given_at: datetime | None
    evaluation_consent_withdrawn_at: datetime | None
    erased: tuple[PlanItem, ...]
    kept: tuple[PlanItem, ...]
    effects: tuple[PlanItem, ...]

    @property
    def nothing_to_erase(self) -> bool:
        return not self.erased and not self.effects


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure did. ``erased`` is false when there was nothing left to erase (an
    erasure made before, or at the same moment by someone else)."""

    erased: bool
    research_kept: bool
    participant_deleted: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def items(self) -> list[PlanItem]:
        return [PlanItem(k, n) for k, n in self.counts.items() if n]


# --- Reading what there is --------------------------------------------------------------------


def _evaluation_consent(participant: Participant) -> tuple[datetime | None, datetime | None]:
    """(given_at of the evaluation consent in force, withdrawn_at of the latest withdrawn one)."""
    in_force = None
    withdrawn = None
    for given_at, withdrawn_at in Consent.objects.filter(
        participant=participant, purpose=ConsentPurpose.EVALUATION
    ).values_list("given_at", "withdrawn_at"):
        if withdrawn_at is None:
            in_force = given_at
        elif withdrawn is None or withdrawn_at > withdrawn:
            withdrawn = withdrawn_at
    return in_force, withdrawn


def _blank_count(rows: list[object], names: tuple[str, ...]) -> int:
    return sum(1 for row in rows if any(getattr(row, n) for n in names))


def _identifying_counts(participant: Participant) -> dict[str, int]:
    """Rows of identifying data still held. Encrypted fields are read in Python, never
    filtered in SQL."""
    enquiries: list[object] = list(Enquiry.objects.filter(participant=participant))
    intakes: list[object] = list(Intake.objects.filter(participant=participant))
    enrolments: list[object] = list(Enrolment.objects.filter(participant=participant))
    return {
        "contact": Contact.objects.filter(participant=participant).count(),
        "enquiries": _blank_count(enquiries, (*_ENQUIRY_TEXT, "contact_fingerprint")),
        "intake_text": _blank_count(intakes, _INTAKE_TEXT),
        "drop_notes": _blank_count(enrolments, ("drop_note",)),
        "links": SecureLink.objects.filter(participant=participant).count(),
        "messages": _pending_messages(participant).count(),
    }


def _pending_messages(participant: Participant) -> QuerySet[Notification]:
    return Notification.objects.filter(status=NotificationStatus.PENDING).filter(
        Q(recipient_participant=participant)
        | Q(recipient_enquiry__participant=participant)
        | Q(context__participant=str(participant.public_id))
    )


def _operational_counts(participant: Participant) -> dict[str, int]:
    """Rows beyond the identifying data that erasure removes even when research data stay,
    and that are not research data themselves."""
    from spejl.formation.models import (
        PlacementPair,
        ProposalDecision,
        ProposalPlacement,
        ProposalUnplaced,
    )

    enrolment_ids = list(participant.enrolments.values_list("pk", flat=True))
    return {
        "message_history": Notification.objects.filter(recipient_participant=participant)
        .exclude(status=NotificationStatus.PENDING)
        .count(),
        "pairs": PlacementPair.objects.filter(first=participant).count()
        + PlacementPair.objects.filter(second=participant).count(),
        "proposals": ProposalPlacement.objects.filter(enrolment_id__in=enrolment_ids).count()
        + ProposalUnplaced.objects.filter(enrolment_id__in=enrolment_ids).count()
        + ProposalDecision.objects.filter(enrolment_id__in=enrolment_ids).count(),
    }


def _trimmed_research_counts(participant: Participant) -> dict[str, int]:
    """What goes from the research data that stay: free text and intake details."""
    texts = Answer.objects.filter(response__participant=participant).values_list("text", flat=True)
    intakes = list(Intake.objects.filter(participant=participant))
    return {
        "free_text_answers": sum(1 for text in texts if text),
        "intake_detail": sum(
            1 for i in intakes if any(getattr(i, n) != v for n, v in _INTAKE_DETAIL.items())
        ),
    }


def _research_counts(participant: Participant) -> dict[str, int]:
    enrolments = participant.enrolments.all()
    return {
        "participant": 1,
        "places": enrolments.count() + Attendance.objects.filter(enrolment__in=enrolments).count(),
        "questionnaires": Invitation.objects.filter(participant=participant).count()
        + Response.objects.filter(participant=participant).count(),
        "consents": Consent.objects.filter(participant=participant).count(),
        "intakes": Intake.objects.filter(participant=participant).count(),
        "external_records": participant.external_records.count(),
    }


def _effect_counts(participant: Participant) -> dict[str, int]:
    from spejl.evaluation.exports import exports_that_may_hold

    return {
        "places_ended": participant.enrolments.filter(state__in=ACTIVE_STATES).count(),
        "invitations_cancelled": Invitation.objects.filter(
            participant=participant, status=InvitationStatus.OPEN
        ).count(),
        "exports_cancelled": len(exports_that_may_hold(participant=participant)),
    }


def _plan(participant: Participant) -> ErasurePlan:
    given_at, withdrawn_at = _evaluation_consent(participant)
    keep = given_at is not None
    erased = {**_identifying_counts(participant), **_operational_counts(participant)}
    research = _research_counts(participant)
    erased.update(_trimmed_research_counts(participant) if keep else research)
    effects = _effect_counts(participant)
    # Exports alone are no reason to erase again: with research data kept, a later export
    # rightly holds the person's pseudonymous data.
    something = any(erased.values()) or effects["places_ended"] or effects["invitations_cancelled"]
    return ErasurePlan(
        code=participant.code,
        research_kept=keep,
        evaluation_consent_given_at=given_at,
        evaluation_consent_withdrawn_at=None if keep else withdrawn_at,
        erased=tuple(PlanItem(k, n) for k, n in erased.items() if n),
        kept=tuple(PlanItem(k, n) for k, n in research.items() if n) if keep else (),
        effects=tuple(PlanItem(k, n) for k, n in effects.items() if n) if something else (),
    )


def erasure_plan(*, actor: Actor, participant: Participant) -> ErasurePlan:
    """What :func:`participant_erase` would do to the participant now, for the confirmation
    page. Coordinators of the participant's organisation and national admins
    (:class:`NotFound` for everyone else). Reads counts and consent dates only, no values:
    not audited (the page that shows it audits its own read of the participant)."""
    check_can_erase(actor, participant)
    return _plan(participant)


# --- Erasing ------------------------------------------------------------------------------


def _erase_identifying(participant: Participant) -> dict[str, int]:
    """Erase the identifying data (see the module docstring); returns rows per kind."""
    from spejl.notifications.services import notifications_cancel_pending

    counts: dict[str, int] = {}
    counts["contact"], _detail = Contact.objects.filter(participant=participant).delete()
    counts["enquiries"] = 0
    for enquiry in Enquiry.objects.filter(participant=participant):
        if any(getattr(enquiry, n) for n in (*_ENQUIRY_TEXT, "contact_fingerprint")):
            # ``update`` (not a lookup on the encrypted fields): blank them in place.
            Enquiry.objects.filter(pk=enquiry.pk).update(
                **{n: "" for n in _ENQUIRY_TEXT},
                contact_fingerprint="",
                preferred_contact="",
            )
            counts["enquiries"] += 1
    counts["intake_text"] = 0
    for intake in Intake.objects.filter(participant=participant):
        if any(getattr(intake, n) for n in _INTAKE_TEXT):
            Intake.objects.filter(pk=intake.pk).update(**{n: "" for n in _INTAKE_TEXT})
            counts["intake_text"] += 1
    counts["drop_notes"] = 0
    for enrolment in Enrolment.objects.filter(participant=participant):
        if enrolment.drop_note:
            Enrolment.objects.filter(pk=enrolment.pk).update(drop_note="")
            counts["drop_notes"] += 1
    counts["links"], _detail = SecureLink.objects.filter(participant=participant).delete()
    counts["messages"] = notifications_cancel_pending(
        participant=participant, reason=STOPPED_MESSAGE
    )
    return counts


def _audit_fields(counts: dict[str, int]) -> list[str]:
    """Counts as ``kind:n`` for the audit event's field list (names and numbers, no values)."""
    return [f"{key}:{n}" for key, n in counts.items() if n]


def _check_reason(reason: str) -> str:
    if reason not in REASONS:
        # The reason is written to the audit log: only fixed phrases, never typed text.
        raise ValueError(f"unknown erasure reason {reason!r} (one of {sorted(REASONS)})")
    return reason


def _locked(participant: Participant) -> Participant | None:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=participant.pk)
        .first()
    )


@transaction.atomic
def participant_contact_erase(*, actor: Actor, participant: Participant, reason: str) -> bool:
    """Erase the participant's identifying data only (research data and places stay): contact
    details, the identifying fields and message of their enquiries, intake free text, notes on
    why they stopped, their secure links, and messages waiting to be sent to or about them.

    For the retention job (``actor`` the system, ``reason`` ``"retention"``) and as the first
    step of :func:`participant_erase`. Coordinators of the participant's organisation, national
    admins and the system (:class:`NotFound` for anyone else). ``reason`` is one of
    :data:`REASONS`. Returns whether anything was erased; a second call erases nothing and
    returns ``False``. Audited once, with counts (no values). Personal data: erases the above.
    """
    _check_reason(reason)
    check_can_erase(actor, participant)
    locked = _locked(participant)
    if locked is None:
        return False
    counts = _erase_identifying(locked)
    if not any(counts.values()):
        return False
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=locked,
        organisation=locked.organisation,
        fields=_audit_fields(counts),
        purpose=f"contact data erased ({reason})",
    )
    return True


def _erase_beyond_identifying(participant: Participant) -> dict[str, int]:
    """With research data kept: remove what the evaluation does not use."""
    from spejl.formation.models import (
        PlacementPair,
        ProposalDecision,
        ProposalPlacement,
        ProposalUnplaced,
    )

    counts: dict[str, int] = {}
    counts["message_history"], _d = Notification.objects.filter(
        recipient_participant=participant
    ).delete()
    Notification.objects.filter(recipient_enquiry__participant=participant).delete()
    pairs_first, _d = PlacementPair.objects.filter(first=participant).delete()
    pairs_second, _d = PlacementPair.objects.filter(second=participant).delete()
    counts["pairs"] = pairs_first + pairs_second
    enrolment_ids = list(participant.enrolments.values_list("pk", flat=True))
    placements, _d = ProposalPlacement.objects.filter(enrolment_id__in=enrolment_ids).delete()
    unplaced, _d = ProposalUnplaced.objects.filter(enrolment_id__in=enrolment_ids).delete()
    decisions, _d = ProposalDecision.objects.filter(enrolment_id__in=enrolment_ids).delete()
    counts["proposals"] = placements + unplaced + decisions
    free_text = 0
    for answer in Answer.objects.filter(response__participant=participant):
        if not answer.text:
            continue
        if answer.value is None and not answer.declined:
            answer.delete()  # nothing but the text: not an answer any more
        else:
            Answer.objects.filter(pk=answer.pk).update(text="")
        free_text += 1
    counts["free_text_answers"] = free_text
    detail = 0
    for intake in Intake.objects.filter(participant=participant):
        if any(getattr(intake, n) != v for n, v in _INTAKE_DETAIL.items()):
            Intake.objects.filter(pk=intake.pk).update(**_INTAKE_DETAIL)
            detail += 1
    counts["intake_detail"] = detail
    return counts


def _scrub_proposals(participant: Participant) -> None:
    """Take the person out of optimiser runs' summaries (reasons keyed by their place's id,
    and their code in an approval's list). No personal data beyond the code is read."""
    from spejl.formation.models import Proposal

    keys = [str(k) for k in participant.enrolments.values_list("public_id", flat=True)]
    for proposal in Proposal.objects.exclude(not_considered={}, approval={}).only(
        "pk", "not_considered", "approval"
    ):
        not_considered = {k: v for k, v in proposal.not_considered.items() if k not in keys}
        approval = dict(proposal.approval)
        for list_key in ("failed", "referrals"):
            entries = approval.get(list_key)
            if isinstance(entries, list):
                approval[list_key] = [
                    e
                    for e in entries
                    if not (isinstance(e, list | tuple) and e and e[0] == participant.code)
                ]
        if not_considered != proposal.not_considered or approval != proposal.approval:
            Proposal.objects.filter(pk=proposal.pk).update(
                not_considered=not_considered, approval=approval
            )


def _propagate(actor: Actor, participant: Participant) -> dict[str, int]:
    """Stop what is in motion for the participant (offers, places, invitations, exports)."""
    from spejl.enrolments.services import enrolments_end_for_participant
    from spejl.evaluation.exports import exports_cancel_for_participant
    from spejl.questionnaires.scheduling import invitations_cancel_for_participant

    why = "the participant's data were erased"
    return {
        "places_ended": enrolments_end_for_participant(
            actor=actor, participant=participant, reason=why
        ),
        "invitations_cancelled": invitations_cancel_for_participant(
            participant_id=participant.pk, reason="participant erased"
        ),
        "exports_cancelled": exports_cancel_for_participant(participant=participant),
    }


@transaction.atomic
def participant_erase(*, actor: Actor, participant: Participant, reason: str) -> ErasureResult:
    """Erase the participant (GDPR art. 17) in one transaction, irreversibly.

    Identifying data always go (:func:`participant_contact_erase`); what is in motion is
    stopped (offers declined and seats freed, places ended, invitations cancelled, messages
    stopped, exports not yet downloaded cancelled with their files); research data are kept
    only while the participant's evaluation consent is in force — otherwise the participant
    and everything hanging off them are deleted (see the module docstring for what is kept).

    Coordinators of the participant's organisation and national admins (:class:`NotFound` for
    anyone else). ``reason`` is one of :data:`REASONS`. Idempotent: a second call (or one made
    at the same moment) finds nothing left and returns ``erased=False`` without writing.
    Audited with one event: action delete, counts per kind, no values. Personal data: erases
    all of the participant's, as described.
    """
    _check_reason(reason)
    check_can_erase(actor, participant)
    locked = _locked(participant)
    if locked is None:
        return ErasureResult(erased=False, research_kept=False, participant_deleted=True)
    plan = _plan(locked)
    if plan.nothing_to_erase:
        return ErasureResult(
            erased=False, research_kept=plan.research_kept, participant_deleted=False
        )
    organisation, public_id = locked.organisation, locked.public_id
    counts = _propagate(actor, locked)
    counts.update(_erase_identifying(locked))
    if plan.research_kept:
        counts.update(_erase_beyond_identifying(locked))
        _scrub_proposals(locked)
    else:
        _scrub_proposals(locked)
        counts.update(_operational_counts(locked))
        counts.update(_research_counts(locked))
        Enquiry.objects.filter(participant=locked).delete()
        # Everything else hangs off the participant and goes with it (cascade): places and
        # their history, attendance, invitations, responses with answers and scores,
        # consents, intakes, messages, placement pairs, proposals' rows, import record ids.
        locked.delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=Participant._meta.label_lower,
        object_id=str(public_id),
        organisation=organisation,
        fields=_audit_fields(counts),
        purpose=(
            f"participant erased ({reason}); research data "
            + ("kept: evaluation consent in force" if plan.research_kept else "erased")
        ),
    )
    return ErasureResult(
        erased=True,
        research_kept=plan.research_kept,
        participant_deleted=not plan.research_kept,
        counts={k: n for k, n in counts.items() if n},
    )


# --- The participant asks for erasure ---------------------------------------------------------

#: The outbox template of the message to coordinators (also the record of the request).
REQUEST_TEMPLATE = "erasure_requested"


def erasure_request(*, participant: Participant) -> int:
    """The participant asks, through their own secure link, for their data to be erased.

    Nothing is erased yet — erasure is irreversible, and a forwarded or shared link must not be
    enough to destroy someone's data — but every coordinator of the participant's organisation
    gets a message (through the outbox, with the participant's code only) and the request
    shows on the coordinator's page of the participant (the messages are its record, see
    :func:`erasure_requested_at`). Asking again the same day sends nothing new. Audited (the
    participant, no staff actor). Returns how many messages were queued. Personal data: none
    read; the message names the participant by code."""
    from django.utils import timezone

    from spejl.accounts.models import Membership, Role
    from spejl.notifications.services import notification_queue
    from spejl.participants.models import Channel

    today = timezone.localdate().isoformat()
    queued = 0
    with transaction.atomic():
        memberships = Membership.objects.filter(
            role=Role.COORDINATOR, organisation=participant.organisation, user__is_active=True
        ).select_related("user")
        for membership in memberships:
            if notification_queue(
                template=REQUEST_TEMPLATE,
                channel=Channel.EMAIL,
                recipient_user=membership.user,
                organisation=participant.organisation,
                context={"participant": str(participant.public_id)},
                dedupe_key=f"{REQUEST_TEMPLATE}:{participant.public_id}:{today}:"
                f"{membership.user.public_id}",
            ):
                queued += 1
        if queued:
            audit_record(
                actor=Actor(user=None),
                action=AuditAction.CREATE,
                obj=participant,
                organisation=participant.organisation,
                fields=(),
                purpose="erasure requested by the participant",
            )
    return queued


def erasure_requested_at(*, participant: Participant) -> datetime | None:
    """When the participant first asked for erasure through their link (``None`` if never),
    read from the messages to their coordinators. No personal data."""
    first = (
        Notification.objects.filter(
            template=REQUEST_TEMPLATE, context__participant=str(participant.public_id)
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return first
