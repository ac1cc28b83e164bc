"""Retention periods: how long each kind of data is kept, read from the settings and checked.

The periods and what happens when they pass are described in ``docs/retention.md`` and in the
register of processing (``spejl/access/privacy.py``). Pure: reads settings, touches no data.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: Contact data must outlive the follow-up wave (T2, about 3 months after the last meeting,
#: plus its answering window and reminders): shorter periods would erase addresses the
#: questionnaire invitations still need.
MIN_CONTACT_MONTHS = 6
#: Finished messages keep their idempotency key (``dedupe_key``) this long at least, longer
#: than any message can be queued again for the same thing (offers, reminders, questionnaires).
MIN_NOTIFICATION_MONTHS = 3


@dataclass(frozen=True)
class Periods:
    """Every retention period, as configured (see ``docs/retention.md`` for each)."""

    contact_months: int
    enquiry_months: int
    notification_months: int
    link_days: int
    task_days: int
    report_run_days: int
    export_record_months: int
    #: 0 keeps audit events for ever.
    audit_years: int
    #: The day the evaluation ends (agreement with the evaluator); ``None`` while not fixed.
    evaluation_ends: date | None
    research_years: int
    batch: int


def _at_least(name: str, value: int, minimum: int) -> int:
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (is {value}).")
    return value


def _date_setting(name: str, value: object) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD): {value!r}") from error


def periods() -> Periods:
    """The configured periods; :class:`ImproperlyConfigured` for a period below its floor."""
    return Periods(
        contact_months=_at_least(
            "SPEJL_RETAIN_CONTACT_MONTHS", settings.SPEJL_RETAIN_CONTACT_MONTHS, MIN_CONTACT_MONTHS
        ),
        enquiry_months=_at_least(
            "SPEJL_RETAIN_ENQUIRY_MONTHS", settings.SPEJL_RETAIN_ENQUIRY_MONTHS, 1
        ),
        notification_months=_at_least(
            "SPEJL_RETAIN_NOTIFICATION_MONTHS",
            settings.SPEJL_RETAIN_NOTIFICATION_MONTHS,
            MIN_NOTIFICATION_MONTHS,
        ),
        link_days=_at_least("SPEJL_RETAIN_LINK_DAYS", settings.SPEJL_RETAIN_LINK_DAYS, 1),
        task_days=_at_least("SPEJL_RETAIN_TASK_DAYS", settings.SPEJL_RETAIN_TASK_DAYS, 1),
        report_run_days=_at_least(
            "SPEJL_RETAIN_REPORT_RUN_DAYS", settings.SPEJL_RETAIN_REPORT_RUN_DAYS, 1
        ),
        export_record_months=_at_least(
            "SPEJL_RETAIN_EXPORT_RECORD_MONTHS", settings.SPEJL_RETAIN_EXPORT_RECORD_MONTHS, 1
        ),
        audit_years=_at_least("SPEJL_RETAIN_AUDIT_YEARS", settings.SPEJL_RETAIN_AUDIT_YEARS, 0),
        evaluation_ends=_date_setting("SPEJL_EVALUATION_ENDS", settings.SPEJL_EVALUATION_ENDS),
        research_years=_at_least(
            "SPEJL_RETAIN_RESEARCH_YEARS", settings.SPEJL_RETAIN_RESEARCH_YEARS, 0
        ),
        batch=_at_least("SPEJL_RETENTION_BATCH", settings.SPEJL_RETENTION_BATCH, 1),
    )


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock time ``months`` calendar months earlier (the 31st becomes the last
    day of a shorter month)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def days_before(moment: datetime, days: int) -> datetime:
    return moment - timedelta(days=days)
