"""The audit chain fixtures, for the retention tests that prune the audit log."""

from spejl.audit.tests.support import chain_cleanup  # noqa: F401  (a fixture)
