"""Access rules for notification URLs (merged into ``spejl/access/matrix.py``)."""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only

#                                                 anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "notifications:delivery_receipt": post_only(
        "providers holding the webhook secret (off, 404, unless SPEJL_DELIVERY_WEBHOOK_SECRET "
        "is set)",
        404,
        404,
        404,
        404,
        404,
        404,
        login_required=False,
    ),
}
