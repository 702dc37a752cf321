"""`as examples`: thumbnails of the dataset examples an element keeps, with their values.

The element's content is computed over a dataset (`over=`), so its array has
an `example` axis; after `select` and `top(k)` each subset of the page holds k
examples. Each is a cell: the thumbnail (``icon``, a JPEG data URL from the
`ExampleImages` node: for a `.spatial` content the crop around the example's
strongest position, sized by the layer's receptive field, with that unit's
cell outlined in ``_m*``), its label, and a bar of its value (length relative
to the subset's largest magnitude, colour by sign). Cells run in rows of
`COLUMNS`, strongest first.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from interp.execute.views import ElementView
from interp.render import encoding, frames, marks, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.vocabulary.presentations.examples import SIZE

COLUMNS = 8
GAP = 12
LABEL = 14
BAR = 6


def layout(table: pd.DataFrame, keys: list[str], size: int) -> pd.DataFrame:
    """Pixel boxes per row, per subset: thumbnail ``_x.._x2``/``_y.._y2``, label at ``_cx, _ty``,
    frame ``_f*``, bar ``_b*``, and the marked unit ``_m*`` (when the row has one)."""
    cell_w = size + GAP
    cell_h = size + LABEL + BAR + 6 + GAP
    rank = frames.rank(table, keys, ["value"], [False])
    column, row = rank % COLUMNS, rank // COLUMNS
    x, top = column * cell_w, 4.0 + row * cell_h
    magnitude = frames.subset_max(table, keys, table["value"].abs())
    span = (size * table["value"].abs() / magnitude.where(magnitude > 0)).fillna(0.0)
    table = table.assign(
        _x=x + GAP / 2,
        _x2=x + GAP / 2 + size,
        _y=top,
        _y2=top + size,
        _cx=x + cell_w / 2,
        _ty=top + size + 2,
        _fx=x + GAP / 2 - 3,
        _fx2=x + GAP / 2 + size + 3,
        _fy=top - 3,
        _fy2=top + size + LABEL + BAR + 8,
        _bx=x + GAP / 2,
        _bx2=x + GAP / 2 + span,
        _by=top + size + LABEL + 3,
        _by2=top + size + LABEL + 3 + BAR,
    )
    if "_m0" in table:
        table = table.assign(
            _mx=table["_x"] + table["_m0"] * size,
            _mx2=table["_x"] + table["_m2"] * size,
            _my=table["_y"] + table["_m1"] * size,
            _my2=table["_y"] + table["_m3"] * size,
        )
    return table


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    keys = frames.dependency_keys(view, table)
    size = int(view.options.get("size", SIZE))
    table = layout(table, keys, size)
    icons: list[dict] = []
    if "icon" in table:
        table, icons = frames.split_icons(table, "icon", "_icon")
    own = [view.key] if view.key in table else []
    columns = [c for c in table.columns if c.startswith("_")]
    columns += ["atom", "value", "example", "x", "y", *keys, *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    tooltip = encoding.tooltip(table) + [
        {"field": f, "type": "quantitative"} for f in ("example", "x", "y") if f in table
    ]

    def unit(role: str) -> alt.Chart:
        return selection.base_chart(view, ctx, role, rows)

    stroke = selection.selected(view, ctx, hover=style.HOVER, click=style.CLICK, other=None)
    layers = [
        selection.selection_frame(
            view, ctx, unit("frame"), stroke, radius=3, width=2, tooltip=tooltip
        ),
        marks.icon_layer(view, ctx, rows, icons, "_", tooltip),
    ]
    if "_mx" in table:
        mark = unit("marks").mark_rect(fill=None, stroke=style.HOVER, strokeWidth=1.5)
        layers.append(
            encoding.encode(
                mark.transform_filter("isValid(datum._mx)"),
                **encoding.box("_m"),
                tooltip=tooltip,
            )
        )
    label = unit("labels").mark_text(
        baseline="top", fontSize=9, limit=size + GAP - 2, font=style.FONT, color="#333"
    )
    layers.append(
        encoding.encode(  # a label cut to its cell says itself whole on hover
            label,
            x=encoding.pixel("_cx"),
            y=encoding.pixel("_ty"),
            text={"field": "atom"},
            tooltip=tooltip,
        )
    )
    layers.append(marks.value_bars(unit("bars"), tooltip))
    width = float(table["_fx2"].max() + 3) if len(table) else size
    height = float(table["_fy2"].max() + 3) if len(table) else size
    return marks.layered(view, ctx, layers, width, height)


class Examples(Drawing):
    """The examples a content over a dataset keeps, each a thumbnail with its value."""

    name = "examples"

    def chart(self, view, ctx):
        return chart(view, ctx)
