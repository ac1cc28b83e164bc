"""Self-help groups (``PeerGroup``), their meetings, attendance and meeting logs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from spejl.access.encrypted import EncryptedTextField
from spejl.web.i18n import in_current_language


class Target(models.TextChoices):
    ADULTS = "adults", _("Adults 18+")
    YOUTH = "youth", _("Young people 16–25")
    CUSTOM = "custom", _("Other age band")


#: Age bands of the fixed targets (inclusive); a custom target carries its own.
TARGET_AGES = {Target.ADULTS: (18, None), Target.YOUTH: (16, 25)}


class GroupLanguage(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")


class GroupStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    RECRUITING = "recruiting", _("Recruiting")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class PeerGroup(models.Model):
    """A closed self-help group of one organisation. No personal data of its own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("organisation"),
    )
    venue = models.ForeignKey(
        "organisations.Venue",
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("venue"),
    )
    title = models.CharField(_("title"), max_length=200)
    target = models.CharField(_("target group"), max_length=10, choices=Target.choices)
    age_min = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=GroupLanguage.choices, default=GroupLanguage.DANISH
    )
    min_participants = models.PositiveSmallIntegerField(
        _("participants needed to start"),
        default=4,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
    )
    max_participants = models.PositiveSmallIntegerField(
        _("maximum participants"),
        default=8,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
    )
    course_plan = models.ForeignKey(
        "courseplans.CoursePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("course plan"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.PLANNING
    )
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    reopened = models.BooleanField(
        _("reopened for new participants"),
        default=False,
        help_text=_("A closed group takes no one new after its first meeting unless reopened."),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    interval_weeks = models.PositiveSmallIntegerField(
        _("rhythm"), default=1, choices=[(1, _("Weekly")), (2, _("Every 14 days"))]
    )
    first_date = models.DateField(_("first meeting on or after"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_date", "title"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_participants__lte=models.F("max_participants")),
                name="group_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def age_band(self) -> tuple[int | None, int | None]:
        if self.target in TARGET_AGES:
            return TARGET_AGES[Target(self.target)]
        return (self.age_min, self.age_max)


class GroupFacilitator(models.Model):
    """A facilitator assigned to a group; an override reason is required (and audited) when
    their training was missing or expired at assignment."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="facilitations")
    facilitator = models.ForeignKey(
        "facilitators.FacilitatorProfile", on_delete=models.PROTECT, related_name="facilitations"
    )
    override_reason = models.CharField(_("reason for override"), max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "facilitator"], name="group_facilitator_once")
        ]

    def __str__(self) -> str:
        return f"{self.facilitator} → {self.group}"


class GroupStatusChange(models.Model):
    """One recorded change of a group's status, with its reason."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=GroupStatus.choices)
    to_status = models.CharField(max_length=10, choices=GroupStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.group}: {self.from_status} → {self.to_status}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One session of a group: time, place and theme (copied from the course plan)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveSmallIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.ForeignKey(
        "organisations.Venue", on_delete=models.PROTECT, related_name="+", verbose_name=_("venue")
    )
    theme_da = models.CharField(_("theme (Danish)"), max_length=200, blank=True)
    theme_en = models.CharField(_("theme (English)"), max_length=200, blank=True)
    guide_da = models.TextField(blank=True)
    guide_en = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    #: Bumped on every change so calendar clients replace the event (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "number"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="meeting_number_in_group"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} #{self.number}"

    @property
    def theme(self) -> str:
        return in_current_language(self.theme_da, self.theme_en)

    @property
    def guide(self) -> str:
        return in_current_language(self.guide_da, self.guide_en)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class AbsenceReason(models.TextChoices):
    ILL = "ill", _("Ill")
    INFORMED = "informed", _("Sent word")
    NO_SHOW = "no_show", _("Did not come, no word")


class Attendance(models.Model):
    """Whether a participant came to a meeting. One row per meeting and enrolment; marking
    again replaces the mark (idempotent)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment", on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    absence_reason = models.CharField(max_length=10, choices=AbsenceReason.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "enrolment"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.status}"


class MeetingLog(models.Model):
    """The facilitators' short record after a meeting. The note is free text kept out of
    evaluator exports; the form warns against health details and names."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="log")
    theme_covered = models.CharField(_("theme covered"), max_length=300)
    atmosphere = models.PositiveSmallIntegerField(
        _("group atmosphere (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    concern = models.BooleanField(_("concern for a participant"), default=False)
    contact_coordinator = models.BooleanField(
        _("the coordinator should get in touch"), default=False
    )
    note = EncryptedTextField(  # encrypted at rest (docs/security.md)
        _("note"), max_length=1000, blank=True, multiline=True
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Log of {self.meeting}"


class CalendarFeedKind(models.TextChoices):
    FACILITATOR = "facilitator", _("A facilitator's meetings")
    GROUP = "group", _("A group's meetings")


class CalendarFeed(models.Model):
    """A private iCalendar feed behind a random token (stored only as a hash); revocable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=12, choices=CalendarFeedKind.choices)
    facilitator = models.ForeignKey(
        "facilitators.FacilitatorProfile",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    group = models.ForeignKey(
        PeerGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} feed"
