"""Access rules for enquiry URLs (merged into ``spejl/access/matrix.py``).

The public pages answer everyone. The walk uses an enquiry routed to organisation A
(``spejl/enquiries/tests/fixtures.py``): only A's coordinators and national admins see it.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, rule

_PUBLIC = "everyone (public, no login)"
_INBOX = "national admin (all); coordinators (their organisations' enquiries)"
_ONE = "national admin; the organisation's coordinators"

#                                               anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "enquiries:finder": rule(_PUBLIC, 200, 200, 200, 200, 200, 200),
    "enquiries:feed": rule(_PUBLIC + "; CORS open to all origins", 200, 200, 200, 200, 200, 200),
    "enquiries:ask": rule(_PUBLIC, 200, 200, 200, 200, 200, 200),
    "enquiries:thanks": rule(_PUBLIC, 200, 200, 200, 200, 200, 200),
    "enquiries:list": rule(_INBOX, 302, 200, 200, 200, 404, 404),
    "enquiries:register": rule(_INBOX, 302, 200, 200, 200, 404, 404, post=True),
    "enquiries:detail": rule(_ONE, 302, 200, 200, 404, 404, 404),
    "enquiries:status": rule(_ONE, 302, 200, 200, 404, 404, 404, post=True),
}
