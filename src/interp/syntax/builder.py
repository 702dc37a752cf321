"""The Python builder: the grammar as a fluent API that makes the parser's AST.

There is one representation: `interface(...)` returns the same
:class:`~interp.syntax.ast.Interface` that parsing the equivalent text gives, so a
notebook and a `.interp` file are interchangeable (`to_text` prints either).

    mid = layer("blocks.4.2.bn1")
    teaser = interface(
        "teaser", "Egyptian cat or tabby?",
        model="efficientnet_lite0",
        input=sample("chelsea"),
        let={"mid": mid, "cats": output["Egyptian cat", "tabby"]},
        elements={
            "detectors": attribution(ref("mid").channels, ref("cats"))
            .top(6, per="target")
            .as_(feature_vis(bars=True)),
            "where": activations(ref("mid").spatial)
            .select(ref("detectors").hover)
            .as_(heatmap(over=input)),
        },
        layout=row("detectors", "where"),
    )

Python values become literals: `str` → a string, `int`/`float` → a number,
`bool` → `true`/`false`, lists and tuples → lists. The one exception is where
the language takes a *keyword*, written bare in the text (`per=target`,
`factorize=nmf`, `reduce(pca, 3)`): there an identifier string becomes a bare
name. Those places are the parameters in :data:`KEYWORD_PARAMETERS` and the
first argument of `reduce`; for `weights` only `"random"` is a keyword (any
other string is a path to a weights file). `"input"` and `"output"` there mean
the substrates. Anywhere else, `ref("x")` writes a bare name, and `input`,
`output[...]`, `layer(...)` and `ref(...)` write substrates.

Python keywords can be written with a trailing underscore: `select(class_="tabby")`.

What the grammar could not read back is refused with a ValueError that names
the argument: names that are not identifiers (or are words of the language
where a name stands, like `input`), and numbers that do not print as
themselves (NaN, infinities, integers with too many digits).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from interp.syntax import ast

ANY: None = None  # every identifier is a keyword here
NONE: frozenset[str] = frozenset()  # strings stay strings

# Parameter → the strings that are keywords there.
KEYWORD_PARAMETERS: dict[str, frozenset[str] | None] = {
    "per": ANY,  # top(k, per=source|target)
    "factorize": ANY,  # groups(k, factorize=nmf)
    "of": ANY,  # groups(k, of=activations|gradient|attribution)
    "over": ANY,  # heatmap(over=input), sum(over=channel)
    "size_by": ANY,  # grid(size_by=magnitude)
    "color": ANY,  # grid(color=value), heatmap(color=atom)
    "icons": ANY,  # sankey(icons=feature_vis)
    "method": ANY,  # attribution(..., method=grad_cam)
    "maxpool": ANY,  # attribution(..., maxpool=relaxed)
    "layout": ANY,  # atlas(cells=12, layout=umap)
    "weights": frozenset({"random"}),  # model(..., weights=random) but weights="g.pth"
}
# Calls whose first positional arguments are keywords: reduce(pca, 3).
KEYWORD_POSITIONALS: dict[str, int] = {"reduce": 1}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # the grammar's NAME
# Words that read back as values of their own wherever a name may stand.
RESERVED = frozenset({"input", "true", "false"})


# ---- values ------------------------------------------------------------------------


def value(x: Any, *, keywords: frozenset[str] | None = NONE) -> ast.Value:
    """A Python value as an AST value; identifier strings among `keywords` (all of
    them for ANY) become bare names."""
    if isinstance(x, Expr):
        return x.node
    if isinstance(x, _Factory):
        return ast.Name(name=x.name)  # sankey(icons=feature_vis)
    if isinstance(x, ast.Node):
        return x
    if isinstance(x, bool):
        return ast.Bool(value=x)
    if isinstance(x, Integral | Real):
        return ast.Num(value=_number(x))
    if isinstance(x, str):
        if _NAME.fullmatch(x) and (keywords is ANY or x in keywords):
            return _bare(x)
        return ast.Str(value=x)
    if isinstance(x, (list, tuple)):
        return ast.ListValue(items=tuple(value(item, keywords=keywords) for item in x))
    raise TypeError(f"cannot use {type(x).__name__} {x!r} in an interface")


def _number(x: Integral | Real) -> int | float:
    """An int or a finite float that prints as itself; ValueError otherwise."""
    return ast.printable(int(x) if isinstance(x, Integral) else float(x))


def _bare(text: str) -> ast.Value:
    """What the parser makes of a bare identifier."""
    if text in ("true", "false"):
        return ast.Bool(value=text == "true")
    if text == "input":
        return ast.InputRef()
    if text == "output":
        return ast.OutputRef()
    return ast.Name(name=text)


def args(call: str, positional: Sequence[Any], keywords: Mapping[str, Any]) -> tuple[ast.Arg, ...]:
    """Call arguments, keyword values converted by the rule in the module docstring."""
    bare = KEYWORD_POSITIONALS.get(call, 0)
    out = [
        ast.Arg(value=_argument(call, f"argument {i + 1}", x, ANY if i < bare else NONE))
        for i, x in enumerate(positional)
    ]
    for raw, x in keywords.items():
        name = raw[:-1] if raw.endswith("_") and raw[:-1].isidentifier() else raw
        name = _name(name, f"{call}(...): a keyword name", RESERVED)
        keywords_here = KEYWORD_PARAMETERS.get(name, NONE)
        out.append(ast.Arg(name=name, value=_argument(call, f"{name}=", x, keywords_here)))
    return tuple(out)


def _argument(call: str, where: str, x: Any, keywords: frozenset[str] | None) -> ast.Value:
    try:
        return value(x, keywords=keywords)
    except ValueError as exc:
        raise ValueError(f"{call}(...): {where} {exc}") from None


def _name(text: str, what: str = "a name", reserved: frozenset[str] = frozenset()) -> str:
    """A name the grammar can print and read back as the same name."""
    if not isinstance(text, str) or not _NAME.fullmatch(text):
        raise ValueError(
            f"{what} must be letters, digits and _ (not starting with a digit): {text!r}"
        )
    if text in reserved:
        raise ValueError(f"{what} cannot be {text!r}, a word of the language there")
    return text


def _substrate(x: Any, what: str) -> ast.Value:
    if isinstance(x, str):
        raise TypeError(f"{what} takes a substrate, not the string {x!r}: write ref({x!r})")
    return value(x)


class Expr:
    """A value (substrate, selection, name, call) with the grammar's members on it."""

    __slots__ = ("node",)

    def __init__(self, node: ast.Value):
        self.node = node

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

    def member(self, name: str, *positional: Any, **keywords: Any) -> Expr:
        """`base.name`, or `base.name(args)` when given arguments."""
        name = _name(name, "a member name")
        call_args = args(name, positional, keywords) if positional or keywords else None
        return Expr(ast.Member(base=self.node, name=name, args=call_args))

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


