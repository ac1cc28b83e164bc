"""Logging filters that keep personal data out of logs."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")


class RedactQueryStrings(logging.Filter):
    """Strip query strings (which may carry search terms or e-mail addresses) from log lines.

    Paths carry only random identifiers, so the rest of a request line is safe to keep.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg = _QUERY.sub("?[redacted]", message)
            record.args = ()
        return True
