"""Questionnaires: instrument versions, the measurement plan, invitations to answer a wave,
responses with their answers and scores, and REDCap imports.

Research data only: everything here hangs off the pseudonymous ``Participant`` (a code), never
off ``Contact``. The answers are health data: they are read through ``selectors.py`` and
written through ``services.py``, which check the actor and write audit events.
"""

from __future__ import annotations

import uuid
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from spejl.web.i18n import in_current_language

if TYPE_CHECKING:
    from spejl.core.instruments import Instrument


class Wave(models.TextChoices):
    T0 = "T0", _("T0 – before the course")
    T1 = "T1", _("T1 – end of the course")
    T2 = "T2", _("T2 – follow-up")


class InstrumentVersion(models.Model):
    """One loaded instrument file (``spejl/instruments/<code>.v<version>.json``).

    ``definition`` is the file's content as loaded and ``content_hash`` its fingerprint: a
    response points here, so it always names the exact wording and rule it was answered and
    scored with. Never edited once loaded (the loader refuses changed content). ``enabled``
    says whether it may be put in a measurement plan (SWEMWBS starts disabled: licence).
    No personal data.
    """

    code = models.CharField(_("code"), max_length=26)
    version = models.PositiveIntegerField(_("version"))
    title_da = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    definition = models.JSONField()
    content_hash = models.CharField(max_length=64)
    enabled = models.BooleanField(_("enabled"), default=True)
    enabled_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    enabled_changed_at = models.DateTimeField(null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.code}.v{self.version}"

    @property
    def title(self) -> str:
        return in_current_language(self.title_da, self.title_en)

    @cached_property
    def instrument(self) -> Instrument:
        """The validated definition (the pure core's dataclass)."""
        from spejl.core.instruments import instrument_from_data

        return instrument_from_data(self.definition, f"{self.key}.json")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("In use")
    RETIRED = "retired", _("Superseded")


class MeasurementPlan(models.Model):
    """One version of the national measurement plan: which instruments each wave holds, when
    the follow-up comes, how long a wave stays open and when reminders go out.

    The published version is the one in use; a draft becomes it when published and the
    earlier one is then superseded. Invitations keep the version they were made under.
    No personal data.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up after (months)"),
        default=3,
        help_text=_("T2 opens this many months after the group's last meeting."),
    )
    answer_window_days = models.PositiveSmallIntegerField(
        _("open for (days)"),
        default=28,
        help_text=_("How long the end and follow-up questionnaires can be answered."),
    )
    reminder_days = models.JSONField(
        _("reminders after (days)"),
        default=list,
        help_text=_("Days after the invitation when a reminder is sent, e.g. 3 and 7."),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="published"),
                name="one_published_measurement_plan",
            ),
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="draft"), name="one_draft_measurement_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"measurement plan v{self.version}"


class PlanInstrument(models.Model):
    """One instrument in one wave of a plan, in the order the participant meets it."""

    plan = models.ForeignKey(MeasurementPlan, on_delete=models.CASCADE, related_name="entries")
    wave = models.CharField(max_length=2, choices=Wave.choices)
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["wave", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "wave", "instrument"], name="plan_wave_instrument_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave}: {self.instrument_id}"


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Answered")
    CLOSED = "closed", _("Closed without an answer")
    CANCELLED = "cancelled", pgettext_lazy("questionnaire invitation", "Cancelled")


class ResponseMode(models.TextChoices):
    WEB = "web", _("Web (the participant's link)")
    PAPER = "paper", _("Paper")
    PHONE = "phone", _("Telephone")
    IMPORT = "import", _("Imported (REDCap)")


class Invitation(models.Model):
    """A participant's invitation to answer one wave for one enrolment (one per wave).

    Made when the wave opens (``send_due``); the messages with the secure link are queued in
    the outbox (``questionnaire_invitation``), reminders follow the plan's schedule until the
    wave is answered, closes or is cancelled (consent withdrawn, dropped without follow-up
    consent). No personal data of its own: it points at the pseudonymous participant.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="invitations"
    )
    enrolment = models.ForeignKey(
        "enrolments.Enrolment", on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "groups.PeerGroup", on_delete=models.PROTECT, null=True, related_name="invitations"
    )
    plan = models.ForeignKey(MeasurementPlan, on_delete=models.PROTECT, related_name="+")
    wave = models.CharField(_("wave"), max_length=2, choices=Wave.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.OPEN
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    #: When the first message was queued (reminders count from here).
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    #: When the participant saved a first answer.
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_mode = models.CharField(max_length=6, choices=ResponseMode.choices, blank=True)
    cancelled_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "wave"], name="one_invitation_per_wave"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"{self.wave} invitation"


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Being answered")
    SUBMITTED = "submitted", _("Answered")
    PARTIAL = "partial", _("Partly answered")


