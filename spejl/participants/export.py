"""Everything Spejl holds about one participant (GDPR art. 15), as plain data.

Used for the participant's own download (through their link) and by coordinators. The same
structure is rendered as a readable page and as JSON.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from spejl.participants.models import Participant


def _when(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return str(timezone.localtime(value).isoformat(timespec="minutes"))
    return str(value.isoformat())


def participant_data(participant: Participant) -> dict[str, Any]:
    """All records about the participant, newest last within each section."""
    contact = getattr(participant, "contact", None)
    data: dict[str, Any] = {
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
        "enquiries": [
            {
                "received": _when(e.created_at),
                "source": e.source,
                "first_name": e.first_name,
                "phone": e.phone,
                "email": e.email,
                "postcode": str(e.postcode),
                "birth_year": e.birth_year,
                "preferred_times": e.preferred_times,
                "message": e.message,
            }
            for e in participant.enquiries.select_related("postcode").order_by("created_at")
        ],
        "intake_conversations": [
            {
                "time": _when(i.scheduled_at),
                "how": i.mode,
                "status": i.status,
                "loneliness_screening": {
                    "items": [i.tils_1, i.tils_2, i.tils_3],
                    "score": i.tils_score,
                },
                "decision": i.decision or None,
                "note": i.decision_note,
                "preferred_times": i.preferred_times,
                "max_travel_km": i.max_travel_km,
                "wishes": i.composition_wishes,
                "group_wishes": i.group_wishes,
                "accessibility_needs": i.accessibility_needs,
            }
            for i in participant.intakes.order_by("scheduled_at")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "text_version": c.text.version,
                "given": _when(c.given_at),
                "method": c.method,
                "withdrawn": _when(c.withdrawn_at),
            }
            for c in participant.consents.select_related("text").order_by("given_at")
        ],
        "places_in_groups": [
            {
                "group": e.group.title if e.group else None,
                "state": e.state,
                "on_waitlist_since": _when(e.waitlisted_at),
                "history": [
                    {"from": t.from_state or None, "to": t.to_state, "when": _when(t.at)}
                    for t in e.transitions.order_by("at", "id")
                ],
                "reason_for_stopping": e.drop_reason or None,
                "note": e.drop_note,
                "attendance": [
                    {
                        "meeting": a.meeting.number,
                        "date": _when(a.meeting.starts_at),
                        "status": a.status,
                        "reason": a.absence_reason or None,
                    }
                    for a in e.attendances.select_related("meeting").order_by("meeting__starts_at")
                ],
            }
            for e in participant.enrolments.select_related("group").order_by("waitlisted_at")
        ],
    }
    return data


def _display(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_display(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_display(v) for v in value)
    return str(value)


def readable_sections(data: dict[str, Any]) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """The same data as sections of records of (field, text) pairs, for a readable page."""
    sections = []
    for name, content in data.items():
        items = content if isinstance(content, list) else ([content] if content else [])
        records = [
            [(key, _display(value)) for key, value in item.items()]
            for item in items
            if isinstance(item, dict)
        ]
        sections.append((name.replace("_", " "), records))
    return sections
