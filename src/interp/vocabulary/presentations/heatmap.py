"""`as heatmap(over=input)`: values over a grid of positions, upsampled onto the input."""

from __future__ import annotations

from interp.vocabulary.axes import free_atoms, names
from interp.vocabulary.presentations.base import Presentation, spatial_atoms
from interp.vocabulary.signatures import Param, Signature

SIZE = 240  # the plot's longest side, in CSS pixels
MAX_CELLS = 56  # pixel-level maps are sum-pooled to at most this many cells a side


class Heatmap(Presentation):
    name = "heatmap"
    signature = Signature(
        "heatmap",
        (Param("over", "choice", ("input",)), Param("color", "choice", ("atom", "value"))),
        "heatmap(over=input) or heatmap(over=input, color=atom)",
    )

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        atoms = free_atoms(axes)
        spatial = spatial_atoms(axes)
        if len(spatial) < 2:
            return (
                "heatmap needs positions (x, y) to draw over the input",
                f"this content's free axes: {names(atoms)}; use .spatial atoms, or select the other axes",
            )
        several = [
            a for a in atoms if a not in spatial and not (a.name == "class" and _one_class(content))
        ]
        if several and call.option("color") != "atom":
            return (
                f"heatmap shows one map, but {names(tuple(several))} is still free",
                "select one atom first, or draw each atom in its own colour: heatmap(over=input, color=atom)",
            )
        return None


def _one_class(content) -> bool:
    target = content.target if content.kind == "attribution" else content.source
    return target is not None and target.kind == "output" and len(target.labels) == 1
