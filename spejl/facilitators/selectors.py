"""Reads of facilitators, their training and supervision, scoped to the actor and audited.

Personal data shown: the facilitator's name, e-mail and phone. Training records and
supervision sessions are facts about the person and are shown only with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from spejl.access.actor import Actor, NotFound
from spejl.accounts.models import Membership, Role, User
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.facilitators import permissions
from spejl.facilitators.models import FacilitatorProfile, SupervisionSession, TrainingRecord
from spejl.facilitators.policies import TrainingStatus, training_status
from spejl.groups.models import GroupFacilitator
from spejl.organisations.models import Organisation
from spejl.web.text import danish

LIST_FIELDS = ("full_name",)
PAGE_FIELDS = ("full_name", "email", "phone")

#: The CSS badge for each training status (see spejl.css).
STATUS_BADGES = {
    TrainingStatus.VALID: "badge-ok",
    TrainingStatus.EXPIRING: "badge-warn",
    TrainingStatus.EXPIRED: "badge-err",
    TrainingStatus.MISSING: "badge-err",
}


def one_year_before(day: date) -> date:
    """The same date a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def facilitator_organisation_ids(*, user: User) -> frozenset[int]:
    """The organisations in which the user holds a facilitator membership. No personal data."""
    return frozenset(
        o
        for o in Membership.objects.filter(user=user, role=Role.FACILITATOR).values_list(
            "organisation_id", flat=True
        )
        if o is not None
    )


def _validity(records: list[TrainingRecord], today: date) -> tuple[date | None, bool]:
    """The latest end of validity among completed records, and whether one never expires."""
    completed = [r for r in records if r.completed_on <= today]
    never = any(r.valid_until is None for r in completed)
    ends = [r.valid_until for r in completed if r.valid_until is not None]
    return (max(ends) if ends else None), never


