"""`input as image(grid=L.spatial)`: the input divided into a layer's positions, to pick one."""

from __future__ import annotations

from interp.vocabulary.axes import substrate_axes
from interp.vocabulary.presentations.base import Presentation
from interp.vocabulary.signatures import Param, Signature


class Image(Presentation):
    name = "image"
    signature = Signature(
        "image", (Param("grid", "substrate", required=True),), "image(grid=L.spatial)"
    )

    def fit(self, call, content, axes):
        grid = call.option("grid")
        if grid.kind != "layer" or grid.atoms != "spatial":
            return (
                f"image(grid=...) takes a layer's spatial atoms, not {grid.describe()}",
                'e.g. image(grid=layer("blocks.4.2.bn1").spatial)',
                "grid",
            )
        if content.kind != "substrate" or content.source.kind != "input":
            return (
                "image(...) shows the input itself",
                "write: element picker = input as image(grid=L.spatial)",
            )
        return None

    def element_axes(self, call, axes):
        return substrate_axes(call.option("grid"), "source", activations=False)

    def content_node(self, element, scope):
        return scope.magnitude(element.presentation.option("grid"))

    def view_reads(self, element, scope):
        return (scope.magnitude(element.presentation.option("grid")),)
