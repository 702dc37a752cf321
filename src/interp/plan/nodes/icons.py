"""The feature-visualization nodes: what icons an element shows, and the batches that draw them.

Elements ask (`IconObjectives`); one `Visualize` per (model, layer, side,
diversity) across the whole file answers every request, so icons of the same
layer are optimized in one batch whichever element wants them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from interp.check.program import Element
from interp.models.spec import ModelSpec
from interp.plan.nodes.node import Node


@dataclass(frozen=True)
class IconObjectives(Node):
    """Which feature visualizations an element shows: its presentation reads `inputs`.

    `diversity`: how many different pictures each atom gets (`feature_vis(diversity=N)`).
    """

    presentation: str
    element: Element
    reads: tuple[Node, ...]
    model: ModelSpec  # the interface's: icons on "the model" are drawn on it
    # (model, layer, side in pixels) of its icons: one `Visualize` each (`plan.sizing`)
    layers: tuple[tuple[ModelSpec, str, int], ...]
    diversity: int = 1


@dataclass(frozen=True)
class Visualize(Node):
    """One batched optimization for every icon of one layer of one model at one side (pixels).

    With `diversity` N, each objective gets N pictures pushed apart by Lucid's
    diversity term; requests of different diversities are different batches.
    """

    model: ModelSpec
    layer: str
    requests: tuple[IconObjectives, ...]
    quality: str
    size: int
    steps: int | None = None
    diversity: int = 1

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        each = f", {self.diversity} diverse pictures per atom" if self.diversity > 1 else ""
        return f"visualize {self.layer} at {self.size}px: one batch at quality {self.quality}{each}"
