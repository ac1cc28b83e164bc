"""Answering a wave through the participant's secure link (no login, ever).

A wave's instruments are split into short blocks (pages) of at most ``ITEMS_PER_PAGE`` items;
every answer is saved as it is given (each page, and with JavaScript each click), so closing
the browser loses nothing and opening the link again resumes at the first page with an
unanswered question. Sending is once: the invitation moves from open to answered with a
conditional update under a row lock, the responses are scored and every link of the
invitation is used up, so a second send (or a second tab) changes nothing.

The participant acts on their own data (``actor`` is the participant: no staff user);
reads and writes of answers are audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core.instruments import Instrument, Item
from spejl.links.models import SecureLink
from spejl.questionnaires import policies
from spejl.questionnaires.models import (
    Answer,
    InstrumentVersion,
    Invitation,
    InvitationStatus,
    PlanInstrument,
    Response,
    ResponseMode,
    ResponseStatus,
)
from spejl.questionnaires.scoring import response_score

PARTICIPANT = Actor(user=None)
DECLINED = "declined"


@dataclass(frozen=True)
class Block:
    """One page: some items of one instrument."""

    number: int
    version: InstrumentVersion
    items: tuple[Item, ...]
    first_of_instrument: bool

    @property
    def instrument(self) -> Instrument:
        return self.version.instrument


@dataclass
class Session:
    """A wave being answered: its pages and the answers given so far (by item code)."""

    invitation: Invitation
    blocks: list[Block]
    answers: dict[str, Answer] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.blocks)

    def block(self, number: int) -> Block | None:
        return self.blocks[number - 1] if 1 <= number <= len(self.blocks) else None

    def is_answered(self, item: Item) -> bool:
        answer = self.answers.get(item.code)
        if answer is None:
            return False
        return answer.declined or answer.value is not None or bool(answer.text)

    def resume_page(self) -> int | None:
        """The first page with an unanswered choice question; ``None`` when all are done."""
        for block in self.blocks:
            if any(item.is_choice and not self.is_answered(item) for item in block.items):
                return block.number
        return None

    @property
    def counts(self) -> tuple[int, int]:
        """(choice questions answered or declined, choice questions in all)."""
        items = [i for b in self.blocks for i in b.items if i.is_choice]
        return sum(self.is_answered(i) for i in items), len(items)


def open_invitation_for(participant_id: int) -> Invitation | None:
    """The participant's invitation that can be answered now, if any (the newest)."""
    return (
        Invitation.objects.filter(
            participant_id=participant_id,
            status=InvitationStatus.OPEN,
            closes_at__gt=timezone.now(),
        )
        .select_related("enrolment", "organisation")
        .order_by("-opens_at")
        .first()
    )


def link_from_own_page(*, participant_id: int) -> str | None:
    """A fresh questionnaire link for the participant's open invitation, made when they ask
    for it on their own page (they hold that page's link); ``None`` when nothing is open or
    their evaluation consent is not in force."""
    from spejl.consents.models import ConsentPurpose
    from spejl.consents.selectors import consent_active
    from spejl.links.models import LinkPurpose
    from spejl.links.services import link_create

    invitation = open_invitation_for(participant_id)
    if invitation is None or not consent_active(
        participant=invitation.participant, purpose=ConsentPurpose.EVALUATION
    ):
        return None
    return link_create(
        purpose=LinkPurpose.QUESTIONNAIRE,
        participant=invitation.participant,
        enrolment=invitation.enrolment,
        invitation=invitation,
        expires_at=invitation.closes_at,
    )


def wave_versions(invitation: Invitation) -> list[InstrumentVersion]:
    entries = (
        PlanInstrument.objects.filter(plan_id=invitation.plan_id, wave=invitation.wave)
        .select_related("instrument")
        .order_by("position", "pk")
    )
    return [entry.instrument for entry in entries]


def blocks_for(versions: list[InstrumentVersion]) -> list[Block]:
    """Pages for these instruments: choice items in groups of ``ITEMS_PER_PAGE``; an open
    (text) question on a page of its own."""
    blocks: list[Block] = []
    for version in versions:
        groups: list[list[Item]] = [[]]
        for item in version.instrument.items:
            if not item.is_choice:
                groups += [[item], []]
            elif len(groups[-1]) == policies.ITEMS_PER_PAGE:
                groups.append([item])
            else:
                groups[-1].append(item)
        for index, group in enumerate(g for g in groups if g):
            blocks.append(Block(len(blocks) + 1, version, tuple(group), index == 0))
    return blocks


