"""Access rules for evaluation URLs (merged into ``spejl/access/matrix.py``).

The walk uses a finished report run asked for by coordinator A and a finished export asked for
by the evaluator (``spejl/evaluation/tests/fixtures.py``): runs and exports are seen only by
the person who asked for them.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only, rule

_OWN = "the person who asked for it (while their role still allows its scope)"

#                                                 anon  admin coA  coB  facA eval
ACCESS: dict[str, Rule] = {
    "evaluation:start": rule(
        "national admin and evaluators (all); coordinators (their organisations)",
        302,
        200,
        200,
        200,
        404,
        200,
        post=True,
    ),
    "evaluation:report": rule(_OWN, 302, 404, 200, 404, 404, 404),
    "evaluation:report_pdf": rule(_OWN, 302, 404, 200, 404, 404, 404),
    "evaluation:report_json": rule(_OWN, 302, 404, 200, 404, 404, 404),
    "evaluation:exports": rule(
        "national admin and evaluators", 302, 200, 404, 404, 404, 200, post=True
    ),
    "evaluation:export_download": post_only(
        _OWN + "; once, before it expires", 302, 404, 404, 404, 404, 200
    ),
}
