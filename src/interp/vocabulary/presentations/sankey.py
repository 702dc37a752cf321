"""`as sankey`: flows between the atoms of two substrates, widths by attribution."""

from __future__ import annotations

from interp.vocabulary.axes import free_atoms
from interp.vocabulary.presentations.base import (
    Presentation,
    layer_atom_axes,
    layer_icon_counts,
    layer_icon_reads,
)
from interp.vocabulary.signatures import Param, Signature

NODE = 48  # a node's icon side, in CSS pixels


class Sankey(Presentation):
    name = "sankey"
    signature = Signature(
        "sankey", (Param("icons", "choice", ("feature_vis", "none")),), "sankey(icons=feature_vis)"
    )

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        if {a.side for a in free_atoms(axes)} != {"source", "target"}:
            return (
                "sankey draws flows between two substrates, so it needs source and target atoms free",
                "e.g. attribution(a.groups(5) -> b.groups(5)) as sankey",
            )
        return None

    def icon_layers(self, element):
        if element.presentation.option("icons") == "none":
            return ()
        return tuple(dict.fromkeys((s.model, s.layer) for _, s in layer_atom_axes(element)))

    def icon_reads(self, element, scope):
        return layer_icon_reads(element, scope)

    def view_reads(self, element, scope):
        """The factorizations of its grouped sides: where each group is in the input."""
        return layer_icon_reads(element, scope)

    def icon_side(self, element, shape):
        return float(NODE)

    def icon_counts(self, element, sizes):
        return layer_icon_counts(element, sizes) if self.icon_layers(element) else {}
