"""Access rules for group URLs (merged into ``spejl/access/matrix.py``).

The walk uses organisation A's group, which facilitator A is assigned to.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only, rule

_VIEW = "national admin; the organisation's coordinators; the group's own facilitators"
_MANAGE = "national admin; the organisation's coordinators"

#                                               anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "groups:list": rule(
        "staff with groups: national admin (all), coordinators (their organisations'), "
        "facilitators (their own groups)",
        302,
        200,
        200,
        200,
        200,
        404,
    ),
    "groups:create": rule(_MANAGE, 302, 200, 200, 200, 404, 404, post=True),
    "groups:detail": rule(_VIEW, 302, 200, 200, 404, 200, 404),
    "groups:edit": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:status": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:reopen": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:facilitators": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:facilitator_remove": post_only(_MANAGE, 302, 302, 302, 404, 403, 404),
    "groups:schedule": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:calendar": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:meeting": rule(_VIEW, 302, 200, 200, 404, 200, 404),
    "groups:mark": post_only(_VIEW, 302, 302, 302, 404, 302, 404),
    "groups:meeting_move": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:meeting_cancel": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "groups:meeting_log": rule(_VIEW, 302, 200, 200, 404, 200, 404, post=True),
    "groups:today": rule(
        "coordinators and facilitators; national admin", 302, 200, 200, 200, 200, 404
    ),
    "groups:my_calendar": rule(
        "facilitators (their own calendar link)", 302, 404, 404, 404, 200, 404, post=True
    ),
    "groups:feed": rule(
        "holders of a valid calendar link (no login); the walk uses an invalid one",
        404,
        404,
        404,
        404,
        404,
        404,
    ),
}
