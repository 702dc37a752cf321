"""The executor's tables made tidy, laid out per selection subset, and made JSON-safe.

Rows of a dependent element are only ever filtered by equality on the
``key_<E>`` columns of the selections it depends on, so everything that
depends on which rows are visible (ranks, maxima, positions) is computed per
*subset* — one combination of dependency keys — with vectorized group-bys.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from interp.execute.tables.layout import appearance, rank, subset_max  # noqa: F401  (shared)
from interp.execute.views import ElementView
from interp.render.pictures import to_data_url


def tidy(view: ElementView) -> pd.DataFrame:
    """The view's table with string keys/labels and float values, index reset."""
    table = view.table.reset_index(drop=True).copy()
    for column in table.columns:
        if str(column).startswith("key_"):
            table[column] = table[column].map(_key_text)
    if "atom" in table:
        table["atom"] = table["atom"].astype(str)
    else:
        table["atom"] = [str(i) for i in range(len(table))]
    if "series" in table:
        table["series"] = table["series"].astype(str)
    if "value" in table:
        table["value"] = pd.to_numeric(table["value"], errors="coerce").astype(float)
    return table


def _key_text(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return ",".join(_key_text(v) for v in value)
    return str(value)


def dependency_keys(view: ElementView, table: pd.DataFrame) -> list[str]:
    """The ``key_<E>`` columns this view is filtered on (present in its table)."""
    return [s.key for s in view.depends_on if s.key in table]


def subsets(table: pd.DataFrame, keys: list[str]) -> Iterator[pd.DataFrame]:
    """The rows of each combination of dependency keys (everything when none)."""
    if not keys:
        yield table
        return
    for _, rows in table.groupby(keys, sort=False, dropna=False):
        yield rows


def records(table: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict]:
    """JSON-safe rows: Python scalars, NaN/inf as null, floats to 6 significant digits."""
    if columns is not None:
        table = table[[c for c in dict.fromkeys(columns) if c in table]]
    names = [str(c) for c in table.columns]
    values = [_column(table[c]) for c in table.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _column(series: pd.Series) -> list:
    kind = series.dtype.kind
    if kind == "b":
        return [bool(v) for v in series]
    if kind in "iu":
        return series.astype("int64").tolist()
    if kind == "f":
        array = series.to_numpy(dtype=float)
        finite = np.isfinite(array)
        magnitude = np.abs(np.where(finite & (array != 0), array, 1.0))
        scale = 10.0 ** (5 - np.floor(np.log10(magnitude)))
        rounded = np.round(array * scale) / scale
        return [v if ok else None for v, ok in zip(rounded.tolist(), finite.tolist(), strict=True)]
    return [_scalar(v) for v in series.tolist()]


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return _scalar(value.item())
    if np.ndim(value) == 0 and pd.isna(value):
        return None
    return str(value)


def _missing(value: Any) -> bool:
    """No icon: None, NaN or an empty string."""
    if isinstance(value, str):
        return value == ""
    return value is None or (isinstance(value, float) and math.isnan(value))


def split_icons(table: pd.DataFrame, column: str, id_column: str) -> tuple[pd.DataFrame, list]:
    """Replace repeated data URLs by ids into one lookup table of icons.

    Dependent tables repeat the same atom's icon under many selection keys;
    storing each icon once keeps pages small.
    """
    urls = table[column].map(lambda u: None if _missing(u) else to_data_url(u))
    unique = list(dict.fromkeys(u for u in urls if isinstance(u, str)))
    ids = {url: i for i, url in enumerate(unique)}
    table = table.assign(**{id_column: urls.map(lambda u: ids.get(u, -1))})
    return table.drop(columns=[column]), [{id_column: i, "url": u} for u, i in ids.items()]
