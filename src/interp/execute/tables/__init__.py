"""Every presentation's table, by its declared name: `table_of(name)`.

The built-in tables are one module each here; a `Table` subclass made anywhere
else joins when its module is imported. A presentation with no table of its own
(bars) gets the base `Table`.
"""

from __future__ import annotations

from interp.execute.tables import (  # noqa: F401  (each registers itself)
    atlas,
    examples,
    feature_vis,
    grid,
    heatmap,
    image,
    kernels,
    sankey,
)
from interp.execute.tables.base import REGISTRY, Icon, Table

_DEFAULT = Table()


def table_of(name: str) -> Table:
    """The table of the presentation declared as `name` (the base table when it has none)."""
    return REGISTRY.get(name, _DEFAULT)


__all__ = ["Icon", "Table", "table_of"]
