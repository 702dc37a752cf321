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


def relative_strength(table: pd.DataFrame, keys: list[str], weights: tuple[str, ...]) -> pd.Series:
    """The square root of each row's |weight| against the largest of its selection (the
    first of `weights` the table has; all 1 when it has none)."""
    weight = next((c for c in weights if c in table), None)
    if weight is None:
        return pd.Series(1.0, index=table.index)
    magnitude = table[weight].abs().fillna(0.0)
    peak = frames.subset_max(table, keys, magnitude)
    return np.sqrt(magnitude / peak.where(peak > 0)).fillna(0.0)


def icon_boxes(table: pd.DataFrame, keys: list[str], cell: float) -> pd.DataFrame:
    """Icon rectangles ``_ix.._ix2``, ``_iy.._iy2`` centred in each cell, area ∝ magnitude."""
    side = ICON_SHARE * cell * relative_strength(table, keys, ("magnitude", "value"))
    centre_x = table["_x"] + cell / 2
    centre_y = table["_y"] + cell / 2
    return table.assign(
        _ix=centre_x - side / 2,
        _ix2=centre_x + side / 2,
        _iy=centre_y - side / 2,
        _iy2=centre_y + side / 2,
    )


PANEL_GAP = 10  # between the input image and the grid under it


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    keys = frames.dependency_keys(view, table)
    shape = pictures.grid_shape(view, table)
    cell = cell_size(view, shape)
    width, height = shape[1] * cell, shape[0] * cell
    image = view.meta.get("image")
    offset = height + PANEL_GAP if image else 0.0  # the grid under the image, same scale
    table = pictures.cell_boxes(table, shape, (width, height))
    patches = table.copy()
    table = table.assign(_y=table["_y"] + offset, _y2=table["_y2"] + offset)
    table = icon_boxes(table, keys, cell)
    icons: list[dict] = []
    if "icon" in table:
        table, icons = frames.split_icons(table, "icon", "_icon")
    tinted = "color" in table and view.options.get("color") != "none"
    own = [view.key] if view.key in table else []
    columns = [c for c in table.columns if c.startswith("_")]
    columns += ["atom", "value", "magnitude", "color", "x", "y", *keys, *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    hits = table.assign(_fill=0.85 if tinted else 0.0)
    if image:  # each position's patch of the image: a hit target too, tinted by strength
        hits = pd.concat(
            [hits, patches.assign(_fill=patch_opacity(patches, keys) if tinted else 0.0)]
        )
    hit_columns = [
        "_x",
        "_x2",
        "_y",
        "_y2",
        "_fill",
        "atom",
        "value",
        "magnitude",
        "color",
        "x",
        "y",
    ]
    hit_rows = ctx.dataset(
        ctx.name(view, "hits"), frames.records(hits, [*hit_columns, *keys, *own])
    )
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

    def unit(role: str, source=rows):
        return selection.base_chart(view, ctx, role, source)

    background = unit("cells", hit_rows).mark_rect(cursor="pointer" if view.offers else "default")
    background = encoding.encode(
        background,
        **encoding.box("_"),
        fill={"field": "color", "type": "nominal", "scale": None} if tinted else {"value": "#000"},
        fillOpacity={"field": "_fill", "type": "quantitative", "scale": None},
        tooltip=tooltip,
    )
    layers = marks.cell_layers(
        view, ctx, background, unit("outline", hit_rows), rows, icons, tooltip
    )
    if image:
        from interp.render.heatmap import image_layer

        layers.insert(0, image_layer(view, ctx, pictures.to_data_url(image), (width, height)))
    height += offset
    if tinted:
        layers += components.legend_layers(view, ctx, height)
        height += components.legend_height(view)
    return marks.layered(view, ctx, layers, width, height)


def patch_opacity(patches: pd.DataFrame, keys: list[str]) -> pd.Series:
    """A tint's opacity over the image: faint where the position is weak, so the photo shows
    through, strong where it is strong (square root of its attribution's strength, else of
    its magnitude, against the largest)."""
    return 0.08 + 0.72 * relative_strength(patches, keys, ("strength", "magnitude", "value"))


class Grid(Drawing):
    """The activation grid: one feature visualization per position, sized by magnitude."""

    name = "grid"

    def chart(self, view, ctx):
        return chart(view, ctx)
