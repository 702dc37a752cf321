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

from interp.check.axes import free_atoms, names
from interp.check.signatures import Param, Signature
from interp.render import common, frames
from interp.render.common import Built, Context
from interp.render.presentation import Presentation, tidy
from interp.render.views import ElementView

SIZE = 88
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
    tooltip = common.tooltip(table) + [
        {"field": f, "type": "quantitative"} for f in ("example", "x", "y") if f in table
    ]

    def unit(role: str) -> alt.Chart:
        return common.base_chart(view, ctx, role, rows)

    stroke = common.selected(view, ctx, hover=common.HOVER, click=common.CLICK, other=None)
    layers = [
        common.selection_frame(
            view, ctx, unit("frame"), stroke, radius=3, width=2, tooltip=tooltip
        ),
        common.icon_layer(view, ctx, rows, icons, "_", tooltip),
    ]
    if "_mx" in table:
        mark = unit("marks").mark_rect(fill=None, stroke=common.HOVER, strokeWidth=1.5)
        layers.append(
            common.encode(
                mark.transform_filter("isValid(datum._mx)"),
                **common.box("_m"),
                tooltip=tooltip,
            )
        )
    label = unit("labels").mark_text(
        baseline="top", fontSize=9, limit=size + GAP - 2, font=common.FONT, color="#333"
    )
    layers.append(
        common.encode(label, x=common.pixel("_cx"), y=common.pixel("_ty"), text={"field": "atom"})
    )
    layers.append(common.value_bars(unit("bars"), tooltip))
    width = float(table["_fx2"].max() + 3) if len(table) else size
    height = float(table["_fy2"].max() + 3) if len(table) else size
    return common.layered(view, ctx, layers, width, height)


class Examples(Presentation):
    """The examples a content over a dataset keeps, each a thumbnail with its value."""

    name = "examples"
    signature = Signature("examples", (Param("size", "int"),), "examples or examples(size=96)")

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        if not any(a.name == "example" for a in free_atoms(axes)):
            return (
                f"examples shows a dataset's examples, and this content has no example axis ({names(free_atoms(axes))})",
                "compute it over a dataset: activations(L.spatial, over=pics) | top(8) as examples",
            )
        return None

    def view_reads(self, element, scope):
        size = int(element.presentation.option("size", SIZE))  # type: ignore[arg-type]
        return (scope.example_images(element, size),)

    def table(self, element, array, atoms, icons, images):
        frame = tidy(array)
        xs = frame["x"].fillna(-1).astype(int) if "x" in frame else pd.Series(-1, frame.index)
        ys = frame["y"].fillna(-1).astype(int) if "y" in frame else pd.Series(-1, frame.index)
        found = [
            images.get((int(e), int(x), int(y)), {})
            for e, x, y in zip(frame["example"], xs, ys, strict=True)
        ]
        frame["icon"] = [f.get("url", "") for f in found]
        marks = [f.get("mark") for f in found]
        if any(m is not None for m in marks):
            for i in range(4):
                frame[f"_m{i}"] = [m[i] if m is not None else float("nan") for m in marks]
        frame["atom"] = frame["label"] if "label" in frame else frame["example"].astype(str)
        frame["example"] = frame["example"].astype(int)
        if "x" in frame:
            frame["x"], frame["y"] = xs.where(xs >= 0), ys.where(ys >= 0)
        return frame

    def meta(self, element, array, table, *reads):
        return {"subtitle": subtitle(element)}

    def chart(self, view, ctx):
        return chart(view, ctx)


def subtitle(element) -> str:
    """What the thumbnails are, in words, for a page read without its spec."""
    content = element.content
    dataset = content.over.describe() if content.over else "the dataset"
    if any(getattr(op, "how", "bind") == "members" for op in element.ops):
        return f"examples of {dataset} in the cell, by their projection on its mean vector"
    if content.kind == "attribution":
        classes = ", ".join(content.target.labels)
        return f"where the channel most increases {classes} in {dataset} (attribution)"
    if content.source.atoms == "spatial":
        return f"where the channel fires most in {dataset}: the receptive field around its peak (outlined)"
    return f"where the channel's total activation is largest in {dataset}"


def dataset_subtitle(element) -> str | None:
    """What a view drawn by another presentation shows, when a dataset made it: a
    correlation's values, or the projection onto an atlas cell's direction."""
    content = element.content
    if content.kind == "correlation":
        target = content.target
        model = f" of {target.model.to_text()}" if target.model is not None else ""
        return f"{target.layer}{model}: Pearson r over {content.over.describe()}"
    if any(getattr(op, "how", "bind") == "project" for op in element.ops):
        return "where the cell's idea appears: projection on its direction from the atlas's centre"
    return None
