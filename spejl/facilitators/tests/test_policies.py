"""The training status rules (``policies.training_status``) as a table of cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from spejl.facilitators.policies import (
    EXPIRY_WARNING_DAYS,
    TrainingStatus,
    needs_override,
    training_status,
)

TODAY = date(2026, 3, 10)


@dataclass
class Record:
    completed_on: date
    valid_until: date | None


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param([], TrainingStatus.MISSING, id="no records: missing"),
        pytest.param([Record(days(-400), None)], TrainingStatus.VALID, id="no end date: valid"),
        pytest.param([Record(days(-400), days(365))], TrainingStatus.VALID, id="a year left"),
        pytest.param(
            [Record(days(-400), days(EXPIRY_WARNING_DAYS + 1))],
            TrainingStatus.VALID,
            id="61 days left: valid",
        ),
        pytest.param(
            [Record(days(-400), days(EXPIRY_WARNING_DAYS))],
            TrainingStatus.EXPIRING,
            id="60 days left: expiring",
        ),
        pytest.param([Record(days(-400), days(10))], TrainingStatus.EXPIRING, id="10 days left"),
        pytest.param([Record(days(-400), TODAY)], TrainingStatus.EXPIRING, id="last day: expiring"),
        pytest.param([Record(days(-400), days(-1))], TrainingStatus.EXPIRED, id="ended yesterday"),
        pytest.param(
            [Record(days(-800), days(-400)), Record(days(-300), days(200))],
            TrainingStatus.VALID,
            id="renewed after expiry: the best record counts",
        ),
        pytest.param(
            [Record(days(-800), days(-400)), Record(days(-300), None)],
            TrainingStatus.VALID,
            id="expired and open-ended: valid",
        ),
        pytest.param(
            [Record(days(-300), days(30)), Record(days(-100), days(20))],
            TrainingStatus.EXPIRING,
            id="two expiring: the later end counts",
        ),
        pytest.param(
            [Record(days(-300), days(30)), Record(days(-10), None)],
            TrainingStatus.VALID,
            id="expiring but another never expires: valid",
        ),
        pytest.param(
            [Record(days(-400), days(-1)), Record(days(5), days(700))],
            TrainingStatus.EXPIRED,
            id="future completion does not count yet",
        ),
        pytest.param(
            [Record(days(-400), days(300)), Record(days(5), None)],
            TrainingStatus.VALID,
            id="future completion does not spoil a valid record",
        ),
    ],
)
def test_training_status(records: list[Record], expected: TrainingStatus) -> None:
    assert training_status(records, today=TODAY) == expected


def test_a_course_completed_only_in_the_future_does_not_qualify_a_facilitator() -> None:
    status = training_status([Record(days(5), None)], today=TODAY)
    assert status != TrainingStatus.VALID
    assert needs_override(status)


@pytest.mark.parametrize(
    ("status", "override"),
    [
        (TrainingStatus.VALID, False),
        (TrainingStatus.EXPIRING, False),
        (TrainingStatus.EXPIRED, True),
        (TrainingStatus.MISSING, True),
    ],
)
def test_assigning_needs_an_override_only_when_training_is_expired_or_missing(
    status: TrainingStatus, override: bool
) -> None:
    assert needs_override(status) is override
