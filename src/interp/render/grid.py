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

from interp.execute.views import ElementView
from interp.render import components, encoding, frames, marks, pictures, selection
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.vocabulary.presentations.grid import ICON_SHARE, cell_side


def cell_size(view: ElementView, shape: tuple[int, int]) -> float:
    return cell_side(view.options, shape)


def icon_boxes(table: pd.DataFrame, keys: list[str], cell: float) -> pd.DataFrame:
    """Icon rectangles ``_ix.._ix2``, ``_iy.._iy2`` centred in each cell, area ∝ magnitude."""
    weight = "magnitude" if "magnitude" in table else "value"
    if weight in table:
        magnitude = table[weight].abs().fillna(0.0)
        peak = frames.subset_max(table, keys, magnitude)
        fraction = np.sqrt(magnitude / peak.where(peak > 0)).fillna(0.0)
    else:
        fraction = pd.Series(1.0, index=table.index)
    side = ICON_SHARE * cell * fraction
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
    tooltip = encoding.tooltip(table, view=view) + [
        {
            "field": f,
            "type": "quantitative",
            "format": ".4~g",
            "title": encoding.field_title(view, f),
        }
        for f in ("magnitude", "x", "y")
        if f in table
    ]

    def unit(role: str):
        return selection.base_chart(view, ctx, role, rows)

    background = unit("cells").mark_rect(cursor="pointer" if view.offers else "default")
    background = encoding.encode(
        background,
        **encoding.box("_"),
        fill={"field": "color", "type": "nominal", "scale": None} if tinted else {"value": "#000"},
        fillOpacity={"value": 0.85} if tinted else {"value": 0.0},
        tooltip=tooltip,
    )
    layers = marks.cell_layers(view, ctx, background, unit("outline"), rows, icons, tooltip)
    if tinted:
        layers += components.legend_layers(view, ctx, height)
        height += components.legend_height(view)
    return marks.layered(view, ctx, layers, width, height)


class Grid(Drawing):
    """The activation grid: one feature visualization per position, sized by magnitude."""

    name = "grid"

    def chart(self, view, ctx):
        return chart(view, ctx)
