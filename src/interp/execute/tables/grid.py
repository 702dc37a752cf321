"""grid's table: one row per position, its icon (the activation vector there) and magnitude.

With `grid(color=value)` after `| reduce(pca, 3)`, each position is tinted red,
green and blue by the three components, and `meta["components"]` says what each
colour stands for: the target atoms (classes) most aligned with it. For PCA
these are the largest loadings: the covariance, over positions, of each class's
attribution with the component score is the loading times the component's
variance, so it ranks classes exactly as the loadings do; for NMF it is the same
measure of association.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from interp.check.axes import apply_op, content_axes
from interp.check.program import Axis, Reduce
from interp.execute.tables.base import Icon, Table
from interp.keys import is_key_column

CHANNELS = (("red", "#e41a1c"), ("green", "#2ca02c"), ("blue", "#1f5fd6"))
TOP = 3  # atoms named per colour


class GridTable(Table):
    name = "grid"

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
        text = (
            "below: each cell the feature visualization of the activation vector there, its"
            " area ∝ the vector's norm; above: the input, each cell's patch outlined on hover"
        )
        if element.presentation.option("color") == "value":
            text += (
                "; tint: components 1, 2, 3 as red, green, blue, each favouring the classes"
                " below (over the input: opaque where the attribution is strong)"
            )
        return text

    def meta(self, element, array, table, magnitude, before=None):
        meta = {**super().meta(element, array, table), "quantity": "activation vector norm"}
        if before is not None and "component" in array.dims:
            before = as_array(before)
            tops = top_targets(before, array, target_axes(before, _reduce_axes(element)))
            meta["components"] = legend_lines(tops)
        return meta

    def table(self, element, array, atoms, icons, magnitude, before=None):
        norm = magnitude.transpose("y", "x").values
        colors = _colors(array) if "component" in array.dims else None
        strength = _strength(array) if colors is not None else None
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
                    row["strength"] = float(strength[y, x])
                rows.append(row)
        # the element's strongest atom first, in the order it offers atoms to selections
        rank = {(atom["x"], atom["y"]): i for i, atom in enumerate(atoms)}
        order = sorted(
            range(len(rows)), key=lambda i: rank.get((rows[i]["x"], rows[i]["y"]), len(rows))
        )
        return pd.DataFrame(rows).iloc[order]


def _reduce_axes(element):
    """The content's axes just before its `reduce` (the target axes it replaced)."""
    axes = content_axes(element.content)
    for op in element.ops:
        if isinstance(op, Reduce):
            return axes
        axes = apply_op(op, axes)
    return axes


def _strength(array) -> np.ndarray:
    """Each position's share of the strongest attribution: the norm of its three components
    against the largest (the tint's opacity over the input image)."""
    values = array.transpose("y", "x", "component").values[..., :3]
    norm = np.sqrt((values**2).sum(-1))
    return norm / norm.max() if norm.max() > 0 else norm


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


def as_array(value) -> xr.DataArray:
    """A node's value as its labeled array (an attribution family's value wraps one)."""
    return value if isinstance(value, xr.DataArray) else value.array


def target_axes(before: xr.DataArray, axes: tuple[Axis, ...]) -> list[str]:
    return [
        a.name for a in axes if a.role == "atom" and a.side == "target" and a.name in before.dims
    ]


def top_targets(
    before: xr.DataArray, reduced: xr.DataArray, targets: list[str], k: int = TOP
) -> list[list[str]]:
    """For each component, the `k` target atoms most positively associated with it."""
    rows = [d for d in before.dims if d not in targets and not is_key_column(d)]
    if not targets or sorted(rows + ["component"]) != sorted(reduced.dims):
        return []
    count = int(np.prod([before.sizes[r] for r in rows]))
    matrix = np.nan_to_num(before.transpose(*rows, *targets).values).reshape(count, -1)
    scores = np.nan_to_num(reduced.transpose(*rows, "component").values)
    scores = scores.reshape(matrix.shape[0], -1)
    centred = matrix - matrix.mean(axis=0)
    association = centred.T @ (scores - scores.mean(axis=0)) / max(matrix.shape[0], 1)
    stacked = before.stack(_col=targets).indexes["_col"] if len(targets) > 1 else None
    names = (
        [", ".join(map(str, v)) for v in stacked]
        if stacked is not None
        else [str(v) for v in before.coords[targets[0]].values]
    )
    return [
        [names[i] for i in np.argsort(-association[:, c], kind="stable")[:k]]
        for c in range(association.shape[1])
    ]


def legend_lines(tops: list[list[str]]) -> list[dict]:
    """One line per colour channel: its swatch and the atoms it stands for."""
    return [
        {"_swatch": hex_, "_text": f"{name}: " + ", ".join(atoms)}
        for (name, hex_), atoms in zip(CHANNELS, tops, strict=False)
    ]
