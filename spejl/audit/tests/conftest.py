"""Fixtures of the audit tests (shared with the retention tests)."""

from spejl.audit.tests.support import chain_cleanup  # noqa: F401  (a fixture)
