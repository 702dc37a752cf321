"""`activations(L.spatial) as grid`: the activation grid, one feature visualization per position."""

from __future__ import annotations

import math
from dataclasses import replace

from interp.vocabulary.presentations.base import Presentation, spatial_atoms
from interp.vocabulary.signatures import Param, Signature

SIZE = 420  # the grid's longest side, in CSS pixels
MIN_CELL, MAX_CELL = 10, 56
ICON_SHARE = 0.94  # the largest icon's side, as a share of its cell's


def cell_side(options: dict, shape: tuple[int, int]) -> float:
    """A cell's side in pixels for a grid of `shape` (rows, columns): the page's layout."""
    if "cell" in options:
        return float(options["cell"])
    longest = float(options.get("size", SIZE))
    return float(min(max(math.floor(longest / max(shape)), MIN_CELL), MAX_CELL))


class Grid(Presentation):
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
        return (scope.activations(spatial_source(element)),)

    def view_reads(self, element, scope):
        magnitude = scope.magnitude(element.content.source)
        before = scope.before_reduce(element)
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


def spatial_source(element):
    """The element's source layer with its positions as atoms (what each cell's icon reads)."""
    return replace(element.content.source, atoms="spatial")
