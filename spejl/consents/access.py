"""Access rules for consent URLs (merged into ``spejl/access/matrix.py``).

The walk uses a draft consent text (visible to national admins only, so every other role gets
404), a participant of organisation A, and an invalid participant link (404 for everyone).
"""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only, rule

_TEXT_VIEW = "published texts: every staff role; drafts: national admin"
_TEXT_MANAGE = "national admin (drafts only: a published version never changes)"
_LINK = "holders of a valid participant link (no login); the walk uses an invalid one"

#                                                 anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "consents:texts": rule(
        "every staff role (drafts: national admin)", 302, 200, 200, 200, 200, 200
    ),
    "consents:text_detail": rule(_TEXT_VIEW, 302, 200, 404, 404, 404, 404),
    "consents:text_new_version": post_only(
        "national admin (a draft copy of a published version; for a draft, sent back to it)",
        302,
        302,
        404,
        404,
        404,
        404,
    ),
    "consents:text_edit": rule(_TEXT_MANAGE, 302, 200, 404, 404, 404, 404, post=True),
    "consents:text_publish": rule(_TEXT_MANAGE, 302, 200, 404, 404, 404, 404, post=True),
    "consents:record": rule(
        "national admin; coordinators of the participant's organisation",
        302,
        200,
        200,
        404,
        404,
        404,
        post=True,
    ),
    "consents:participant_give": post_only(
        _LINK, 404, 404, 404, 404, 404, 404, login_required=False
    ),
    "consents:participant_withdraw": rule(_LINK, 404, 404, 404, 404, 404, 404, post=True),
    "consents:public_text": rule("everyone (no login)", 200, 200, 200, 200, 200, 200),
}
