"""Access rules for this app's URLs (merged into ``spejl/access/matrix.py``).

Object URLs are checked with a draft plan of organisation A.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, rule

_VIEW = "national plans: every staff role; an organisation's plans: national roles and its staff"
_MANAGE = (
    "national plans: national admin; an organisation's plans: its coordinators, national admin"
)

#                                     anon  admin  coA  coB  facA  eval
ACCESS: dict[str, Rule] = {
    "courseplans:list": rule(
        "every staff role (national drafts: national admin)", 302, 200, 200, 200, 200, 200
    ),
    "courseplans:detail": rule(_VIEW, 302, 200, 200, 404, 200, 200),
    "courseplans:new_version": rule(_MANAGE, 302, 200, 200, 404, 403, 403, post=True),
    "courseplans:adapt": rule(
        "those who see the plan and coordinate an organisation to copy it into; national admin",
        302,
        200,
        200,
        404,
        403,
        403,
        post=True,
    ),
    "courseplans:edit": rule(_MANAGE + " (drafts only)", 302, 200, 200, 404, 403, 403, post=True),
    "courseplans:publish": rule(_MANAGE, 302, 200, 200, 404, 403, 403, post=True),
    "courseplans:meeting_add": rule(
        _MANAGE + " (drafts only)", 302, 200, 200, 404, 403, 403, post=True
    ),
    "courseplans:meeting_edit": rule(
        _MANAGE + " (drafts only)", 302, 200, 200, 404, 403, 403, post=True
    ),
    "courseplans:meeting_remove": rule(
        _MANAGE + " (drafts only)", 302, 200, 200, 404, 403, 403, post=True
    ),
}
