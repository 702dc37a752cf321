"""`method=ablation`: the class that registers the declared method, so every method a spec
can name has one. Its values are not gradients: the attribution kernel hands an
ablation family to `interp.execute.ablation` (exact, batched suffix passes)."""

from __future__ import annotations

from interp.execute.attribution.method import AttributionMethod
from interp.vocabulary.methods import ABLATION


class Ablation(AttributionMethod):
    """original − ablated per atom; `to` is "zero", "mean" or a patch image (kind, value)."""

    declaration = ABLATION

    def __init__(self, to: object = "zero"):
        self.to = to
