"""A fingerprint of a group-formation input, so that a stored proposal can say exactly what it
was computed from, and a re-run on unchanged data can be recognised.

Personal data touched: the solver view of waitlisted people (coordinates, availability,
age, gender, wishes, days waited) goes into the hash; only the hash comes out. Pure Python;
no Django import.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from spejl.core.formation.model import Instance, Pair

__all__ = ["SOLVER_VERSION", "canonical_json", "instance_hash"]

#: The version of the formation model and solver; stored with every proposal. Raise it when
#: the objective, the constraints or their defaults change meaning.
SOLVER_VERSION = "formation-1"


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _pair(pair: Pair) -> dict[str, Any]:
    a, b = sorted((pair.a, pair.b))
    return {"a": a, "b": b, "together": pair.together}


def canonical_json(instance: Instance) -> str:
    """The instance as JSON in one canonical form: people and groups by id, pairs, locks and
    forbids sorted, sets as sorted lists, keys sorted. Orders that carry no meaning (the
    order people were listed in, a pair's a/b) do not change it."""
    document = {
        "format": 1,
        "people": sorted((_plain(p) for p in instance.people), key=lambda p: p["id"]),
        "groups": sorted((_plain(g) for g in instance.groups), key=lambda g: g["id"]),
        "pairs": sorted(
            (_pair(p) for p in instance.pairs), key=lambda p: (p["a"], p["b"], p["together"])
        ),
        "locks": sorted([list(lock) for lock in instance.locks]),
        "forbids": sorted([list(forbid) for forbid in instance.forbids]),
        "weights": _plain(instance.weights),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def instance_hash(instance: Instance) -> str:
    """SHA-256 (hex) of :func:`canonical_json`: the same input always hashes the same, and
    any change that could change the answer changes the hash."""
    return hashlib.sha256(canonical_json(instance).encode("utf-8")).hexdigest()
