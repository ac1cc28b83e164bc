"""Access rules for participant URLs (merged into ``spejl/access/matrix.py``).

Participants' own pages are reached only with a secure link (the walk uses an invalid one:
404 for everybody, revealing nothing).
"""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only, rule

_COORD = "national admin; coordinators of the participant's organisation"
_LINK = "the participant, with their secure link (the walk uses an invalid one)"

#                                                      anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "participants:detail": rule(_COORD, 302, 200, 200, 404, 404, 404),
    "participants:offer_place": rule(_COORD, 302, 200, 200, 404, 404, 404, post=True),
    "participants:drop": rule(_COORD, 302, 200, 200, 404, 404, 404, post=True),
    "participants:place_action": post_only(_COORD, 302, 302, 302, 404, 404, 404),
    "participants:send_link": post_only(_COORD, 302, 302, 302, 404, 404, 404),
    "participants:data": rule(_COORD, 302, 200, 200, 404, 404, 404),
    "participants:erase": rule(
        _COORD + "; erasing (POST) needs a recent login or re-authentication",
        302,
        200,
        200,
        404,
        404,
        404,
        post=True,
    ),
    "participants:waitlist": rule(
        "national admin; coordinators (their organisations)", 302, 200, 200, 200, 404, 404
    ),
    "participants:pipeline": rule(
        "national admin; coordinators (their organisations)", 302, 200, 200, 200, 404, 404
    ),
    "participants:page": rule(_LINK, 404, 404, 404, 404, 404, 404),
    "participants:calendar": rule(_LINK, 404, 404, 404, 404, 404, 404),
    "participants:own_data": rule(_LINK, 404, 404, 404, 404, 404, 404),
    "participants:erase_request": rule(_LINK, 404, 404, 404, 404, 404, 404, post=True),
    "participants:cannot_come": post_only(
        _LINK, 404, 404, 404, 404, 404, 404, login_required=False
    ),
    "participants:offer": rule(
        "the participant, with the offer's secure link", 404, 404, 404, 404, 404, 404
    ),
}
