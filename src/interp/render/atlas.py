"""`as atlas(cells=N, layout=umap|tsne)`: the activation atlas of a layer over a dataset.

The content is `activations(L.spatial, over=D)`; its dataset pass samples a
few activation vectors of every example, which the `AtlasLayout` node lays
out in 2-D and bins into ``N x N`` cells (`execute.atlas`). Each kept cell is
one atom: drawn at its grid position ``(gx, gy)`` as the feature
visualization of its mean vector (a direction objective, batched with the
page's other icons of the layer), filling its cell as in the Activation Atlas
article; how many vectors fall in it is written in its corner, and a rare
cell's icon is faint. Other elements select cells: their members (over the same
dataset) or where the cell's direction appears in the input.
"""

from __future__ import annotations

import numpy as np

from interp.execute.views import ElementView
from interp.render import encoding, frames, marks, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.vocabulary.presentations.atlas import CELLS, ICON_SHARE, SIZE

BADGE_DIGIT = 5.5  # a digit's width in the count badge (9 px type)


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    grid = int(view.meta.get("cells", CELLS))
    cell = float(view.options.get("size", SIZE)) / grid
    peak = table["value"].max() if len(table) else 1.0
    fraction = np.sqrt(table["value"] / peak) if len(table) else table["value"]
    side = ICON_SHARE * cell  # every icon fills its cell; its count is written, and faint if rare
    gx, gy = table["gx"].astype(float), table["gy"].astype(float)
    table = table.assign(
        _opacity=(0.5 + fraction).clip(upper=1.0),  # only the rarest cells fade
        _cx=(gx + 1) * cell - 4,
        _cy=(gy + 1) * cell - 3,
        _bx=(gx + 1) * cell - 6 - BADGE_DIGIT * table["value"].astype(int).astype(str).str.len(),
        _bx2=(gx + 1) * cell - 2,
        _by=(gy + 1) * cell - 14,
        _by2=(gy + 1) * cell - 2,
        _x=gx * cell,
        _x2=(gx + 1) * cell,
        _y=gy * cell,
        _y2=(gy + 1) * cell,
        _ix=(gx + 0.5) * cell - side / 2,
        _ix2=(gx + 0.5) * cell + side / 2,
        _iy=(gy + 0.5) * cell - side / 2,
        _iy2=(gy + 0.5) * cell + side / 2,
    )
    icons: list[dict] = []
    if "icon" in table:
        table, icons = frames.split_icons(table, "icon", "_icon")
    own = [view.key] if view.key in table else []
    columns = [c for c in table.columns if c.startswith("_")] + ["atom", "value", "gx", "gy", *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    tooltip = [
        {"field": "atom", "type": "nominal"},
        {"field": "value", "type": "quantitative", "title": "vectors"},
    ]

    def unit(role: str):
        return selection.base_chart(view, ctx, role, rows)

    background = unit("cells").mark_rect(cursor="pointer" if view.offers else "default")
    background = encoding.encode(
        background,
        **encoding.box("_"),
        fill={"value": "#f4f4f4"},
        stroke={"value": "#ffffff"},
        strokeWidth={"value": 1},
        tooltip=tooltip,
    )
    layers = marks.cell_layers(view, ctx, background, unit("outline"), rows, icons, tooltip)
    if icons:  # a rare cell's icon is faint: the count reads by opacity as well as by number
        opacity = {"field": "_opacity", "type": "quantitative", "scale": None}
        layers[1] = layers[1].encode(opacity=opacity)
    badge = encoding.encode(
        unit("count_badges").mark_rect(fill="#ffffff", opacity=0.85, cornerRadius=2),
        **encoding.box("_b"),
        tooltip=tooltip,
    )
    count = unit("counts").mark_text(
        align="right", baseline="bottom", fontSize=9, color="#333", font=style.FONT
    )
    count = encoding.encode(
        count, x=encoding.pixel("_cx"), y=encoding.pixel("_cy"), text={"field": "value"}
    )
    layers[-1:-1] = [badge, count]  # under the hover outline
    return marks.layered(view, ctx, layers, grid * cell, grid * cell)


class Atlas(Drawing):
    """Activation vectors sampled over a dataset, laid out in 2-D, binned into cells."""

    name = "atlas"

    def chart(self, view, ctx):
        return chart(view, ctx)
