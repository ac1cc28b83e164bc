"""Runnable benchmarks (see ``benchmarks/README.md``); not part of the application."""
