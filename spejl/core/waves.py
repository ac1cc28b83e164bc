"""When each measurement wave opens and closes, from a group's meeting times.

* **T0** (baseline) opens when the participant is enrolled and closes a week after the first
  meeting starts (``BASELINE_GRACE``): answered before the course, or at the latest in its
  first week.
* **T1** (end) opens at local midnight on the day of the last meeting — so people can answer
  at the meeting — and stays open ``answer_window_days``.
* **T2** (follow-up) opens at 10:00 local time ``follow_up_months`` calendar months after the
  last meeting's date (the 31st becomes the month's last day) and stays open
  ``answer_window_days``.

Pure Python: no Django import, no personal data.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
BASELINE_GRACE = timedelta(days=7)
FOLLOW_UP_HOUR = time(10, 0)
WAVES = ("T0", "T1", "T2")


@dataclass(frozen=True)
class Window:
    """A wave's answering window: open from ``opens`` (inclusive) to ``closes`` (exclusive)."""

    opens: datetime
    closes: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens <= now < self.closes


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _local_midnight(moment: datetime) -> datetime:
    local_day = moment.astimezone(COPENHAGEN).date()
    return datetime.combine(local_day, time(0, 0), tzinfo=COPENHAGEN)


def wave_windows(
    *,
    enrolled_at: datetime,
    first_meeting: datetime | None,
    last_meeting: datetime | None,
    follow_up_months: int,
    answer_window_days: int,
) -> dict[str, Window]:
    """The windows of the waves that can be placed (a group without meetings has none).

    ``enrolled_at`` and the meeting times are aware datetimes. T0 is left out when the
    participant was enrolled after it would have closed.
    """
    if first_meeting is None or last_meeting is None:
        return {}
    if answer_window_days < 1 or follow_up_months < 1:
        raise ValueError("answer_window_days and follow_up_months must be at least 1")
    window = timedelta(days=answer_window_days)
    windows: dict[str, Window] = {}
    baseline_closes = first_meeting + BASELINE_GRACE
    if enrolled_at < baseline_closes:
        windows["T0"] = Window(opens=enrolled_at, closes=baseline_closes)
    end_opens = _local_midnight(last_meeting)
    windows["T1"] = Window(opens=end_opens, closes=end_opens + window)
    follow_day = add_months(last_meeting.astimezone(COPENHAGEN).date(), follow_up_months)
    follow_opens = datetime.combine(follow_day, FOLLOW_UP_HOUR, tzinfo=COPENHAGEN)
    windows["T2"] = Window(opens=follow_opens, closes=follow_opens + window)
    return windows
