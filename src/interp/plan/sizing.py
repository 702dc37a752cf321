"""How many pixels each icon is optimized at: what its page shows, and no more.

A presentation says at what side, in CSS pixels, it draws an element's icons
(`Presentation.icon_side`: a grid cell from its layout, a feature_vis row, a
sankey node). The planner optimizes each icon at twice that side, for
high-density screens, rounded up to a multiple of `STEP` so near-equal
requests share one picture; never below the layer's effective receptive field
(`models.receptive`: an icon smaller than its layer's pattern cannot show
it); never above the quality preset's size, which keeps its meaning for the
largest icons. The side is part of the plan's `Visualize` node, so icons of
equal objective and side are one optimization however many elements show them.

Optimization time grows with the square of the side: the activation grid's
784 early cells are drawn 14 px wide, and optimizing them at 128 px spent
most of a page's time on pixels no screen shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from interp.models.spec import ModelSpec

HIDPI = 2  # device pixels per CSS pixel an icon is optimized for
STEP = 16  # sides are multiples of this


@dataclass(frozen=True)
class LayerFacts:
    """What sizing reads from the models: a layer's output shape `(C, H, W)` (None when it
    has none) and its effective receptive field in input pixels."""

    shape: Callable[[ModelSpec, str], tuple[int, ...] | None]
    receptive: Callable[[ModelSpec, str], int]

    @classmethod
    def of_models(cls, device: str = "cpu", models=None) -> LayerFacts:
        """Facts read from the models themselves, loaded (once per process) on `device`."""
        from interp.models.load import layer_table, load_model
        from interp.models.receptive import receptive_field

        def shape(model: ModelSpec, layer: str) -> tuple[int, ...] | None:
            table = layer_table(load_model(model, device, models=models))
            return next((info.shape for info in table if info.name == layer), None)

        def receptive(model: ModelSpec, layer: str) -> int:
            return receptive_field(load_model(model, device, models=models), layer).pattern

        return cls(shape, receptive)


@dataclass(frozen=True)
class IconSizing:
    """The side of each icon: `largest` (the preset's size) caps it; `facts`, when the
    models are known, lay out a presentation's icons and floor them."""

    largest: int
    facts: LayerFacts | None = None

    def side(self, model: ModelSpec, layer: str, shown: float | None) -> int:
        """Pixels to optimize an icon of `layer` drawn `shown` CSS pixels wide (None: unknown)."""
        if shown is None:
            return self.largest
        wanted = round_up(HIDPI * shown)
        floor = round_up(self.facts.receptive(model, layer)) if self.facts else STEP
        return max(1, min(self.largest, max(wanted, floor)))

    def shape(self, model: ModelSpec, layer: str) -> tuple[int, ...] | None:
        """`layer`'s output shape on `model`; None when the models are not known."""
        return self.facts.shape(model, layer) if self.facts else None


def round_up(pixels: float) -> int:
    return int(STEP * math.ceil(pixels / STEP))
