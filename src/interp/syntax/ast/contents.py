"""Contents, operations and presentations: the three parts of an element, as typed
wrappers around values.

A content is what is computed (`activations(S)`, `attribution(S -> T)`,
`correlation(A -> B)`, `weights(A -> B)`, or a bare substrate); an operation (`| top(5)`) and a
presentation (`as bars`) are calls that print without empty parentheses.
"""

from __future__ import annotations

from typing import ClassVar

from interp.syntax.ast.node import Node
from interp.syntax.ast.values import Arg, Call, Value


class Activations(Node):
    """`activations(S)`: the activation values of `S`'s atoms; `activations(S, over=D)`
    over each example of a dataset."""

    substrate: Value
    options: tuple[Arg, ...] = ()

    def to_text(self) -> str:
        extra = "".join(", " + a.to_text() for a in self.options)
        return f"activations({self.substrate.to_text()}{extra})"


class ArrowContent(Node):
    """A content written `NAME(source -> target, options...)`; `keyword` is its NAME."""

    keyword: ClassVar[str]
    source: Value
    target: Value
    options: tuple[Arg, ...] = ()

    def to_text(self) -> str:
        extra = "".join(", " + a.to_text() for a in self.options)
        return f"{self.keyword}({self.source.to_text()} -> {self.target.to_text()}{extra})"


class Attribution(ArrowContent):
    """`attribution(S -> T, method=..., maxpool=...)`: each atom of S to each atom of T."""

    keyword = "attribution"


class Correlation(ArrowContent):
    """`correlation(A -> B, over=D)`: each atom of A with each atom of B, over a dataset."""

    keyword = "correlation"


class Weights(ArrowContent):
    """`weights(A.channels -> B.channels)`: how each channel of A feeds each channel of B
    through the parameters alone (the kernel, or the expanded weights)."""

    keyword = "weights"


class Ablation(ArrowContent):
    """`ablation(S -> T, to=zero|mean|input(IMG))`: the change in each atom of T when one
    atom of S alone is ablated (original − ablated)."""

    keyword = "ablation"


class SubstrateContent(Node):
    """A bare substrate as content, e.g. `input as image(grid=L.spatial)`."""

    substrate: Value

    def to_text(self) -> str:
        return self.substrate.to_text()


Content = Activations | Attribution | Correlation | Weights | Ablation | SubstrateContent


class Operation(Call):
    """`| select(...)`, `| top(k, per=...)`, `| reduce(pca, 3)`, `| softmax`, `| sum(over=x)`."""


class Presentation(Call):
    """`as feature_vis(bars=true)`, `as heatmap(over=input)`, ..."""


for _model in (
    Activations,
    ArrowContent,
    Attribution,
    Correlation,
    Weights,
    Ablation,
    SubstrateContent,
    Operation,
    Presentation,
):
    _model.model_rebuild()