input = Expr(ast.InputRef())  # the input pixels (shadows the builtin, as in the text)
output = _Output(ast.OutputRef())


def layer(path: str, model: Any = None) -> Expr:
    """A layer of the model, by its `named_modules()` path; with `model` (a name such
    as ``"efficientnet_lite1"`` or `model.torchvision(...)`), a layer of that model."""
    return Expr(ast.LayerRef(path=path, model=None if model is None else _model_ref(model)))


def ref(name: str) -> Expr:
    """A bare name: a `let` or element reference (`ref("mid").channels`,
    `ref("picker").hover`), or a keyword value (`ref("nmf")`)."""
    return Expr(_bare(_name(name)))


def call(name: str, *positional: Any, **keywords: Any) -> Expr:
    """Any call, e.g. `method=call("integrated_gradients", steps=32)`."""
    name = _name(name, "a call's name", RESERVED | {"layer"})
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


model = _Model()


def _model_ref(x: Any) -> ast.Value:
    """A model reference: a bare name for a name string, else the value."""
    return _bare(x) if isinstance(x, str) and _NAME.fullmatch(x) else value(x)


# ---- contents, operations, presentations ------------------------------------------


class _Factory:
    """An operation or presentation by name: usable bare (`| softmax`, `as_(bars)`)
    or called with arguments (`top(6, per="target")`, `feature_vis(bars=True)`)."""

    def __init__(self, name: str, kind: type[ast.Call]):
        what = "an operation's name" if kind is ast.Operation else "a presentation's name"
        self.name = _name(name, what, RESERVED | {"output"})
        self.kind = kind

    def __call__(self, *positional: Any, **keywords: Any) -> ast.Call:
        return self.kind(name=self.name, args=args(self.name, positional, keywords))

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
            substrate=_substrate(substrate, "activations"),
            options=args("activations", (), options),
        )
    )


