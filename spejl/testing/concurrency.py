"""Run the same work twice at the same moment, in two threads with their own database
connections: the "twice at once" tests of commands and services (real concurrent transactions
on SQLite's locking and on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection


def twice_at_once(work: Callable[[], Any]) -> list[Any]:
    """Start ``work`` in two threads released together; returns both outcomes (a result, or
    the exception raised — also ``SystemExit`` from a command) for the test to assert on."""
    barrier = threading.Barrier(2)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            outcome = work()
        except BaseException as error:  # handed to the test, which asserts on it
            outcome = error
        finally:
            close_old_connections()
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
