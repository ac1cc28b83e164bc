"""Tests for the meeting schedule generator in :mod:`spejl.core.schedule`."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.holidays import danish_customary_days, danish_public_holidays
from spejl.core.schedule import (
    MAX_CONSECUTIVE_SKIPS,
    PlannedMeeting,
    Schedule,
    ScheduleError,
    ScheduleRequest,
    SkippedDate,
    generate_schedule,
)

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def request(**overrides: Any) -> ScheduleRequest:
    """A valid weekly Tuesday 18:30-20:00 request starting 24 March 2026, with overrides."""
    fields: dict[str, Any] = {
        "start_date": date(2026, 3, 24),
        "weekday": TUESDAY,
        "start_time": time(18, 30),
        "duration_minutes": 90,
        "count": 10,
        "interval_weeks": 1,
    }
    fields.update(overrides)
    return ScheduleRequest(**fields)


def meeting_dates(schedule: Schedule) -> list[date]:
    return [meeting.date for meeting in schedule.meetings]


def skipped_summary(schedule: Schedule) -> list[tuple[date, str, str]]:
    return [(skip.date, skip.reason_code, skip.label_da) for skip in schedule.skipped]


def raises_schedule_error(req: ScheduleRequest, code: str) -> ScheduleError:
    with pytest.raises(ScheduleError) as excinfo:
        generate_schedule(req)
    assert excinfo.value.code == code
    return excinfo.value


# --- Concrete weekly plans ------------------------------------------------------------------


def test_weekly_tuesday_group_in_spring_2026_skips_nothing() -> None:
    schedule = generate_schedule(request())
    assert meeting_dates(schedule) == [
        date(2026, 3, 24),
        date(2026, 3, 31),
        date(2026, 4, 7),
        date(2026, 4, 14),
        date(2026, 4, 21),
        date(2026, 4, 28),
        date(2026, 5, 5),
        date(2026, 5, 12),
        date(2026, 5, 19),
        date(2026, 5, 26),
    ]
    assert schedule.skipped == []
    assert [meeting.number for meeting in schedule.meetings] == list(range(1, 11))


def test_meetings_carry_start_and_end_time() -> None:
    schedule = generate_schedule(request(count=1))
    assert schedule.meetings == [
        PlannedMeeting(number=1, date=date(2026, 3, 24), start_time=time(18, 30), end_time=time(20))
    ]


def test_thursday_group_skips_maundy_thursday_and_ascension_day() -> None:
    schedule = generate_schedule(request(start_date=date(2026, 4, 2), weekday=THURSDAY, count=8))
    assert meeting_dates(schedule) == [
        date(2026, 4, 9),
        date(2026, 4, 16),
        date(2026, 4, 23),
        date(2026, 4, 30),
        date(2026, 5, 7),
        date(2026, 5, 21),
        date(2026, 5, 28),
        date(2026, 6, 4),
    ]
    assert schedule.skipped == [
        SkippedDate(date(2026, 4, 2), "public_holiday", "Skærtorsdag", "Maundy Thursday"),
        SkippedDate(date(2026, 5, 14), "public_holiday", "Kristi himmelfartsdag", "Ascension Day"),
    ]


def test_monday_group_skips_easter_monday_2026() -> None:
    schedule = generate_schedule(request(start_date=date(2026, 3, 23), weekday=MONDAY, count=4))
    assert meeting_dates(schedule) == [
        date(2026, 3, 23),
        date(2026, 3, 30),
        date(2026, 4, 13),
        date(2026, 4, 20),
    ]
    assert skipped_summary(schedule) == [(date(2026, 4, 6), "public_holiday", "2. påskedag")]


def test_monday_group_skips_whit_monday_2026() -> None:
    schedule = generate_schedule(request(start_date=date(2026, 5, 18), weekday=MONDAY, count=2))
    assert meeting_dates(schedule) == [date(2026, 5, 18), date(2026, 6, 1)]
    assert skipped_summary(schedule) == [(date(2026, 5, 25), "public_holiday", "2. pinsedag")]


def test_thursday_group_skips_christmas_day_and_new_years_day_across_the_year_end() -> None:
    schedule = generate_schedule(request(start_date=date(2025, 12, 18), weekday=THURSDAY, count=3))
    assert meeting_dates(schedule) == [date(2025, 12, 18), date(2026, 1, 8), date(2026, 1, 15)]
    assert skipped_summary(schedule) == [
        (date(2025, 12, 25), "public_holiday", "Juledag"),
        (date(2026, 1, 1), "public_holiday", "Nytårsdag"),
    ]


def test_friday_group_skips_store_bededag_in_2023() -> None:
    schedule = generate_schedule(request(start_date=date(2023, 4, 28), weekday=FRIDAY, count=2))
    assert meeting_dates(schedule) == [date(2023, 4, 28), date(2023, 5, 12)]
    assert skipped_summary(schedule) == [(date(2023, 5, 5), "public_holiday", "Store bededag")]


def test_friday_group_meets_on_former_store_bededag_in_2024() -> None:
    schedule = generate_schedule(request(start_date=date(2024, 4, 19), weekday=FRIDAY, count=3))
    assert meeting_dates(schedule) == [date(2024, 4, 19), date(2024, 4, 26), date(2024, 5, 3)]
    assert schedule.skipped == []


# --- Fortnightly plans ----------------------------------------------------------------------


def test_fortnightly_friday_group_skips_good_friday_and_keeps_its_rhythm() -> None:
    schedule = generate_schedule(
        request(start_date=date(2026, 3, 20), weekday=FRIDAY, interval_weeks=2, count=4)
    )
    assert meeting_dates(schedule) == [
        date(2026, 3, 20),
        date(2026, 4, 17),
        date(2026, 5, 1),
        date(2026, 5, 15),
    ]
    assert skipped_summary(schedule) == [(date(2026, 4, 3), "public_holiday", "Langfredag")]


def test_fortnightly_monday_group_continues_at_next_regular_slot_not_next_week() -> None:
    schedule = generate_schedule(
        request(start_date=date(2026, 3, 23), weekday=MONDAY, interval_weeks=2, count=3)
    )
    # 6 April (2. påskedag) is skipped; the next meeting is two weeks later, not on 13 April.
    assert meeting_dates(schedule) == [date(2026, 3, 23), date(2026, 4, 20), date(2026, 5, 4)]
    assert [skip.date for skip in schedule.skipped] == [date(2026, 4, 6)]


def test_fortnightly_tuesday_group_meets_every_14_days() -> None:
    schedule = generate_schedule(request(interval_weeks=2, count=5))
    assert meeting_dates(schedule) == [
        date(2026, 3, 24),
        date(2026, 4, 7),
        date(2026, 4, 21),
        date(2026, 5, 5),
        date(2026, 5, 19),
    ]
    assert schedule.skipped == []


# --- First meeting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_date", "weekday", "first"),
    [
        (date(2026, 3, 25), MONDAY, date(2026, 3, 30)),  # Wednesday start, Monday group
        (date(2026, 3, 24), TUESDAY, date(2026, 3, 24)),  # start is already the weekday
        (date(2026, 3, 29), SATURDAY, date(2026, 4, 4)),  # Sunday start, six days ahead
        (date(2026, 3, 28), SUNDAY, date(2026, 3, 29)),
    ],
)
def test_first_meeting_is_first_matching_weekday_on_or_after_start_date(
    start_date: date, weekday: int, first: date
) -> None:
    schedule = generate_schedule(request(start_date=start_date, weekday=weekday, count=1))
    assert meeting_dates(schedule) == [first]


# --- Customary closing days -----------------------------------------------------------------


def test_wednesday_group_skips_christmas_eve_and_new_years_eve_by_default() -> None:
    schedule = generate_schedule(request(start_date=date(2025, 12, 17), weekday=WEDNESDAY, count=3))
    assert meeting_dates(schedule) == [date(2025, 12, 17), date(2026, 1, 7), date(2026, 1, 14)]
    assert schedule.skipped == [
        SkippedDate(date(2025, 12, 24), "customary_day", "Juleaftensdag", "Christmas Eve"),
        SkippedDate(date(2025, 12, 31), "customary_day", "Nytårsaftensdag", "New Year's Eve"),
    ]


def test_wednesday_group_meets_on_christmas_eve_when_customary_days_are_not_skipped() -> None:
    schedule = generate_schedule(
        request(
            start_date=date(2025, 12, 17), weekday=WEDNESDAY, count=3, skip_customary_days=False
        )
    )
    assert meeting_dates(schedule) == [date(2025, 12, 17), date(2025, 12, 24), date(2025, 12, 31)]
    assert schedule.skipped == []


def test_friday_group_skips_constitution_day_only_when_customary_days_are_skipped() -> None:
    req = request(start_date=date(2026, 5, 29), weekday=FRIDAY, count=3)
    skipping = generate_schedule(req)
    assert meeting_dates(skipping) == [date(2026, 5, 29), date(2026, 6, 12), date(2026, 6, 19)]
    assert skipped_summary(skipping) == [(date(2026, 6, 5), "customary_day", "Grundlovsdag")]

    meeting = generate_schedule(replace(req, skip_customary_days=False))
    assert meeting_dates(meeting) == [date(2026, 5, 29), date(2026, 6, 5), date(2026, 6, 12)]


def test_thursday_group_meets_on_holidays_when_public_holidays_are_not_skipped() -> None:
    schedule = generate_schedule(
        request(start_date=date(2026, 4, 2), weekday=THURSDAY, count=2, skip_public_holidays=False)
    )
    assert meeting_dates(schedule) == [date(2026, 4, 2), date(2026, 4, 9)]
    assert schedule.skipped == []


def test_public_holiday_skipping_does_not_imply_customary_skipping() -> None:
    schedule = generate_schedule(
        request(
            start_date=date(2025, 12, 24),
            weekday=WEDNESDAY,
            count=1,
            skip_public_holidays=True,
            skip_customary_days=False,
        )
    )
    assert meeting_dates(schedule) == [date(2025, 12, 24)]


@pytest.mark.parametrize(
    ("skip_public", "skip_customary", "expected_skip"),
    [
        (True, True, [(date(2022, 6, 5), "public_holiday", "Pinsedag")]),
        (False, True, [(date(2022, 6, 5), "customary_day", "Grundlovsdag")]),
        (True, False, [(date(2022, 6, 5), "public_holiday", "Pinsedag")]),
        (False, False, []),
    ],
)
def test_sunday_group_on_whit_sunday_that_is_also_constitution_day(
    skip_public: bool, skip_customary: bool, expected_skip: list[tuple[date, str, str]]
) -> None:
    # In 2022 Pinsedag fell on 5 June, Grundlovsdag.
    schedule = generate_schedule(
        request(
            start_date=date(2022, 6, 5),
            weekday=SUNDAY,
            count=1,
            skip_public_holidays=skip_public,
            skip_customary_days=skip_customary,
        )
    )
    assert skipped_summary(schedule) == expected_skip
    expected_first = date(2022, 6, 12) if expected_skip else date(2022, 6, 5)
    assert meeting_dates(schedule) == [expected_first]


# --- Excluded dates -------------------------------------------------------------------------


def test_excluded_date_is_skipped_and_reported() -> None:
    schedule = generate_schedule(request(count=3, excluded_dates=frozenset({date(2026, 3, 31)})))
    assert meeting_dates(schedule) == [date(2026, 3, 24), date(2026, 4, 7), date(2026, 4, 14)]
    assert schedule.skipped == [
        SkippedDate(date(2026, 3, 31), "excluded", "Fravalgt dato", "Excluded date")
    ]


def test_excluded_dates_off_the_rhythm_have_no_effect() -> None:
    excluded = frozenset({date(2026, 3, 25), date(2026, 3, 17), date(2026, 12, 31)})
    schedule = generate_schedule(request(count=3, excluded_dates=excluded))
    assert meeting_dates(schedule) == [date(2026, 3, 24), date(2026, 3, 31), date(2026, 4, 7)]
    assert schedule.skipped == []


def test_excluded_first_slot_moves_first_meeting_one_interval_later() -> None:
    schedule = generate_schedule(
        request(count=1, interval_weeks=2, excluded_dates=frozenset({date(2026, 3, 24)}))
    )
    assert meeting_dates(schedule) == [date(2026, 4, 7)]


def test_holiday_reason_is_reported_when_an_excluded_date_is_also_a_holiday() -> None:
    req = request(
        start_date=date(2026, 4, 2),
        weekday=THURSDAY,
        count=1,
        excluded_dates=frozenset({date(2026, 4, 2)}),
    )
    assert skipped_summary(generate_schedule(req)) == [
        (date(2026, 4, 2), "public_holiday", "Skærtorsdag")
    ]
    assert skipped_summary(generate_schedule(replace(req, skip_public_holidays=False))) == [
        (date(2026, 4, 2), "excluded", "Fravalgt dato")
    ]


def test_twenty_six_skipped_slots_in_a_row_are_allowed() -> None:
    start = date(2026, 1, 5)  # a Monday
    excluded = frozenset(start + timedelta(weeks=k) for k in range(MAX_CONSECUTIVE_SKIPS))
    schedule = generate_schedule(
        request(start_date=start, weekday=MONDAY, count=1, excluded_dates=excluded)
    )
    assert meeting_dates(schedule) == [date(2026, 7, 6)]
    assert len(schedule.skipped) == 26
    # 2. påskedag and 2. pinsedag are within the run and reported as holidays.
    assert {skip.reason_code for skip in schedule.skipped} == {"excluded", "public_holiday"}


def test_twenty_seven_skipped_slots_in_a_row_are_refused() -> None:
    start = date(2026, 1, 5)
    excluded = frozenset(start + timedelta(weeks=k) for k in range(MAX_CONSECUTIVE_SKIPS + 1))
    error = raises_schedule_error(
        request(start_date=start, weekday=MONDAY, count=1, excluded_dates=excluded),
        "too_many_skipped",
    )
    assert "2026-01-05" in error.message_da
    assert "2026-01-05" in error.message_en


def test_fortnightly_run_of_twenty_seven_skipped_slots_is_refused() -> None:
    start = date(2026, 1, 6)  # a Tuesday
    excluded = frozenset(start + timedelta(weeks=2 * k) for k in range(27))
    raises_schedule_error(
        request(start_date=start, interval_weeks=2, count=1, excluded_dates=excluded),
        "too_many_skipped",
    )


def test_skip_counter_restarts_after_each_meeting() -> None:
    start = date(2026, 1, 6)  # a Tuesday
    excluded = frozenset(
        start + timedelta(weeks=k) for k in [*range(20), *range(21, 41)]
    )  # 20 skipped, a meeting in week 20, 20 more skipped, a meeting in week 41
    schedule = generate_schedule(
        request(
            start_date=start,
            count=2,
            excluded_dates=excluded,
            skip_public_holidays=False,
            skip_customary_days=False,
        )
    )
    assert meeting_dates(schedule) == [start + timedelta(weeks=20), start + timedelta(weeks=41)]
    assert len(schedule.skipped) == 40


# --- Validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, -1, 53, 100])
def test_count_outside_1_to_52_is_refused(count: int) -> None:
    error = raises_schedule_error(request(count=count), "count_out_of_range")
    assert "møder" in error.message_da
    assert "number of meetings" in error.message_en


@pytest.mark.parametrize("count", [1, 52])
def test_count_at_the_limits_is_accepted(count: int) -> None:
    assert len(generate_schedule(request(count=count)).meetings) == count


@pytest.mark.parametrize("interval", [0, 3, 4, -1])
def test_interval_other_than_weekly_or_fortnightly_is_refused(interval: int) -> None:
    error = raises_schedule_error(request(interval_weeks=interval), "interval_invalid")
    assert "hver 14. dag" in error.message_da
    assert "every 14 days" in error.message_en


@pytest.mark.parametrize("weekday", [-1, 7, 10])
def test_weekday_outside_0_to_6_is_refused(weekday: int) -> None:
    error = raises_schedule_error(request(weekday=weekday), "weekday_out_of_range")
    assert "mandag" in error.message_da
    assert "Monday" in error.message_en


@pytest.mark.parametrize("duration", [0, 14, 481, 600])
def test_duration_outside_15_to_480_minutes_is_refused(duration: int) -> None:
    error = raises_schedule_error(
        request(start_time=time(9), duration_minutes=duration), "duration_out_of_range"
    )
    assert "minutter" in error.message_da
    assert "minutes" in error.message_en


@pytest.mark.parametrize("duration", [15, 480])
def test_duration_at_the_limits_is_accepted(duration: int) -> None:
    schedule = generate_schedule(request(start_time=time(9), duration_minutes=duration, count=1))
    expected_end = (datetime(2026, 1, 1, 9) + timedelta(minutes=duration)).time()
    assert schedule.meetings[0].end_time == expected_end


@pytest.mark.parametrize(
    ("start_time", "duration"),
    [
        (time(23, 0), 90),  # runs to 00:30
        (time(22, 45), 75),  # ends exactly at midnight
        (time(23, 59), 15),
        (time(17, 0), 480),  # ends at 01:00
    ],
)
def test_meeting_running_past_midnight_is_refused(start_time: time, duration: int) -> None:
    error = raises_schedule_error(
        request(start_time=start_time, duration_minutes=duration), "runs_past_midnight"
    )
    assert "midnat" in error.message_da
    assert "midnight" in error.message_en


def test_meeting_ending_one_minute_before_midnight_is_accepted() -> None:
    schedule = generate_schedule(request(start_time=time(22, 44), duration_minutes=75, count=1))
    assert schedule.meetings[0].end_time == time(23, 59)


def test_start_time_with_a_time_zone_is_refused() -> None:
    raises_schedule_error(request(start_time=time(18, 30, tzinfo=UTC)), "start_time_not_naive")


@pytest.mark.parametrize("start_date", [date(1899, 12, 25), date(2201, 1, 1), date(1, 1, 1)])
def test_start_date_outside_supported_years_is_refused(start_date: date) -> None:
    raises_schedule_error(
        request(start_date=start_date, weekday=start_date.weekday()), "outside_supported_years"
    )


def test_series_running_past_2200_is_refused_but_one_ending_in_2200_is_accepted() -> None:
    start = date(2200, 12, 15)
    last_in_2200 = generate_schedule(request(start_date=start, weekday=start.weekday(), count=3))
    assert meeting_dates(last_in_2200)[-1] == date(2200, 12, 29)
    raises_schedule_error(
        request(start_date=start, weekday=start.weekday(), count=4), "outside_supported_years"
    )


def test_schedule_error_is_a_value_error_with_english_str_and_danish_message() -> None:
    error = raises_schedule_error(request(count=0), "count_out_of_range")
    assert isinstance(error, ValueError)
    assert str(error) == error.message_en
    assert error.message_da != error.message_en
    assert "0" in error.message_da
    assert "0" in error.message_en


def test_results_are_immutable() -> None:
    schedule = generate_schedule(request(count=1))
    with pytest.raises(FrozenInstanceError):
        schedule.meetings[0].date = date(2026, 1, 1)  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        request().count = 3  # type: ignore[misc]


# --- Properties -----------------------------------------------------------------------------

EARLIEST = date(1900, 1, 1)
LATEST_START = date(2150, 12, 31)  # leaves room for 52 fortnightly meetings plus skips


@st.composite
def valid_requests(draw: st.DrawFn) -> ScheduleRequest:
    """Valid requests, with exclusions that never cause 27 skipped slots in a row."""
    start_date = draw(st.dates(min_value=EARLIEST, max_value=LATEST_START))
    weekday = draw(st.integers(0, 6))
    interval = draw(st.sampled_from([1, 2]))
    first_slot = start_date + timedelta(days=(weekday - start_date.weekday()) % 7)
    # Exclusions on the rhythm (these really cause skips) plus some arbitrary dates.
    on_rhythm = draw(st.sets(st.integers(0, 120), max_size=15))
    arbitrary = draw(
        st.sets(
            st.dates(
                min_value=start_date - timedelta(days=30),
                max_value=first_slot + timedelta(days=5 * 365),
            ),
            max_size=5,
        )
    )
    excluded = frozenset(
        {first_slot + timedelta(weeks=interval * k) for k in on_rhythm} | arbitrary
    )
    return ScheduleRequest(
        start_date=start_date,
        weekday=weekday,
        start_time=draw(st.times(max_value=time(15, 59, 59))),
        duration_minutes=draw(st.integers(15, 480)),
        count=draw(st.integers(1, 52)),
        interval_weeks=interval,
        excluded_dates=excluded,
        skip_public_holidays=draw(st.booleans()),
        skip_customary_days=draw(st.booleans()),
    )


@given(valid_requests())
def test_schedule_has_exactly_count_meetings_numbered_from_one(req: ScheduleRequest) -> None:
    schedule = generate_schedule(req)
    assert [meeting.number for meeting in schedule.meetings] == list(range(1, req.count + 1))


@given(valid_requests())
def test_all_meetings_fall_on_the_requested_weekday(req: ScheduleRequest) -> None:
    schedule = generate_schedule(req)
    assert all(meeting.date.weekday() == req.weekday for meeting in schedule.meetings)
    assert all(skip.date.weekday() == req.weekday for skip in schedule.skipped)


@given(valid_requests())
def test_meetings_are_strictly_increasing_and_not_before_start_date(req: ScheduleRequest) -> None:
    dates = meeting_dates(generate_schedule(req))
    assert all(earlier < later for earlier, later in pairwise(dates))
    assert dates[0] >= req.start_date


@given(valid_requests())
def test_gaps_between_meetings_are_multiples_of_the_interval(req: ScheduleRequest) -> None:
    dates = meeting_dates(generate_schedule(req))
    for earlier, later in pairwise(dates):
        assert (later - earlier).days % (7 * req.interval_weeks) == 0


@given(valid_requests())
def test_no_meeting_on_a_skipped_excluded_or_holiday_date(req: ScheduleRequest) -> None:
    schedule = generate_schedule(req)
    skipped = {skip.date for skip in schedule.skipped}
    for meeting in schedule.meetings:
        assert meeting.date not in skipped
        assert meeting.date not in req.excluded_dates
        if req.skip_public_holidays:
            assert meeting.date not in danish_public_holidays(meeting.date.year)
        if req.skip_customary_days:
            assert meeting.date not in danish_customary_days(meeting.date.year)


@given(valid_requests())
def test_meetings_and_skips_together_form_the_unbroken_rhythm(req: ScheduleRequest) -> None:
    schedule = generate_schedule(req)
    first_slot = req.start_date + timedelta(days=(req.weekday - req.start_date.weekday()) % 7)
    slots = sorted(meeting_dates(schedule) + [skip.date for skip in schedule.skipped])
    step = timedelta(weeks=req.interval_weeks)
    assert slots == [first_slot + k * step for k in range(len(slots))]
    assert slots[-1] == schedule.meetings[-1].date


@given(valid_requests())
def test_every_skip_reason_is_true_and_enabled(req: ScheduleRequest) -> None:
    for skip in generate_schedule(req).skipped:
        public = danish_public_holidays(skip.date.year).get(skip.date)
        customary = danish_customary_days(skip.date.year).get(skip.date)
        if skip.reason_code == "public_holiday":
            assert req.skip_public_holidays
            assert public is not None
            assert (skip.label_da, skip.label_en) == (public.name_da, public.name_en)
        elif skip.reason_code == "customary_day":
            assert req.skip_customary_days
            assert customary is not None
            assert (skip.label_da, skip.label_en) == (customary.name_da, customary.name_en)
        else:
            assert skip.date in req.excluded_dates
            assert (skip.label_da, skip.label_en) == ("Fravalgt dato", "Excluded date")


@given(valid_requests())
def test_every_meeting_lasts_the_requested_duration(req: ScheduleRequest) -> None:
    for meeting in generate_schedule(req).meetings:
        assert meeting.start_time == req.start_time
        start = datetime.combine(meeting.date, meeting.start_time)
        end = datetime.combine(meeting.date, meeting.end_time)
        assert end - start == timedelta(minutes=req.duration_minutes)


@given(valid_requests())
def test_without_skipping_or_exclusions_meetings_are_the_plain_rhythm(
    req: ScheduleRequest,
) -> None:
    plain = replace(
        req, excluded_dates=frozenset(), skip_public_holidays=False, skip_customary_days=False
    )
    schedule = generate_schedule(plain)
    first = schedule.meetings[0].date
    assert first - req.start_date < timedelta(days=7)
    step = timedelta(weeks=req.interval_weeks)
    assert meeting_dates(schedule) == [first + k * step for k in range(req.count)]
    assert schedule.skipped == []


@given(
    start_time=st.times(),
    duration=st.integers(15, 480),
)
def test_meeting_is_refused_exactly_when_it_would_reach_midnight(
    start_time: time, duration: int
) -> None:
    req = request(start_time=start_time, duration_minutes=duration, count=1)
    start = datetime.combine(date(2026, 1, 1), start_time)
    reaches_midnight = (start + timedelta(minutes=duration)).date() != start.date()
    if reaches_midnight:
        raises_schedule_error(req, "runs_past_midnight")
    else:
        assert generate_schedule(req).meetings[0].end_time > start_time


@given(
    start_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2150, 12, 31)),
    interval=st.sampled_from([1, 2]),
    run=st.integers(0, 40),
)
def test_run_of_skipped_slots_is_refused_exactly_when_longer_than_26(
    start_date: date, interval: int, run: int
) -> None:
    excluded = frozenset(start_date + timedelta(weeks=interval * k) for k in range(run))
    req = request(
        start_date=start_date,
        weekday=start_date.weekday(),
        interval_weeks=interval,
        count=1,
        excluded_dates=excluded,
        skip_public_holidays=False,
        skip_customary_days=False,
    )
    if run > MAX_CONSECUTIVE_SKIPS:
        raises_schedule_error(req, "too_many_skipped")
    else:
        schedule = generate_schedule(req)
        assert meeting_dates(schedule) == [start_date + timedelta(weeks=interval * run)]
        assert len(schedule.skipped) == run


@given(valid_requests(), st.one_of(st.integers(max_value=0), st.integers(min_value=53)))
def test_any_count_outside_1_to_52_is_refused(req: ScheduleRequest, count: int) -> None:
    raises_schedule_error(replace(req, count=count), "count_out_of_range")