def attribution(source: Any, target: Any, **options: Any) -> Pipeline:
    """`attribution(S -> T, method=..., maxpool=...)`: each atom of S to each atom of T."""
    return Pipeline(
        ast.Attribution(
            source=_substrate(source, "attribution"),
            target=_substrate(target, "attribution"),
            options=args("attribution", (), options),
        )
    )


def correlation(source: Any, target: Any, **options: Any) -> Pipeline:
    """`correlation(A -> B, over=D)`: each channel of A with each channel of B over a dataset."""
    return Pipeline(
        ast.Correlation(
            source=_substrate(source, "correlation"),
            target=_substrate(target, "correlation"),
            options=args("correlation", (), options),
        )
    )


# ---- layouts, interfaces, files ---------------------------------------------------------


def row(*items: str | ast.Layout) -> ast.Layout:
    """`row(a, column(b, c))`: elements side by side, by name."""
    return _layout("row", items)


def column(*items: str | ast.Layout) -> ast.Layout:
    """`column(a, b)`: elements one above the other, by name."""
    return _layout("column", items)


def _layout(direction: str, items: tuple[str | ast.Layout, ...]) -> ast.Layout:
    if not items:
        raise ValueError(f"{direction}(...) needs at least one element")
    names = tuple(i if isinstance(i, ast.Layout) else _name(i, "a layout item") for i in items)
    return ast.Layout(direction=direction, items=names)


def interface(
    name: str,
    title: str | None = None,
    *,
    extends: str | ast.Interface | None = None,
    model: Any = None,
    input: Any = None,
    let: Mapping[str, Any] | None = None,
    elements: Mapping[str, Element | ast.ElementStmt] | None = None,
    layout: ast.Layout | None = None,
    comment: str | None = None,
) -> ast.Interface:
    """An interface, its statements in canonical order: model, input, lets, elements,
    layout. `model="efficientnet_lite0"` is the bare model name (`model(...)` adds
    options); `input` is a path or `sample(...)`; `let` maps names to substrates and
    `elements` names to `content.as_(presentation)`; `extends` names the parent (or is
    it); `comment` lines print above the interface."""
    body: list[ast.AnyStatement] = []
    if model is not None:
        body.append(ast.ModelStmt(ref=_model_ref(model)))
    if input is not None:
        body.append(ast.InputStmt(ref=value(input)))
    for let_name, substrate in (let or {}).items():
        value_ = _substrate(substrate, f"let {let_name}")
        body.append(ast.LetStmt(name=_name(let_name, "a let name"), value=value_))
    for element_name, element in (elements or {}).items():
        if isinstance(element, ast.ElementStmt):
            element = Element(element.content, element.ops, element.presentation)
        if not isinstance(element, Element):
            raise TypeError(f"element {element_name}: finish the content with .as_(presentation)")
        body.append(element.statement(_name(element_name, "an element name")))
    if layout is not None:
        body.append(ast.LayoutStmt(layout=layout))
    return ast.Interface(
        name=_name(name, "an interface name"),
        title=title,
        extends=extends.name
        if isinstance(extends, ast.Interface)
        else None
        if extends is None
        else _name(extends, "extends"),
        body=tuple(body),
        comments=tuple(f"# {line}".rstrip() for line in comment.splitlines()) if comment else (),
    )


def compare(*interfaces: str | ast.Interface) -> ast.Compare:
    """`compare a, b`: a side-by-side comparison page."""
    names = tuple(i.name if isinstance(i, ast.Interface) else _name(i) for i in interfaces)
    if len(names) < 2:
        raise ValueError("compare needs two or more interfaces")
    return ast.Compare(names=names)


def spec(*items: ast.Interface | ast.Compare) -> ast.Spec:
    """A file: interfaces and comparisons, in order."""
    return ast.Spec(items=items)


__all__ = [
    "KEYWORD_PARAMETERS",
    "Element",
    "Expr",
    "Pipeline",
    "activations",
    "atlas",
    "attribution",
    "bars",
    "call",
    "column",
    "compare",
    "correlation",
    "dataset",
    "examples",
    "feature_vis",
    "grid",
    "heatmap",
    "image",
    "input",
    "interface",
    "layer",
    "model",
    "operation",
    "output",
    "presentation",
    "reduce",
    "ref",
    "row",
    "sample",
    "samples",
    "sankey",
    "select",
    "softmax",
    "spec",
    "sum_",
    "top",
    "value",
]
