"""The nodes that run the model over the input: a forward pass, an attribution family, an NMF.

These are the expensive nodes; the planner merges them hardest (one
`Forward` per model and input, one `Attribute` per family, and a forward pass
an attribution's first pass can record is never run on its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from interp.check.program import Groups, Method, Substrate
from interp.data.images import ImageSpec
from interp.models.spec import ModelSpec
from interp.plan.nodes.node import Node, Restriction


@dataclass(frozen=True)
class Attribute(Node):
    """One attribution family: every atom of `source` to every target scalar, batched.

    `restrict` bounds the target classes or channels to what selections can
    reach: literal coordinates, or the atoms another element offers (an edge
    to its `Atoms` node); empty = all targets. `capture` / `logits`: what the
    family's first pass over the input also records, so that pass doubles as
    the interface's forward pass (see `Forward.carrier`).
    """

    model: ModelSpec
    image: ImageSpec
    source: Substrate
    target: Substrate
    method: Method
    maxpool: str
    restrict: tuple[Restriction, ...] = ()
    factors: tuple[Factorize, ...] = ()
    capture: tuple[str, ...] = ()
    logits: bool = False

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        method = self.method.describe()
        bound = " restricted to selected targets" if self.restrict else ""
        also = " (its first pass is the forward pass)" if self.capture or self.logits else ""
        return (
            f"attribute {self.source.describe()} -> {self.target.describe()} by {method},"
            f" batched{bound}{also}"
        )


@dataclass(frozen=True)
class Forward(Node):
    """One pass of `model` over `image`, recording `layers` (and the logits when `logits`).

    It stops after the deepest layer unless the logits are wanted. When
    `carrier` is set, an attribution's first pass records these instead and
    this node reads them from it: the same pass is never run twice.
    """

    model: ModelSpec
    image: ImageSpec
    layers: tuple[str, ...]
    logits: bool
    carrier: Attribute | None = None

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        captures = f"captures {len(self.layers)} layer(s)" + (
            " and the logits" if self.logits else ""
        )
        head = f"forward {self.model.name}: 1 pass"
        if self.carrier is not None:
            return f"{head}, {captures}, recorded by the attribution's first pass"
        last = (
            "the last of them finishes"
            if len(self.layers) > 1
            else self.layers[0]
            if self.layers
            else ""
        )
        stop = f", stopping after {last}" if self.layers and not self.logits else ""
        return f"{head}, {captures}{stop}"


@dataclass(frozen=True)
class Factorize(Node):
    """NMF of one layer's (positions x channels) activations, gradient or attribution."""

    model: ModelSpec
    image: ImageSpec
    groups: Groups
    forward: Forward
    later: Factorize | None = None  # `compatible=`: the later layer's groups

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        g = self.groups
        also = f", compatible with {g.compatible.layer}'s groups" if g.compatible else ""
        return f"factorize {g.layer}: {g.k} groups by {g.factorize} of {g.of}{also}"
