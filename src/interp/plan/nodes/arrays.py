"""The nodes of pure array work: an element's content, its operations, final array and atoms.

None of these runs a backward pass or an optimization; they read the model
passes (`plan.nodes.passes`) and reshape what those recorded. `Atoms` is what
an element offers to other elements' selections.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from interp.check.program import Axis, Op, Substrate
from interp.plan.nodes.node import Node
from interp.plan.nodes.passes import Factorize, Forward


@dataclass(frozen=True)
class Activations(Node):
    """`activations(S)`: a layer's cube, the logits, the input pixels or a layer's groups."""

    forward: Forward
    substrate: Substrate
    factors: Factorize | None = None

    needs_model: ClassVar[bool] = True  # input pixels are preprocessed by the model's handle

    def describe(self) -> str:
        return f"activations {self.substrate.describe()}"


@dataclass(frozen=True)
class Magnitude(Node):
    """The norm of a layer's activation vector at each position `(y, x)`."""

    forward: Forward
    layer: str

    def describe(self) -> str:
        return f"magnitude of {self.layer}'s activation vectors"


@dataclass(frozen=True)
class Operation(Node):
    """One operation on a content; `axes` are the content's axes before it.

    A `select(E.hover)` reads `selector`, the atoms `E` offers: the page
    can show any of them, so the result holds one slice per atom.
    """

    input: Node
    op: Op
    axes: tuple[Axis, ...]
    selector: Atoms | None = None
    cells: Node | None = None  # an atlas's layout, for a selection of its cells

    def describe(self) -> str:
        return f"{type(self.op).__name__.lower()} {_op_text(self.op)}".rstrip()


@dataclass(frozen=True)
class Collapse(Node):
    """An element's final array: unbound drill-down axes summed away."""

    input: Node
    drill: tuple[str, ...]


@dataclass(frozen=True)
class Atoms(Node):
    """The atoms an element offers to selections, strongest first."""

    array: Collapse
    axes: tuple[str, ...]

    def describe(self) -> str:
        return f"atoms over {', '.join(self.axes) or '-'}"


def _op_text(op: Op) -> str:
    fields = dataclasses.asdict(op)
    return ", ".join(f"{k}={v}" for k, v in fields.items())
