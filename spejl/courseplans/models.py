"""Course plans: the numbered meeting themes of a group's course (the *forløb*).

The national default plan ships as data (``spejl/courseplans/data/``). A published version is
immutable: changes are made in a new draft version, which supersedes it when published.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spejl.web.i18n import in_current_language


class CoursePlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Superseded")


class CoursePlan(models.Model):
    """One version of a course plan, national (no organisation) or an organisation's own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_plans",
        verbose_name=_("organisation"),
        help_text=_("Empty for national plans."),
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CoursePlanStatus.choices, default=CoursePlanStatus.DRAFT
    )
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("course plan")
        verbose_name_plural = _("course plans")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="courseplan_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def title(self) -> str:
        return in_current_language(self.title_da, self.title_en)

    @property
    def is_editable(self) -> bool:
        return self.status == CoursePlanStatus.DRAFT


class CoursePlanMeeting(models.Model):
    """One numbered meeting of a plan: its theme and a short guide for the facilitators."""

    plan = models.ForeignKey(CoursePlan, on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveSmallIntegerField(_("meeting number"))
    theme_da = models.CharField(_("theme (Danish)"), max_length=200)
    theme_en = models.CharField(_("theme (English)"), max_length=200)
    guide_da = models.TextField(_("facilitator guide (Danish)"), blank=True)
    guide_en = models.TextField(_("facilitator guide (English)"), blank=True)
    is_review = models.BooleanField(_("review meeting"), default=False)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("course plan meeting")
        verbose_name_plural = _("course plan meetings")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="courseplanmeeting_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.theme}"

    @property
    def theme(self) -> str:
        return in_current_language(self.theme_da, self.theme_en)

    @property
    def guide(self) -> str:
        return in_current_language(self.guide_da, self.guide_en)
