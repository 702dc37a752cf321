"""heatmap's table: one row per cell (and atom, with `color=atom`), sum-pooled when fine."""

from __future__ import annotations

import numpy as np

from interp.execute.tables.base import Table, label, other_axes, tidy
from interp.vocabulary.presentations.heatmap import MAX_CELLS


class HeatmapTable(Table):
    name = "heatmap"

    def table(self, element, array, atoms, icons, *reads):
        if "tx" in array.dims and "x" not in array.dims:
            array = array.rename({"tx": "x", "ty": "y"})
        height, width = array.sizes["y"], array.sizes["x"]
        factor = max(1, int(np.ceil(max(height, width) / MAX_CELLS)))
        if factor > 1:
            array = array.coarsen(y=factor, x=factor, boundary="trim").sum()
            array = array.assign_coords(
                y=np.arange(array.sizes["y"]), x=np.arange(array.sizes["x"])
            )
        others = other_axes(array, ("x", "y"))
        frame = tidy(array)
        if others:
            frame["atom"] = [
                ", ".join(label(d, v) for d, v in zip(others, values, strict=True))
                for values in frame[others].itertuples(index=False)
            ]
        else:
            frame["atom"] = frame["x"].astype(str) + "," + frame["y"].astype(str)
        return frame

    def reading(self, element):
        if element.presentation.option("color") != "atom":
            return ""  # the legend names the value; its scale is the same for every selection
        from interp.execute.words import offered_noun

        noun = offered_noun(element)
        return f"each cell takes the colour of the {noun} strongest there, relative to its peak"
