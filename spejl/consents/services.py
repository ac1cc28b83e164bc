"""Changes to consent texts (new versions, editing drafts, publishing) and to participants'
consents (giving and withdrawing, with the effects of a withdrawal applied at once).

Consent texts hold no personal data and are not audited. Every write of a consent is audited
(object ``consents.consent``, fields ``purpose`` and ``method``, the participant's
organisation), in the same transaction.

``actor`` is ``None`` when the participant acts through their own secure link: the view has
resolved the link, which is the participant's permission, and the method is then ``DIGITAL``.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.consents import policies
from spejl.consents.loader import normalise_body, text_content_hash, text_data_from_model
from spejl.consents.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentText,
    ConsentTextStatus,
)
from spejl.consents.permissions import check_can_manage_consent_text, check_can_record_consent
from spejl.links.services import links_revoke
from spejl.notifications.models import Notification, NotificationStatus
from spejl.participants.models import Participant

CONSENT_AUDIT_FIELDS = ("purpose", "method")

# The participant acting through their own secure link: no staff user.
_PARTICIPANT = Actor(user=None)


def _refuse(message: str | None, code: str = "invalid") -> None:
    if message is not None:
        raise ValidationError(message, code=code)


# --- Consent texts ---------------------------------------------------------------------------


def _locked(text: ConsentText) -> ConsentText:
    """The text's current row, locked for this transaction."""
    return ConsentText.objects.select_for_update().get(pk=text.pk)


def _draft_of(purpose: str) -> ConsentText | None:
    return ConsentText.objects.filter(purpose=purpose, status=ConsentTextStatus.DRAFT).first()


@transaction.atomic
def consent_text_new_version(*, actor: Actor, text: ConsentText) -> ConsentText:
    """Start the next version of a purpose's text as a draft copy of ``text`` (published or
    superseded). National admins; one draft per purpose at a time."""
    check_can_manage_consent_text(actor, text)
    current = _locked(text)
    existing_draft = _draft_of(current.purpose)
    _refuse(
        policies.new_version_problem(current, existing_draft),
        "is_draft" if current.status == ConsentTextStatus.DRAFT else "draft_exists",
    )
    newest = ConsentText.objects.filter(purpose=current.purpose).aggregate(v=Max("version"))["v"]
    try:
        with transaction.atomic():
            return ConsentText.objects.create(
                purpose=current.purpose,
                version=(newest or 0) + 1,
                title_da=current.title_da,
                title_en=current.title_en,
                body_da=current.body_da,
                body_en=current.body_en,
                status=ConsentTextStatus.DRAFT,
            )
    except IntegrityError as exc:  # a second click at the same moment
        raise ValidationError(
            _("Someone else made a new version at the same moment. Reload the page."),
            code="conflict",
        ) from exc


@transaction.atomic
def consent_text_update_draft(
    *, actor: Actor, text: ConsentText, title_da: str, title_en: str, body_da: str, body_en: str
) -> ConsentText:
    """Change a draft's titles and texts (national admins; drafts only — a published version
    is refused with a message saying why)."""
    check_can_manage_consent_text(actor, text)
    current = _locked(text)
    _refuse(policies.edit_problem(current), "immutable")
    current.title_da = title_da.strip()
    current.title_en = title_en.strip()
    current.body_da = normalise_body(body_da)
    current.body_en = normalise_body(body_en)
    current.full_clean(exclude=["published_by"], validate_constraints=False)
    current.save(update_fields=["title_da", "title_en", "body_da", "body_en"])
    return current


@transaction.atomic
def consent_text_publish(*, actor: Actor, text: ConsentText) -> ConsentText:
    """Publish a draft: fix its content hash, and supersede the version of its purpose
    published before it. Consents already given stay given, to the version they were given
    to; new consents are given to this version. National admins."""
    check_can_manage_consent_text(actor, text)
    current = _locked(text)
    newest = (
        ConsentText.objects.filter(purpose=current.purpose, status=ConsentTextStatus.PUBLISHED)
        .exclude(pk=current.pk)
        .aggregate(v=Max("version"))["v"]
    )
    problems = policies.publish_problems(current, newest)
    if problems:
        raise ValidationError(problems, code="not_publishable")
    # Conditional update: of two publishes at once, only one finds the draft.
    updated = ConsentText.objects.filter(pk=current.pk, status=ConsentTextStatus.DRAFT).update(
        status=ConsentTextStatus.PUBLISHED,
        content_hash=text_content_hash(text_data_from_model(current)),
        published_at=timezone.now(),
        published_by=actor.user,
    )
    if not updated:
        raise ValidationError(_("This version has already been published."), code="published")
    previous = ConsentText.objects.filter(
        purpose=current.purpose, status=ConsentTextStatus.PUBLISHED
    ).exclude(pk=current.pk)
    previous.update(status=ConsentTextStatus.RETIRED)
    current.refresh_from_db()
    return current


# --- Giving and withdrawing ------------------------------------------------------------------


def _check_actor_and_method(actor: Actor | None, participant: Participant, method: str) -> None:
    """The participant acts digitally, through their link; staff record what the participant
    said or signed (paper or verbal). Staff must coordinate the participant's organisation."""
    if method not in ConsentMethod.values:
        raise ValueError(f"unknown consent method {method!r}")
    if actor is None:
        if method != ConsentMethod.DIGITAL:
            raise ValueError("a participant acting through their link consents digitally")
        return
    check_can_record_consent(actor, participant)
    if method not in policies.STAFF_METHODS and not actor.is_system:
        raise ValidationError(
            _("Record consent given on paper or by word of mouth."), code="method"
        )


