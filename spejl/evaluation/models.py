"""Report runs and evaluator exports: requested, built (in the background when large), kept
for a short time, and audited. Neither holds names or contact data; an export file holds
pseudonymised research data and lives outside the database until it is downloaded once."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    DOWNLOADED = "downloaded", _("Downloaded")
    EXPIRED = "expired", _("Expired")


class ReportRun(models.Model):
    """One request for a report: its scope, progress and, when done, the report's JSON."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.JSONField()
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report {self.public_id}"


class ExportLayout(models.TextChoices):
    LONG = "long", _("Long: one row per participant, wave and questionnaire")
    WAVE = "wave", _("By wave: one row per participant and wave (as REDCap's events)")
    WIDE = "wide", _("Wide: one row per participant")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (comma separated)")
    CSV_EXCEL = "csv_excel", _("CSV for Danish Excel (semicolon, decimal comma)")
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    SAV = "sav", _("SPSS (.sav)")
    DTA = "dta", _("Stata (.dta)")
    REDCAP = "redcap", _("REDCap flat CSV with data dictionary")


class Export(models.Model):
    """A pseudonymised delivery to an evaluator: parameters, progress and a one-time file."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.JSONField()
    options = models.JSONField()
    layout = models.CharField(max_length=5, choices=ExportLayout.choices)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    participant_count = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.public_id}"
