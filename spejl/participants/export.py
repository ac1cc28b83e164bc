"""Everything Spejl holds about one participant (GDPR art. 15), as plain data.

Used for the participant's own copy (through their link) and by coordinators answering an
access request. The same structure is rendered as a readable page and downloaded as JSON.

What the copy holds is decided field by field against the register of personal data
(``spejl/access/privacy.py``): :data:`COVERED` names, for every registered field that hangs off
a participant, where it appears in the copy, and :data:`LEFT_OUT` says why the few others do
not (a test keeps both complete). Three rules decide what is left out:

- **other people's data** (art. 15(4)): the other person in a placement pair, and the names of
  staff members. The copy says *that* and *when* a staff member read or changed something and
  why, not who (CJEU C‑579/21, *Pankki S*, 22 June 2023: the dates and purposes of
  consultations are part of the copy, the employees' identities in principle not);
- **secrets that protect the person**: link tokens (only their hashes are stored anyway);
- **machinery**: ids, keys and hashes that say nothing about the person.

Reading this touches all of the participant's personal data; the callers audit the read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spejl.audit.models import AuditEvent
from spejl.notifications.models import Notification
from spejl.participants.models import Participant

_STAFF_NAMES = (
    "the staff member's identity: the copy says that and when a staff member acted, and why, "
    "not who (CJEU C-579/21); the person can ask their coordinator"
)

#: Where each registered personal field about a participant appears: section → key.
COVERED: dict[str, tuple[str, str]] = {
    **{
        f"participants.Participant.{n}": ("participant", n)
        for n in ("code", "birth_year", "gender")
    },
    **{
        f"participants.Contact.{n}": ("contact", n)
        for n in (
            "first_name",
            "last_name",
            "phone",
            "email",
            "postcode",
            "preferred_channel",
            "language",
        )
    },
    **{
        f"enquiries.Enquiry.{n}": ("enquiries", n)
        for n in (
            "first_name",
            "phone",
            "email",
            "preferred_contact",
            "postcode",
            "language",
            "group",
            "source",
            "referrer",
            "birth_year",
            "heard_about",
            "preferred_times",
            "message",
            "status",
            "closed_reason",
        )
    },
    **{
        f"intake.Intake.{n}": ("intake_conversations", n)
        for n in (
            "scheduled_at",
            "mode",
            "place",
            "status",
            "age_ok",
            "target",
            "tils_1",
            "tils_2",
            "tils_3",
            "tils_score",
            "decision",
            "referral_destination",
            "decision_note",
            "decided_at",
            "preferred_times",
            "max_travel_km",
            "composition_wishes",
            "group_wishes",
            "accessibility_needs",
            "needs_step_free",
            "language",
        )
    },
    **{
        f"consents.Consent.{n}": ("consents", n)
        for n in ("purpose", "given_at", "method", "withdrawn_at", "withdrawn_method")
    },
    **{
        f"enrolments.Enrolment.{n}": ("places_in_groups", n)
        for n in (
            "group",
            "state",
            "state_changed_at",
            "waitlisted_at",
            "offer_expires_at",
            "offered_at",
            "drop_reason",
            "drop_note",
        )
    },
    **{
        f"enrolments.EnrolmentTransition.{n}": ("places_in_groups", f"history.{n}")
        for n in ("from_state", "to_state", "at", "reason")
    },
    **{
        f"groups.Attendance.{n}": ("places_in_groups", f"attendance.{n}")
        for n in ("status", "absence_reason", "marked_at")
    },
    **{
        f"questionnaires.Invitation.{n}": ("questionnaire_invitations", n)
        for n in (
            "wave",
            "status",
            "opens_at",
            "closes_at",
            "sent_at",
            "reminders_sent",
            "started_at",
            "completed_at",
            "completed_mode",
            "cancelled_reason",
        )
    },
    **{
        f"questionnaires.Response.{n}": ("questionnaire_answers", n)
        for n in (
            "wave",
            "instrument_code",
            "mode",
            "status",
            "started_at",
            "submitted_at",
            "answered_on",
        )
    },
    **{
        f"questionnaires.Answer.{n}": ("questionnaire_answers", f"answers.{n}")
        for n in ("value", "declined", "text", "answered_at")
    },
    **{
        f"questionnaires.Score.{n}": ("questionnaire_answers", f"score.{n}")
        for n in ("raw", "score", "band", "complete", "missing", "item_scores")
    },
    "questionnaires.ExternalRecord.record_id": ("imported_record_numbers", "record_id"),
    **{
        f"links.SecureLink.{n}": ("links", n)
        for n in ("purpose", "expires_at", "used_at", "revoked_at")
    },
    **{
        f"notifications.Notification.{n}": ("messages", n)
        for n in ("template", "channel", "status", "sent_at", "delivery", "delivery_reported_at")
    },
    "formation.PlacementPair.together": ("group_formation", "pairs.together"),
    **{
        f"formation.ProposalPlacement.{n}": ("group_formation", f"proposals.{n}")
        for n in ("travel_km", "days_waited", "unmet_wishes", "locked")
    },
    "formation.ProposalUnplaced.reason": ("group_formation", "not_placed.reason"),
    **{
        f"formation.ProposalDecision.{n}": ("group_formation", f"decisions.{n}")
        for n in ("kind", "decided_at")
    },
    "audit.AuditEvent.object_id": ("record_of_use", "record"),
}

#: Registered personal fields about a participant that the copy leaves out, and why.
LEFT_OUT: dict[str, str] = {
    "formation.PlacementPair.first": "the other person in the pair (art. 15(4)); the copy "
    "shows that a pair exists",
    "formation.PlacementPair.second": "the other person in the pair (art. 15(4)); the copy "
    "shows that a pair exists",
    "notifications.Notification.recipient_user": "messages to staff members are not the "
    "participant's (messages about the participant to staff are left out with them)",
    "enquiries.Enquiry.contact_fingerprint": "a keyed hash of the e-mail and phone of the "
    "enquiry, which are in the copy; the hash itself tells nothing more",
    "questionnaires.ImportRun.content": "a whole uploaded file about many people, emptied "
    "once imported; the participant's imported answers are in the copy",
    **{
        key: _STAFF_NAMES
        for key in (
            "consents.Consent.recorded_by",
            "enquiries.Enquiry.registered_by",
            "intake.Intake.coordinator",
            "enrolments.EnrolmentTransition.actor",
            "groups.Attendance.marked_by",
            "questionnaires.Response.entered_by",
            "formation.PlacementPair.created_by",
            "formation.ProposalDecision.decided_by",
            "audit.AuditEvent.actor",
        )
    },
}


def _when(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return str(timezone.localtime(value).isoformat(timespec="minutes"))
    return str(value.isoformat())


def _enquiries(participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "received": _when(e.created_at),
            "source": e.source,
            "referrer": e.referrer or None,
            "group": e.group.title if e.group else None,
            "first_name": e.first_name,
            "phone": e.phone,
            "email": e.email,
            "preferred_contact": e.preferred_contact or None,
            "postcode": str(e.postcode),
            "birth_year": e.birth_year,
            "heard_about": e.heard_about or None,
            "preferred_times": e.preferred_times,
            "message": e.message,
            "language": e.language,
            "status": e.status,
            "closed_reason": e.closed_reason,
        }
        for e in participant.enquiries.select_related("postcode", "group").order_by("created_at")
    ]


def _intakes(participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "scheduled_at": _when(i.scheduled_at),
            "mode": i.mode,
            "place": i.place,
            "status": i.status,
            "age_ok": i.age_ok,
            "target": i.target or None,
            "tils_1": i.tils_1,
            "tils_2": i.tils_2,
            "tils_3": i.tils_3,
            "tils_score": i.tils_score,
            "decision": i.decision or None,
            "referral_destination": i.referral_destination.name if i.referral_destination else None,
            "decision_note": i.decision_note,
            "decided_at": _when(i.decided_at),
            "preferred_times": i.preferred_times,
            "max_travel_km": i.max_travel_km,
            "composition_wishes": i.composition_wishes,
            "group_wishes": i.group_wishes,
            "accessibility_needs": i.accessibility_needs,
            "needs_step_free": i.needs_step_free,
            "language": i.language,
        }
        for i in participant.intakes.select_related("referral_destination").order_by("scheduled_at")
    ]


def _places(participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "group": e.group.title if e.group else None,
            "state": e.state,
            "state_changed_at": _when(e.state_changed_at),
            "waitlisted_at": _when(e.waitlisted_at),
            "offered_at": _when(e.offered_at),
            "offer_expires_at": _when(e.offer_expires_at),
            "drop_reason": e.drop_reason or None,
            "drop_note": e.drop_note,
            "history": [
                {
                    "from_state": t.from_state or None,
                    "to_state": t.to_state,
                    "at": _when(t.at),
                    "reason": t.reason,
                }
                for t in e.transitions.order_by("at", "id")
            ],
            "attendance": [
                {
                    "meeting": a.meeting.number,
                    "date": _when(a.meeting.starts_at),
                    "status": a.status,
                    "absence_reason": a.absence_reason or None,
                    "marked_at": _when(a.marked_at),
                }
                for a in e.attendances.select_related("meeting").order_by("meeting__starts_at")
            ],
        }
        for e in participant.enrolments.select_related("group").order_by("waitlisted_at")
    ]


def _invitations(participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "wave": i.wave,
            "group": i.group.title if i.group else None,
            "status": i.status,
            "opens_at": _when(i.opens_at),
            "closes_at": _when(i.closes_at),
            "sent_at": _when(i.sent_at),
            "reminders_sent": i.reminders_sent,
            "started_at": _when(i.started_at),
            "completed_at": _when(i.completed_at),
            "completed_mode": i.completed_mode or None,
            "cancelled_reason": i.cancelled_reason or None,
        }
        for i in participant.invitations.select_related("group").order_by("opens_at", "pk")
    ]


def _responses(participant: Participant) -> list[dict[str, Any]]:
    rows = []
    for r in (
        participant.responses.select_related("instrument")
        .prefetch_related("answers", "scores")
        .order_by("started_at", "pk")
    ):
        current = next((s for s in r.scores.all() if s.is_current), None)
        rows.append(
            {
                "wave": r.wave,
                "instrument_code": r.instrument_code,
                "instrument_version": r.instrument.version,
                "mode": r.mode,
                "status": r.status,
                "started_at": _when(r.started_at),
                "submitted_at": _when(r.submitted_at),
                "answered_on": _when(r.answered_on),
                "answers": [
                    {
                        "item": a.item_code,
                        "value": a.value,
                        "declined": a.declined,
                        "text": a.text,
                        "answered_at": _when(a.answered_at),
                    }
                    for a in sorted(r.answers.all(), key=lambda a: a.item_code)
                ],
                "score": None
                if current is None
                else {
                    "raw": current.raw,
                    "score": current.score,
                    "band": current.band or None,
                    "complete": current.complete,
                    "missing": current.missing,
                    "item_scores": current.item_scores,
                },
            }
        )
    return rows


def _messages(participant: Participant) -> list[dict[str, Any]]:
    """Messages to the participant and to the enquiries that led to them — never messages to
    staff about them (those hold staff members' data and show the participant nothing new)."""
    sent = Notification.objects.filter(
        Q(recipient_participant=participant) | Q(recipient_enquiry__participant=participant)
    ).order_by("created_at", "pk")
    return [
        {
            "template": n.template,
            "channel": n.channel,
            "status": n.status,
            "queued_at": _when(n.created_at),
            "sent_at": _when(n.sent_at),
            "delivery": n.delivery or None,
            "delivery_reported_at": _when(n.delivery_reported_at),
        }
        for n in sent
    ]


def _group_formation(participant: Participant) -> dict[str, Any] | None:
    from spejl.formation.models import (
        PlacementPair,
        ProposalDecision,
        ProposalPlacement,
        ProposalUnplaced,
    )

    enrolments = participant.enrolments.all()
    pairs = PlacementPair.objects.filter(Q(first=participant) | Q(second=participant))
    data = {
        "pairs": [
            {"together": p.together, "with": "another participant", "since": _when(p.created_at)}
            for p in pairs.order_by("created_at")
        ],
        "proposals": [
            {
                "group": p.group.title,
                "travel_km": p.travel_km,
                "days_waited": p.days_waited,
                "unmet_wishes": p.unmet_wishes,
                "locked": p.locked,
            }
            for p in ProposalPlacement.objects.filter(enrolment__in=enrolments)
            .select_related("group")
            .order_by("pk")
        ],
        "not_placed": [
            {"reason": u.reason}
            for u in ProposalUnplaced.objects.filter(enrolment__in=enrolments).order_by("pk")
        ],
        "decisions": [
            {"group": d.group.title, "kind": d.kind, "decided_at": _when(d.decided_at)}
            for d in ProposalDecision.objects.filter(enrolment__in=enrolments)
            .select_related("group")
            .order_by("decided_at")
        ],
    }
    return data if any(data.values()) else None


def _record_ids(participant: Participant) -> set[str]:
    """Public ids of the participant and of every record of theirs the audit log can name."""
    ids = {str(participant.public_id)}
    for related in (
        participant.enquiries,
        participant.intakes,
        participant.consents,
        participant.enrolments,
        participant.invitations,
        participant.responses,
    ):
        ids |= {str(p) for p in related.values_list("public_id", flat=True)}
    if hasattr(participant, "contact"):
        ids.add(str(participant.contact.pk))
    return ids


def _record_of_use(participant: Participant) -> list[dict[str, Any]]:
    """When the participant's records were read or changed, what kind and why — by a staff
    member or not, never which one (see the module docstring). Lists seen by staff (such as
    the waitlist) name no one in the log and cannot be attributed to one person."""
    events = AuditEvent.objects.filter(object_id__in=_record_ids(participant)).order_by(
        "occurred_at", "pk"
    )
    return [
        {
            "at": _when(e.occurred_at),
            "action": e.action,
            "record": e.object_type,
            "purpose": e.purpose,
            "by": "staff member" if e.actor_id else "you, or Spejl itself",
        }
        for e in events
    ]


def participant_data(participant: Participant) -> dict[str, Any]:
    """All records about the participant, oldest first within each section (see the module
    docstring for what is left out and why). Touches all of their personal data: the caller
    audits the read."""
    contact = getattr(participant, "contact", None)
    return {
        "participant": {
            "code": participant.code,
            "organisation": participant.organisation.name,
            "birth_year": participant.birth_year,
            "gender": participant.gender or None,
            "registered": _when(participant.created_at),
        },
        "contact": None
        if contact is None
        else {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "phone": contact.phone,
            "email": contact.email,
            "postcode": str(contact.postcode) if contact.postcode else None,
            "preferred_channel": contact.preferred_channel,
            "language": contact.language,
        },
        "enquiries": _enquiries(participant),
        "intake_conversations": _intakes(participant),
        "consents": [
            {
                "purpose": c.purpose,
                "text_version": c.text.version,
                "given_at": _when(c.given_at),
                "method": c.method,
                "withdrawn_at": _when(c.withdrawn_at),
                "withdrawn_method": c.withdrawn_method or None,
            }
            for c in participant.consents.select_related("text").order_by("given_at", "pk")
        ],
        "places_in_groups": _places(participant),
        "questionnaire_invitations": _invitations(participant),
        "questionnaire_answers": _responses(participant),
        "imported_record_numbers": [
            {"record_id": r.record_id} for r in participant.external_records.order_by("pk")
        ],
        "links": [
            {
                "purpose": link.purpose,
                "created_at": _when(link.created_at),
                "expires_at": _when(link.expires_at),
                "used_at": _when(link.used_at),
                "revoked_at": _when(link.revoked_at),
            }
            for link in participant.links.order_by("created_at", "pk")
        ],
        "messages": _messages(participant),
        "group_formation": _group_formation(participant),
        "record_of_use": _record_of_use(participant),
    }


#: Section headings of the readable page.
SECTION_LABELS = {
    "participant": _("You in Spejl"),
    "contact": _("Contact details"),
    "enquiries": _("Enquiries"),
    "intake_conversations": _("Intake conversations"),
    "consents": _("Consents"),
    "places_in_groups": _("Places in groups"),
    "questionnaire_invitations": _("Questionnaire invitations"),
    "questionnaire_answers": _("Questionnaire answers"),
    "imported_record_numbers": _("Record numbers of imported questionnaires"),
    "links": _("Links sent to you"),
    "messages": _("Messages"),
    "group_formation": _("Group formation"),
    "record_of_use": _("Record of use"),
}

#: Field names on the readable page (the JSON keeps the keys).
FIELD_LABELS = {
    "code": _("Code"),
    "organisation": _("Organisation"),
    "birth_year": _("Birth year"),
    "gender": _("Gender"),
    "registered": _("Registered"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "postcode": _("Postcode"),
    "preferred_channel": _("Preferred channel"),
    "preferred_contact": _("Prefers to be contacted by"),
    "language": _("Language"),
    "received": _("Received"),
    "source": _("Source"),
    "referrer": _("Referred by"),
    "group": _("Group"),
    "heard_about": _("How they heard about us"),
    "preferred_times": _("Preferred days and times"),
    "message": _("Message"),
    "status": _("Status"),
    "closed_reason": _("Reason for closing"),
    "scheduled_at": _("Time"),
    "mode": _("How"),
    "place": _("Place"),
    "age_ok": _("Age fits the target group"),
    "target": _("Target group"),
    "tils_1": _("Loneliness screening, question 1"),
    "tils_2": _("Loneliness screening, question 2"),
    "tils_3": _("Loneliness screening, question 3"),
    "tils_score": _("Loneliness screening, score"),
    "decision": _("Decision"),
    "referral_destination": _("Referred to"),
    "decision_note": _("Note"),
    "decided_at": _("Decided"),
    "max_travel_km": _("Furthest travel (km)"),
    "composition_wishes": _("Wishes about the group"),
    "group_wishes": _("Wishes the placement can weigh"),
    "accessibility_needs": _("Accessibility needs"),
    "needs_step_free": _("Needs step-free access"),
    "purpose": _("Purpose"),
    "text_version": _("Text version"),
    "given_at": _("Given"),
    "method": _("How"),
    "withdrawn_at": _("Withdrawn"),
    "withdrawn_method": _("Withdrawn how"),
    "state": _("State"),
    "state_changed_at": _("State changed"),
    "waitlisted_at": _("On the waitlist since"),
    "offered_at": _("Offered"),
    "offer_expires_at": _("Offer expires"),
    "drop_reason": _("Reason for dropping out"),
    "drop_note": _("Note on dropping out"),
    "history": _("History"),
    "attendance": _("Attendance"),
    "wave": _("Wave"),
    "opens_at": _("Opens"),
    "closes_at": _("Closes"),
    "sent_at": _("Sent"),
    "reminders_sent": _("Reminders sent"),
    "started_at": _("Started"),
    "completed_at": _("Answered"),
    "completed_mode": _("Answered how"),
    "cancelled_reason": _("Why cancelled"),
    "instrument_code": _("Questionnaire"),
    "instrument_version": _("Questionnaire version"),
    "submitted_at": _("Sent in"),
    "answered_on": _("Answered on"),
    "answers": _("Answers"),
    "score": _("Score"),
    "record_id": _("Record number"),
    "created_at": _("Made"),
    "expires_at": _("Expires"),
    "used_at": _("Used"),
    "revoked_at": _("Switched off"),
    "template": _("Message"),
    "channel": _("Channel"),
    "queued_at": _("Queued"),
    "delivery": _("Delivery"),
    "delivery_reported_at": _("Delivery reported"),
    "pairs": _("Placed with or apart from another person"),
    "proposals": _("Proposed places"),
    "not_placed": _("Not placed"),
    "decisions": _("Coordinators' decisions"),
    "at": _("When"),
    "action": _("What was done"),
    "record": _("Which record"),
    "by": _("By"),
}


def _display(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_display(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_display(v) for v in value)
    return str(value)


def _label(key: str) -> str:
    return str(FIELD_LABELS.get(key) or key.replace("_", " ").capitalize())


def readable_sections(data: dict[str, Any]) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """The same data as sections of records of (field, text) pairs, for a readable page,
    with headings and field names in the reader's language (values stay as stored)."""
    sections = []
    for name, content in data.items():
        items = content if isinstance(content, list) else ([content] if content else [])
        records = [
            [(_label(key), _display(value)) for key, value in item.items()]
            for item in items
            if isinstance(item, dict)
        ]
        label = SECTION_LABELS.get(name)
        sections.append((str(label) if label else name.replace("_", " "), records))
    return sections