def session_for(invitation: Invitation, *, purpose: str = "questionnaire page") -> Session:
    """The wave's pages and the participant's saved answers (an audited read)."""
    session = Session(invitation=invitation, blocks=blocks_for(wave_versions(invitation)))
    for answer in Answer.objects.filter(response__invitation=invitation):
        session.answers[answer.item_code] = answer
    if session.answers:
        audit_record(
            actor=PARTICIPANT,
            action=AuditAction.READ,
            object_type="questionnaires.response",
            object_id=str(invitation.public_id),
            organisation=invitation.organisation,
            fields=("answers",),
            purpose=f"participant's own answers ({purpose})",
        )
    return session


def answer_parse(item: Item, raw: str, allow_decline: bool) -> tuple[int | None, bool, str]:
    """(value, declined, text) for a submitted field; ``ValidationError`` if not allowed."""
    raw = raw.strip()
    if not item.is_choice:
        if len(raw) > item.max_length:
            raise ValidationError(
                _("Please keep the answer to at most %(limit)s characters.")
                % {"limit": item.max_length}
            )
        return None, False, raw
    if raw == DECLINED and allow_decline:
        return None, True, ""
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value not in item.scores:
        raise ValidationError(_("Please choose one of the answers shown."))
    return value, False, ""


def _response_for(invitation: Invitation, version: InstrumentVersion) -> Response:
    found = Response.objects.filter(invitation=invitation, instrument_code=version.code).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Response.objects.create(
                participant_id=invitation.participant_id,
                organisation_id=invitation.organisation_id,
                enrolment_id=invitation.enrolment_id,
                invitation=invitation,
                wave=invitation.wave,
                instrument=version,
                instrument_code=version.code,
                mode=ResponseMode.WEB,
            )
    except IntegrityError:
        return Response.objects.get(invitation=invitation, instrument_code=version.code)


def _locked_open(invitation: Invitation) -> Invitation:
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.status != InvitationStatus.OPEN or current.closes_at <= timezone.now():
        raise ValidationError(
            _(
                "The answers can no longer be changed: they have been sent, or the time to "
                "answer is up."
            )
        )
    return current


@transaction.atomic
def answers_save(
    *, invitation: Invitation, block: Block, data: Mapping[str, str], require_all: bool
) -> dict[str, str]:
    """Save the answers given on one page. Returns problems by item code (nothing is saved
    when there is any). ``require_all``: every choice question of the page needs an answer
    (or "don't want to answer" where the instrument allows it) — asked when moving on, not
    when saving a single click."""
    current = _locked_open(invitation)
    instrument = block.instrument
    problems: dict[str, str] = {}
    parsed: dict[str, tuple[int | None, bool, str]] = {}
    for item in block.items:
        raw = data.get(item.code)
        if raw is None or (item.is_choice and raw.strip() == ""):
            if require_all and item.is_choice:
                problems[item.code] = (
                    _("Please choose an answer, or “I would rather not answer”.")
                    if instrument.allow_decline
                    else _("Please choose an answer.")
                )
            continue
        try:
            parsed[item.code] = answer_parse(item, raw, instrument.allow_decline)
        except ValidationError as error:
            problems[item.code] = error.messages[0]
    if problems or not parsed:
        return problems
    response = _response_for(current, block.version)
    if response.status != ResponseStatus.IN_PROGRESS:
        raise ValidationError(_("These answers have already been sent."))
    for code, (value, declined, text) in parsed.items():
        if value is None and not declined and not text:
            Answer.objects.filter(response=response, item_code=code).delete()
            continue
        Answer.objects.update_or_create(
            response=response,
            item_code=code,
            defaults={"value": value, "declined": declined, "text": text},
        )
    if current.started_at is None:
        Invitation.objects.filter(pk=current.pk, started_at__isnull=True).update(
            started_at=timezone.now()
        )
    audit_record(
        actor=PARTICIPANT,
        action=AuditAction.UPDATE,
        obj=response,
        organisation=current.organisation,
        fields=("answers",),
        purpose="participant answered questions",
    )
    return {}


@transaction.atomic
def invitation_submit(*, invitation: Invitation) -> bool:
    """Send the wave's answers: False if it was already sent (nothing changes then)."""
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.status != InvitationStatus.OPEN:
        return False
    now = timezone.now()
    updated = Invitation.objects.filter(pk=current.pk, status=InvitationStatus.OPEN).update(
        status=InvitationStatus.COMPLETED, completed_at=now, completed_mode=ResponseMode.WEB
    )
    if not updated:
        return False
    for version in wave_versions(current):
        response = _response_for(current, version)
        if response.status == ResponseStatus.IN_PROGRESS:
            response.status, response.submitted_at = ResponseStatus.SUBMITTED, now
            response.save(update_fields=["status", "submitted_at"])
            response_score(response)
    SecureLink.objects.filter(invitation=current, used_at__isnull=True).update(used_at=now)
    audit_record(
        actor=PARTICIPANT,
        action=AuditAction.UPDATE,
        obj=current,
        organisation=current.organisation,
        fields=("answers",),
        purpose="participant sent their answers",
    )
    return True
