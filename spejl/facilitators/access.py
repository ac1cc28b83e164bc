"""Access rules for this app's URLs (merged into ``spejl/access/matrix.py``).

Facilitators' names, phones and training are staff personal data: evaluators never see them.
A facilitator sees their own page but changes nothing on it.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, rule

_MANAGE = "national admin; coordinators of one of the facilitator's organisations"

#                                                  anon  admin  coA  coB  facA  eval
ACCESS: dict[str, Rule] = {
    "facilitators:list": rule(
        "national admin; the organisation's coordinators", 302, 200, 200, 404, 404, 404
    ),
    "facilitators:me": rule(
        "facilitators (sent to their own page); others: not found", 302, 404, 404, 404, 302, 404
    ),
    "facilitators:detail": rule(
        f"{_MANAGE}; the facilitator themself", 302, 200, 200, 404, 200, 404
    ),
    "facilitators:edit": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "facilitators:training_add": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "facilitators:training_edit": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "facilitators:training_remove": rule(_MANAGE, 302, 200, 200, 404, 403, 404, post=True),
    "facilitators:supervision_add": rule(
        "national admin; coordinators of the organisation the supervision is recorded for",
        302,
        200,
        200,
        404,
        403,
        404,
        post=True,
    ),
    "facilitators:supervision_remove": rule(
        "national admin; coordinators of the session's organisation",
        302,
        200,
        200,
        404,
        403,
        404,
        post=True,
    ),
}
