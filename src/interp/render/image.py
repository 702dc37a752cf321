"""`input as image(grid=L.spatial)`: the input image, divided into hoverable cells.

The cells are ``L``'s positions, the atoms of this element: transparent
rectangles over the image whose ``key_<name>`` (default ``"x,y"``) is what
dependent elements filter on. Faint grid lines show the division; the hovered
cell is outlined.
"""

from __future__ import annotations

import pandas as pd

from interp.execute.views import ElementView
from interp.render import encoding, frames, heatmap, marks, pictures, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing


def positions(view: ElementView) -> pd.DataFrame:
    """The table, or one row per cell of ``meta["grid"]`` when the table has none."""
    table = frames.tidy(view)
    if len(table) and {"x", "y"} <= set(table.columns):
        if view.key not in table:
            table[view.key] = table["x"].astype(str) + "," + table["y"].astype(str)
        return table
    grid_h, grid_w = view.meta["grid"]
    cells = [(x, y) for y in range(int(grid_h)) for x in range(int(grid_w))]
    return pd.DataFrame(
        {
            "x": [x for x, _ in cells],
            "y": [y for _, y in cells],
            "atom": [f"(x {x}, y {y})" for x, y in cells],
            view.key: [f"{x},{y}" for x, y in cells],
        }
    )


def chart(view: ElementView, ctx: Context) -> Built:
    table = positions(view)
    keys = frames.dependency_keys(view, table)
    shape = pictures.grid_shape(view, table)
    width, height = heatmap.plot_box(view, shape)
    table = pictures.cell_boxes(table, shape, (width, height))
    columns = ["_x", "_x2", "_y", "_y2", "atom", "value", "x", "y", *keys, view.key]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    layers = []
    image = view.meta.get("image")
    if image:
        url = pictures.to_data_url(image)
        layers.append(heatmap.image_layer(view, ctx, url, (width, height)))
    tooltip = encoding.tooltip(table, view=view)
    cells = selection.base_chart(view, ctx, "cells", rows).mark_rect(cursor="crosshair")
    cells = encoding.encode(
        cells,
        **encoding.box("_"),
        fill={"value": "#ffffff"},
        fillOpacity=selection.selected(view, ctx, hover=0.18, click=0.3, other=0.0),
        stroke={"value": "#ffffff"},
        strokeOpacity={"value": 0.25},
        strokeWidth={"value": 0.5},
        tooltip=tooltip,
    )
    cells = selection.selectable(cells, view, ctx)
    outline = selection.base_chart(view, ctx, "outline", rows).mark_rect(fill=None, strokeWidth=2.5)
    outline = encoding.encode(
        outline,
        **encoding.box("_"),
        stroke=selection.selected(view, ctx, hover=style.HOVER, click=style.CLICK, other=None),
    )
    layers += [cells, outline]
    return marks.layered(view, ctx, layers, width, height)


class Image(Drawing):
    """The input image divided into a layer's positions: hovering picks one."""

    name = "image"
    keyed_rows = False  # cells come from meta["grid"], keyed "x,y"

    def rows(self, view):
        return positions(view)

    def chart(self, view, ctx):
        return chart(view, ctx)
