"""Tests for the wave windows in :mod:`spejl.core.waves`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.waves import BASELINE_GRACE, COPENHAGEN, add_months, wave_windows

FIRST = datetime(2026, 9, 1, 17, 0, tzinfo=COPENHAGEN)
LAST = datetime(2026, 11, 3, 17, 0, tzinfo=COPENHAGEN)


def windows(enrolled: datetime = datetime(2026, 8, 1, tzinfo=COPENHAGEN), **kw: int):  # type: ignore[no-untyped-def]
    return wave_windows(
        enrolled_at=enrolled,
        first_meeting=FIRST,
        last_meeting=LAST,
        follow_up_months=kw.get("months", 3),
        answer_window_days=kw.get("days", 28),
    )


def test_baseline_opens_at_enrolment_and_closes_a_week_into_the_course() -> None:
    t0 = windows()["T0"]
    assert t0.opens == datetime(2026, 8, 1, tzinfo=COPENHAGEN)
    assert t0.closes == FIRST + BASELINE_GRACE


def test_end_opens_at_midnight_on_the_last_meeting_day() -> None:
    t1 = windows()["T1"]
    assert t1.opens == datetime(2026, 11, 3, 0, 0, tzinfo=COPENHAGEN)
    assert t1.closes - t1.opens == timedelta(days=28)
    assert t1.is_open(LAST)


def test_follow_up_opens_three_calendar_months_after_the_last_meeting() -> None:
    t2 = windows()["T2"]
    assert t2.opens == datetime(2027, 2, 3, 10, 0, tzinfo=COPENHAGEN)
    assert windows(months=6)["T2"].opens.date() == date(2027, 5, 3)


def test_a_late_enrolment_gets_no_baseline() -> None:
    late = FIRST + BASELINE_GRACE + timedelta(minutes=1)
    assert "T0" not in windows(enrolled=late)


def test_a_group_without_meetings_has_no_waves() -> None:
    assert (
        wave_windows(
            enrolled_at=FIRST,
            first_meeting=None,
            last_meeting=None,
            follow_up_months=3,
            answer_window_days=28,
        )
        == {}
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 31), 12, date(2027, 5, 31)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 36))
def test_add_months_lands_in_the_right_month_never_later_day(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_windows_are_ordered_and_each_opens_before_it_closes(start: datetime) -> None:
    first = start.replace(tzinfo=UTC)
    last = first + timedelta(weeks=9)
    result = wave_windows(
        enrolled_at=first - timedelta(days=10),
        first_meeting=first,
        last_meeting=last,
        follow_up_months=3,
        answer_window_days=28,
    )
    assert [w for w in ("T0", "T1", "T2") if w in result] == ["T0", "T1", "T2"]
    for window in result.values():
        assert window.opens < window.closes
    assert result["T0"].closes <= result["T1"].opens
    assert result["T1"].closes <= result["T2"].opens
