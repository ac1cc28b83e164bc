"""Access rules for intake URLs (merged into ``spejl/access/matrix.py``).

Intake data are for coordinators only: facilitators and evaluators get 404, as do other
organisations' coordinators. The walk uses organisation A's enquiry, participant and intake,
and a referral destination of organisation A's own list.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, rule

_COORD = "national admin; coordinators of the person's organisation"
_LIST = "national admin (all); coordinators (their organisations)"

#                                                   anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "intake:list": rule(_LIST, 302, 200, 200, 200, 404, 404),
    "intake:detail": rule(_COORD, 302, 200, 200, 404, 404, 404),
    "intake:record": rule(_COORD, 302, 200, 200, 404, 404, 404, post=True),
    "intake:schedule": rule(_COORD, 302, 200, 200, 404, 404, 404, post=True),
    "intake:schedule_for_participant": rule(_COORD, 302, 200, 200, 404, 404, 404, post=True),
    "intake:destinations": rule(
        "national admin (all lists); coordinators (the national list and their own)",
        302,
        200,
        200,
        200,
        404,
        404,
    ),
    "intake:destination_add": rule(
        "national admin (national list); coordinators (their organisations' lists)",
        302,
        200,
        200,
        200,
        404,
        404,
        post=True,
    ),
    "intake:destination_edit": rule(
        "an organisation's own destinations: its coordinators and national admin; "
        "national ones: national admin",
        302,
        200,
        200,
        404,
        404,
        404,
        post=True,
    ),
}