def _check_purpose(purpose: str) -> None:
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"unknown consent purpose {purpose!r}")


def _active(participant: Participant, purpose: str) -> Consent | None:
    return (
        Consent.objects.select_related("text")
        .filter(participant=participant, purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )


@transaction.atomic
def consent_give(
    *,
    actor: Actor | None,
    participant: Participant,
    purpose: str,
    method: str,
    text: ConsentText | None = None,
    given_at: datetime | None = None,
) -> Consent:
    """Record that the participant consents to ``purpose`` under ``text`` (default: the
    current published text of the purpose), given at ``given_at`` (default: now; never in the
    future).

    ``actor=None``: the participant through their own link (method ``DIGITAL``). Otherwise a
    coordinator of the participant's organisation or a national admin records paper or verbal
    consent (:class:`NotFound` for anyone else). Idempotent: if a consent to ``purpose`` is
    already in force, that one is returned and nothing is written, so a double submit stores
    one consent. Audited (fields ``purpose``, ``method``).
    """
    _check_purpose(purpose)
    _check_actor_and_method(actor, participant, method)
    now = timezone.now()
    given_at = given_at or now
    _refuse(policies.given_at_problem(given_at, now=now), "future")
    if text is None:
        text = (
            ConsentText.objects.filter(purpose=purpose, status=ConsentTextStatus.PUBLISHED)
            .order_by("-version")
            .first()
        )
        if text is None:
            raise ValidationError(
                _(
                    "There is no published consent text for this yet, so consent cannot be "
                    "given. Please contact the national secretariat."
                ),
                code="no_text",
            )
    _refuse(policies.text_problem(text, purpose), "text")
    existing = _active(participant, purpose)
    if existing is not None:
        return existing
    try:
        # A savepoint: a concurrent give of the same purpose trips the one-active constraint,
        # and then the winner's row is the answer.
        with transaction.atomic():
            consent = Consent.objects.create(
                participant=participant,
                purpose=purpose,
                text=text,
                given_at=given_at,
                method=method,
                recorded_by=actor.user if actor is not None else None,
            )
    except IntegrityError:
        winner = _active(participant, purpose)
        if winner is None:
            raise
        return winner
    audit_record(
        actor=actor or _PARTICIPANT,
        action=AuditAction.CREATE,
        obj=consent,
        organisation=participant.organisation,
        fields=CONSENT_AUDIT_FIELDS,
        purpose=f"consent given ({purpose}, {method})",
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: Actor | None, participant: Participant, purpose: str, method: str
) -> Consent | None:
    """Withdraw the participant's consent to ``purpose``, with immediate effect.

    Same callers as :func:`consent_give`. Returns the withdrawn consent, or ``None`` if no
    consent to ``purpose`` was in force (withdrawing twice is harmless and writes nothing).
    The effects are applied in the same transaction (see :func:`apply_withdrawal_effects`).
    Audited (fields ``purpose``, ``method``).
    """
    _check_purpose(purpose)
    _check_actor_and_method(actor, participant, method)
    consent = _active(participant, purpose)
    if consent is None:
        return None
    now = timezone.now()
    # Conditional update: of two withdrawals at once, only one finds the consent in force.
    updated = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_method=method
    )
    if not updated:
        return None
    consent.withdrawn_at, consent.withdrawn_method = now, method
    apply_withdrawal_effects(participant=participant, purpose=purpose)
    audit_record(
        actor=actor or _PARTICIPANT,
        action=AuditAction.UPDATE,
        obj=consent,
        organisation=participant.organisation,
        fields=CONSENT_AUDIT_FIELDS,
        purpose=f"consent withdrawn ({purpose}, {method})",
    )
    return consent


def apply_withdrawal_effects(*, participant: Participant, purpose: str) -> tuple[int, int]:
    """Stop what the withdrawn consent covered: for evaluation, the participant's questionnaire
    links are revoked; for evaluation and follow-up, their pending messages of that kind
    (template codes ``questionnaire…`` / ``follow_up…``) are marked skipped. Withdrawing
    participation changes nothing automatically — the coordinator is told on their dashboard
    (:func:`spejl.consents.selectors.recent_withdrawals_for_actor`).

    Called inside :func:`consent_withdraw`'s transaction. Returns (links revoked, messages
    cancelled). No personal data is read.
    """
    revoked = 0
    link_purposes = policies.REVOKED_LINKS.get(purpose)
    if link_purposes:
        revoked = links_revoke(participant=participant, purposes=link_purposes)
    if purpose in (ConsentPurpose.EVALUATION, ConsentPurpose.FOLLOW_UP):
        # Open questionnaire invitations the consent no longer covers close at once (their
        # partial answers are kept as such); imported lazily: questionnaires build on consents.
        from spejl.questionnaires.scheduling import invitations_cancel_uncovered

        invitations_cancel_uncovered(participant_ids=[participant.pk])
    cancelled = 0
    prefixes = policies.CANCELLED_TEMPLATE_PREFIXES.get(purpose, ())
    if prefixes:
        matches = Q()
        for prefix in prefixes:
            matches |= Q(template__startswith=prefix)
        # A message already being sent (SENDING) cannot be called back; senders check
        # ``consent_active`` when they build the message as well.
        cancelled = (
            Notification.objects.filter(
                recipient_participant=participant, status=NotificationStatus.PENDING
            )
            .filter(matches)
            .update(
                status=NotificationStatus.SKIPPED,
                error=policies.CANCELLED_NOTIFICATION_ERROR,
                retry_after=None,
            )
        )
    return revoked, cancelled
