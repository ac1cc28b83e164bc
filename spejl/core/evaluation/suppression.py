"""Small-cell suppression: withhold statistics that rest on too few persons.

The rule (DESIGN.md §4): any published statistic resting on fewer than ``min_cell`` persons
(default 5, configurable) is withheld, and further cells are withheld where needed so that a
withheld cell cannot be recomputed from the published totals and the other cells.

Decisions, so that readers of a report and reviewers know what a blank means:

- **Zero is shown.** A count of 0 is published: it says that nobody is in the cell, which
  reveals no individual's value. Counts 1 … ``min_cell`` − 1 are *primary*-suppressed. Because
  zeros are shown, a reader knows every withheld count is at least 1; the secondary rules below
  take that into account. A zero is never withheld, not even as a hiding partner, so that in
  every table a 0 means *nobody* and a blank means *some persons, not shown*.
- **Secondary suppression, 1-D** (:func:`suppress_counts`, a partition whose total is
  published): while some counts are withheld and the withheld counts are fewer than two, or
  sum to less than ``min_cell``, or sum to exactly their number (so every one of them must be
  1), the smallest other non-zero count is withheld too; ties go to the *earliest* position.
  It stops when every non-zero count is withheld; in that case either the total itself is
  below ``min_cell`` (withhold it: :func:`suppress_total`) or every non-zero count is 1 and the
  total equals their number — the one residual case, see :func:`suppress_counts`.
- **Secondary suppression, 2-D** (:func:`suppress_table_with_totals`): see there. The table is
  treated together with its row, column and grand totals, because a total may itself rest on
  fewer than ``min_cell`` persons, and because protecting cells sometimes requires withholding
  a total.
- **Statistics by level** (:func:`suppress_levels`, e.g. mean change by gender while the overall
  mean is also published): at least two levels with persons are withheld together, resting on
  at least ``min_cell`` persons, since their joint statistic follows from the overall one.

What is guaranteed (and tested): nothing in 1 … ``min_cell`` − 1 is ever shown; nothing changes
when every count is 0 or ≥ ``min_cell``; no withheld value is a linear function of the published
values (no chain of additions and subtractions of totals and cells recovers it); in a line whose
total is published the withheld counts sum to at least ``min_cell`` and to more than their
number (in 1-D, apart from the residual case above). What is not guaranteed: a full interval
audit (linear programming over the bounds ``≥ 1``) of 2-D tables, which might in rare patterns
narrow a withheld count more than these rules foresee.

Personal data: none — the functions see counts only. Pure Python: no Django import.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

#: The default smallest number of persons a published statistic may rest on.
MIN_CELL = 5


@dataclass(frozen=True)
class Cell:
    """A count as published: ``value`` is ``None`` exactly when ``suppressed``."""

    value: int | None
    suppressed: bool


@dataclass(frozen=True)
class SuppressedTable:
    """A 2-D table of counts with its totals, each either shown or withheld."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    grand_total: Cell


def _check_min_cell(min_cell: int) -> None:
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, not {min_cell}")


def _checked_counts(counts: Sequence[int]) -> list[int]:
    values = [int(c) for c in counts]
    for value in values:
        if value < 0:
            raise ValueError(f"counts cannot be negative: {value}")
    return values


def _cell(value: int, withheld: bool) -> Cell:
    return Cell(value=None, suppressed=True) if withheld else Cell(value=value, suppressed=False)


def _is_primary(value: int, min_cell: int) -> bool:
    return 0 < value < min_cell


def _needs_more(withheld_sum: int, withheld_count: int, min_cell: int) -> bool:
    """Whether withheld counts that are all known to be ≥ 1 are still too revealing.

    One withheld count is recovered by subtraction; a withheld sum below ``min_cell`` is itself a
    small published statistic; a sum equal to the number of withheld counts forces each to 1.
    """
    if withheld_count == 0:
        return False
    return withheld_count == 1 or withheld_sum < min_cell or withheld_sum == withheld_count


