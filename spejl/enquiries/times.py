"""Preferred days and times: a weekday and a part of the day, stored as ``"mon-evening"``.

The same codes are used by the intake conversation, so a wish given in an enquiry carries over.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WEEKDAYS: tuple[tuple[str, Promise], ...] = (
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
)
PARTS_OF_DAY: tuple[tuple[str, Promise], ...] = (
    ("morning", pgettext_lazy("part of day", "Morning")),
    ("afternoon", pgettext_lazy("part of day", "Afternoon")),
    ("evening", pgettext_lazy("part of day", "Evening")),
)
#: Every valid stored value, in calendar order.
TIME_SLOTS: tuple[str, ...] = tuple(
    f"{day}-{part}" for day, _day_label in WEEKDAYS for part, _part_label in PARTS_OF_DAY
)


def slot_label(code: str) -> str:
    """``"mon-evening"`` → "Monday evening" in the active language (unknown codes as given)."""
    day, _sep, part = code.partition("-")
    days = dict(WEEKDAYS)
    parts = dict(PARTS_OF_DAY)
    if day not in days or part not in parts:
        return code
    return f"{days[day]} {str(parts[part]).lower()}"


def sorted_slots(codes: list[str]) -> list[str]:
    """Valid codes only, without repeats, in calendar order."""
    wanted = set(codes)
    return [code for code in TIME_SLOTS if code in wanted]
