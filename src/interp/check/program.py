"""The bound AST: what the checker hands the planner.

Names are resolved, `extends` is merged, substrates know their layer and
atoms, and every content knows its axes. These are plain frozen dataclasses:
hashable, span-free where it matters (spans ride along only for messages and
do not take part in equality), so the planner can merge equal work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from interp.data.datasets import DatasetSpec
from interp.data.images import ImageSpec
from interp.errors import Span
from interp.models.spec import ModelSpec
from interp.vocabulary.axes import Axis

AtomKind = Literal["spatial", "channels", "neurons", "groups", "classes"]


@dataclass(frozen=True)
class Groups:
    """`L.groups(k, factorize=nmf, of=activations, target=...)`: k groups found by NMF."""

    layer: str
    k: int
    factorize: str = "nmf"
    of: str = "activations"
    target: str | None = None  # class label for of=gradient/attribution; None = top class
    compatible: Groups | None = None  # a later layer's groups these are made compatible with


@dataclass(frozen=True)
class Substrate:
    """Where content lives, broken into atoms.

    kind: "layer" | "input" | "output". `atoms` is None for a bare substrate
    (`input` in `input as image(...)`). `footprint` marks `groups.spatial`.
    `model` is the model a layer belongs to: None for the interface's model,
    another for `layer("x", model=efficientnet_lite1)`.
    """

    kind: Literal["layer", "input", "output"]
    layer: str | None = None
    atoms: AtomKind | None = None
    labels: tuple[str, ...] = ()
    groups: Groups | None = None
    footprint: bool = False
    model: ModelSpec | None = None
    span: Span | None = field(default=None, compare=False, hash=False)

    def describe(self) -> str:
        model = f", model={self.model.to_text()}" if self.model else ""
        where = {"input": "input", "output": "output"}.get(
            self.kind, f'layer("{self.layer}"{model})'
        )
        if self.labels:
            where += "[" + ", ".join(f'"{x}"' for x in self.labels) + "]"
        if self.groups:
            return f"{where}.groups({self.groups.k})" + (".spatial" if self.footprint else "")
        return f"{where}.{self.atoms}" if self.atoms and self.kind != "output" else where


@dataclass(frozen=True)
class Method:
    """`method=NAME` or `method=NAME(arg=value)`: an attribution method by its name in
    `interp.vocabulary.methods`, with its arguments."""

    name: str = "linear"
    arguments: tuple[tuple[str, object], ...] = ()

    def describe(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.arguments)
        return f"{self.name}({args})" if args else self.name


@dataclass(frozen=True)
class Content:
    """What an element computes. `over` is the dataset of `activations(..., over=D)`,
    `attribution(..., over=D)` and `correlation(A -> B, over=D)`; None: the input image."""

    kind: Literal["activations", "attribution", "correlation", "weights", "substrate"]
    source: Substrate
    target: Substrate | None = None
    method: Method = Method()
    maxpool: Literal["default", "relaxed"] = "default"
    over: DatasetSpec | None = None


@dataclass(frozen=True)
class SelectFrom:
    """`select(E.hover)`: bind `bindings` (E's axis name → this content's axis name).

    `how` is "bind" for coordinates; an atlas's cells select differently: "members"
    keeps the examples whose sampled vectors fall in the cell, "project" projects a
    layer's activation vectors onto the cell's mean direction.
    """

    element: str
    event: Literal["hover", "click"]
    bindings: tuple[tuple[str, str], ...]
    how: Literal["bind", "members", "project"] = "bind"


@dataclass(frozen=True)
class SelectAt:
    """`select(channel=[12, 40], x=3)`: bind axes to literal coordinates."""

    coords: tuple[tuple[str, tuple[int | str, ...]], ...]


@dataclass(frozen=True)
class Top:
    k: int
    per: Literal["source", "target"] | None = None


@dataclass(frozen=True)
class Reduce:
    method: Literal["pca", "nmf"]
    n: int


@dataclass(frozen=True)
class Softmax:
    pass


@dataclass(frozen=True)
class Sum:
    over: tuple[str, ...]


@dataclass(frozen=True)
class Aggregate:
    """`| mean(over=example)`, `sum`, `count(over=example, top=k)` (how often each atom is
    among the k strongest), `quantile(q, over=example)`: the axes `over` go."""

    how: Literal["mean", "sum", "count", "quantile"]
    over: tuple[str, ...]
    q: float | None = None
    top: int | None = None

    @property
    def over_examples(self) -> bool:
        return "example" in self.over

    def describe(self) -> str:
        what = {"count": f"count in the top {self.top}", "quantile": f"quantile {self.q}"}
        return f"{what.get(self.how, self.how)} over {', '.join(self.over)}"


Op = SelectFrom | SelectAt | Top | Reduce | Softmax | Sum | Aggregate


@dataclass(frozen=True)
class Presentation:
    kind: str
    options: tuple[tuple[str, object], ...] = ()

    def option(self, name: str, default: object = None) -> object:
        return dict(self.options).get(name, default)


@dataclass(frozen=True)
class Element:
    name: str
    content: Content
    ops: tuple[Op, ...]
    presentation: Presentation
    axes: tuple[Axis, ...]  # the free axes after the operations
    span: Span | None = field(default=None, compare=False, hash=False)

    @property
    def selections(self) -> tuple[SelectFrom, ...]:
        return tuple(op for op in self.ops if isinstance(op, SelectFrom))

    @property
    def atom_axes(self) -> tuple[Axis, ...]:
        return tuple(a for a in self.axes if a.role == "atom")


@dataclass(frozen=True)
class Interface:
    name: str
    title: str
    model: ModelSpec
    image: ImageSpec
    elements: tuple[Element, ...]  # ordered so every selection's source comes first
    layout: object = None  # ast.Layout or None
    span: Span | None = field(default=None, compare=False, hash=False)
    model_span: Span | None = field(default=None, compare=False, hash=False)
    image_span: Span | None = field(default=None, compare=False, hash=False)

    def element(self, name: str) -> Element:
        return next(e for e in self.elements if e.name == name)


@dataclass(frozen=True)
class Program:
    """A checked file: its interfaces and comparisons."""

    interfaces: tuple[Interface, ...]
    comparisons: tuple[tuple[str, ...], ...] = ()
    source: str = field(default="", compare=False, hash=False)

    def interface(self, name: str) -> Interface:
        return next(i for i in self.interfaces if i.name == name)
