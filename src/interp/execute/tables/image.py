"""image's table: the input's cells of a layer's grid (the cells themselves come from meta)."""

from __future__ import annotations

from interp.execute.tables.base import Table, tidy


class ImageTable(Table):
    name = "image"

    def describe(self, element):
        from interp.execute.words import layer_text

        grid = element.presentation.option("grid")
        return f"The input image, divided into the positions of {layer_text(grid)}"

    def table(self, element, array, atoms, icons, magnitude):
        frame = tidy(array)
        frame["atom"] = "(" + frame["x"].astype(str) + ", " + frame["y"].astype(str) + ")"
        return frame

    def meta(self, element, array, table, magnitude) -> dict:
        grid = (int(magnitude.sizes["y"]), int(magnitude.sizes["x"]))
        return {"grid": grid, "quantity": "activation vector norm"}
