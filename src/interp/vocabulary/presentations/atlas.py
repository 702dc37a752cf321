"""`activations(L.spatial, over=pics) as atlas(cells=12)`: an activation atlas.

Activation vectors sampled over a dataset, laid out in 2-D (UMAP or t-SNE),
binned into cells; each cell drawn by the feature visualization of its mean vector.
"""

from __future__ import annotations

from interp.vocabulary.axes import Axis
from interp.vocabulary.presentations.base import Presentation
from interp.vocabulary.signatures import Param, Signature

CELLS = 12
LAYOUT = "umap"
SIZE = 560  # the atlas's side, in CSS pixels
ICON_SHARE = 0.96  # an icon's side at most, as a share of its cell's
OVER_EXAMPLE = "activations(L.spatial, over=pics)"


class Atlas(Presentation):
    name = "atlas"
    signature = Signature(
        "atlas",
        (
            Param("cells", "int"),
            Param("layout", "choice", ("umap", "tsne")),
            Param("size", "int"),
        ),
        "atlas(cells=12, layout=umap)",
    )
    shows_examples = True
    lays_out_vectors = True

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        source = content.source
        if content.kind != "activations" or content.over is None or source.atoms != "spatial":
            return (
                "atlas lays out a layer's activation vectors over a dataset",
                f"e.g. {OVER_EXAMPLE} as atlas(cells=12, layout=umap)",
            )
        return None

    def fit_dataset(self, call, ops, ranked):
        if ops:
            return (
                "atlas lays out every sampled activation vector: it takes no operations",
                f"element atlas = {OVER_EXAMPLE} as atlas(cells=12)",
                "ops",
            )
        return None

    def element_axes(self, call, axes):
        return (Axis("cell", (None, "cell")),)

    def _layout(self, element, scope):
        options = element.presentation
        cells = int(options.option("cells", CELLS))  # type: ignore[arg-type]
        return scope.atlas_layout(element, cells, str(options.option("layout", LAYOUT)))

    def content_node(self, element, scope):
        return self._layout(element, scope)

    def icon_layers(self, element):
        source = element.content.source
        return ((source.model, source.layer),)

    def icon_reads(self, element, scope):
        return (self._layout(element, scope),)

    def icon_side(self, element, shape):
        options = element.presentation
        cells = int(options.option("cells", CELLS))  # type: ignore[arg-type]
        return ICON_SHARE * float(options.option("size", SIZE)) / cells  # type: ignore[arg-type]

    def view_reads(self, element, scope):
        return (self._layout(element, scope),)

    def icon_counts(self, element, sizes):
        source = element.content.source
        cells = int(element.presentation.option("cells", CELLS))  # type: ignore[arg-type]
        return {(source.model, source.layer): cells * cells}
