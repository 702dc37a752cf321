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

from interp.check.signatures import Param, Signature
from interp.render import common, components, frames, pictures
from interp.render.common import Built, Context
from interp.render.presentation import Icon, Presentation, spatial_atoms
from interp.render.views import ElementView

SIZE = 420
MIN_CELL, MAX_CELL = 10, 56
ICON_SHARE = 0.94  # the largest icon's side, as a share of its cell's


def cell_size(view: ElementView, shape: tuple[int, int]) -> float:
    return cell_side(view.options, shape)


def cell_side(options: dict, shape: tuple[int, int]) -> float:
    """A cell's side in pixels for a grid of `shape` (rows, columns): the page's layout."""
    if "cell" in options:
        return float(options["cell"])
    longest = float(options.get("size", SIZE))
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
    tooltip = common.tooltip(table, view=view) + [
        {"field": f, "type": "quantitative", "format": ".4~g", "title": common.field_title(view, f)}
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
    layers = common.cell_layers(view, ctx, background, unit("outline"), rows, icons, tooltip)
    if tinted:
        layers += components.legend_layers(view, ctx, height)
        height += components.legend_height(view)
    return common.layered(view, ctx, layers, width, height)


class Grid(Presentation):
    """The activation grid: one feature visualization per position, sized by magnitude."""

    name = "grid"
    signature = Signature(
        "grid",
        (
            Param("size_by", "choice", ("magnitude", "none")),
            Param("color", "choice", ("value", "none")),
        ),
        "grid(size_by=magnitude, color=value)",
    )

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        source_positions = [a for a in spatial_atoms(axes) if a.side == "source"]
        if (
            content.source.atoms != "spatial"
            or content.source.kind != "layer"
            or len(source_positions) < 2
        ):
            return (
                "grid draws a layer's positions: its content needs L.spatial atoms as source",
                "e.g. activations(L.spatial) as grid(size_by=magnitude)",
            )
        if call.option("color") == "value" and not any(a.name == "component" for a in axes):
            return (
                "grid(color=value) colours cells by a 3-component content",
                "add | reduce(pca, 3)",
            )
        return None

    def icon_layers(self, element):
        source = element.content.source
        return ((source.model, source.layer),)

    def icon_reads(self, element, scope):
        return (scope.activations(_spatial(element)),)

    def view_reads(self, element, scope):
        magnitude = scope.magnitude(element.content.source)
        before = components.reduced_input(scope.arrays[element.name])
        return (magnitude,) if before is None else (magnitude, before)

    def icon_side(self, element, shape):
        source = element.content.source
        found = shape(source.model, source.layer)
        if found is None or len(found) != 3:
            return None
        options = dict(element.presentation.options)
        return ICON_SHARE * cell_side(options, (int(found[1]), int(found[2])))

    def icon_counts(self, element, sizes):
        source = element.content.source
        return {(source.model, source.layer): sizes.get("x", 0) * sizes.get("y", 0)}

    def objectives(self, element, array, cube):
        from interp.execute.feature_vis import Objective

        source = element.content.source
        values = cube.transpose("channel", "y", "x").values
        return {
            ("pos", x, y): Icon(
                source.model,
                Objective(
                    source.layer,
                    "direction",
                    position=(x, y),
                    direction=tuple(float(v) for v in values[:, y, x]),
                ),
            )
            for y in range(values.shape[1])
            for x in range(values.shape[2])
        }

    def reading(self, element):
        text = "each cell: the feature visualization of the activation vector there, its area ∝ the vector's norm"
        if element.presentation.option("color") == "value":
            text += (
                "; tint: components 1, 2, 3 as red, green, blue, each favouring the classes below"
            )
        return text

    def meta(self, element, array, table, magnitude, before=None):
        meta = {**super().meta(element, array, table), "quantity": "activation vector norm"}
        if before is not None and "component" in array.dims:
            before = components.as_array(before)
            reduce_node_axes = _reduce_axes(element)
            tops = components.top_targets(
                before, array, components.target_axes(before, reduce_node_axes)
            )
            meta["components"] = components.legend_lines(tops)
        return meta

    def table(self, element, array, atoms, icons, magnitude, before=None):
        norm = magnitude.transpose("y", "x").values
        colors = _colors(array) if "component" in array.dims else None
        rows = []
        for y in range(norm.shape[0]):
            for x in range(norm.shape[1]):
                row = {
                    "x": x,
                    "y": y,
                    "atom": f"({x}, {y})",
                    "value": float(norm[y, x]),
                    "magnitude": float(norm[y, x] / norm.max()),
                    "icon": icons.get(("pos", x, y), ""),
                }
                if colors is not None:
                    row["color"] = colors[(x, y)]
                rows.append(row)
        # the element's strongest atom first, in the order it offers atoms to selections
        rank = {(atom["x"], atom["y"]): i for i, atom in enumerate(atoms)}
        order = sorted(
            range(len(rows)), key=lambda i: rank.get((rows[i]["x"], rows[i]["y"]), len(rows))
        )
        return pd.DataFrame(rows).iloc[order]

    def chart(self, view, ctx):
        return chart(view, ctx)


def _spatial(element):
    from dataclasses import replace

    return replace(element.content.source, atoms="spatial")


def _reduce_axes(element):
    """The content's axes just before its `reduce` (the target axes it replaced)."""
    from interp.check.axes import apply_op, content_axes
    from interp.check.bound import Reduce

    axes = content_axes(element.content)
    for op in element.ops:
        if isinstance(op, Reduce):
            return axes
        axes = apply_op(op, axes)
    return axes


def _colors(array) -> dict[tuple[int, int], str]:
    """Three components → an RGB hex per position (each component scaled to [0, 1])."""
    values = array.transpose("y", "x", "component").values[..., :3]
    low, high = values.min(axis=(0, 1)), values.max(axis=(0, 1))
    scaled = (values - low) / np.where(high > low, high - low, 1)
    out = {}
    for y in range(values.shape[0]):
        for x in range(values.shape[1]):
            r, g, b = (int(round(255 * c)) for c in scaled[y, x])
            out[(x, y)] = f"#{r:02x}{g:02x}{b:02x}"
    return out
