"""Writing enquiries: the public form, registering a phone call or referral, changing status,
and marking an enquiry converted when its person becomes a participant.

Every write of personal data records an audit event (field names only) in the same
transaction. The public form protects itself without burdening people: a hidden trap field for
robots, a per-address hourly limit, and two guards against duplicates (a one-time form token
and the same contact asking the same organisation again within ten minutes).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from spejl.access.actor import ANONYMOUS, Actor
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enquiries import policies
from spejl.enquiries.models import Enquiry, EnquirySource, EnquiryStatus, Referrer
from spejl.enquiries.notices import queue_enquiry_received
from spejl.enquiries.permissions import check_can_register_for, check_can_view_enquiry
from spejl.enquiries.policies import EnquiryDetails
from spejl.enquiries.selectors import organisation_nearest_to, public_organisations
from spejl.enquiries.times import sorted_slots
from spejl.groups.models import PeerGroup
from spejl.organisations.models import Organisation, OrganisationKind
from spejl.participants.models import Participant
from spejl.web.text import fold

#: The personal-data fields an enquiry is created with (for the audit event).
CREATED_FIELDS = (
    "first_name",
    "phone",
    "email",
    "preferred_contact",
    "postcode",
    "birth_year",
    "heard_about",
    "preferred_times",
    "message",
)
#: Sources a coordinator registers by hand (the web form is the public form's own).
STAFF_SOURCES = (EnquirySource.PHONE, EnquirySource.REFERRAL, EnquirySource.IN_PERSON)
#: How long a used form token is remembered.
TOKEN_SECONDS = 60 * 60 * 24
_CLAIMED = "claimed"


class SubmitOutcome(StrEnum):
    CREATED = "created"
    #: The same form was sent again (double click, reload): the first enquiry stands.
    REPEATED = "repeated"
    #: The same person asked the same organisation within ten minutes: that enquiry stands.
    DUPLICATE = "duplicate"
    #: The trap field was filled in: treated as a robot, nothing stored.
    TRAPPED = "trapped"
    #: Too many enquiries from one address this hour: nothing stored.
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class SubmitResult:
    outcome: SubmitOutcome
    enquiry: Enquiry | None = None

    @property
    def organisation(self) -> Organisation | None:
        return self.enquiry.organisation if self.enquiry is not None else None


def _raise_if_invalid(details: EnquiryDetails, *, public: bool, extra: dict[str, Any]) -> None:
    errors: dict[str, Any] = dict(
        policies.details_errors(details, year=timezone.localdate().year, public=public)
    )
    errors.update(extra)
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


def _new_enquiry(
    *,
    details: EnquiryDetails,
    organisation: Organisation,
    group: PeerGroup | None,
    source: str,
    referrer: str = "",
    registered_by: Actor | None = None,
) -> Enquiry:
    # The callers validated the details (details_errors): postcode and birth year are given.
    assert details.postcode is not None and details.birth_year is not None
    phone = ""
    if details.phone.strip():
        phone = policies.normalise_phone(details.phone) or ""
    email = details.email.strip()
    return Enquiry.objects.create(
        organisation=organisation,
        group=group,
        source=source,
        referrer=referrer,
        first_name=details.first_name.strip(),
        phone=phone,
        email=email,
        preferred_contact=details.preferred_contact,
        postcode=details.postcode,
        birth_year=details.birth_year,
        heard_about=details.heard_about,
        preferred_times=sorted_slots(list(details.preferred_times)),
        message=details.message.strip(),
        language=details.language,
        registered_by=registered_by.user if registered_by is not None else None,
        contact_fingerprint=policies.contact_fingerprint(email=email, phone=phone),
    )


# --- The public form --------------------------------------------------------------------------


def _token_key(form_token: str) -> str:
    return "spejl:enquiry-token:" + hashlib.sha256(form_token.encode()).hexdigest()


def _rate_key(client_address: str) -> str:
    # The address is personal data: the cache holds a keyed hash of it, never the address.
    digest = salted_hmac("spejl.enquiries.rate", client_address, algorithm="sha256").hexdigest()
    return "spejl:enquiry-rate:" + digest[:40]


def _rate_used(key: str) -> int:
    """Enquiries counted in the current window of this address."""
    entry = cache.get(key)
    if not isinstance(entry, dict) or entry.get("until", 0) <= time.time():
        return 0
    return int(entry.get("count", 0))


def _rate_count(key: str) -> None:
    """Count one enquiry. The window starts with the first and lasts an hour; it is written
    with an explicit timeout so counting never stretches it (``cache.incr`` would)."""
    now = time.time()
    entry = cache.get(key)
    if isinstance(entry, dict) and entry.get("until", 0) > now:
        entry = {"count": int(entry.get("count", 0)) + 1, "until": entry["until"]}
    else:
        entry = {"count": 1, "until": now + policies.RATE_WINDOW_SECONDS}
    cache.set(key, entry, timeout=max(1, int(entry["until"] - now)))


def _earlier_from_token(value: Any) -> Enquiry | None:
    if not isinstance(value, str) or value == _CLAIMED:
        return None
    return Enquiry.objects.select_related("organisation").filter(public_id=value).first()


def _route(
    *,
    details: EnquiryDetails,
    group_id: UUID | None,
    organisation_id: UUID | None,
) -> tuple[Organisation, PeerGroup | None]:
    """The chosen group's organisation; else the chosen organisation; else the member
    organisation nearest to the person's postcode."""
    if group_id is not None:
        group = (
            PeerGroup.objects.select_related("organisation")
            .filter(
                public_id=group_id,
                organisation__is_active=True,
                organisation__kind=OrganisationKind.MEMBER,
            )
            .first()
        )
        if group is not None:
            return group.organisation, group
    if organisation_id is not None:
        chosen = public_organisations().filter(public_id=organisation_id).first()
        if chosen is not None:
            return chosen, None
    assert details.postcode is not None
    nearest = organisation_nearest_to(postcode=details.postcode)
    if nearest is None:
        raise ValidationError(
            _("Sorry, no organisation can take enquiries through this form right now.")
        )
    return nearest, None