class Response(models.Model):
    """One participant's answers to one instrument at one wave, with the mode (web, paper,
    phone, import) and the exact instrument version. Research data (pseudonymous).

    A web response is ``in_progress`` while the participant answers (every answer saved as
    given) and ``submitted`` when they send it; a paper or phone response is entered
    submitted; an import marks a REDCap form that was not complete ``partial``. Once not
    in progress it never changes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="responses"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.ForeignKey(
        "enrolments.Enrolment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    wave = models.CharField(_("wave"), max_length=2, choices=Wave.choices)
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    #: Denormalised from ``instrument`` so that "one response per instrument" is a constraint.
    instrument_code = models.CharField(max_length=26)
    mode = models.CharField(_("mode"), max_length=6, choices=ResponseMode.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ResponseStatus.choices,
        default=ResponseStatus.IN_PROGRESS,
    )
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    #: For paper and phone: the day the person answered (may be before it was entered).
    answered_on = models.DateField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_run = models.ForeignKey(
        "questionnaires.ImportRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "wave", "instrument_code"],
                condition=Q(enrolment__isnull=False),
                name="one_response_per_enrolment_wave_instrument",
            ),
            models.UniqueConstraint(
                fields=["participant", "wave", "instrument_code"],
                condition=Q(enrolment__isnull=True),
                name="one_unenrolled_response_per_wave_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} at {self.wave}"


class Answer(models.Model):
    """One item's answer: an option's score, "don't want to answer", or free text.

    ``value`` ``None`` with ``declined`` false is not an answer at all (the row is removed
    instead). Health data: read only through selectors, never shown to facilitators.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item_code = models.CharField(max_length=26)
    value = models.SmallIntegerField(null=True, blank=True)
    declined = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item_code"], name="one_answer_per_item"),
        ]

    def __str__(self) -> str:
        return self.item_code


class Score(models.Model):
    """A response's score by one scoring version. Rescoring adds a new current row and keeps
    the earlier ones (``is_current`` false) for audit."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    scoring_version = models.CharField(max_length=40)
    engine_version = models.PositiveSmallIntegerField()
    raw = models.IntegerField(null=True)
    score = models.FloatField(null=True)
    band = models.CharField(max_length=40, blank=True)
    complete = models.BooleanField()
    missing = models.JSONField(default=list)
    item_scores = models.JSONField(default=dict)
    is_current = models.BooleanField(default=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response"], condition=Q(is_current=True), name="one_current_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scoring_version}: {self.score}"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, not yet imported")
    COMMITTED = "committed", _("Imported")
    DISCARDED = "discarded", _("Discarded")


class ImportRun(models.Model):
    """One REDCap-style CSV import: checked first (preview), then imported all at once.

    ``content`` holds the uploaded file between preview and import (pseudonymous research
    data: record ids and answers, no names) and is emptied when the run is imported or
    discarded; ``file_sha256`` stays to recognise the same file again.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: The organisation a coordinator imported for; ``None`` for a national import.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    content = models.TextField(blank=True)
    events = models.JSONField(default=dict)
    default_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paper_consent_confirmed = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    summary = models.JSONField(default=dict)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.file_name}"


class ExternalRecord(models.Model):
    """A REDCap ``record_id`` known to belong to a participant of an organisation, so that a
    record imported again (or at a later wave) finds the same participant. Pseudonymous."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    record_id = models.CharField(max_length=100)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="external_records"
    )
    created_by_import = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "record_id"], name="one_participant_per_record_id"
            ),
        ]

    def __str__(self) -> str:
        return self.record_id
