"""Access rules for questionnaire URLs (merged into ``spejl/access/matrix.py``).

The walk uses an invalid questionnaire link (404 for everyone), SWEMWBS — switched off and in
no plan, so only national admins and evaluators see it — and a draft measurement plan
(national admins only), so every other role gets 404 for those object URLs.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only, rule
from spejl.questionnaires.import_access import IMPORT_ACCESS

_LINK = "holders of a valid questionnaire link (no login); the walk uses an invalid one"
_COORD = "national admin; coordinators of the participant's organisation"
_INSTRUMENT = (
    "every staff role for instruments switched on or in a plan; otherwise national admin and "
    "evaluator (the walk: SWEMWBS, switched off)"
)
_PLAN = "published and superseded versions: every staff role; drafts: national admin"
_PLAN_MANAGE = "national admin (drafts only: a published version never changes)"

#                                                 anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    # The participant, through the secure link.
    "questionnaires:thanks": rule("everyone (no login)", 200, 200, 200, 200, 200, 200),
    "questionnaires:answer": rule(_LINK, 404, 404, 404, 404, 404, 404),
    "questionnaires:review": rule(_LINK, 404, 404, 404, 404, 404, 404, post=True),
    "questionnaires:page": rule(_LINK, 404, 404, 404, 404, 404, 404, post=True),
    "questionnaires:from_page": post_only(
        "holders of a valid participant-page link (no login); the walk uses an invalid one",
        404,
        404,
        404,
        404,
        404,
        404,
        login_required=False,
    ),
    # Coordinators: a participant's questionnaires; paper or telephone answers.
    "questionnaires:participant": rule(_COORD, 302, 200, 200, 404, 404, 404),
    "questionnaires:enter": rule(
        _COORD + " (the walk's participant has nothing to enter: sent back)",
        302,
        302,
        302,
        404,
        404,
        404,
    ),
    # Instruments.
    "questionnaires:instruments": rule("every staff role", 302, 200, 200, 200, 200, 200),
    "questionnaires:instrument_detail": rule(_INSTRUMENT, 302, 200, 404, 404, 404, 200),
    "questionnaires:instrument_redcap": rule(_INSTRUMENT, 302, 200, 404, 404, 404, 200),
    "questionnaires:instrument_fhir": rule(_INSTRUMENT, 302, 200, 404, 404, 404, 200),
    "questionnaires:instrument_enable": post_only(
        "national admin (switching on a licensed one needs the licence confirmed)",
        302,
        200,
        404,
        404,
        404,
        404,
    ),
    # The measurement plan.
    "questionnaires:plans": rule(
        "every staff role (drafts: national admin)", 302, 200, 200, 200, 200, 200
    ),
    "questionnaires:plan_detail": rule(_PLAN, 302, 200, 404, 404, 404, 404),
    "questionnaires:plan_redcap": rule(
        _PLAN + " (the walk's draft is empty: sent back to its page)",
        302,
        302,
        404,
        404,
        404,
        404,
    ),
    "questionnaires:plan_events": rule(_PLAN, 302, 200, 404, 404, 404, 404),
    "questionnaires:plan_new_version": post_only(
        "national admin (a draft copy; when a draft exists, sent to it)",
        302,
        302,
        404,
        404,
        404,
        404,
    ),
    "questionnaires:plan_edit": rule(_PLAN_MANAGE, 302, 200, 404, 404, 404, 404, post=True),
    "questionnaires:plan_publish": post_only(
        _PLAN_MANAGE + "; refused with the reasons on the plan's page",
        302,
        302,
        404,
        404,
        404,
        404,
    ),
    # The response overview (counts only).
    "questionnaires:overview": rule(
        "national admin (all groups); coordinators (their organisations' groups)",
        302,
        200,
        200,
        200,
        404,
        404,
    ),
    # REDCap imports (rules kept beside their views, in import_access.py).
    **IMPORT_ACCESS,
}