@transaction.atomic
def enquiry_submit_public(
    *,
    details: EnquiryDetails,
    group_id: UUID | None = None,
    organisation_id: UUID | None = None,
    form_token: str = "",
    client_address: str = "",
    trap: str = "",
) -> SubmitResult:
    """Take an enquiry from the public form (anyone, no login) and route it: to the chosen
    group's organisation, else the chosen organisation, else the nearest member organisation.

    Returns what happened (:class:`SubmitOutcome`); only ``CREATED`` stores anything and
    queues a confirmation. A filled ``trap`` field stores nothing and looks like success to
    the robot. ``form_token`` (one per form shown) makes a second submit of the same form
    return the first enquiry; the same contact asking the same organisation again within ten
    minutes returns that enquiry too. More than five new enquiries an hour from one
    ``client_address`` are refused. Raises :class:`ValidationError` for details a person must
    correct. Personal data: writes the enquiry (audited as an anonymous create).
    """
    if trap.strip():
        return SubmitResult(SubmitOutcome.TRAPPED)
    _raise_if_invalid(details, public=True, extra={})
    token_key = _token_key(form_token) if form_token else ""
    # Claim the token first: a concurrent second submit of the same form waits on this row
    # (database cache) and then finds the first one's enquiry.
    if token_key and not cache.add(token_key, _CLAIMED, timeout=TOKEN_SECONDS):
        earlier = _earlier_from_token(cache.get(token_key))
        if earlier is not None:
            return SubmitResult(SubmitOutcome.REPEATED, earlier)
    organisation, group = _route(
        details=details, group_id=group_id, organisation_id=organisation_id
    )
    fingerprints = policies.contact_fingerprints(email=details.email, phone=details.phone)
    if fingerprints:
        recent = (
            Enquiry.objects.select_related("organisation")
            .filter(
                contact_fingerprint__in=fingerprints,
                organisation=organisation,
                created_at__gte=timezone.now() - policies.DUPLICATE_WINDOW,
            )
            .order_by("-created_at")
            .first()
        )
        if recent is not None:
            if token_key:
                cache.set(token_key, str(recent.public_id), timeout=TOKEN_SECONDS)
            return SubmitResult(SubmitOutcome.DUPLICATE, recent)
    rate_key = _rate_key(client_address)
    if _rate_used(rate_key) >= policies.RATE_LIMIT:
        if token_key:
            cache.delete(token_key)
        return SubmitResult(SubmitOutcome.RATE_LIMITED)
    enquiry = _new_enquiry(
        details=details, organisation=organisation, group=group, source=EnquirySource.WEB
    )
    audit_record(
        actor=ANONYMOUS,
        action=AuditAction.CREATE,
        obj=enquiry,
        organisation=organisation,
        fields=CREATED_FIELDS,
        purpose="public enquiry form",
    )
    queue_enquiry_received(enquiry=enquiry)
    _rate_count(rate_key)
    if token_key:
        cache.set(token_key, str(enquiry.public_id), timeout=TOKEN_SECONDS)
    return SubmitResult(SubmitOutcome.CREATED, enquiry)


# --- Coordinators ------------------------------------------------------------------------------


