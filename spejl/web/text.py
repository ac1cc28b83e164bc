"""Danish-aware text matching and sorting on SQLite and PostgreSQL.

SQLite folds only ASCII letters in ``LIKE`` and sorts by code point (å before æ before ø).
Spejl registers two helpers on every SQLite connection — a ``spejl_fold`` function
(Python's ``str.casefold``) and a ``spejl_da`` collation (Danish alphabet order: … z æ ø å) —
and uses ICU on PostgreSQL, so that "ærø" finds "Søren Ærø" and lists sort as a Dane expects.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import Expression, F, Func, QuerySet, TextField
from django.dispatch import receiver

# Danish alphabetical order puts æ, ø, å after z; the characters after "z" in ASCII ({, |, })
# stand in for them. Other accented letters sort with their base letter (é with e). "aa" sorts
# as two a's, as modern Danish lists usually do.
_DANISH_TAIL = {"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"}


def _base_letter(ch: str) -> str:
    if ch in _DANISH_TAIL:
        return _DANISH_TAIL[ch]
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Case-fold for matching (Ærø → ærø)."""
    return text.casefold()


def danish_sort_key(text: str) -> str:
    """A key that orders strings alphabetically in Danish, ignoring case first."""
    folded = text.casefold()
    return "".join(_base_letter(ch) for ch in folded) + "\u0000" + text


def _danish_collation(a: str, b: str) -> int:
    ka, kb = danish_sort_key(a), danish_sort_key(b)
    return (ka > kb) - (ka < kb)


@receiver(connection_created)
def _register_sqlite_helpers(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("spejl_fold", 1, _fold_or_none, deterministic=True)
    raw.create_collation("spejl_da", _danish_collation)


def _fold_or_none(value: str | None) -> str | None:
    return None if value is None else fold(value)


class Fold(Func):
    """Case-folded text, Unicode-aware on both engines."""

    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="spejl_fold", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template='lower(%(expressions)s COLLATE "und-x-icu")', **extra
        )


class DanishOrder(Func):
    """Use in ``order_by`` to sort a text column in Danish alphabetical order."""

    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="%(expressions)s COLLATE spejl_da", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template='%(expressions)s COLLATE "da-DK-x-icu"', **extra
        )


def danish(field: str) -> Expression:
    """``order_by(danish("full_name"))``."""
    return DanishOrder(F(field))


def search_any(qs: QuerySet[Any], fields: list[str], term: str) -> QuerySet[Any]:
    """Rows where any of ``fields`` contains ``term``, case- and Danish-insensitively."""
    term = fold(term.strip())
    if not term:
        return qs
    annotations = {f"_fold_{i}": Fold(F(name)) for i, name in enumerate(fields)}
    qs = qs.annotate(**annotations)
    condition = functools.reduce(
        lambda acc, key: acc | _contains(key, term),
        list(annotations)[1:],
        _contains("_fold_0", term),
    )
    return qs.filter(condition)


def _contains(key: str, term: str) -> Any:
    from django.db.models import Q

    return Q(**{f"{key}__contains": term})
