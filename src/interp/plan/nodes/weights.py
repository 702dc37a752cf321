"""The parameters as a substrate: `weights(A -> B)`'s node, which reads no input.

Its value depends on the model alone, so it has no edge to a forward pass or
an image, and the executor caches it by the model's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from interp.models.spec import ModelSpec
from interp.plan.nodes.node import Node, Restriction


@dataclass(frozen=True)
class Weights(Node):
    """How each channel of layer `source` feeds each channel of layer `target`: the kernel
    when `target` is a convolution reading `source` directly, else the expanded weights.
    `restrict` bounds the target channels to what selections can reach (empty: all)."""

    model: ModelSpec
    source: str
    target: str
    restrict: tuple[Restriction, ...] = ()

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        bound = " restricted to selected target channels" if self.restrict else ""
        return f"weights {self.source} -> {self.target} (kernel or expanded weights){bound}"
