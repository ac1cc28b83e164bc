"""Private iCalendar feeds of meetings, behind revocable random tokens.

A token carries 256 bits of randomness and is stored only as its SHA-256 hash, so the database
alone cannot be used to read anyone's calendar. Feeds show group titles, times, places and
themes — never participants' names.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from spejl.access.actor import Actor, NotFound
from spejl.facilitators.models import FacilitatorProfile
from spejl.groups.models import CalendarFeed, CalendarFeedKind, Meeting, MeetingStatus, PeerGroup
from spejl.groups.permissions import check_can_manage_group

PRODID = "-//Spejl//Self-help groups//DA"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(
    *,
    actor: Actor,
    group: PeerGroup | None = None,
    facilitator: FacilitatorProfile | None = None,
) -> str:
    """Make a new feed (revoking the previous one of the same owner) and return its token —
    shown once, never stored."""
    if group is not None:
        check_can_manage_group(actor, group)
        kind = CalendarFeedKind.GROUP
    elif facilitator is not None:
        if actor.user is None or facilitator.user_id != actor.user.pk:
            raise NotFound
        kind = CalendarFeedKind.FACILITATOR
    else:
        raise ValueError("calendar_feed_create needs a group or a facilitator")
    calendar_feeds_revoke(group=group, facilitator=facilitator)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(
        token_hash=_hash(token), kind=kind, group=group, facilitator=facilitator
    )
    return token


def calendar_feeds_revoke(
    *, group: PeerGroup | None = None, facilitator: FacilitatorProfile | None = None
) -> int:
    """Revoke the owner's active feeds (the caller has checked permission)."""
    feeds = CalendarFeed.objects.filter(revoked_at__isnull=True)
    feeds = (
        feeds.filter(group=group) if group is not None else feeds.filter(facilitator=facilitator)
    )
    return feeds.update(revoked_at=timezone.now())


def active_feed(
    *, group: PeerGroup | None = None, facilitator: FacilitatorProfile | None = None
) -> CalendarFeed | None:
    feeds = CalendarFeed.objects.filter(revoked_at__isnull=True)
    if group is not None:
        return feeds.filter(group=group).first()
    return feeds.filter(facilitator=facilitator).first()


def feed_meetings(token: str) -> tuple[str, QuerySet[Meeting]]:
    """The calendar name and meetings of an active feed; :class:`NotFound` for unknown or
    revoked tokens."""
    feed = (
        CalendarFeed.objects.select_related("group", "facilitator__user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise NotFound
    meetings = Meeting.objects.select_related("group", "venue__postcode")
    if feed.group is not None:
        return feed.group.title, meetings.filter(group=feed.group)
    if feed.facilitator is None:
        # Not an assert: under `python -O` a feed with neither owner would reach the filter
        # below as `facilitator=None` and list the meetings of every group without facilitators.
        raise NotFound
    return "Spejl", meetings.filter(group__facilitations__facilitator=feed.facilitator)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_ics(*, name: str, meetings: Iterable[Meeting], now: datetime | None = None) -> str:
    """An iCalendar document. Moved meetings keep their UID and raise SEQUENCE, so calendar
    apps update the event; cancelled meetings are sent with STATUS:CANCELLED."""
    now = now or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for meeting in meetings:
        venue = meeting.venue
        summary = f"{meeting.group.title} – {meeting.number}"
        if meeting.theme:
            summary += f": {meeting.theme}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.public_id}@spejl",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(meeting.starts_at)}",
            f"DTEND:{_stamp(meeting.ends_at)}",
            f"SEQUENCE:{meeting.sequence}",
            f"SUMMARY:{_escape(summary)}",
            f"LOCATION:{_escape(f'{venue.name}, {venue.street_address}, {venue.postcode}')}",
            "STATUS:" + ("CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
