"""Reads for the public group finder (no personal data) and the coordinators' enquiry inbox
(personal data: audited).

The public rows are plain dataclasses holding only what a member of the public may know about a
group: where (municipality, region, town), for whom, when, and how accessible the venue is.
Never participants, never facilitators, never the street address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core.geo import Point, haversine_km, nearest
from spejl.enquiries.models import Enquiry, EnquiryStatus
from spejl.enquiries.permissions import can_use_inbox, check_can_use_inbox, check_can_view_enquiry
from spejl.enquiries.policies import OPEN_STATUSES
from spejl.enrolments.models import SEAT_STATES, Enrolment
from spejl.groups.models import (
    GroupLanguage,
    GroupStatus,
    Meeting,
    MeetingStatus,
    PeerGroup,
    Target,
    Weekday,
)
from spejl.organisations.models import Organisation, OrganisationKind, Postcode, Region
from spejl.web.text import danish, danish_sort_key

#: Fields the inbox list shows.
LIST_FIELDS = ("first_name", "postcode", "birth_year")
#: Fields the enquiry page shows.
DETAIL_FIELDS = (
    "first_name",
    "phone",
    "email",
    "preferred_contact",
    "postcode",
    "birth_year",
    "heard_about",
    "preferred_times",
    "message",
    "closed_reason",
)


# --- The public group finder ----------------------------------------------------------------

#: The group's rhythm in words (the same texts as the group form's choices).
INTERVAL_LABELS: dict[int, Promise] = {1: _("Weekly"), 2: _("Every 14 days")}


@dataclass(frozen=True)
class PublicGroupFilter:
    """Narrow the finder: a target group code, a region code, a weekday (0 = Monday)."""

    target: str = ""
    region: str = ""
    weekday: int | None = None


@dataclass(frozen=True)
class PublicGroupRow:
    """What the public may know about a group that takes new participants."""

    public_id: UUID
    title: str
    organisation_public_id: UUID
    organisation_name: str
    organisation_website: str
    target: str
    age_min: int | None
    age_max: int | None
    language: str
    weekday: int
    start_time: time
    duration_minutes: int
    interval_weeks: int
    #: The first meeting's date (in the past for a group reopened after it started); ``None``
    #: when it is not planned yet.
    first_meeting: date | None
    municipality: str
    region: str
    town: str
    postcode: str
    step_free_access: bool
    accessible_toilet: bool
    hearing_loop: bool
    #: Kilometres (rounded) from the postcode the visitor gave; ``None`` without one.
    distance_km: int | None = None

    @property
    def target_label(self) -> Promise:
        return Target(self.target).label

    @property
    def language_label(self) -> Promise:
        return GroupLanguage(self.language).label

    @property
    def weekday_label(self) -> Promise:
        return Weekday(self.weekday).label

    @property
    def region_label(self) -> Promise | str:
        return Region(self.region).label if self.region in Region.values else self.region

    @property
    def has_started(self) -> bool:
        """The group has met already (it was reopened for new participants)."""
        return self.first_meeting is not None and self.first_meeting < timezone.localdate()

    @property
    def interval_label(self) -> Promise | str:
        return INTERVAL_LABELS.get(self.interval_weeks, "")

    @property
    def end_time(self) -> time:
        start = datetime.combine(date(2000, 1, 1), self.start_time)
        return (start + timedelta(minutes=self.duration_minutes)).time()


def _count(qs: QuerySet[Any], key: str) -> Coalesce:
    """A correlated COUNT subquery (one per row, no join that could multiply rows)."""
    counted = qs.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _first_date_on_weekday(first_date: date, weekday: int) -> date:
    return first_date + timedelta(days=(weekday - first_date.weekday()) % 7)


def _public_queryset(filters: PublicGroupFilter) -> QuerySet[PeerGroup]:
    now = timezone.now()
    first_meeting = (
        Meeting.objects.filter(group=OuterRef("pk"))
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    qs = (
        PeerGroup.objects.filter(
            status=GroupStatus.RECRUITING,
            organisation__is_active=True,
            organisation__kind=OrganisationKind.MEMBER,
        )
        .annotate(
            first_meeting_at=Subquery(first_meeting),
            seats_taken=_count(
                Enrolment.objects.filter(group=OuterRef("pk"), state__in=SEAT_STATES), "group"
            ),
        )
        # A closed group takes no one new after its first meeting unless it was reopened
        # (groups.policies.accepts_new_participants), and a full group takes no one.
        .filter(Q(reopened=True) | Q(first_meeting_at__isnull=True) | Q(first_meeting_at__gt=now))
        .filter(seats_taken__lt=F("max_participants"))
        .select_related("organisation", "venue__postcode")
    )
    if filters.target:
        qs = qs.filter(target=filters.target)
    if filters.region:
        qs = qs.filter(venue__postcode__region=filters.region)
    if filters.weekday is not None:
        qs = qs.filter(weekday=filters.weekday)
    return qs


def _row(group: PeerGroup, origin: Point | None) -> PublicGroupRow:
    venue = group.venue
    first_meeting_at: datetime | None = getattr(group, "first_meeting_at", None)
    if first_meeting_at is not None:
        first_meeting: date | None = timezone.localdate(first_meeting_at)
    else:
        planned = _first_date_on_weekday(group.first_date, group.weekday)
        first_meeting = planned if planned >= timezone.localdate() else None
    age_min, age_max = group.age_band
    distance = (
        round(haversine_km(origin, Point(venue.latitude, venue.longitude)))
        if origin is not None
        else None
    )
    return PublicGroupRow(
        public_id=group.public_id,
        title=group.title,
        organisation_public_id=group.organisation.public_id,
        organisation_name=group.organisation.name,
        organisation_website=group.organisation.website,
        target=group.target,
        age_min=age_min,
        age_max=age_max,
        language=group.language,
        weekday=group.weekday,
        start_time=group.start_time,
        duration_minutes=group.duration_minutes,
        interval_weeks=group.interval_weeks,
        first_meeting=first_meeting,
        municipality=venue.postcode.municipality,
        region=venue.postcode.region,
        town=venue.postcode.town,
        postcode=venue.postcode.code,
        step_free_access=venue.step_free_access,
        accessible_toilet=venue.accessible_toilet,
        hearing_loop=venue.hearing_loop,
        distance_km=distance,
    )


def public_groups(
    *, postcode: Postcode | None = None, filters: PublicGroupFilter | None = None
) -> list[PublicGroupRow]:
    """Groups that are recruiting and still take new participants, for anyone (no login).

    With a ``postcode``, each row carries its distance from that postcode and the list is
    nearest first; without one it is ordered by start date. One query whatever the number of
    groups. Personal data: none (no participants, no facilitators, no street addresses).
    """
    filters = filters or PublicGroupFilter()
    origin = Point(postcode.latitude, postcode.longitude) if postcode is not None else None
    groups = list(_public_queryset(filters))
    far_future = date.max
    if origin is not None:
        exact = {
            g.pk: haversine_km(origin, Point(g.venue.latitude, g.venue.longitude)) for g in groups
        }
        groups.sort(key=lambda g: danish_sort_key(g.title))
        groups.sort(key=lambda g: exact[g.pk])
    rows = [_row(g, origin) for g in groups]
    if origin is None:
        rows.sort(key=lambda r: (r.first_meeting or far_future, danish_sort_key(r.title)))
    return rows


def public_group_get(*, public_id: UUID | str) -> PublicGroupRow | None:
    """One public group, or ``None`` if it does not exist or takes no one new now."""
    try:
        wanted = UUID(str(public_id))
    except ValueError:
        return None
    group = _public_queryset(PublicGroupFilter()).filter(public_id=wanted).first()
    return _row(group, None) if group is not None else None


def public_organisations() -> QuerySet[Organisation]:
    """Active member organisations, for the enquiry form's choice and for routing. Public."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.MEMBER, is_active=True)
        .select_related("postcode")
        .order_by(danish("name"))
    )