@transaction.atomic
def enquiry_register(
    *,
    actor: Actor,
    organisation: Organisation,
    source: str,
    details: EnquiryDetails,
    referrer: str = "",
    group: PeerGroup | None = None,
) -> Enquiry:
    """Register an enquiry a coordinator took by phone, in person or as a referral (from the
    municipality, a GP, another association…), for an organisation they coordinate. The same
    person (first name and contact) registered again within ten minutes returns the first.

    Personal data: writes the enquiry; audited create.
    """
    check_can_register_for(actor, organisation.pk)
    extra: dict[str, Any] = {}
    if source not in STAFF_SOURCES:
        extra["source"] = _("Choose how the enquiry came in.")
    if source == EnquirySource.REFERRAL:
        if referrer not in Referrer.values:
            extra["referrer"] = _("Say who referred the person.")
    else:
        referrer = ""
    if group is not None and group.organisation_id != organisation.pk:
        extra["group"] = _("Choose one of the organisation's own groups.")
    _raise_if_invalid(details, public=False, extra=extra)
    # A double click on "Register" must not register the person twice. (Two people sharing
    # a phone number have different first names.)
    # The first name is encrypted at rest: compare it in Python among the few enquiries with
    # the same contact fingerprint from the last ten minutes.
    fingerprints = policies.contact_fingerprints(email=details.email, phone=details.phone)
    first_name = fold(details.first_name.strip())
    recent_same_contact = Enquiry.objects.filter(
        contact_fingerprint__in=fingerprints or [""],
        organisation=organisation,
        created_at__gte=timezone.now() - policies.DUPLICATE_WINDOW,
    ).order_by("-created_at", "-pk")
    for recent in recent_same_contact[:20]:
        if fold(recent.first_name) == first_name:
            return recent
    enquiry = _new_enquiry(
        details=details,
        organisation=organisation,
        group=group,
        source=source,
        referrer=referrer,
        registered_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=enquiry,
        organisation=organisation,
        fields=(*CREATED_FIELDS, "referrer"),
        purpose="enquiry registered by a coordinator",
    )
    return enquiry


@transaction.atomic
def enquiry_set_status(*, actor: Actor, enquiry: Enquiry, status: str, reason: str = "") -> Enquiry:
    """Mark an enquiry contacted, at intake, or closed (with a short reason), or open a closed
    one again. Setting the status it already has changes nothing (a double submit).

    For the organisation's coordinators and national admins; audited update.
    """
    check_can_view_enquiry(actor, enquiry)
    if status == enquiry.status:
        return enquiry
    if not policies.can_transition(enquiry.status, status):
        raise ValidationError(
            {
                "status": _("An enquiry that is “%(current)s” cannot become “%(new)s”.")
                % {
                    "current": EnquiryStatus(enquiry.status).label,
                    "new": EnquiryStatus(status).label
                    if status in EnquiryStatus.values
                    else status,
                }
            }
        )
    reason = reason.strip()
    if status in policies.NEEDS_REASON and not reason:
        raise ValidationError({"reason": _("Write a short reason for closing.")})
    closed_reason = reason[:300] if status == EnquiryStatus.CLOSED else ""
    # Conditional update: if someone changed the status meanwhile, nothing is overwritten.
    changed = Enquiry.objects.filter(pk=enquiry.pk, status=enquiry.status).update(
        status=status, closed_reason=closed_reason, updated_at=timezone.now()
    )
    if not changed:
        raise ValidationError(
            _("Someone else changed this enquiry just now. Look at it again and try once more.")
        )
    fields = ["status"]
    if closed_reason or enquiry.closed_reason:
        fields.append("closed_reason")
    enquiry.status, enquiry.closed_reason = status, closed_reason
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enquiry,
        organisation=enquiry.organisation,
        fields=fields,
        purpose="enquiry status",
    )
    return enquiry


@transaction.atomic
def enquiry_mark_converted(*, actor: Actor, enquiry: Enquiry, participant: Participant) -> Enquiry:
    """Record that the enquiry's person became ``participant`` (used by the intake app after
    a suitable intake). Idempotent for the same participant.

    For the organisation's coordinators and national admins; audited update.
    """
    check_can_view_enquiry(actor, enquiry)
    if participant.organisation_id != enquiry.organisation_id:
        raise ValidationError(_("The participant belongs to another organisation."))
    if enquiry.status == EnquiryStatus.CONVERTED:
        if enquiry.participant_id == participant.pk:
            return enquiry
        raise ValidationError(_("This enquiry has already become another participant."))
    Enquiry.objects.filter(pk=enquiry.pk).update(
        status=EnquiryStatus.CONVERTED, participant=participant, updated_at=timezone.now()
    )
    enquiry.status, enquiry.participant = EnquiryStatus.CONVERTED, participant
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enquiry,
        organisation=enquiry.organisation,
        fields=("participant", "status"),
        purpose="enquiry became a participant",
    )
    return enquiry
