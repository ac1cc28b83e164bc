"""The table every export writer takes: described variables and their columns.

A :class:`Table` is column-oriented (one numpy array per variable), because deliveries are
large — 100,000 participants × 3 waves — and the writers work column by column. Each kind of
variable has one representation, with one way of being missing:

==========  ==========================  ===========
kind        column                      missing
==========  ==========================  ===========
integer     ``float64``, whole numbers  ``NaN``
number      ``float64``                 ``NaN``
string      ``object`` (``str``)        ``None``
date        ``datetime64[D]``           ``NaT``
==========  ==========================  ===========

Integers are held as floats (exact up to 2⁵³) so that a missing value needs no mask; SPSS
and Stata store them as doubles too. :meth:`Table.from_rows` accepts plain rows (``None`` =
missing) for small tables and tests.

:func:`long_to_wide` turns the long layout (one row per participant, group and wave, see
:mod:`.layout`) into the wide one (one row per participant and group, every wave-dependent
variable renamed ``<name>_<wave>``, e.g. ``tils_score_t0``).

Pure Python and numpy: no Django import. A table holds whatever research data it is given
(pseudonymous); this module stores nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any, Final, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

Kind = Literal["integer", "number", "string", "date"]
Measure = Literal["nominal", "ordinal", "scale"]
KINDS: Final[tuple[Kind, ...]] = ("integer", "number", "string", "date")
MEASURES: Final[tuple[Measure, ...]] = ("nominal", "ordinal", "scale")
Column = npt.NDArray[Any]

#: Longest variable name SPSS and Stata both accept.
NAME_MAX_LENGTH: Final = 32
NAME_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]*")
# SPSS's reserved keywords and Stata's reserved names (lower-case spellings; the pattern above
# already rules out Stata's names that start with "_").
RESERVED_NAMES: Final = frozenset(
    {
        *("all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"),
        *("byte", "double", "float", "if", "in", "int", "long", "strl", "using"),
    }
)
_STATA_STR = re.compile(r"str[0-9]+")
# Integers are floats: beyond 2**53 not every whole number is representable.
_INTEGER_LIMIT: Final = 2.0**53
_NUMBER_LIMIT: Final = 1e300
#: The variables of a participation that do not change between waves (see :mod:`.layout`):
#: :func:`long_to_wide` carries them once, without a wave suffix.
CONSTANT_VARIABLES: Final[tuple[str, ...]] = (
    "organisation",
    "age_band",
    "birth_year",
    "municipality",
    "region",
)


@dataclass(frozen=True, kw_only=True)
class Variable:
    """One column of a delivery, with what a codebook and a statistics package need.

    ``name``: 1–32 characters ``[a-z][a-z0-9_]*``, not a reserved word of SPSS or Stata.
    ``label``: any length; writers shorten it where a format demands (Stata 80 characters,
    SPSS 256 bytes), ending in "…". ``value_labels``: codes → labels, integers only.
    ``instrument`` / ``instrument_version``: the questionnaire the value comes from, if any.
    ``source``: where the value comes from, in words ("questionnaire tils v1, item tils_1",
    "derived: Spejl scoring tils.v1 engine 1"). ``measure``: SPSS's level of measurement.
    Raises ``ValueError`` for anything a writer could not honour.
    """

    name: str
    label: str
    kind: Kind
    value_labels: Mapping[int, str] = field(default_factory=dict)
    instrument: str = ""
    instrument_version: int | None = None
    source: str
    measure: Measure

    def __post_init__(self) -> None:
        name = self.name
        if not NAME_PATTERN.fullmatch(name) or len(name) > NAME_MAX_LENGTH:
            raise ValueError(
                f"variable name {name!r} must be 1–{NAME_MAX_LENGTH} characters: a lower-case "
                "letter, then lower-case letters, digits or '_'"
            )
        if name in RESERVED_NAMES or _STATA_STR.fullmatch(name):
            raise ValueError(f"variable name {name!r} is reserved in SPSS or Stata")
        if self.kind not in KINDS:
            raise ValueError(f"{name}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.measure not in MEASURES:
            raise ValueError(f"{name}: measure must be one of {MEASURES}, not {self.measure!r}")
        if "\n" in self.label or "\r" in self.label:
            raise ValueError(f"{name}: the label must be one line")
        if self.value_labels and self.kind != "integer":
            raise ValueError(f"{name}: only integer variables can have value labels")
        for code, text in self.value_labels.items():
            if isinstance(code, bool) or not isinstance(code, int):
                raise ValueError(f"{name}: value label code {code!r} is not an integer")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{name}: value {code} has an empty label")
        if self.instrument_version is not None and self.instrument_version < 1:
            raise ValueError(f"{name}: instrument version must be 1 or more")
        object.__setattr__(self, "value_labels", MappingProxyType(dict(self.value_labels)))


def missing_mask(kind: Kind, column: Column) -> npt.NDArray[np.bool_]:
    """Where ``column`` (of ``kind``, as a :class:`Table` holds it) is missing."""
    if kind in ("integer", "number"):
        return np.isnan(column)
    if kind == "date":
        return np.isnat(column)
    return np.fromiter((value is None for value in column), dtype=np.bool_, count=len(column))


def empty_column(kind: Kind, length: int) -> Column:
    """A column of ``length`` missing values of ``kind``."""
    if kind in ("integer", "number"):
        return np.full(length, np.nan)
    if kind == "date":
        return np.full(length, np.datetime64("NaT", "D"), dtype="datetime64[D]")
    return np.full(length, None, dtype=object)


def _numeric(variable: Variable, values: Sequence[object] | Column) -> Column:
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        column = values.astype(np.float64, copy=False)
    else:
        for value in values:
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float, np.number))
            ):
                raise ValueError(f"{variable.name}: {value!r} is not a number")
        column = np.array(values, dtype=np.float64)
    if column.ndim != 1:
        raise ValueError(f"{variable.name}: a column must be one-dimensional")
    present = column[~np.isnan(column)]
    # Beyond ±1e300 lie the codes SPSS and Stata use for missing values (and infinity).
    if (np.abs(present) > _NUMBER_LIMIT).any():
        raise ValueError(f"{variable.name}: infinite or huge values cannot be exported")
    if variable.kind == "integer" and (
        (present != np.round(present)).any() or (np.abs(present) >= _INTEGER_LIMIT).any()
    ):
        raise ValueError(f"{variable.name}: an integer variable holds a non-integer value")
    return column


_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


def date_array(values: Sequence[object]) -> Column:
    """``datetime.date`` values (``None`` = missing) as ``datetime64[D]`` (``NaT``).

    Raises ``ValueError`` for anything else, including a ``datetime``: its day depends on the
    time zone. Goes through day numbers, ten times faster than numpy's own conversion.
    """
    kinds = set(map(type, values))
    if not kinds <= {date, type(None)}:
        bad = next(v for v in values if v is not None and type(v) is not date)
        raise ValueError(f"{bad!r} is not a date")
    days = np.array(
        [_EPOCH_ORDINAL if v is None else v.toordinal() for v in values],  # type: ignore[attr-defined]
        dtype=np.int64,
    )
    column = (days - _EPOCH_ORDINAL).astype("datetime64[D]")
    if type(None) in kinds:
        column[[v is None for v in values]] = np.datetime64("NaT", "D")
    return column


def _dates(variable: Variable, values: Sequence[object] | Column) -> Column:
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    try:
        return date_array(list(values))
    except ValueError as error:
        raise ValueError(f"{variable.name}: {error}") from None


def _strings(variable: Variable, values: Sequence[object] | Column) -> Column:
    column = np.empty(len(values), dtype=object)
    column[:] = list(values)
    for value in column:
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{variable.name}: {value!r} is not text")
    return column


def as_column(variable: Variable, values: Sequence[object] | Column) -> Column:
    """``values`` in the representation :class:`Table` holds for ``variable.kind``.

    Accepts a numpy array of that representation (used as is, no copy) or any sequence of
    Python values with ``None`` for missing: numbers for integer and number variables (whole
    numbers for integers), ``str`` for strings, ``datetime.date`` (not ``datetime``) for
    dates. Raises ``ValueError`` naming the variable for anything else.
    """
    if variable.kind in ("integer", "number"):
        return _numeric(variable, values)
    if variable.kind == "date":
        return _dates(variable, values)
    return _strings(variable, values)


def python_values(variable: Variable, column: Column) -> list[object]:
    """The column as Python values: ``int``, ``float``, ``str``, ``date`` or ``None``."""
    if variable.kind == "integer":
        return [None if math.isnan(v) else int(v) for v in column.tolist()]
    if variable.kind == "number":
        return [None if math.isnan(v) else v for v in column.tolist()]
    if variable.kind == "date":
        return cast(list[object], column.astype(object).tolist())
    return cast(list[object], column.tolist())


@dataclass(frozen=True, eq=False)
class Table:
    """Variables and their columns (``columns[i]`` belongs to ``variables[i]``), and a title.

    Construction converts every column with :func:`as_column` (so lists work too; the typed
    way to pass them is :meth:`from_columns`) and checks that names are unique and columns
    equally long; ``ValueError`` otherwise.
    """

    variables: tuple[Variable, ...]
    columns: tuple[Column, ...]
    title: str

    def __post_init__(self) -> None:
        variables = tuple(self.variables)
        if len(variables) != len(self.columns):
            raise ValueError(
                f"{len(variables)} variables but {len(self.columns)} columns in {self.title!r}"
            )
        seen: set[str] = set()
        for variable in variables:
            if variable.name in seen:
                raise ValueError(f"variable {variable.name!r} appears twice in {self.title!r}")
            seen.add(variable.name)
        columns = tuple(
            as_column(variable, column)
            for variable, column in zip(variables, self.columns, strict=True)
        )
        lengths = {len(column) for column in columns}
        if len(lengths) > 1:
            raise ValueError(f"the columns of {self.title!r} differ in length: {sorted(lengths)}")
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "columns", columns)

    @classmethod
    def from_columns(
        cls,
        variables: Sequence[Variable],
        columns: Sequence[Sequence[object] | Column],
        title: str,
    ) -> Table:
        """A table from columns of Python values or arrays (see :func:`as_column`)."""
        if len(variables) != len(columns):
            raise ValueError(f"{len(variables)} variables but {len(columns)} columns in {title!r}")
        converted = tuple(
            as_column(variable, column) for variable, column in zip(variables, columns, strict=True)
        )
        return cls(variables=tuple(variables), columns=converted, title=title)

    @classmethod
    def from_rows(
        cls, variables: Sequence[Variable], rows: Sequence[Sequence[object]], title: str
    ) -> Table:
        """A table from plain rows (one value per variable, ``None`` = missing)."""
        width = len(variables)
        for number, row in enumerate(rows, start=1):
            if len(row) != width:
                raise ValueError(f"row {number} has {len(row)} values, not {width}")
        columns = [[row[i] for row in rows] for i in range(width)]
        return cls.from_columns(variables, columns, title)

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(variable.name for variable in self.variables)

    def index(self, name: str) -> int:
        for position, variable in enumerate(self.variables):
            if variable.name == name:
                return position
        raise KeyError(f"{self.title!r} has no variable {name!r}")

    def variable(self, name: str) -> Variable:
        return self.variables[self.index(name)]

    def column(self, name: str) -> Column:
        return self.columns[self.index(name)]

    def rows(self) -> Iterator[tuple[object, ...]]:
        """The rows as tuples of Python values (``None`` = missing)."""
        lists = [
            python_values(variable, column)
            for variable, column in zip(self.variables, self.columns, strict=True)
        ]
        return zip(*lists, strict=True)


def _keys(table: Table, id_vars: Sequence[str]) -> tuple[npt.NDArray[np.intp], int]:
    """A code per row for its combination of ``id_vars`` (in order of first appearance)."""
    columns = [python_values(table.variable(name), table.column(name)) for name in id_vars]
    if len(columns) == 1:
        keys: list[object] = columns[0]
    else:
        keys = list(zip(*columns, strict=True))
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.intp), len(uniques)


def long_to_wide(
    table: Table,
    *,
    id_vars: Sequence[str] = ("pseudonym", "group"),
    wave_var: str = "wave",
    constant: Sequence[str] | None = None,
    suffixes: Mapping[int, str] | None = None,
    drop_empty: bool = True,
    title: str | None = None,
) -> Table:
    """The wide layout of a long ``table``: one row per combination of ``id_vars``.

    ``wave_var`` is an integer variable; every other variable not in ``id_vars`` or
    ``constant`` becomes one variable per wave, named ``<name>_<suffix>`` (suffix ``t<code>``
    unless ``suffixes`` says otherwise) and labelled ``"<SUFFIX>: <label>"``, in blocks wave by
    wave. ``constant`` variables (default: those of :data:`CONSTANT_VARIABLES` in the table)
    appear once, after the ids. With ``drop_empty``, a wave leaves out the variables of an
    instrument nobody answered at that wave (e.g. experience questions at T0) and any other
    variable without a single value there; an instrument answered by anyone keeps all its
    variables, so the columns do not depend on which items happen to be blank. Rows keep the
    order of first appearance.

    Raises ``ValueError`` when an id combination has two rows for one wave, a wave is missing,
    a "constant" variable has two different values for one id combination, or a new name would
    be longer than 32 characters — never silently dropping a value.
    """
    for name in (*id_vars, wave_var):
        table.index(name)
    if table.variable(wave_var).kind != "integer":
        raise ValueError(f"the wave variable {wave_var!r} must be an integer variable")
    if constant is None:
        constant = tuple(name for name in CONSTANT_VARIABLES if name in table.names)
    fixed = {*id_vars, wave_var, *constant}
    waves_column = table.column(wave_var)
    if np.isnan(waves_column).any():
        raise ValueError(f"some rows have no {wave_var!r}")
    codes, n_ids = _keys(table, id_vars)
    wave_codes = sorted(int(code) for code in np.unique(waves_column))
    wave_index = np.searchsorted(np.array(wave_codes, dtype=np.float64), waves_column)
    combined = codes * len(wave_codes) + wave_index
    if len(np.unique(combined)) != len(combined):
        raise ValueError(f"some {'/'.join(id_vars)} have more than one row for the same wave")
    # Codes number the id combinations in order of first appearance, so the first row of each
    # comes out of np.unique already in that order.
    first = np.unique(codes, return_index=True)[1]

    variables: list[Variable] = []
    columns: list[Column] = []
    for name in id_vars:
        variables.append(table.variable(name))
        columns.append(table.column(name)[first])
    for name in constant:
        variable, column = table.variable(name), table.column(name)
        present = ~missing_mask(variable.kind, column)
        out = empty_column(variable.kind, n_ids)
        out[codes[present]] = column[present]
        if (out[codes[present]] != column[present]).any():
            raise ValueError(f"{name!r} differs between waves of the same {'/'.join(id_vars)}")
        variables.append(variable)
        columns.append(out)
    suffix_of = dict(suffixes) if suffixes is not None else {}
    for position, code in enumerate(wave_codes):
        suffix = suffix_of.get(code, f"t{code}")
        rows = np.flatnonzero(wave_index == position)
        targets = codes[rows]
        empty: dict[str, bool] = {}
        instruments: set[str] = set()
        for variable, column in zip(table.variables, table.columns, strict=True):
            if variable.name not in fixed:
                empty[variable.name] = bool(missing_mask(variable.kind, column[rows]).all())
                if variable.instrument and not empty[variable.name]:
                    instruments.add(variable.instrument)
        for variable, column in zip(table.variables, table.columns, strict=True):
            if variable.name in fixed:
                continue
            if drop_empty and (
                variable.instrument not in instruments
                if variable.instrument
                else empty[variable.name]
            ):
                continue
            values = column[rows]
            out = empty_column(variable.kind, n_ids)
            out[targets] = values
            new_name = f"{variable.name}_{suffix}"
            if len(new_name) > NAME_MAX_LENGTH:
                raise ValueError(
                    f"the wide name {new_name!r} is longer than {NAME_MAX_LENGTH} characters"
                )
            variables.append(
                replace(variable, name=new_name, label=f"{suffix.upper()}: {variable.label}")
            )
            columns.append(out)
    return Table(
        variables=tuple(variables),
        columns=tuple(columns),
        title=title if title is not None else f"{table.title} (wide)",
    )
