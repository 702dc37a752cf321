"""What the colours of a multi-directional saliency map mean (`grid(color=value)`).

`| reduce(pca, 3)` replaces the target axis (1000 classes) by three
components, and the grid tints each position red, green and blue by them. A
reader needs to know what each colour stands for: here, the target atoms
(classes) most aligned with each component. For PCA these are the largest
loadings: the covariance, over positions, of each class's attribution with
the component score is the loading times the component's variance, so it
ranks classes exactly as the loadings do; for NMF it is the same measure of
association. Pure numpy over the arrays before and after the reduction.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import xarray as xr

from interp.check.bound import Axis, Reduce
from interp.keys import is_key_column
from interp.render import common
from interp.render.common import Context
from interp.render.views import ElementView

CHANNELS = (("red", "#e41a1c"), ("green", "#2ca02c"), ("blue", "#1f5fd6"))
TOP = 3
ROW = 17


def reduced_input(final):
    """The plan node of the content just before its `reduce` (None without one).

    Walks the element's chain of operation nodes back from its final array.
    """
    node = getattr(final, "input", None)
    while node is not None:
        if isinstance(getattr(node, "op", None), Reduce):
            return node.input
        node = getattr(node, "input", None)
    return None


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


def legend_height(view: ElementView) -> float:
    lines = view.meta.get("components") or []
    return 10 + ROW * len(lines) if lines else 0.0


def legend_layers(view: ElementView, ctx: Context, top: float) -> list[alt.Chart]:
    """Swatches and lines under the grid (not filtered by selections: they hold for all)."""
    lines = view.meta.get("components") or []
    if not lines:
        return []
    rows = [
        {**line, "_ly": top + 10 + ROW * i, "_ly2": top + 10 + ROW * i + 11}
        for i, line in enumerate(lines)
    ]
    data = ctx.dataset(ctx.name(view, "components"), rows)
    swatch = alt.Chart(data, name=ctx.name(view, "component_swatches")).mark_rect()
    swatch = common.encode(
        swatch,
        x={"value": 0},
        x2={"value": 11},
        y=common.pixel("_ly"),
        y2={"field": "_ly2"},
        fill={"field": "_swatch", "type": "nominal", "scale": None},
    )
    text = alt.Chart(data, name=ctx.name(view, "component_lines")).mark_text(
        align="left", baseline="top", fontSize=11, font=common.FONT, color="#333", limit=600
    )
    text = common.encode(text, x={"value": 17}, y=common.pixel("_ly"), text={"field": "_text"})
    return [swatch, text]
