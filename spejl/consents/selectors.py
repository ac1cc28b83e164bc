"""Reads of consent texts and of participants' consents.

Consent texts hold no personal data. A participant's consents are personal data but
pseudonymous (they hang off the participant's random code); the coordinator's page that shows
them also shows the participant's name, and that read is audited here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Max, QuerySet
from django.utils import timezone

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.consents.models import (
    Consent,
    ConsentPurpose,
    ConsentText,
    ConsentTextStatus,
)
from spejl.consents.permissions import can_manage_consent_texts
from spejl.consents.policies import publish_problems
from spejl.organisations.models import Organisation
from spejl.participants.models import Participant

#: The contact fields the coordinator's consent page shows.
PAGE_CONTACT_FIELDS = ("first_name", "last_name")

# --- Consent texts ---------------------------------------------------------------------------


def _visible_texts(actor: Actor) -> QuerySet[ConsentText]:
    """Mirrors ``permissions.can_view_consent_text``."""
    if not actor.is_staff:
        return ConsentText.objects.none()
    if can_manage_consent_texts(actor):
        return ConsentText.objects.all()
    return ConsentText.objects.exclude(status=ConsentTextStatus.DRAFT)


def _purpose_order(purpose: str) -> int:
    return list(ConsentPurpose.values).index(purpose)


def consent_texts_for_actor(*, actor: Actor) -> list[ConsentText]:
    """Every version the actor may see, by purpose (in the order of ``ConsentPurpose``) and
    newest version first. Drafts are shown to national admins only. One query."""
    texts = list(_visible_texts(actor).order_by("purpose", "-version"))
    return sorted(texts, key=lambda t: (_purpose_order(t.purpose), -t.version))


def consent_text_get_for_actor(*, actor: Actor, public_id: str) -> ConsentText:
    """The text, or :class:`NotFound` if it does not exist or the actor may not see it."""
    text = _visible_texts(actor).filter(public_id=public_id).first()
    if text is None:
        raise NotFound
    return text


def consent_text_versions(*, actor: Actor, text: ConsentText) -> list[ConsentText]:
    """Every version of the text's purpose that the actor may see, newest first."""
    return list(_visible_texts(actor).filter(purpose=text.purpose).order_by("-version"))


def consent_text_open_draft(*, actor: Actor, text: ConsentText) -> ConsentText | None:
    """Another version of the text's purpose that is still a draft (at most one), if visible."""
    return (
        _visible_texts(actor)
        .filter(purpose=text.purpose, status=ConsentTextStatus.DRAFT)
        .exclude(pk=text.pk)
        .first()
    )


def consent_text_publish_problems(*, text: ConsentText) -> list[str]:
    """What stops ``text`` from being published, for the confirmation page. The publish
    service checks again under lock."""
    newest = (
        ConsentText.objects.filter(purpose=text.purpose, status=ConsentTextStatus.PUBLISHED)
        .exclude(pk=text.pk)
        .aggregate(v=Max("version"))["v"]
    )
    return publish_problems(text, newest)


