"""Logging filters that keep personal data out of logs."""

from __future__ import annotations

import logging
import re
import traceback

_QUERY = re.compile(r"\?[^\s\"]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


class RedactQueryStrings(logging.Filter):
    """Keep what a visitor sent out of log lines.

    * Query strings (which may carry search terms or e-mail addresses) are cut from messages.
      Paths carry only random identifiers, so the rest of a request line is safe to keep.
    * E-mail addresses anywhere in a message become ``[e-mail]``.
    * An exception keeps its type and traceback but not its message, which may quote the data
      that failed (a database error's "Key (email)=(…) already exists", a form value).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _EMAIL.sub("[e-mail]", _QUERY.sub("?[redacted]", message))
        if redacted != message:
            record.msg = redacted
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            error_type, _error, tb = record.exc_info
            lines = traceback.format_tb(tb)
            name = getattr(error_type, "__qualname__", "Exception")
            record.exc_text = (
                "Traceback (most recent call last):\n"
                + "".join(lines)
                + (f"{name}: [message withheld: it may hold personal data]")
            )
            record.exc_info = None
        return True
