"""Access rules for the REDCap import URLs (to be merged into ``spejl/access/matrix.py``).

The walk uses a previewed import run of organisation A that passes the check
(``import_run_a`` in ``spejl/questionnaires/tests/test_import_pages.py``): coordinator B, the
facilitator and the evaluator get 404 for it. An empty POST to commit or discard acts on it
(the walk rolls back between roles) and sends the person back to a page: 302.
"""

from __future__ import annotations

from spejl.access.matrix import Rule, post_only, rule

_WHO = "national admin; coordinators (imports into their own organisation)"
_RUN = "national admin; coordinators of the run's organisation"

#                                                 anon  admin coA  coB  facA eval
IMPORT_ACCESS: dict[str, Rule] = {
    "questionnaires:import": rule(_WHO, 302, 200, 200, 200, 404, 404, post=True),
    "questionnaires:import_detail": rule(_RUN, 302, 200, 200, 404, 404, 404),
    "questionnaires:import_commit": post_only(_RUN, 302, 302, 302, 404, 404, 404),
    "questionnaires:import_discard": post_only(_RUN, 302, 302, 302, 404, 404, 404),
}
