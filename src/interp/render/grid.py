"""`as grid(size_by=magnitude, color=value)`: the activation grid.

One cell per position ``(x, y)``; each draws its feature visualization
(``icon``) with its *area* proportional to ``magnitude`` (the activation
vector's norm) relative to the largest in view. With ``color=value`` the
``color`` column (hex) tints a square behind each icon — the article's
multi-directional saliency. The cell square is the hit target and shows the
hovered/clicked position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from interp.render import common, frames, pictures
from interp.render.common import Built, Context
from interp.render.views import ElementView

SIZE = 420
MIN_CELL, MAX_CELL = 10, 56


def cell_size(view: ElementView, shape: tuple[int, int]) -> float:
    if "cell" in view.options:
        return float(view.options["cell"])
    longest = float(view.options.get("size", SIZE))
    return float(np.clip(np.floor(longest / max(shape)), MIN_CELL, MAX_CELL))


def icon_boxes(table: pd.DataFrame, keys: list[str], cell: float) -> pd.DataFrame:
    """Icon rectangles ``_ix.._ix2``, ``_iy.._iy2`` centred in each cell, area ∝ magnitude."""
    weight = "magnitude" if "magnitude" in table else "value"
    if weight in table:
        magnitude = table[weight].abs().fillna(0.0)
        peak = frames.subset_max(table, keys, magnitude)
        fraction = np.sqrt(magnitude / peak.where(peak > 0)).fillna(0.0)
    else:
        fraction = pd.Series(1.0, index=table.index)
    side = 0.94 * cell * fraction
    centre_x = table["_x"] + cell / 2
    centre_y = table["_y"] + cell / 2
    return table.assign(
        _ix=centre_x - side / 2,
        _ix2=centre_x + side / 2,
        _iy=centre_y - side / 2,
        _iy2=centre_y + side / 2,
    )


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    keys = frames.dependency_keys(view, table)
    shape = pictures.grid_shape(view, table)
    cell = cell_size(view, shape)
    width, height = shape[1] * cell, shape[0] * cell
    table = pictures.cell_boxes(table, shape, (width, height))
    table = icon_boxes(table, keys, cell)
    icons: list[dict] = []
    if "icon" in table:
        table, icons = frames.split_icons(table, "icon", "_icon")
    tinted = "color" in table and view.options.get("color") != "none"
    own = [view.key] if view.key in table else []
    columns = [c for c in table.columns if c.startswith("_")]
    columns += ["atom", "value", "magnitude", "color", "x", "y", *keys, *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    tooltip = common.tooltip(table) + [
        {"field": f, "type": "quantitative", "format": ".4~g"}
        for f in ("magnitude", "x", "y")
        if f in table
    ]

    def unit(role: str):
        return common.base_chart(view, ctx, role, rows)

    background = unit("cells").mark_rect(cursor="pointer" if view.offers else "default")
    background = common.encode(
        background,
        **common.box("_"),
        fill={"field": "color", "type": "nominal", "scale": None} if tinted else {"value": "#000"},
        fillOpacity={"value": 0.85} if tinted else {"value": 0.0},
        tooltip=tooltip,
    )
    layers = [common.selectable(background, view, ctx)]
    if icons:
        layers.append(common.icon_layer(view, ctx, rows, icons, "_i", tooltip))
    outline = unit("outline").mark_rect(fill=None, strokeWidth=2)
    outline = common.encode(
        outline,
        **common.box("_"),
        stroke=common.selected(view, ctx, hover=common.HOVER, click=common.CLICK, other=None),
    )
    layers.append(outline)
    return common.layered(view, ctx, layers, width, height)
