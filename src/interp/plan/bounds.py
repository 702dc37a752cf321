"""How many coordinates each axis of each element can hold, before anything runs.

From the layer shapes alone, following the element's operations: `top(k)`
keeps at most `k` per slice, a `select` on another element has one slice per
atom that element can offer, `reduce(pca, n)` leaves `n` components. The
planner's cost estimate counts icons and attribution targets with these
bounds, which are exact wherever the data cannot change them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from interp.check.axes import apply_op, content_axes, top_axes
from interp.check.program import (
    Aggregate,
    Element,
    Reduce,
    SelectAt,
    SelectFrom,
    Substrate,
    Sum,
    Top,
)
from interp.keys import TARGET_PREFIX, key_column
from interp.models.spec import ModelSpec
from interp.vocabulary.presentations import PRESENTATIONS


@dataclass(frozen=True)
class Shapes:
    """What bounds read from a model: layer shapes `(C, H, W)`, class count, input size."""

    layers: dict[str, tuple[int, ...]]
    classes: int
    input_size: int


def element_sizes(
    elements: Sequence[Element], shapes: Shapes, others: Mapping[ModelSpec, Shapes] | None = None
) -> dict[str, dict[str, int]]:
    """Element name -> (axis -> at most this many coordinates), the element's final array;
    the entry `"atoms"` bounds how many atoms it offers to selections."""
    found: dict[str, dict[str, int]] = {}
    for element in elements:
        found[element.name] = _sizes(element, shapes, others or {}, found)
    return found


def _sizes(element: Element, shapes: Shapes, others: Mapping, done: dict) -> dict[str, int]:
    content = element.content
    sizes: dict[str, int] = {}
    for substrate, side in ((content.source, "source"), (content.target, "target")):
        if isinstance(substrate, Substrate):
            sizes.update(_substrate(substrate, side, others.get(substrate.model, shapes)))
    if content.kind == "substrate":  # shown on the positions its presentation names
        for grid in PRESENTATIONS[element.presentation.kind].substrates(element.presentation):
            sizes = _substrate(grid, "source", others.get(grid.model, shapes))
    axes = content_axes(content)
    sizes = {a.name: sizes.get(a.name, 1) for a in axes} or sizes
    kept: int | None = None  # at most this many ranked coordinates survive the last top(k)
    for op in element.ops:
        if not isinstance(op, SelectFrom | SelectAt):  # drill-down axes are summed away first
            sizes = {n: v for n, v in sizes.items() if n not in _drill(axes)}
        if isinstance(op, SelectFrom):
            for _, ours in op.bindings:
                sizes.pop(ours, None)
            sizes[key_column(op.element)] = done[op.element]["atoms"]
        elif isinstance(op, SelectAt):
            for name, values in op.coords:
                if len(values) == 1:
                    sizes.pop(name, None)
                else:
                    sizes[name] = min(sizes.get(name, len(values)), len(values))
        elif isinstance(op, Top):
            sizes, kept = _top(op, axes, sizes)
        elif isinstance(op, Reduce):
            for axis in axes:
                if axis.role == "atom" and axis.side == "target":
                    sizes.pop(axis.name, None)
            sizes["component"] = op.n
        elif isinstance(op, Sum | Aggregate):
            for name in op.over:
                sizes.pop(name, None)
        axes = apply_op(op, axes)
    names = {a.name for a in axes if a.role != "drill"} | {k for k in sizes if k.startswith("key_")}
    if content.kind == "substrate":  # a picture on a grid offers the grid's atoms
        names |= {a.name for a in element.atom_axes}
    final = {k: v for k, v in sizes.items() if k in names}
    offered = math.prod(final.get(a.name, 1) for a in element.atom_axes)
    final["atoms"] = min(offered, kept) if kept is not None else offered
    return final


def _drill(axes) -> set[str]:
    return {a.name for a in axes if a.role == "drill"}


def _top(op: Top, axes, sizes: dict[str, int]) -> tuple[dict[str, int], int]:
    """Sizes after `top(k)`, and how many ranked coordinates survive in all: `k` per slice."""
    ranked, vectors = top_axes(op, axes, sizes)
    slices = math.prod(v for n, v in sizes.items() if n not in ranked and n not in vectors)
    kept = op.k * slices
    return {n: (min(v, kept) if n in ranked else v) for n, v in sizes.items()}, kept


def _substrate(substrate: Substrate, side: str, shapes: Shapes) -> dict[str, int]:
    prefix = TARGET_PREFIX if side == "target" else ""
    if substrate.kind == "output":
        return {"class": len(substrate.labels) or shapes.classes}
    if substrate.kind == "input":
        return {"x": shapes.input_size, "y": shapes.input_size}
    channels, height, width = (tuple(shapes.layers.get(substrate.layer, ())) + (1, 1, 1))[:3]
    sizes = {prefix + "x": width, prefix + "y": height}
    if substrate.groups is not None:
        sizes[prefix + "group"] = substrate.groups.k
    else:
        sizes[prefix + "channel"] = channels
    return sizes