def current_text(*, purpose: str) -> ConsentText | None:
    """The published version of ``purpose`` that people consent to now (``None`` if there is
    none yet, or the purpose is unknown). Public: no actor, no personal data."""
    return (
        ConsentText.objects.filter(purpose=purpose, status=ConsentTextStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )


def current_texts() -> dict[str, ConsentText]:
    """The current published text of every purpose that has one (one query)."""
    texts: dict[str, ConsentText] = {}
    for text in ConsentText.objects.filter(status=ConsentTextStatus.PUBLISHED).order_by(
        "purpose", "-version"
    ):
        texts.setdefault(text.purpose, text)
    return texts


# --- A participant's consents ----------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    """One purpose as it stands for one participant.

    ``text`` is the current published text (``None`` if none is published), ``active`` the
    consent in force (``None`` if not given or withdrawn) and ``history`` every consent of
    this purpose, newest first (the active one included).
    """

    purpose: str
    text: ConsentText | None
    active: Consent | None
    history: list[Consent] = field(default_factory=list)

    @property
    def purpose_label(self) -> str:
        return str(ConsentPurpose(self.purpose).label)

    @property
    def last_withdrawn(self) -> Consent | None:
        """The most recent withdrawn consent, when no consent is in force."""
        if self.active is not None:
            return None
        return next((c for c in self.history if c.withdrawn_at is not None), None)

    @property
    def newer_text(self) -> bool:
        """The consent in force was given to an older version than the current text."""
        return (
            self.active is not None
            and self.text is not None
            and self.active.text_id != self.text.pk
        )


def consent_active(*, participant: Participant, purpose: str) -> bool:
    """Does the participant consent to ``purpose`` now? Check it before every use of the
    data or contact the purpose covers (invitations, exports, follow-up messages)."""
    return Consent.objects.filter(
        participant=participant, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


def consents_for_participant(*, participant: Participant) -> list[ConsentRow]:
    """One row per purpose (in the order of ``ConsentPurpose``) for the participant's own page
    and the coordinator's page. The caller has established who may see them (a resolved link,
    or :func:`participant_for_consents`). Two queries."""
    texts = current_texts()
    history: dict[str, list[Consent]] = {p: [] for p in ConsentPurpose.values}
    for consent in (
        Consent.objects.filter(participant=participant)
        .select_related("text")
        .order_by("-given_at", "-pk")
    ):
        history[consent.purpose].append(consent)
    return [
        ConsentRow(
            purpose=purpose,
            text=texts.get(purpose),
            active=next((c for c in history[purpose] if c.withdrawn_at is None), None),
            history=history[purpose],
        )
        for purpose in ConsentPurpose.values
    ]


def participant_for_consents(*, actor: Actor, public_id: str) -> Participant:
    """The participant (with contact data) for the coordinator's consent page: coordinators of
    the participant's organisation and national admins; :class:`NotFound` for everyone else.
    Audited read of the participant's name."""
    participant = (
        Participant.objects.select_related("organisation", "contact")
        .filter(public_id=public_id)
        .first()
    )
    if participant is None or not actor.coordinates(participant.organisation_id):
        raise NotFound
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=participant,
        organisation=participant.organisation,
        fields=PAGE_CONTACT_FIELDS,
        purpose="consent page",
    )
    return participant


def participants_with_consent(
    *, purpose: str, organisation: Organisation | None = None
) -> QuerySet[Participant]:
    """Participants whose consent to ``purpose`` is in force now (withdrawn ones excluded),
    optionally of one organisation. For exports and mailings, which must use nothing else.
    No personal data is read here; the caller scopes and audits what it does with them."""
    participants = Participant.objects.filter(
        consents__purpose=purpose, consents__withdrawn_at__isnull=True
    )
    if organisation is not None:
        participants = participants.filter(organisation=organisation)
    # At most one active consent per purpose (a database constraint): no duplicates to remove.
    return participants


def recent_withdrawals_for_actor(actor: Actor, *, days: int = 30) -> list[Consent]:
    """Consents withdrawn in the last ``days`` days by participants of the organisations the
    actor coordinates (national admins: all), newest first, at most 100 — for the
    coordinator's dashboard, above all withdrawals of participation, which the coordinator must
    act on. Each has ``participant`` (code and organisation; no name) and ``text`` loaded."""
    if not (actor.coordinator_of or actor.is_national_admin or actor.is_system):
        return []
    since = timezone.now() - timedelta(days=days)
    consents = Consent.objects.filter(withdrawn_at__gte=since)
    if not (actor.is_national_admin or actor.is_system):
        consents = consents.filter(participant__organisation__in=actor.coordinator_of)
    consents = consents.select_related("participant__organisation", "text")
    return list(consents.order_by("-withdrawn_at")[:100])