def suppress_total(n: int, *, min_cell: int = MIN_CELL) -> bool:
    """Whether a statistic resting on ``n`` persons must be withheld.

    True when ``n < min_cell``, including ``n == 0`` (there is nothing to show). Use it for a
    mean, a share or a total count.
    """
    _check_min_cell(min_cell)
    if n < 0:
        raise ValueError(f"n cannot be negative: {n}")
    return n < min_cell


def suppress_counts(
    counts: Sequence[int], *, min_cell: int = MIN_CELL, total_published: bool = True
) -> tuple[Cell, ...]:
    """Withhold the counts of a 1-D partition (e.g. persons per score band) that are too small.

    Primary: counts 1 … ``min_cell`` − 1 are withheld; 0 is shown. With ``total_published``
    (the sum of the counts is published elsewhere, e.g. as *n*), secondary suppression follows
    the module rule: the smallest other non-zero count (earliest on ties) is withheld while the
    withheld counts are a single one, or sum to less than ``min_cell``, or sum to their number.

    The total itself is not returned: withhold it when ``suppress_total(sum(counts))``. One case
    remains that only the caller can close: when every non-zero count is 1 and their number is at
    least ``min_cell`` (e.g. ``[1, 1, 1, 1, 1]``), everything is withheld, yet a published total
    equal to the number of non-zero categories shows that each holds one person; publish such a
    partition without its total, or not at all.
    """
    _check_min_cell(min_cell)
    values = _checked_counts(counts)
    withheld = [_is_primary(v, min_cell) for v in values]
    if total_published:
        while True:
            hidden = [v for v, w in zip(values, withheld, strict=True) if w]
            if not _needs_more(sum(hidden), len(hidden), min_cell):
                break
            candidates = [i for i, v in enumerate(values) if v > 0 and not withheld[i]]
            if not candidates:
                break
            withheld[min(candidates, key=lambda i: (values[i], i))] = True
    return tuple(_cell(v, w) for v, w in zip(values, withheld, strict=True))


def suppress_levels(
    ns: Sequence[int], *, min_cell: int = MIN_CELL, total_published: bool = True
) -> tuple[bool, ...]:
    """Which statistics by level (e.g. mean change by gender) to withhold; ``ns`` are the persons
    behind each level.

    Primary: a level with ``n < min_cell`` is withheld, including ``n == 0`` (nothing to show). A
    level with ``n == 0`` hides nothing, so it never counts as a hiding partner. With
    ``total_published`` (the statistic over all levels is published too), a single withheld
    level with ``n > 0`` could be recovered from the overall statistic, and the withheld levels
    together form a group whose statistic can be recovered; so the smallest other level with
    ``n > 0`` (earliest on ties) is withheld while fewer than two such levels are withheld or
    their persons number fewer than ``min_cell``. When every level is withheld and there are
    still fewer than ``min_cell`` persons, the overall statistic must go too
    (:func:`suppress_total`). Returns one flag per level, True = withhold.
    """
    _check_min_cell(min_cell)
    values = _checked_counts(ns)
    withheld = [v < min_cell for v in values]
    if total_published:
        while True:
            hidden = [v for v, w in zip(values, withheld, strict=True) if w and v > 0]
            if not hidden or (len(hidden) >= 2 and sum(hidden) >= min_cell):
                break
            candidates = [i for i, v in enumerate(values) if v > 0 and not withheld[i]]
            if not candidates:
                break
            withheld[min(candidates, key=lambda i: (values[i], i))] = True
    return tuple(withheld)


def suppress_table(
    table: Sequence[Sequence[int]], *, min_cell: int = MIN_CELL
) -> tuple[tuple[Cell, ...], ...]:
    """The cells of :func:`suppress_table_with_totals`.

    Only safe when the caller also withholds the totals that function withholds: a row or column
    total can itself rest on fewer than ``min_cell`` persons, and protecting a cell sometimes
    requires withholding a total. Prefer :func:`suppress_table_with_totals` when publishing
    totals.
    """
    return suppress_table_with_totals(table, min_cell=min_cell).cells


