"""Access rules for group-formation URLs (merged into ``spejl/access/matrix.py``).

The walk uses a stored proposal and a pair of organisation A
(``spejl/formation/tests/fixtures.py``).
"""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only, rule

_OWN = "national admin; coordinators of the proposal's organisation"
_PAGE = "national admin; coordinators (their organisations)"

#                                                 anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "formation:list": rule(_PAGE, 302, 200, 200, 200, 404, 404, post=True),
    "formation:pairs": rule(_PAGE, 302, 200, 200, 200, 404, 404, post=True),
    "formation:pair_delete": post_only(_OWN, 302, 302, 302, 404, 404, 404),
    "formation:detail": rule(_OWN, 302, 200, 200, 404, 404, 404),
    "formation:decide": post_only(_OWN, 302, 302, 302, 404, 404, 404),
    "formation:resolve": post_only(_OWN, 302, 302, 302, 404, 404, 404),
    "formation:approve": post_only(_OWN, 302, 302, 302, 404, 404, 404),
    "formation:discard": post_only(_OWN, 302, 302, 302, 404, 404, 404),
}
