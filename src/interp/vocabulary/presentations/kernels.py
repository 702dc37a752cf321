"""`as kernels`: each (source, target) channel pair of a `weights` content as its spatial
kernel, a small diverging heatmap, between the two channels' feature visualizations
(the weight figures of the Circuits thread)."""

from __future__ import annotations

from interp.vocabulary.axes import free_atoms, names
from interp.vocabulary.contents import KERNEL_AXES, WEIGHTS
from interp.vocabulary.presentations.base import (
    Presentation,
    layer_atom_axes,
    layer_icon_counts,
)
from interp.vocabulary.signatures import Param, Signature

ICON = 56  # a channel's icon side, in CSS pixels
KERNEL = 72  # a kernel heatmap's side, in CSS pixels
MAX_PAIRS = 24  # pairs drawn per selection subset; the rest are counted in a note


class Kernels(Presentation):
    name = "kernels"
    signature = Signature(
        "kernels",
        (Param("icons", "choice", ("feature_vis", "none")),),
        "kernels or kernels(icons=none)",
    )

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        present = {a.name for a in axes}
        if content.kind != "weights" or not set(KERNEL_AXES) <= present:
            return (
                "kernels draws the spatial kernels of a weights content (axes ky, kx)",
                f"e.g. {WEIGHTS.example} | select(tchannel=12) | top(6) as kernels",
            )
        if not free_atoms(axes):
            return (
                "kernels draws channel pairs, and this content has none free",
                f"free axes: {names(axes)}; keep a channel free, e.g. select(tchannel=12) only",
            )
        return None

    def icon_layers(self, element):
        if element.presentation.option("icons") == "none":
            return ()
        return tuple(dict.fromkeys((s.model, s.layer) for _, s in layer_atom_axes(element)))

    def icon_side(self, element, shape):
        return float(ICON)

    def icon_counts(self, element, sizes):
        if not self.icon_layers(element):
            return {}
        # a bound target channel still draws one icon per subset
        counts = {axis: min(sizes.get(axis, 1), MAX_PAIRS) for axis, _ in layer_atom_axes(element)}
        return layer_icon_counts(element, counts)

    def view_reads(self, element, scope):
        return (scope.contents[element.name],)  # the weights node: how they were found
