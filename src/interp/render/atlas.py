"""`as atlas(cells=N, layout=umap|tsne)`: the activation atlas of a layer over a dataset.

The content is `activations(L.spatial, over=D)`; its dataset pass samples a
few activation vectors of every example, which the `AtlasLayout` node lays
out in 2-D and bins into ``N x N`` cells (`execute.atlas`). Each kept cell is
one atom: drawn at its grid position ``(gx, gy)`` as the feature
visualization of its mean vector (a direction objective, batched with the
page's other icons of the layer), its area proportional to how many vectors
fall in it. Other elements select cells: their members (over the same
dataset) or where the cell's direction appears in the input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from interp.check.bound import Axis
from interp.check.signatures import Param, Signature
from interp.render import common, frames
from interp.render.common import Built, Context
from interp.render.presentation import Icon, Presentation, tidy
from interp.render.views import ElementView

CELLS = 12
LAYOUT = "umap"
SIZE = 560
ICON_SHARE = 0.96  # an icon's side at most, as a share of its cell's


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    grid = int(view.meta.get("cells", CELLS))
    cell = float(view.options.get("size", SIZE)) / grid
    peak = table["value"].max() if len(table) else 1.0
    fraction = np.sqrt(table["value"] / peak) if len(table) else table["value"]
    side = ICON_SHARE * cell * fraction.clip(lower=0.25)
    gx, gy = table["gx"].astype(float), table["gy"].astype(float)
    table = table.assign(
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
        return common.base_chart(view, ctx, role, rows)

    background = unit("cells").mark_rect(cursor="pointer" if view.offers else "default")
    background = common.encode(
        background,
        **common.box("_"),
        fill={"value": "#f4f4f4"},
        stroke={"value": "#ffffff"},
        strokeWidth={"value": 1},
        tooltip=tooltip,
    )
    layers = common.cell_layers(view, ctx, background, unit("outline"), rows, icons, tooltip)
    return common.layered(view, ctx, layers, grid * cell, grid * cell)


class Atlas(Presentation):
    """Activation vectors sampled over a dataset, laid out in 2-D, binned into cells."""

    name = "atlas"
    signature = Signature(
        "atlas",
        (
            Param("cells", "int"),
            Param("layout", "choice", ("umap", "tsne")),
            Param("size", "int"),
        ),
        "atlas(cells=12, layout=umap)",
    )

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        source = content.source
        if content.kind != "activations" or content.over is None or source.atoms != "spatial":
            return (
                "atlas lays out a layer's activation vectors over a dataset",
                "e.g. activations(L.spatial, over=pics) as atlas(cells=12, layout=umap)",
            )
        return None

    def element_axes(self, call, axes):
        return (Axis("cell", (None, "cell")),)

    def _layout(self, element, scope):
        options = element.presentation
        cells = int(options.option("cells", CELLS))  # type: ignore[arg-type]
        return scope.atlas_layout(element, cells, str(options.option("layout", LAYOUT)))

    def content_node(self, element, scope):
        return self._layout(element, scope)

    def icon_layers(self, element):
        source = element.content.source
        return ((source.model, source.layer),)

    def icon_reads(self, element, scope):
        return (self._layout(element, scope),)

    def icon_side(self, element, shape):
        options = element.presentation
        cells = int(options.option("cells", CELLS))  # type: ignore[arg-type]
        return ICON_SHARE * float(options.option("size", SIZE)) / cells  # type: ignore[arg-type]

    def view_reads(self, element, scope):
        return (self._layout(element, scope),)

    def icon_counts(self, element, sizes):
        source = element.content.source
        cells = int(element.presentation.option("cells", CELLS))  # type: ignore[arg-type]
        return {(source.model, source.layer): cells * cells}

    def objectives(self, element, array, cells):
        from interp.execute.feature_vis import Objective

        source = element.content.source
        ids = cells.array.coords["cell"].values.tolist()
        return {
            ("cell", cell): Icon(
                source.model,
                Objective(source.layer, "direction", direction=tuple(float(v) for v in direction)),
            )
            for cell, direction in zip(ids, cells.directions, strict=True)
        }

    def table(self, element, array, atoms, icons, cells):
        frame = tidy(array)
        frame["atom"] = [f"cell {int(c)} ({int(x)}, {int(y)})" for c, x, y in _cells(frame)]
        frame["icon"] = [icons.get(("cell", int(c)), "") for c in frame["cell"]]
        return frame

    def meta(self, element, array, table, cells):
        source, content = element.content.source, element.content
        grid = cells.grid
        placed = int((cells.sample_cell >= 0).sum())
        method = str(element.presentation.option("layout", LAYOUT))
        name = "UMAP" if method == "umap" else "t-SNE"
        return {
            "cells": grid,
            "subtitle": (
                f"{placed} vectors of {source.layer} over {content.over.describe()}, by {name}: "
                "each cell drawn as its mean vector, sized by its count"
            ),
        }

    def chart(self, view, ctx):
        return chart(view, ctx)


def _cells(frame: pd.DataFrame):
    return zip(frame["cell"], frame["gx"], frame["gy"], strict=True)
