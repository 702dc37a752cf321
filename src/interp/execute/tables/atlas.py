"""atlas's table: one row per cell with its mean vector's icon; the layout in meta."""

from __future__ import annotations

import pandas as pd

from interp.execute.tables.base import Icon, Table, tidy
from interp.vocabulary.presentations.atlas import LAYOUT


class AtlasTable(Table):
    name = "atlas"

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
                "each cell drawn as its mean vector, its count of vectors in its corner (rare cells faint)"
            ),
        }


def _cells(frame: pd.DataFrame):
    return zip(frame["cell"], frame["gx"], frame["gy"], strict=True)
