"""What an intake's state allows, and the rules of the conversation itself.

Kept apart from *who may* (``permissions``): these functions decide from the data alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from spejl.enquiries.models import EnquiryStatus
from spejl.groups.models import TARGET_AGES, Target
from spejl.intake.models import Decision, IntakeMode, IntakeStatus

#: Enquiries that can still get an intake conversation.
SCHEDULABLE_ENQUIRY_STATUSES = frozenset(
    {EnquiryStatus.NEW, EnquiryStatus.CONTACTED, EnquiryStatus.INTAKE}
)
#: An intake holds a person's place in the pipeline while it is in one of these states.
ACTIVE_INTAKE_STATUSES = frozenset({IntakeStatus.SCHEDULED, IntakeStatus.HELD})
#: How far back an intake may be written down (a phone call just held) and how far ahead
#: it may be scheduled. Anything outside is almost surely a typo in the year.
SCHEDULE_PAST_LIMIT = timedelta(days=30)
SCHEDULE_FUTURE_LIMIT = timedelta(days=365)

#: The target groups an intake can find a person fit for (the fixed age bands).
INTAKE_TARGETS = (Target.ADULTS, Target.YOUTH)

WEEKDAYS = (
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
)
PARTS_OF_DAY = (
    ("morning", pgettext_lazy("part of day", "Morning")),
    ("afternoon", pgettext_lazy("part of day", "Afternoon")),
    ("evening", pgettext_lazy("part of day", "Evening")),
)
#: Wishes about the group's composition the group-formation optimiser can honour.
GROUP_WISHES = (
    ("not_only_gender", _("Not the only one of their gender in the group")),
    ("age_close", _("People about their age")),
)

#: Stored values such as ``"mon-evening"``.
TIME_SLOTS = tuple(f"{day}-{part}" for day, _label in WEEKDAYS for part, _p in PARTS_OF_DAY)

#: Mode that needs a place written down (phone and video calls do not).
MODES_NEEDING_PLACE = frozenset({IntakeMode.IN_PERSON})

#: Where the person's data were recorded from: the screening answer fields.
TILS_FIELDS = ("tils_1", "tils_2", "tils_3")


def possible_ages(birth_year: int, year: int) -> tuple[int, int]:
    """A person born in ``birth_year`` is one of these two ages during ``year``."""
    return (year - birth_year - 1, year - birth_year)


def age_fits_target(birth_year: int | None, target: str, year: int) -> bool | None:
    """Whether the birth year fits the target's age band this year: ``True`` or ``False``
    when both possible ages agree, ``None`` when it depends on the birthday (or is unknown)."""
    if birth_year is None or target not in TARGET_AGES:
        return None
    low, high = TARGET_AGES[Target(target)]
    fits = [age >= low and (high is None or age <= high) for age in possible_ages(birth_year, year)]
    return fits[0] if fits[0] == fits[1] else None


def suggested_target(birth_year: int | None, year: int) -> str:
    """Youth for people who are 25 or younger this year, otherwise adults."""
    if birth_year is None:
        return ""
    return Target.YOUTH if year - birth_year <= 25 else Target.ADULTS


def decision_allowed(status: str) -> bool:
    """A decision belongs to a conversation that was held."""
    return status == IntakeStatus.HELD


def needs_destination(decision: str) -> bool:
    return decision == Decision.REFERRED


def can_schedule_for_enquiry_status(status: str) -> bool:
    return status in SCHEDULABLE_ENQUIRY_STATUSES
