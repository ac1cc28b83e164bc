"""Why someone was left without a place: the one binding reason per person, so that a
coordinator can act on it (widen the travel distance, start a group at other times, open a
planned group, …) instead of guessing.

Personal data touched: the same solver view of waitlisted people as
:mod:`spejl.core.formation.feasibility`. Pure Python; no Django import.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from spejl.core.formation.feasibility import CandidateTable, candidate_table
from spejl.core.formation.model import Instance, Unplaced, UnplacedReason

__all__ = ["unplaced_reasons"]


def unplaced_reasons(
    instance: Instance,
    assignment: Mapping[str, str],
    opened: Set[str],
    *,
    table: CandidateTable | None = None,
) -> tuple[Unplaced, ...]:
    """The binding reason for every person ``assignment`` leaves out, ordered by person id.

    ``assignment`` maps person id → group id; ``opened`` holds the planned groups that open.
    The first test that holds gives the reason: no group within their travel distance at all;
    none of those at a time they can; none of those fits their target, age, language or
    access; every one that fits is forbidden; every suitable group is open and full; a
    suitable group is planned and does not open; every suitable group with a free seat holds
    someone they must be kept apart from; otherwise others were preferred (they waited longer
    or fit better). ``table`` may pass an already computed :func:`candidate_table`.
    """
    if table is None:
        table = candidate_table(instance)
    groups = instance.groups
    occupancy = [g.taken for g in groups]
    for group_id in assignment.values():
        occupancy[table.group_index[group_id]] += 1
    partners: dict[str, set[str]] = {}
    for pair in instance.pairs:
        if not pair.together:
            partners.setdefault(pair.a, set()).add(pair.b)
            partners.setdefault(pair.b, set()).add(pair.a)

    result: list[Unplaced] = []
    for i, person in sorted(enumerate(instance.people), key=lambda ip: ip[1].id):
        if person.id in assignment:
            continue
        suitable = table.groups_of(i)[0].tolist()
        reason: UnplacedReason
        if not table.in_reach[i]:
            reason = "no_group_in_reach"
        elif not table.at_times[i]:
            reason = "no_group_at_their_times"
        elif not table.fits[i]:
            reason = "no_group_for_them"
        elif not suitable:
            reason = "forbidden"
        else:
            is_open = {j: not groups[j].planned or groups[j].id in opened for j in suitable}
            with_seat = [j for j in suitable if occupancy[j] < groups[j].max_size]
            if all(is_open[j] for j in suitable) and not with_seat:
                reason = "all_suitable_full"
            elif not all(is_open.values()):
                reason = "group_below_minimum"
            else:
                partner_groups = {
                    assignment[other]
                    for other in partners.get(person.id, ())
                    if other in assignment
                }
                if all(groups[j].id in partner_groups for j in with_seat):
                    reason = "kept_apart"
                else:
                    reason = "others_preferred"
        result.append(
            Unplaced(
                person_id=person.id,
                reason=reason,
                suitable_group_ids=tuple(groups[j].id for j in suitable),
            )
        )
    return tuple(result)
