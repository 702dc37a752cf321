"""Elements: contents (`activations`, `attribution`, `correlation`), operations and
presentations by name, and `Pipeline` (a content and its operations so far), which
`.as_(presentation)` finishes into an `Element`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interp.syntax import ast
from interp.syntax.builder.literals import (
    RESERVED,
    BuilderValue,
    args,
    identifier,
    substrate_value,
)


class _Factory(BuilderValue):
    """An operation or presentation by name: usable bare (`| softmax`, `as_(bars)`)
    or called with arguments (`top(6, per="target")`, `feature_vis(bars=True)`)."""

    def __init__(self, name: str, kind: type[ast.Call]):
        what = "an operation's name" if kind is ast.Operation else "a presentation's name"
        self.name = identifier(name, what, RESERVED | {"output"})
        self.kind = kind

    def __call__(self, *positional: Any, **keywords: Any) -> ast.Call:
        return self.kind(name=self.name, args=args(self.name, positional, keywords))

    def to_value(self) -> ast.Value:
        return ast.Name(name=self.name)

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _as(x: Any, kind: type[ast.Call]) -> ast.Call:
    if isinstance(x, _Factory) and x.kind is kind:
        return x()
    if isinstance(x, kind):
        return x
    what = "an operation" if kind is ast.Operation else "a presentation"
    raise TypeError(f"expected {what}, like top(5) or feature_vis(bars=True); got {x!r}")


select = _Factory("select", ast.Operation)
top = _Factory("top", ast.Operation)
reduce = _Factory("reduce", ast.Operation)
softmax = _Factory("softmax", ast.Operation)
sum_ = _Factory("sum", ast.Operation)
mean = _Factory("mean", ast.Operation)
count = _Factory("count", ast.Operation)
quantile = _Factory("quantile", ast.Operation)

feature_vis = _Factory("feature_vis", ast.Presentation)
heatmap = _Factory("heatmap", ast.Presentation)
bars = _Factory("bars", ast.Presentation)
grid = _Factory("grid", ast.Presentation)
image = _Factory("image", ast.Presentation)
sankey = _Factory("sankey", ast.Presentation)
examples = _Factory("examples", ast.Presentation)
atlas = _Factory("atlas", ast.Presentation)


def operation(name: str, *positional: Any, **keywords: Any) -> ast.Operation:
    """Any operation by name, for ones without a helper here."""
    return _Factory(name, ast.Operation)(*positional, **keywords)


def presentation(name: str, *positional: Any, **keywords: Any) -> ast.Presentation:
    """Any presentation by name, for ones without a helper here."""
    return _Factory(name, ast.Presentation)(*positional, **keywords)


@dataclass(frozen=True)
class Pipeline:
    """Content and its operations so far; `.as_(presentation)` finishes an element."""

    content: ast.Content
    ops: tuple[ast.Operation, ...] = ()

    def __or__(self, op: Any) -> Pipeline:
        return Pipeline(self.content, self.ops + (_as(op, ast.Operation),))

    def pipe(self, op: Any) -> Pipeline:
        return self | op

    def select(self, *positional: Any, **keywords: Any) -> Pipeline:
        return self | select(*positional, **keywords)

    def top(self, k: int, **options: Any) -> Pipeline:
        return self | top(k, **options)

    def reduce(self, method: str, n: int) -> Pipeline:
        return self | reduce(method, n)

    def softmax(self) -> Pipeline:
        return self | softmax

    def sum(self, **options: Any) -> Pipeline:
        return self | sum_(**options)

    def mean(self, **options: Any) -> Pipeline:
        """`| mean(over=example)`."""
        return self | mean(**options)

    def count(self, **options: Any) -> Pipeline:
        """`| count(over=example, top=5)`: how often each atom is among an example's 5 strongest."""
        return self | count(**options)

    def quantile(self, q: float, **options: Any) -> Pipeline:
        """`| quantile(0.9, over=example)`."""
        return self | quantile(q, **options)

    def as_(self, presentation: Any) -> Element:
        return Element(self.content, self.ops, _as(presentation, ast.Presentation))


@dataclass(frozen=True)
class Element:
    """An element waiting for its name (the key of `interface(elements={...})`)."""

    content: ast.Content
    ops: tuple[ast.Operation, ...]
    presentation: ast.Presentation

    def statement(self, name: str) -> ast.ElementStmt:
        return ast.ElementStmt(
            name=name, content=self.content, ops=self.ops, presentation=self.presentation
        )

    def to_text(self, name: str = "_") -> str:
        return self.statement(name).to_text()


def activations(substrate: Any, **options: Any) -> Pipeline:
    """`activations(S)`: the activation values of S's atoms; `over=ref("pics")` over a dataset."""
    return Pipeline(
        ast.Activations(
            substrate=substrate_value(substrate, "activations"),
            options=args("activations", (), options),
        )
    )


def attribution(source: Any, target: Any, **options: Any) -> Pipeline:
    """`attribution(S -> T, method=..., maxpool=...)`: each atom of S to each atom of T."""
    return Pipeline(
        ast.Attribution(
            source=substrate_value(source, "attribution"),
            target=substrate_value(target, "attribution"),
            options=args("attribution", (), options),
        )
    )


def ablation(source: Any, target: Any, **options: Any) -> Pipeline:
    """`ablation(S -> T, to=zero|mean|input("other.jpg"))`: the change in T as each atom
    of S alone is ablated (original − ablated)."""
    return Pipeline(
        ast.Ablation(
            source=substrate_value(source, "ablation"),
            target=substrate_value(target, "ablation"),
            options=args("ablation", (), options),
        )
    )


def correlation(source: Any, target: Any, **options: Any) -> Pipeline:
    """`correlation(A -> B, over=D)`: each channel of A with each channel of B over a dataset."""
    return Pipeline(
        ast.Correlation(
            source=substrate_value(source, "correlation"),
            target=substrate_value(target, "correlation"),
            options=args("correlation", (), options),
        )
    )


def weights(source: Any, target: Any, **options: Any) -> Pipeline:
    """`weights(A.channels -> B.channels)`: the kernel (or expanded weights) from A to B."""
    return Pipeline(
        ast.Weights(
            source=substrate_value(source, "weights"),
            target=substrate_value(target, "weights"),
            options=args("weights", (), options),
        )
    )
