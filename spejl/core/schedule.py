"""Generating the meeting dates of a self-help group.

Pure Python, no Django. A coordinator describes the rhythm of a group in a
:class:`ScheduleRequest` (weekday, time, length, number of meetings, weekly or fortnightly) and
:func:`generate_schedule` returns the concrete meetings plus the regular slots that were skipped
and why (public holiday, customary closing day or a date the coordinator excluded).

All dates and times are naive local (Danish) times; the Django layer attaches the
Europe/Copenhagen zone.

Rules:

* The first slot is the first date on or after ``start_date`` that falls on ``weekday``.
* Further slots follow every ``interval_weeks`` weeks.
* A slot on a skipped date is left out and the series continues at the next regular slot, so
  the rhythm is kept and ``count`` meetings are still produced.
* Meetings may not run to or past midnight, and more than
  :data:`MAX_CONSECUTIVE_SKIPS` skipped slots in a row are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from spejl.core.holidays import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    Holiday,
    danish_customary_days,
    danish_public_holidays,
)

__all__ = [
    "ALLOWED_INTERVAL_WEEKS",
    "MAX_CONSECUTIVE_SKIPS",
    "MAX_DURATION_MINUTES",
    "MAX_MEETINGS",
    "MIN_DURATION_MINUTES",
    "MIN_MEETINGS",
    "PlannedMeeting",
    "Schedule",
    "ScheduleError",
    "ScheduleErrorCode",
    "ScheduleRequest",
    "SkipReason",
    "SkippedDate",
    "generate_schedule",
]

MIN_MEETINGS = 1
"""Fewest meetings a schedule may contain."""

MAX_MEETINGS = 52
"""Most meetings a schedule may contain."""

ALLOWED_INTERVAL_WEEKS = (1, 2)
"""Permitted values of ``interval_weeks``: weekly or every 14 days."""

MIN_DURATION_MINUTES = 15
"""Shortest permitted meeting, in minutes."""

MAX_DURATION_MINUTES = 480
"""Longest permitted meeting, in minutes (8 hours)."""

MAX_CONSECUTIVE_SKIPS = 26
"""Most regular slots that may be skipped in a row before the schedule is refused."""

SkipReason = Literal["public_holiday", "customary_day", "excluded"]
"""Why a regular slot was skipped."""

ScheduleErrorCode = Literal[
    "count_out_of_range",
    "interval_invalid",
    "weekday_out_of_range",
    "duration_out_of_range",
    "start_time_not_naive",
    "runs_past_midnight",
    "outside_supported_years",
    "too_many_skipped",
]
"""Machine-readable reason a :class:`ScheduleRequest` was refused."""


class ScheduleError(ValueError):
    """A schedule request that cannot be fulfilled.

    Attributes:
        code: machine-readable reason, one of :data:`ScheduleErrorCode`.
        message_da: explanation in Danish, suitable for showing to a coordinator.
        message_en: the same explanation in English; also the exception's ``str()``.
    """

    def __init__(self, code: ScheduleErrorCode, message_da: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code: ScheduleErrorCode = code
        self.message_da = message_da
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """What a coordinator asks for when planning a group's meetings.

    Attributes:
        start_date: earliest date a meeting may take place.
        weekday: day of the week of the meetings, ``0`` = Monday to ``6`` = Sunday.
        start_time: naive local start time of each meeting.
        duration_minutes: length of each meeting, 15-480 minutes.
        count: number of meetings to plan, 1-52.
        interval_weeks: ``1`` for weekly meetings, ``2`` for every 14 days.
        excluded_dates: extra dates on which the group does not meet.
        skip_public_holidays: skip Danish public holidays (helligdage).
        skip_customary_days: skip Grundlovsdag, Juleaftensdag and Nytårsaftensdag.
    """

    start_date: date
    weekday: int
    start_time: time
    duration_minutes: int
    count: int
    interval_weeks: int
    excluded_dates: frozenset[date] = frozenset()
    skip_public_holidays: bool = True
    skip_customary_days: bool = True


@dataclass(frozen=True, slots=True)
class PlannedMeeting:
    """One planned meeting.

    Attributes:
        number: position in the series, starting at 1.
        date: the day of the meeting.
        start_time: naive local start time.
        end_time: naive local end time, always later on the same day.
    """

    number: int
    date: date
    start_time: time
    end_time: time


@dataclass(frozen=True, slots=True)
class SkippedDate:
    """A regular slot that was left out, with the reason shown to the coordinator.

    Attributes:
        date: the skipped day.
        reason_code: ``"public_holiday"``, ``"customary_day"`` or ``"excluded"``.
        label_da: Danish label, e.g. ``"Kristi himmelfartsdag"`` or ``"Fravalgt dato"``.
        label_en: English label, e.g. ``"Ascension Day"`` or ``"Excluded date"``.
    """

    date: date
    reason_code: SkipReason
    label_da: str
    label_en: str


@dataclass(frozen=True, slots=True)
class Schedule:
    """The result of :func:`generate_schedule`.

    Attributes:
        meetings: exactly ``count`` meetings in date order, numbered from 1.
        skipped: the regular slots between the first slot and the last meeting that were
            skipped, in date order.
    """

    meetings: list[PlannedMeeting]
    skipped: list[SkippedDate]


def _validate(request: ScheduleRequest) -> time:
    """Check ``request`` and return the meetings' end time.

    Raises:
        ScheduleError: on the first rule the request breaks.
    """
    if not 0 <= request.weekday <= 6:
        raise ScheduleError(
            "weekday_out_of_range",
            f"Ugedagen skal være et tal fra 0 (mandag) til 6 (søndag), ikke {request.weekday}.",
            f"The weekday must be a number from 0 (Monday) to 6 (Sunday), not {request.weekday}.",
        )
    if not MIN_MEETINGS <= request.count <= MAX_MEETINGS:
        raise ScheduleError(
            "count_out_of_range",
            f"Antallet af møder skal være mellem {MIN_MEETINGS} og {MAX_MEETINGS}, "
            f"ikke {request.count}.",
            f"The number of meetings must be between {MIN_MEETINGS} and {MAX_MEETINGS}, "
            f"not {request.count}.",
        )
    if request.interval_weeks not in ALLOWED_INTERVAL_WEEKS:
        raise ScheduleError(
            "interval_invalid",
            "Intervallet skal være 1 (hver uge) eller 2 (hver 14. dag), "
            f"ikke {request.interval_weeks}.",
            f"The interval must be 1 (weekly) or 2 (every 14 days), not {request.interval_weeks}.",
        )
    if not MIN_DURATION_MINUTES <= request.duration_minutes <= MAX_DURATION_MINUTES:
        raise ScheduleError(
            "duration_out_of_range",
            f"Et møde skal vare mellem {MIN_DURATION_MINUTES} og {MAX_DURATION_MINUTES} "
            f"minutter, ikke {request.duration_minutes}.",
            f"A meeting must last between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES} "
            f"minutes, not {request.duration_minutes}.",
        )
    if request.start_time.tzinfo is not None:
        raise ScheduleError(
            "start_time_not_naive",
            "Starttidspunktet skal angives i lokal tid uden tidszone.",
            "The start time must be given as local time without a time zone.",
        )
    start = datetime.combine(date.min, request.start_time)
    end = start + timedelta(minutes=request.duration_minutes)
    if end.date() != start.date():
        # A meeting ending exactly at midnight is refused too: its end time (00:00) would lie
        # before its start time on the same day.
        hhmm = request.start_time.strftime("%H:%M")
        raise ScheduleError(
            "runs_past_midnight",
            f"Mødet skal slutte før midnat, men et møde kl. {hhmm} på "
            f"{request.duration_minutes} minutter slutter først {end.strftime('%H:%M')}.",
            f"The meeting must end before midnight, but a {request.duration_minutes}-minute "
            f"meeting starting at {hhmm} ends at {end.strftime('%H:%M')}.",
        )
    _check_supported(request.start_date)
    return end.time()


def _check_supported(day: date) -> None:
    """Refuse dates outside the years for which holidays are known."""
    if not FIRST_SUPPORTED_YEAR <= day.year <= LAST_SUPPORTED_YEAR:
        raise ScheduleError(
            "outside_supported_years",
            f"Mødeplanen skal ligge i årene {FIRST_SUPPORTED_YEAR}-{LAST_SUPPORTED_YEAR}; "
            f"{day.isoformat()} ligger udenfor.",
            f"The schedule must lie within the years {FIRST_SUPPORTED_YEAR}-"
            f"{LAST_SUPPORTED_YEAR}; {day.isoformat()} does not.",
        )


class _SkipRules:
    """Decides whether a slot is skipped, caching the holiday tables per year."""

    def __init__(self, request: ScheduleRequest) -> None:
        self._request = request
        self._public: dict[int, dict[date, Holiday]] = {}
        self._customary: dict[int, dict[date, Holiday]] = {}

    def reason(self, day: date) -> SkippedDate | None:
        """Return why ``day`` is skipped, or ``None`` if the group meets that day.

        A holiday that is being skipped is reported in preference to an explicit exclusion, as
        it tells the coordinator more; a public holiday is preferred to a customary day.
        """
        request = self._request
        if request.skip_public_holidays:
            if day.year not in self._public:
                self._public[day.year] = danish_public_holidays(day.year)
            holiday = self._public[day.year].get(day)
            if holiday is not None:
                return SkippedDate(day, "public_holiday", holiday.name_da, holiday.name_en)
        if request.skip_customary_days:
            if day.year not in self._customary:
                self._customary[day.year] = danish_customary_days(day.year)
            holiday = self._customary[day.year].get(day)
            if holiday is not None:
                return SkippedDate(day, "customary_day", holiday.name_da, holiday.name_en)
        if day in request.excluded_dates:
            return SkippedDate(day, "excluded", "Fravalgt dato", "Excluded date")
        return None


def generate_schedule(request: ScheduleRequest) -> Schedule:
    """Plan ``request.count`` meetings following the rhythm described by ``request``.

    Returns:
        The planned meetings and the skipped slots, both in date order.

    Raises:
        ScheduleError: if the request is invalid (see :data:`ScheduleErrorCode`), if more than
            :data:`MAX_CONSECUTIVE_SKIPS` slots in a row are skipped, or if the series would
            reach beyond the years for which holidays are known (1900-2200).
    """
    end_time = _validate(request)
    rules = _SkipRules(request)
    step = timedelta(weeks=request.interval_weeks)
    days_ahead = (request.weekday - request.start_date.weekday()) % 7
    slot = request.start_date + timedelta(days=days_ahead)

    meetings: list[PlannedMeeting] = []
    skipped: list[SkippedDate] = []
    consecutive_skips = 0
    while True:
        _check_supported(slot)
        skip = rules.reason(slot)
        if skip is None:
            meetings.append(PlannedMeeting(len(meetings) + 1, slot, request.start_time, end_time))
            if len(meetings) == request.count:
                return Schedule(meetings=meetings, skipped=skipped)
            consecutive_skips = 0
        else:
            skipped.append(skip)
            consecutive_skips += 1
            if consecutive_skips > MAX_CONSECUTIVE_SKIPS:
                first = skipped[-consecutive_skips].date.isoformat()
                raise ScheduleError(
                    "too_many_skipped",
                    f"Mere end {MAX_CONSECUTIVE_SKIPS} mødedage i træk (fra {first}) blev "
                    f"sprunget over. Tjek listen over fravalgte datoer.",
                    f"More than {MAX_CONSECUTIVE_SKIPS} meeting slots in a row (from {first}) "
                    "were skipped. Check the list of excluded dates.",
                )
        slot += step
