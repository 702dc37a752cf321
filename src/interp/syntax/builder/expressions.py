"""Expressions: `Expr` (a value with the grammar's members on it), the substrates
`input`, `output[...]`, `layer(...)` and `ref(...)`, and calls (`call`,
`sample`, `dataset`, `model`).
"""

from __future__ import annotations

from typing import Any

from interp.syntax import ast
from interp.syntax.builder.elements import Element, Pipeline
from interp.syntax.builder.literals import (
    RESERVED,
    BuilderValue,
    args,
    bare,
    identifier,
    model_ref,
)


class Expr(BuilderValue):
    """A value (substrate, selection, name, call) with the grammar's members on it."""

    __slots__ = ("node",)

    def __init__(self, node: ast.Value):
        self.node = node

    def to_value(self) -> ast.Value:
        return self.node

    # atoms
    @property
    def spatial(self) -> Expr:
        return self.member("spatial")

    @property
    def channels(self) -> Expr:
        return self.member("channels")

    @property
    def neurons(self) -> Expr:
        return self.member("neurons")

    def groups(self, k: int, **options: Any) -> Expr:
        """`.groups(k, factorize=nmf, of=activations)`: k groups by matrix factorization."""
        return self.member("groups", k, **options)

    # selections of an element
    @property
    def hover(self) -> Expr:
        return self.member("hover")

    @property
    def click(self) -> Expr:
        return self.member("click")

    # a dataset's examples, selected
    def where(self, **conditions: Any) -> Expr:
        """`D.where(label="cat")`, `where(label=["cat", "dog"])`, `where(predicted="tabby")`,
        `where(correct=False)`: the examples of a dataset that match."""
        return self.member("where", **conditions)

    def member(self, name: str, *positional: Any, **keywords: Any) -> Expr:
        """`base.name`, or `base.name(args)` when given arguments."""
        name = identifier(name, "a member name")
        call_args = args(name, positional, keywords) if positional or keywords else None
        return Expr(ast.Member(base=self.node, name=name, args=call_args))

    def __getitem__(self, indices: int | tuple[int, ...]) -> Expr:
        """`L.channels[222, 141]`: some channels by index (what an edit changes)."""
        indices = (indices,) if isinstance(indices, int) else tuple(indices)
        node = self.node
        if not (isinstance(node, ast.Member) and node.name == "channels" and node.args is None):
            raise TypeError(f"only L.channels takes indices, not {node.to_text()}")
        if not indices or not all(isinstance(i, int) and not isinstance(i, bool) for i in indices):
            raise TypeError("channels[...] takes whole numbers, e.g. channels[222, 141]")
        return Expr(ast.Picked(base=node, indices=indices))

    # a bare substrate as content: `input as image(grid=L.spatial)`
    def __or__(self, operation: Any) -> Pipeline:
        return self._content() | operation

    def as_(self, presentation: Any) -> Element:
        return self._content().as_(presentation)

    def _content(self) -> Pipeline:
        node = self.node
        if isinstance(node, ast.Call) and node.name in ("activations", "attribution"):
            raise ValueError(f"write {node.name}(...) with the builder's {node.name}, not call()")
        return Pipeline(ast.SubstrateContent(substrate=node))

    def to_text(self) -> str:
        return self.node.to_text()

    def __repr__(self) -> str:
        return f"<{self.to_text()}>"


class _Output(Expr):
    """`output`, and `output["tabby", ...]` for some classes."""

    __slots__ = ()

    def __getitem__(self, labels: str | tuple[str, ...]) -> Expr:
        labels = (labels,) if isinstance(labels, str) else tuple(labels)
        return Expr(ast.OutputRef(labels=labels))


class _Input(Expr):
    """`input`, and `input("other.jpg")`: another image (an ablation's patch source)."""

    __slots__ = ()

    def __call__(self, image: Any) -> Expr:
        return Expr(ast.Call(name="input", args=args("input", (image,), {})))


input = _Input(ast.InputRef())  # the input pixels (shadows the builtin, as in the text)
output = _Output(ast.OutputRef())


def layer(path: str, model: Any = None) -> Expr:
    """A layer of the model, by its `named_modules()` path; with `model` (a name such
    as ``"efficientnet_lite1"`` or `model.torchvision(...)`), a layer of that model."""
    return Expr(ast.LayerRef(path=path, model=None if model is None else model_ref(model)))


def ref(name: str) -> Expr:
    """A bare name: a `let` or element reference (`ref("mid").channels`,
    `ref("picker").hover`), or a keyword value (`ref("nmf")`)."""
    return Expr(bare(identifier(name)))


def call(name: str, *positional: Any, **keywords: Any) -> Expr:
    """Any call, e.g. `method=call("integrated_gradients", steps=32)`."""
    name = identifier(name, "a call's name", RESERVED | {"layer"})
    return Expr(ast.Call(name=name, args=args(name, positional, keywords)))


def sample(name: str) -> Expr:
    """A bundled sample image: `sample("chelsea")`."""
    return call("sample", name)


def dataset(source: Any, **options: Any) -> Expr:
    """A dataset: `dataset("photos/**/*.jpg", limit=100, seed=0)` or
    `dataset(samples(), crops=256, seed=0)`."""
    return call("dataset", source, **options)


def samples() -> Expr:
    """The bundled natural photographs, as a dataset's source: `dataset(samples())`."""
    return call("samples")


class Edited(Expr):
    """A model with edits: `model("efficientnet_lite0").with_(ablate(...))`, for `interface(model=...)`."""

    __slots__ = ("edits",)

    def __init__(self, node: ast.Value, edits: tuple[ast.Value, ...]):
        super().__init__(node)
        self.edits = edits

    def to_text(self) -> str:
        return f"{self.node.to_text()} with {', '.join(e.to_text() for e in self.edits)}"


def with_(model_: Any, *edits: Any) -> Edited:
    """`MODEL with EDIT, ...`: `model_` (a name or `model(...)`) edited by `ablate`/`steer`/`clamp`."""
    if not edits:
        raise ValueError(
            "with_(model, ...) needs at least one edit: ablate(...), steer(...), clamp(...)"
        )
    return Edited(
        model_ref(model_), tuple(e.to_value() if isinstance(e, Expr) else e for e in edits)
    )


def ablate(atoms: Any, to: Any = None) -> Expr:
    """`ablate(L.channels[i, ...], to=zero|mean|input("other.jpg"))`."""
    return call("ablate", atoms) if to is None else call("ablate", atoms, to=to)


def steer(atoms: Any, by: float) -> Expr:
    """`steer(L.channels[i, ...], by=3.0)`: add by × the channel's std over positions."""
    return call("steer", atoms, by=by)


def clamp(atoms: Any, **bounds: float) -> Expr:
    """`clamp(L.channels[i, ...], min=0, max=1)`."""
    return call("clamp", atoms, **bounds)


class _Model:
    """`model("efficientnet_lite0")`, `model("efficientnet_lite0", weights="random",
    seed=0)`, `model.torchvision("googlenet", weights="g.pth")`, `model.timm(...)`."""

    def __call__(self, name: str, **options: Any) -> Expr:
        if not options:
            return Expr(ast.Name(name=name))
        return call(name, **options)

    def torchvision(self, architecture: str, **options: Any) -> Expr:
        return call("torchvision", architecture, **options)

    def timm(self, architecture: str, **options: Any) -> Expr:
        return call("timm", architecture, **options)

    def with_(self, name: Any, *edits: Any) -> Edited:
        """`model.with_("efficientnet_lite0", ablate(...))`: an edited model."""
        return with_(name, *edits)


model = _Model()
