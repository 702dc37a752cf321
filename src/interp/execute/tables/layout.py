"""Where rows land in a laid-out table: ranks within subsets, and which atoms a page draws.

Shared by the tables (only the icons a page draws are optimized) and the drawings
(which lay the same rows out): one answer to "is this atom shown".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from interp.vocabulary.presentations.feature_vis import MAX_CELLS, MAX_ROWS


def subset_max(table: pd.DataFrame, keys: list[str], values: pd.Series) -> pd.Series:
    """The largest of ``values`` within each row's subset, aligned to the rows."""
    if not keys:
        return pd.Series(values.max() if len(values) else np.nan, index=table.index)
    return values.groupby([table[k] for k in keys], sort=False, dropna=False).transform("max")


def rank(table: pd.DataFrame, within: list[str], by: list[str], ascending: list[bool]) -> pd.Series:
    """0-based position of each row among the rows sharing its ``within`` columns."""
    ordered = table.sort_values(by, ascending=ascending, kind="stable") if by else table
    if not within:
        positions = pd.Series(np.arange(len(ordered)), index=ordered.index)
    else:
        positions = ordered.groupby(within, sort=False, dropna=False).cumcount()
    return positions.reindex(table.index)


def appearance(table: pd.DataFrame, within: list[str], column: str) -> pd.Series:
    """0-based order of first appearance of each row's ``column`` value within its subset."""
    firsts = table.drop_duplicates([*within, column])
    order = rank(firsts, within, [], [])
    lookup = firsts[[*within, column]].assign(_appearance=order.to_numpy())
    merged = table[[*within, column]].merge(lookup, on=[*within, column], how="left")
    return pd.Series(merged["_appearance"].to_numpy(), index=table.index)


def places(table: pd.DataFrame, keys: list[str]) -> tuple[pd.Series, pd.Series]:
    """Each row's (column, row) in a feature_vis layout: rank by value within its row, and
    its series' order of appearance within its subset (0 without series)."""
    grouped = "series" in table
    by = (["value"], [False]) if "value" in table else ([], [])
    column = rank(table, [*keys, "series"] if grouped else keys, *by)
    row = appearance(table, keys, "series") if grouped else pd.Series(0, index=table.index)
    return column, row


def shown(table: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Which rows a feature_vis draws: the first `MAX_CELLS` atoms of a row, `MAX_ROWS`
    rows a subset.

    Hundreds of atoms (a layer's channels without `top(k)`) stay readable, and
    the planner optimizes icons only for the atoms a page draws.
    """
    column, row = places(table, keys)
    return (column < MAX_CELLS) & (row < MAX_ROWS)
