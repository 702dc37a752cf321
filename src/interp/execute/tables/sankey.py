"""sankey's table: one row per (source, target) flow, with both ends' icons."""

from __future__ import annotations

import numpy as np

from interp.execute.tables.base import (
    Table,
    factors_by_groups,
    label,
    layer_objectives,
    tidy,
)
from interp.vocabulary.presentations.base import layer_atom_axes


class SankeyTable(Table):
    name = "sankey"

    def objectives(self, element, array, *reads):
        return layer_objectives(element, array, factors_by_groups(element, reads))

    def reading(self, element):
        from interp.execute.words import quantity

        return (
            f"band width ∝ |{quantity(element)}|; blue: the source raises the target,"
            " red: it lowers it"
        )

    def meta(self, element, array, table, *reads):
        from interp.execute.words import short_text

        content = element.content
        found = {"sides": [short_text(content.source), short_text(content.target)]}
        cells = regions(element, array, factors_by_groups(element, reads))
        if cells:
            found["regions"] = cells
        return found

    def table(self, element, array, atoms, icons, *reads):
        frame = tidy(array)
        source = next(a.name for a in element.atom_axes if a.side == "source")
        target = next(a.name for a in element.atom_axes if a.side == "target")
        frame["source"] = [label(source, v) for v in frame[source]]
        frame["target"] = ["→ " + label(target, v) for v in frame[target]]
        frame["atom"] = frame["source"] + " " + frame["target"]
        frame["source_icon"] = [icons.get((source, v), "") for v in frame[source]]
        frame["target_icon"] = [icons.get((target, v), "") for v in frame[target]]
        return frame


def regions(element, array, factors: dict) -> list[dict]:
    """Where each group node is in the input: one row per cell of its NMF spatial factor,
    ``atom`` (the node's label, as `SankeyTable.table` writes it), ``x``, ``y`` on the
    layer's grid of ``grid_w`` x ``grid_h`` cells, and ``strength`` (the factor relative to
    its largest, from 0 to 1). Empty when no side is a layer's groups."""
    rows = []
    for axis, substrate in layer_atom_axes(element):
        if substrate.groups is None or axis not in array.dims:
            continue
        footprints = np.abs(np.asarray(factors[substrate.groups].footprints, dtype=float))
        grid_h, grid_w = footprints.shape[1:]
        arrow = "→ " if axis.startswith("t") else ""
        for group in array.coords[axis].values.tolist():
            footprint = footprints[int(group)]
            peak = float(footprint.max())
            if peak <= 0:
                continue
            strength = footprint / peak
            for (y, x), value in np.ndenumerate(strength):
                rows.append(
                    {
                        "atom": arrow + label(axis, group),
                        "x": int(x),
                        "y": int(y),
                        "strength": round(float(value), 3),
                        "grid_w": int(grid_w),
                        "grid_h": int(grid_h),
                    }
                )
    return rows
