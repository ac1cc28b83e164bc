"""Tests for small-cell suppression in :mod:`spejl.core.evaluation.suppression`.

The invariants, for counts that are all known to be ≥ 1 when withheld (zeros are shown):

- nothing in 1 … min_cell − 1 is ever shown, a zero always is, and shown values are the true ones;
- nothing is withheld when every count is 0 or ≥ min_cell;
- 1-D with its total published: the withheld counts are none, or at least two whose sum is at
  least min_cell and more than their number (so none is pinned to a value by subtraction and the
  bound ≥ 1); the only exception is that every non-zero count is withheld, and then either the
  total is below min_cell (the caller withholds it) or every count is 1;
- 2-D with row, column and grand totals: on the grid extended by its totals, no line (row or
  column) has exactly one withheld entry, no withheld entry is a linear function of the shown
  entries (checked by matrix rank), and in every line whose total is shown the withheld inner
  entries sum to 0 or to at least min_cell and to more than their number.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.evaluation.suppression import (
    Cell,
    SuppressedTable,
    suppress_counts,
    suppress_levels,
    suppress_table,
    suppress_table_with_totals,
    suppress_total,
)

S = Cell(value=None, suppressed=True)


def shown(value: int) -> Cell:
    return Cell(value=value, suppressed=False)


# Small counts are common in real reports; draw them often.
counts_st = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 40))
min_cells = st.integers(1, 8)
partitions = st.lists(counts_st, min_size=0, max_size=8)
tables = st.integers(1, 5).flatmap(
    lambda width: st.lists(st.lists(counts_st, min_size=width, max_size=width), max_size=5)
)


# --- suppress_total ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "withheld"), [(0, True), (1, True), (4, True), (5, False), (99, False)]
)
def test_a_statistic_on_fewer_than_five_persons_is_withheld(n: int, withheld: bool) -> None:
    assert suppress_total(n) is withheld


def test_the_threshold_is_configurable() -> None:
    assert suppress_total(9, min_cell=10) is True
    assert suppress_total(10, min_cell=10) is False


@pytest.mark.parametrize("bad", [0, -3])
def test_a_threshold_below_one_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="min_cell"):
        suppress_total(5, min_cell=bad)
    with pytest.raises(ValueError, match="min_cell"):
        suppress_counts([5], min_cell=bad)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress_counts([3, -1])
    with pytest.raises(ValueError, match="negative"):
        suppress_total(-1)
    with pytest.raises(ValueError, match="negative"):
        suppress_table([[1, -1]])


# --- suppress_counts: hand examples --------------------------------------------------------


def test_one_small_count_takes_the_smallest_other_non_zero_count_with_it() -> None:
    assert suppress_counts([12, 3, 7, 0]) == (shown(12), S, S, shown(0))


def test_zero_is_shown_and_never_used_as_a_hiding_partner() -> None:
    assert suppress_counts([0, 3, 0, 20]) == (shown(0), S, shown(0), S)


def test_ties_for_the_partner_go_to_the_earliest_count() -> None:
    assert suppress_counts([6, 6, 2]) == (S, shown(6), S)


def test_withheld_counts_summing_below_the_threshold_take_more_with_them() -> None:
    # 2 + 1 = 3 would be recovered as 33 − 30 and is itself a count below 5.
    assert suppress_counts([2, 1, 30]) == (S, S, S)
    assert suppress_counts([2, 1, 30, 40]) == (S, S, S, shown(40))


def test_withheld_ones_that_would_each_be_pinned_to_one_take_another_count() -> None:
    # Five withheld 1s sum to 5 = min_cell, but five counts ≥ 1 summing to 5 must all be 1.
    assert suppress_counts([1, 1, 1, 1, 1, 20, 30]) == (S, S, S, S, S, S, shown(30))


def test_without_a_published_total_only_small_counts_are_withheld() -> None:
    assert suppress_counts([3, 9, 0], total_published=False) == (S, shown(9), shown(0))


def test_an_empty_partition_gives_nothing() -> None:
    assert suppress_counts([]) == ()


# --- suppress_counts: properties -----------------------------------------------------------


@given(partitions, min_cells, st.booleans())
def test_counts_below_the_threshold_are_never_shown_and_shown_counts_are_true(
    counts: list[int], min_cell: int, total_published: bool
) -> None:
    cells = suppress_counts(counts, min_cell=min_cell, total_published=total_published)
    assert len(cells) == len(counts)
    for count, cell in zip(counts, cells, strict=True):
        assert cell.suppressed == (cell.value is None)
        if 0 < count < min_cell:
            assert cell.suppressed
        if count == 0:
            assert cell == shown(0)
        if not cell.suppressed:
            assert cell.value == count


@given(st.lists(st.one_of(st.just(0), st.integers(5, 60)), max_size=8), st.booleans())
def test_nothing_changes_when_every_count_is_zero_or_at_least_the_threshold(
    counts: list[int], total_published: bool
) -> None:
    cells = suppress_counts(counts, total_published=total_published)
    assert cells == tuple(shown(c) for c in counts)


@given(partitions, min_cells)
def test_no_withheld_count_can_be_recovered_from_the_published_total(
    counts: list[int], min_cell: int
) -> None:
    cells = suppress_counts(counts, min_cell=min_cell)
    hidden = [c for c, cell in zip(counts, cells, strict=True) if cell.suppressed]
    if not hidden:
        return
    everything_withheld = len(hidden) == sum(c > 0 for c in counts)
    if everything_withheld and (sum(counts) < min_cell or set(hidden) == {1}):
        # The documented residual: the caller must withhold the total.
        return
    # The reader knows the withheld counts' sum (total − shown) and that each is ≥ 1. Each
    # then lies in [1, sum − (k − 1)]: it is pinned only when sum == k.
    assert len(hidden) >= 2
    assert sum(hidden) >= min_cell
    assert sum(hidden) > len(hidden)


@given(partitions, min_cells)
def test_without_a_total_exactly_the_small_counts_are_withheld(
    counts: list[int], min_cell: int
) -> None:
    cells = suppress_counts(counts, min_cell=min_cell, total_published=False)
    assert [cell.suppressed for cell in cells] == [0 < c < min_cell for c in counts]


# --- suppress_levels -----------------------------------------------------------------------


def test_a_small_level_takes_the_smallest_other_level_with_persons_with_it() -> None:
    # The level of 0 has nothing to show but cannot hide the level of 3.
    assert suppress_levels([3, 10, 0, 20]) == (True, True, True, False)


def test_an_empty_level_alone_needs_no_partner() -> None:
    assert suppress_levels([0, 30, 40]) == (True, False, False)


def test_withheld_levels_with_fewer_than_the_threshold_together_take_more() -> None:
    # Levels 2 and 2 together are a group of 4 whose mean follows from the overall mean.
    assert suppress_levels([2, 2, 40, 50]) == (True, True, True, False)


def test_levels_without_a_published_overall_statistic_are_withheld_only_when_small() -> None:
    assert suppress_levels([3, 10, 0], total_published=False) == (True, False, True)


@given(st.lists(counts_st, max_size=8), min_cells, st.booleans())
def test_levels_below_the_threshold_are_always_withheld(
    ns: list[int], min_cell: int, total_published: bool
) -> None:
    flags = suppress_levels(ns, min_cell=min_cell, total_published=total_published)
    assert len(flags) == len(ns)
    assert all(flag for n, flag in zip(ns, flags, strict=True) if n < min_cell)
    if not total_published:
        assert list(flags) == [n < min_cell for n in ns]


@given(st.lists(counts_st, max_size=8), min_cells)
def test_no_withheld_level_can_be_recovered_from_the_overall_statistic(
    ns: list[int], min_cell: int
) -> None:
    flags = suppress_levels(ns, min_cell=min_cell)
    hidden = [n for n, flag in zip(ns, flags, strict=True) if flag and n > 0]
    if not hidden:
        return
    if len(hidden) == sum(n > 0 for n in ns) and sum(ns) < min_cell:
        return  # the overall statistic rests on too few persons and is withheld itself
    assert len(hidden) >= 2
    assert sum(hidden) >= min_cell


@given(st.lists(st.integers(5, 60), max_size=8))
def test_no_level_is_withheld_when_every_level_is_large_enough(ns: list[int]) -> None:
    assert suppress_levels(ns) == tuple(False for _ in ns)


# --- suppress_table: hand examples ---------------------------------------------------------


def test_a_small_cell_in_a_table_is_hidden_in_a_rectangle_of_four() -> None:
    result = suppress_table_with_totals([[12, 3], [8, 10], [7, 9]])
    assert result.cells == ((S, S), (shown(8), shown(10)), (S, S))
    assert result.row_totals == (shown(15), shown(18), shown(16))
    assert result.column_totals == (shown(27), shown(22))
    assert result.grand_total == shown(49)


def test_a_table_with_no_small_cells_is_unchanged() -> None:
    result = suppress_table_with_totals([[12, 0], [8, 10]])
    assert result == SuppressedTable(
        cells=((shown(12), shown(0)), (shown(8), shown(10))),
        row_totals=(shown(12), shown(18)),
        column_totals=(shown(20), shown(10)),
        grand_total=shown(30),
    )


def test_a_cell_whose_column_has_no_other_persons_is_protected_through_the_totals() -> None:
    # Column 0 total is 3 (primary); the partner 9 is the only count in column 1, so the
    # column total 9 must go too, or 12 − 9 would reveal the 3.
    result = suppress_table_with_totals([[3, 9], [0, 0]])
    assert result.cells == ((S, S), (shown(0), shown(0)))
    assert result.row_totals == (shown(12), shown(0))
    assert result.column_totals == (S, S)
    assert result.grand_total == shown(12)


def test_a_cell_recoverable_through_a_chain_of_lines_is_protected_too() -> None:
    # Pairing within lines alone leaves the column total 43 shown; then row 1's 22 follows
    # from 43 − (20 + 1), and 20 + 1 = 64 − 43 from the row of column totals.
    result = suppress_table_with_totals([[0, 0, 2], [20, 1, 22], [0, 0, 19]])
    assert result.cells == ((shown(0), shown(0), S), (S, S, S), (shown(0), shown(0), S))
    assert result.row_totals == (S, shown(43), S)
    assert result.column_totals == (S, S, S)
    assert result.grand_total == shown(64)


def test_suppress_table_returns_the_cells_of_the_table_with_totals() -> None:
    table = [[12, 3, 0], [8, 10, 6], [7, 9, 2]]
    assert suppress_table(table) == suppress_table_with_totals(table).cells


def test_a_ragged_table_is_refused() -> None:
    with pytest.raises(ValueError, match="rectangular"):
        suppress_table([[1, 2], [3]])


def test_an_empty_table_gives_empty_results() -> None:
    assert suppress_table([]) == ()
    assert suppress_table_with_totals([]).grand_total == shown(0)
    assert suppress_table([[], []]) == ((), ())


# --- suppress_table: properties ------------------------------------------------------------


def extended(
    table: list[list[int]], result: SuppressedTable
) -> tuple[list[list[int]], list[list[bool]]]:
    """The true values and the withheld flags of the grid extended by its totals."""
    width = len(table[0]) if table else 0
    values = [[*row, sum(row)] for row in table]
    values.append([sum(row[j] for row in table) for j in range(width)] + [sum(map(sum, table))])
    published = [
        [*cells, total] for cells, total in zip(result.cells, result.row_totals, strict=True)
    ]
    published.append([*result.column_totals, result.grand_total])
    return values, [[cell.suppressed for cell in line] for line in published]


def lines(height: int, width: int) -> list[list[tuple[int, int]]]:
    """Every row and column of the extended grid; the last entry of each is its total."""
    rows = [[(i, j) for j in range(width)] for i in range(height)]
    columns = [[(i, j) for i in range(height)] for j in range(width)]
    return rows + columns


@given(tables, min_cells)
def test_table_entries_below_the_threshold_are_never_shown_and_shown_entries_are_true(
    table: list[list[int]], min_cell: int
) -> None:
    result = suppress_table_with_totals(table, min_cell=min_cell)
    values, withheld = extended(table, result)
    published = [[*c, t] for c, t in zip(result.cells, result.row_totals, strict=True)]
    published.append([*result.column_totals, result.grand_total])
    for value_line, flag_line, cell_line in zip(values, withheld, published, strict=True):
        for value, flag, cell in zip(value_line, flag_line, cell_line, strict=True):
            assert cell.suppressed == (cell.value is None)
            if 0 < value < min_cell:
                assert flag
            if value == 0:
                assert not flag
            if not flag:
                assert cell.value == value


@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(
            st.lists(st.one_of(st.just(0), st.integers(5, 40)), min_size=width, max_size=width),
            max_size=5,
        )
    )
)
def test_a_table_with_every_cell_zero_or_large_enough_is_unchanged(table: list[list[int]]) -> None:
    result = suppress_table_with_totals(table)
    _, withheld = extended(table, result)
    assert not any(any(line) for line in withheld)


@given(tables, min_cells)
def test_no_row_or_column_of_the_table_with_totals_has_exactly_one_withheld_entry(
    table: list[list[int]], min_cell: int
) -> None:
    result = suppress_table_with_totals(table, min_cell=min_cell)
    _, withheld = extended(table, result)
    for line in lines(len(withheld), len(withheld[0])):
        assert sum(withheld[i][j] for i, j in line) != 1


@given(tables, min_cells)
def test_no_withheld_table_entry_is_a_linear_function_of_the_published_ones(
    table: list[list[int]], min_cell: int
) -> None:
    result = suppress_table_with_totals(table, min_cell=min_cell)
    _, withheld = extended(table, result)
    unknowns = [(i, j) for i, row in enumerate(withheld) for j, flag in enumerate(row) if flag]
    if not unknowns:
        return
    # One equation per line: inner entries − total = 0, with published entries moved to the
    # right-hand side. An unknown is determined exactly when its column is independent of the
    # others, i.e. removing it lowers the rank.
    matrix = np.array(
        [
            [(1.0 if pos != line[-1] else -1.0) if pos in line else 0.0 for pos in unknowns]
            for line in lines(len(withheld), len(withheld[0]))
        ]
    )
    rank = np.linalg.matrix_rank(matrix)
    for k, pos in enumerate(unknowns):
        assert np.linalg.matrix_rank(np.delete(matrix, k, axis=1)) == rank, pos


@given(tables, min_cells)
def test_withheld_cells_in_a_line_with_a_published_total_are_not_pinned_by_their_sum(
    table: list[list[int]], min_cell: int
) -> None:
    result = suppress_table_with_totals(table, min_cell=min_cell)
    values, withheld = extended(table, result)
    for line in lines(len(values), len(values[0])):
        *inner, (ti, tj) = line
        if withheld[ti][tj]:
            continue
        hidden = [values[i][j] for i, j in inner if withheld[i][j]]
        if hidden:
            assert sum(hidden) >= min_cell
            assert sum(hidden) > len(hidden)