def organisation_nearest_to(*, postcode: Postcode) -> Organisation | None:
    """The active member organisation whose own postcode lies nearest to ``postcode`` (by the
    postcodes' coordinates); ``None`` if there is none. Public; no personal data."""
    organisations = list(public_organisations())
    found = nearest(
        (
            (index, Point(o.postcode.latitude, o.postcode.longitude))
            for index, o in enumerate(organisations)
        ),
        Point(postcode.latitude, postcode.longitude),
        1,
    )
    return organisations[found[0].key] if found else None


# --- The coordinators' inbox ----------------------------------------------------------------


def enquiries_for_actor(*, actor: Actor, status: str | None = None) -> QuerySet[Enquiry]:
    """The enquiries of the organisations the actor coordinates (national admins: all),
    newest first, optionally of one status (``"open"`` = new, contacted or at intake).

    Audited read of first names, postcodes and birth years; a fixed number of queries.
    """
    check_can_use_inbox(actor)
    qs = Enquiry.objects.select_related("organisation", "postcode", "group")
    if not (actor.is_national_admin or actor.is_system):
        qs = qs.filter(organisation__in=actor.coordinator_of)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type=Enquiry._meta.label_lower,
        organisation=None,
        fields=LIST_FIELDS,
        purpose="enquiry inbox",
    )
    return qs.order_by("-created_at", "-pk")


