"""Labels for the codes a proposal stores (reasons, wishes, times) in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from spejl.intake.policies import GROUP_WISHES, PARTS_OF_DAY

register = template.Library()

REASONS = {
    "no_group_in_reach": lambda: _("No group within the distance they can travel"),
    "no_group_at_their_times": lambda: _("No group within reach at a time they can come"),
    "no_group_for_them": lambda: _(
        "No group within reach at their times for their age, language or access needs"
    ),
    "forbidden": lambda: _("You ruled out the groups that would suit"),
    "all_suitable_full": lambda: _("Every group that would suit is full"),
    "group_below_minimum": lambda: _(
        "The planned group that would suit did not get enough people to start"
    ),
    "kept_apart": lambda: _("Kept apart from someone they must not be with"),
    "others_preferred": lambda: _(
        "The seats that would suit went to people who waited longer or fit better"
    ),
}
NOT_CONSIDERED = {
    "no_postcode": lambda: _("without a postcode"),
    "no_intake": lambda: _("without an intake conversation"),
    "no_times": lambda: _("without days and times they can come"),
}


@register.simple_tag
def reason_label(code: str) -> str:
    return REASONS[code]() if code in REASONS else code


@register.simple_tag
def not_considered_label(code: str) -> str:
    return NOT_CONSIDERED[code]() if code in NOT_CONSIDERED else code


@register.simple_tag
def wish_label(code: str) -> str:
    return str(dict(GROUP_WISHES).get(code, code))


@register.simple_tag
def part_label(code: str) -> str:
    return str(dict(PARTS_OF_DAY).get(code, code))


@register.simple_tag
def weekday_label(index: int) -> str:
    from spejl.groups.models import Weekday

    return str(Weekday(int(index)).label)


@register.simple_tag
def decision_state(review: object, enrolment_id: int, group_id: int) -> str:
    locks: set[tuple[int, int]] = getattr(review, "locks", set())
    forbids: set[tuple[int, int]] = getattr(review, "forbids", set())
    if (enrolment_id, group_id) in locks:
        return "lock"
    if (enrolment_id, group_id) in forbids:
        return "forbid"
    return ""