def suppress_table_with_totals(
    table: Sequence[Sequence[int]], *, min_cell: int = MIN_CELL
) -> SuppressedTable:
    """Withhold the cells and totals of a 2-D table of counts (rows × columns) that are too
    small or would reveal one that is.

    The table is extended by its row totals (an extra column), its column totals (an extra row)
    and the grand total (the corner); every row and every column of this extended grid is a
    *line* whose inner entries sum to its last entry. The heuristic:

    1. *Primary*: every entry 1 … ``min_cell`` − 1 (cell or total) is withheld; zeros are shown.
    2. *Lines*, scanning rows then columns, top to bottom and left to right, and restarting after
       each change: a line with exactly one withheld entry gets a second, and a line whose total
       is published while its withheld inner entries sum to less than ``min_cell`` (or to their
       number) gets more. The partner is a non-zero published entry of that line, chosen by, in
       order: an inner cell before the line's total; one whose crossing line is itself short of
       a partner (so one withholding fixes two lines); the smallest value; the earliest position.
       For the sum rule only inner entries qualify, unless there are none left, then the total.
    3. *Chains*: think of rows and columns as nodes and withheld entries as edges between their
       row and column. A withheld entry that is a *bridge* of that graph (on no cycle) is a
       linear function of the published values — add up the lines on one side of it. For each
       bridge, the cheapest path of published non-zero entries that closes a cycle through it
       is withheld (fewest totals, then the smallest sum of values). Then back to step 2.

    Termination: each step withholds at least one more non-zero entry, and a suitable entry
    always exists (a line with one withheld non-zero entry has a non-zero published total or
    cell; every non-zero entry of a table with its totals lies on a cycle of non-zero entries),
    so it stops after at most (rows + 1) × (columns + 1) steps. At the end no line has exactly
    one withheld entry and no withheld entry is determined by the published values.

    ``table`` must be rectangular with non-negative counts; an empty table gives empty results.
    """
    _check_min_cell(min_cell)
    rows = [_checked_counts(row) for row in table]
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    if any(len(row) != n_cols for row in rows):
        raise ValueError("the table must be rectangular")
    grid = [[*row, sum(row)] for row in rows]
    grid.append([sum(row[j] for row in rows) for j in range(n_cols)] + [sum(map(sum, rows))])
    withheld = [[_is_primary(v, min_cell) for v in line] for line in grid]

    _secure(grid, withheld, min_cell)

    def cell(i: int, j: int) -> Cell:
        return _cell(grid[i][j], withheld[i][j])

    return SuppressedTable(
        cells=tuple(tuple(cell(i, j) for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple(cell(i, n_cols) for i in range(n_rows)),
        column_totals=tuple(cell(n_rows, j) for j in range(n_cols)),
        grand_total=cell(n_rows, n_cols),
    )


# --- 2-D internals -------------------------------------------------------------------------
# The extended grid has (R + 1) × (C + 1) entries; line ("r", i) is grid row i, line ("c", j)
# grid column j. In both, the last entry is the line's total.

Pos = tuple[int, int]
Line = tuple[str, int]


def _line_entries(line: Line, size: Pos) -> list[Pos]:
    kind, k = line
    height, width = size
    if kind == "r":
        return [(k, j) for j in range(width)]
    return [(i, k) for i in range(height)]


def _crossing(line: Line, pos: Pos) -> Line:
    return ("c", pos[1]) if line[0] == "r" else ("r", pos[0])


def _deficiency(
    line: Line, grid: list[list[int]], withheld: list[list[bool]], min_cell: int
) -> str | None:
    """``"single"`` (one withheld entry), ``"sum"`` (published total, too little withheld) or
    None."""
    entries = _line_entries(line, (len(grid), len(grid[0])))
    *inner, total = entries
    if sum(withheld[i][j] for i, j in entries) == 1:
        return "single"
    if withheld[total[0]][total[1]]:
        return None
    hidden = [grid[i][j] for i, j in inner if withheld[i][j]]
    return "sum" if _needs_more(sum(hidden), len(hidden), min_cell) else None


def _secure(grid: list[list[int]], withheld: list[list[bool]], min_cell: int) -> None:
    height, width = len(grid), len(grid[0])
    lines: list[Line] = [("r", i) for i in range(height)] + [("c", j) for j in range(width)]
    while True:
        if _fix_one_line(lines, grid, withheld, min_cell):
            continue
        if _fix_one_bridge(grid, withheld):
            continue
        return


def _fix_one_line(
    lines: list[Line], grid: list[list[int]], withheld: list[list[bool]], min_cell: int
) -> bool:
    size = (len(grid), len(grid[0]))
    for line in lines:
        problem = _deficiency(line, grid, withheld, min_cell)
        if problem is None:
            continue
        *inner, total = _line_entries(line, size)
        pool = inner if problem == "sum" else [*inner, total]
        candidates = [(i, j) for i, j in pool if grid[i][j] > 0 and not withheld[i][j]]
        if not candidates and problem == "sum":
            candidates = [total]

        def key(pos: Pos, line: Line = line, total: Pos = total) -> tuple[bool, bool, int, Pos]:
            fixes_other = _deficiency(_crossing(line, pos), grid, withheld, min_cell) is not None
            return (pos == total, not fixes_other, grid[pos[0]][pos[1]], pos)

        # A candidate always exists (see suppress_table_with_totals); guard all the same.
        if candidates:
            i, j = min(candidates, key=key)
            withheld[i][j] = True
            return True
    return False


def _fix_one_bridge(grid: list[list[int]], withheld: list[list[bool]]) -> bool:
    height, width = len(grid), len(grid[0])
    for i in range(height):
        for j in range(width):
            if withheld[i][j] and not _connected_without(withheld, (i, j)):
                added = _closing_path(grid, withheld, (i, j))
                for a, b in added:
                    withheld[a][b] = True
                if added:
                    return True
    return False


def _neighbours(node: int, height: int, width: int) -> list[tuple[int, Pos]]:
    """The nodes next to ``node`` and the entries joining them; nodes are the grid rows
    0 … height − 1, then the grid columns height … height + width − 1."""
    if node < height:
        return [(height + j, (node, j)) for j in range(width)]
    j = node - height
    return [(i, (i, j)) for i in range(height)]


def _connected_without(withheld: list[list[bool]], skip: Pos) -> bool:
    """Whether row ``skip[0]`` and column ``skip[1]`` are joined by withheld entries other than
    ``skip``."""
    height, width = len(withheld), len(withheld[0])
    start, goal = skip[0], height + skip[1]
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for other, (i, j) in _neighbours(node, height, width):
            if (i, j) == skip or not withheld[i][j] or other in seen:
                continue
            if other == goal:
                return True
            seen.add(other)
            queue.append(other)
    return False


def _closing_path(grid: list[list[int]], withheld: list[list[bool]], skip: Pos) -> list[Pos]:
    """The published non-zero entries on the cheapest path of non-zero entries from row
    ``skip[0]`` to column ``skip[1]`` that avoids ``skip``; cost = (totals used, sum of values),
    already withheld entries free."""
    height, width = len(grid), len(grid[0])
    start, goal = skip[0], height + skip[1]
    best: dict[int, tuple[int, int]] = {start: (0, 0)}
    came_from: dict[int, tuple[int, Pos]] = {}
    heap: list[tuple[tuple[int, int], int]] = [((0, 0), start)]
    while heap:
        cost, node = heapq.heappop(heap)
        if node == goal:
            break
        if cost != best[node]:
            continue
        for other, (i, j) in _neighbours(node, height, width):
            if (i, j) == skip or grid[i][j] == 0:
                continue
            step = (
                (0, 0) if withheld[i][j] else (int(i == height - 1 or j == width - 1), grid[i][j])
            )
            new = (cost[0] + step[0], cost[1] + step[1])
            if other not in best or new < best[other]:
                best[other] = new
                came_from[other] = (node, (i, j))
                heapq.heappush(heap, (new, other))
    if goal not in came_from:
        return []
    path: list[Pos] = []
    node = goal
    while node != start:
        node, (i, j) = came_from[node]
        if not withheld[i][j]:
            path.append((i, j))
    return path