def enquiry_get_for_actor(
    *, actor: Actor, public_id: UUID | str, purpose: str = "enquiry page"
) -> Enquiry:
    """The enquiry with everything the person gave, or :class:`NotFound` if the actor may not
    see it (another organisation's enquiries do not exist for them). Audited read of all its
    personal data."""
    enquiry = (
        Enquiry.objects.select_related(
            "organisation", "postcode", "group", "participant", "registered_by"
        )
        .filter(public_id=public_id)
        .first()
    )
    if enquiry is None:
        raise NotFound
    check_can_view_enquiry(actor, enquiry)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=enquiry,
        organisation=enquiry.organisation,
        fields=DETAIL_FIELDS,
        purpose=purpose,
    )
    return enquiry


def enquiry_counts_for_actor(*, actor: Actor) -> dict[str, int]:
    """How many enquiries of each status the actor's organisations have (every status, zeros
    included), for the dashboard. Empty for actors without an inbox. One query; no personal
    data."""
    if not can_use_inbox(actor):
        return {}
    qs = Enquiry.objects.all()
    if not (actor.is_national_admin or actor.is_system):
        qs = qs.filter(organisation__in=actor.coordinator_of)
    counts = dict.fromkeys(EnquiryStatus.values, 0)
    for row in qs.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def organisations_for_registering(*, actor: Actor) -> QuerySet[Organisation]:
    """Organisations the actor may register an enquiry for: those they coordinate (national
    admins: every active member organisation)."""
    qs = Organisation.objects.filter(kind=OrganisationKind.MEMBER, is_active=True)
    if not (actor.is_national_admin or actor.is_system):
        qs = qs.filter(pk__in=actor.coordinator_of)
    return qs.order_by(danish("name"))


def groups_for_registering(*, actor: Actor) -> QuerySet[PeerGroup]:
    """Groups a registered enquiry can be about: the not yet finished groups of the
    organisations the actor may register for. No personal data."""
    return (
        PeerGroup.objects.filter(
            organisation__in=organisations_for_registering(actor=actor),
            status__in=(GroupStatus.PLANNING, GroupStatus.RECRUITING, GroupStatus.RUNNING),
        )
        .select_related("organisation")
        .order_by(danish("organisation__name"), "first_date", "title")
    )