@dataclass(frozen=True)
class FacilitatorRow:
    """One line of an organisation's facilitator list."""

    user: User
    profile: FacilitatorProfile | None
    status: TrainingStatus
    valid_until: date | None
    does_not_expire: bool
    groups_led: int
    supervision_recent: int

    @property
    def badge_class(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def needs_attention(self) -> bool:
        """Expired, missing or soon expiring training."""
        return self.status != TrainingStatus.VALID


def facilitators_for_organisation(
    *,
    actor: Actor,
    organisation: Organisation,
    today: date | None = None,
    needs_attention: bool = False,
) -> list[FacilitatorRow]:
    """The organisation's facilitators with training status, groups led in the organisation and
    supervision sessions held with it in the last 12 months.

    For the organisation's coordinators and national admins (others: :class:`NotFound`).
    ``needs_attention`` keeps only facilitators whose training is expired, missing or expiring.
    Three queries whatever the number of facilitators. Audited read of names.
    """
    if not actor.coordinates(organisation.pk):
        raise NotFound
    today = today or timezone.localdate()
    groups_led = (
        GroupFacilitator.objects.filter(
            facilitator__user=OuterRef("pk"), group__organisation=organisation
        )
        .order_by()
        .values("facilitator")
        .annotate(n=Count("pk"))
        .values("n")
    )
    supervision = (
        SupervisionSession.objects.filter(
            facilitator__user=OuterRef("pk"),
            organisation=organisation,
            held_on__gte=one_year_before(today),
            held_on__lte=today,
        )
        .order_by()
        .values("facilitator")
        .annotate(n=Count("pk"))
        .values("n")
    )
    in_organisation = {
        "memberships__role": Role.FACILITATOR,
        "memberships__organisation": organisation,
    }
    users = list(
        User.objects.filter(**in_organisation)
        .annotate(
            groups_led=Coalesce(Subquery(groups_led, output_field=IntegerField()), 0),
            supervision_recent=Coalesce(Subquery(supervision, output_field=IntegerField()), 0),
        )
        .order_by(danish("full_name"), "email")
    )
    profiles = {
        p.user_id: p
        for p in FacilitatorProfile.objects.filter(
            **{f"user__{k}": v for k, v in in_organisation.items()}
        ).prefetch_related("training_records")
    }
    rows = []
    for user in users:
        profile = profiles.get(user.pk)
        records = list(profile.training_records.all()) if profile else []
        status = training_status(records, today=today)
        if needs_attention and status == TrainingStatus.VALID:
            continue
        valid_until, never = _validity(records, today)
        rows.append(
            FacilitatorRow(
                user=user,
                profile=profile,
                status=status,
                valid_until=valid_until,
                does_not_expire=never,
                groups_led=user.groups_led,
                supervision_recent=user.supervision_recent,
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="accounts.user",
        organisation=organisation,
        fields=LIST_FIELDS,
        purpose="facilitator list",
    )
    return rows


@dataclass(frozen=True)
class FacilitatorDetail:
    """A facilitator as one actor may see them.

    ``organisations`` are only those of the facilitator's organisations the actor may see;
    ``organisation_ids`` are all of them, for permission checks only (never shown).
    """

    user: User
    profile: FacilitatorProfile | None
    organisation_ids: frozenset[int]
    organisations: list[Organisation]
    training_records: list[TrainingRecord]
    supervision_sessions: list[SupervisionSession]
    status: TrainingStatus
    can_manage: bool
    #: Where the actor may record supervision for this facilitator.
    supervision_organisations: list[Organisation]
    #: Organisations whose supervision sessions the actor may add and remove.
    manageable_organisation_ids: frozenset[int]

    @property
    def badge_class(self) -> str:
        return STATUS_BADGES[self.status]


def facilitator_get_for_actor(
    *,
    actor: Actor,
    public_id: UUID | str,
    manage: bool = False,
    today: date | None = None,
) -> FacilitatorDetail:
    """The facilitator whose *user* has this public id, with training records and the
    supervision sessions the actor may see.

    National admins, coordinators of one of the facilitator's organisations and the
    facilitator themself see the page; anyone else (and anyone asking about a person who is no
    facilitator) gets :class:`NotFound`. With ``manage=True`` the actor must also be allowed
    to change the facilitator (``PermissionDenied`` otherwise), checked before anything is
    read. The profile may not exist yet (it is created on the first change). Audited read of
    name, e-mail and phone.
    """
    user = User.objects.filter(public_id=public_id).first()
    if user is None:
        raise NotFound
    organisation_ids = facilitator_organisation_ids(user=user)
    if manage:
        permissions.check_can_manage_facilitator(actor, user, organisation_ids)
    else:
        permissions.check_can_view_facilitator(actor, user, organisation_ids)
    today = today or timezone.localdate()
    visible_ids = permissions.visible_organisation_ids(actor, user, organisation_ids)
    manageable_ids = permissions.manageable_organisation_ids(actor, organisation_ids)
    organisations = list(Organisation.objects.filter(pk__in=visible_ids).order_by(danish("name")))
    profile = FacilitatorProfile.objects.filter(user=user).first()
    records: list[TrainingRecord] = []
    sessions: list[SupervisionSession] = []
    if profile is not None:
        records = list(profile.training_records.order_by("-completed_on", "course_name"))
        sessions = [
            s
            for s in profile.supervision_sessions.select_related("organisation").order_by(
                "-held_on", "-created_at"
            )
            if permissions.can_see_supervision(actor, user, s.organisation_id)
        ]
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=user,
        organisation=organisations[0] if len(organisations) == 1 else None,
        fields=PAGE_FIELDS,
        purpose="manage facilitator" if manage else "facilitator page",
    )
    return FacilitatorDetail(
        user=user,
        profile=profile,
        organisation_ids=organisation_ids,
        organisations=organisations,
        training_records=records,
        supervision_sessions=sessions,
        status=training_status(records, today=today),
        can_manage=bool(manageable_ids),
        supervision_organisations=[o for o in organisations if o.pk in manageable_ids],
        manageable_organisation_ids=manageable_ids,
    )


def training_record_get_for_actor(
    *, actor: Actor, facilitator: FacilitatorDetail, public_id: UUID | str
) -> TrainingRecord:
    """One of the facilitator's training records (already loaded and checked), or
    :class:`NotFound`."""
    for record in facilitator.training_records:
        if str(record.public_id) == str(public_id):
            return record
    raise NotFound


def supervision_session_get_for_actor(
    *, actor: Actor, facilitator: FacilitatorDetail, public_id: UUID | str
) -> SupervisionSession:
    """One of the facilitator's supervision sessions that the actor may change (coordinators
    of its organisation, national admins): :class:`NotFound` if the actor cannot see it,
    ``PermissionDenied`` if they see but may not change it."""
    for session in facilitator.supervision_sessions:
        if str(session.public_id) == str(public_id):
            permissions.check_can_manage_supervision(
                actor, facilitator.user, facilitator.organisation_ids, session.organisation_id
            )
            return session
    raise NotFound


def facilitator_self_public_id(*, actor: Actor) -> UUID:
    """The public id of the actor's own facilitator page; :class:`NotFound` for users who hold
    no facilitator membership."""
    if actor.user is None or not actor.facilitator_of:
        raise NotFound
    return actor.user.public_id
