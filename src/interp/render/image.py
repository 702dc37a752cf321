"""`input as image(grid=L.spatial)`: the input image, divided into hoverable cells.

The cells are ``L``'s positions, the atoms of this element: transparent
rectangles over the image whose ``key_<name>`` (default ``"x,y"``) is what
dependent elements filter on. Faint grid lines show the division; the hovered
cell is outlined.
"""

from __future__ import annotations

import pandas as pd

from interp.check.axes import substrate_axes
from interp.check.signatures import Param, Signature
from interp.render import common, frames, heatmap, pictures
from interp.render.common import Built, Context
from interp.render.presentation import Presentation, tidy
from interp.render.views import ElementView


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
    tooltip = common.tooltip(table, view=view)
    cells = common.base_chart(view, ctx, "cells", rows).mark_rect(cursor="crosshair")
    cells = common.encode(
        cells,
        **common.box("_"),
        fill={"value": "#ffffff"},
        fillOpacity=common.selected(view, ctx, hover=0.18, click=0.3, other=0.0),
        stroke={"value": "#ffffff"},
        strokeOpacity={"value": 0.25},
        strokeWidth={"value": 0.5},
        tooltip=tooltip,
    )
    cells = common.selectable(cells, view, ctx)
    outline = common.base_chart(view, ctx, "outline", rows).mark_rect(fill=None, strokeWidth=2.5)
    outline = common.encode(
        outline,
        **common.box("_"),
        stroke=common.selected(view, ctx, hover=common.HOVER, click=common.CLICK, other=None),
    )
    layers += [cells, outline]
    return common.layered(view, ctx, layers, width, height)


class Image(Presentation):
    """The input image divided into a layer's positions: hovering picks one."""

    name = "image"
    signature = Signature(
        "image", (Param("grid", "substrate", required=True),), "image(grid=L.spatial)"
    )

    def fit(self, call, content, axes):
        if content.kind != "substrate" or content.source.kind != "input":
            return (
                "image(...) shows the input itself",
                "write: element picker = input as image(grid=L.spatial)",
            )
        return None

    def describe(self, element):
        from interp.render.describe import layer_text

        grid = element.presentation.option("grid")
        return f"The input image, divided into the positions of {layer_text(grid)}"

    def view_reads(self, element, scope):
        return (scope.magnitude(element.presentation.option("grid")),)

    def table(self, element, array, atoms, icons, magnitude):
        frame = tidy(array)
        frame["atom"] = "(" + frame["x"].astype(str) + ", " + frame["y"].astype(str) + ")"
        return frame

    def element_axes(self, call, axes):
        return substrate_axes(call.option("grid"), "source", activations=False)

    def meta(self, element, array, table, magnitude) -> dict:
        grid = (int(magnitude.sizes["y"]), int(magnitude.sizes["x"]))
        return {"grid": grid, "quantity": "activation vector norm"}

    keyed_rows = False  # cells come from meta["grid"], keyed "x,y"

    def rows(self, view):
        return positions(view)

    def chart(self, view, ctx):
        return chart(view, ctx)
