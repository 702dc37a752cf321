"""The design space of a file: where each element sits in the article's grid.

*The Building Blocks of Interpretability* draws interfaces on a grid:
substrates (input, the atoms of a hidden layer, output) as rows; what is
computed (content) and how it is shown (presentation) as columns; each
element of an interface is a box in its cell, and interactions are arrows
between boxes. :func:`design_space` builds that diagram's data from
*statically checked* programs (no model is loaded), so several interfaces,
or several files, can be laid over one grid and compared at a glance.

An element sits in the row of the substrate whose atoms it shows: its free
atom axes after the operations (an attribution whose free atoms are all on
the target side, such as ``attribution(L.spatial -> output) | select(...)``
shown as bars of classes, sits in the output row). Cells the file leaves
empty but the grammar allows are *alternatives*, each with an example
element that the static checker accepts (see :data:`ALTERNATIVES`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from interp.check.bound import Content, Element, Interface, Program, Substrate
from interp.errors import InterpError, Span


@dataclass(frozen=True)
class Row:
    """One substrate with its atoms: `group` is "input", "hidden layer" or "output"."""

    key: str
    group: str
    label: str
    detail: str


@dataclass(frozen=True)
class Column:
    """One content kind shown by one presentation."""

    content: str
    presentation: str

    @property
    def key(self) -> str:
        return f"{self.content}/{self.presentation}"


@dataclass(frozen=True)
class Placement:
    """One element of one interface, in its cell. `text` is its source, one line."""

    interface: str
    element: str
    row: str
    column: Column
    substrate: str
    detail: str
    text: str


@dataclass(frozen=True)
class Arrow:
    """`select(source.event)` in `target`: `bindings` are (source axis, target axis)."""

    interface: str
    source: str
    target: str
    event: str
    bindings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Alternative:
    """A cell the grammar allows, with an example element that checks."""

    row: str
    column: Column
    example: str


@dataclass(frozen=True)
class InterfaceSummary:
    name: str
    title: str
    model: str
    file: str


@dataclass(frozen=True)
class DesignSpace:
    """The diagram's data: rows and columns in drawing order, and what fills them."""

    title: str
    interfaces: tuple[InterfaceSummary, ...]
    comparisons: tuple[tuple[str, ...], ...]
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    placements: tuple[Placement, ...]
    arrows: tuple[Arrow, ...]
    alternatives: tuple[Alternative, ...]

    def placement(self, element: str, interface: str | None = None) -> Placement:
        return next(
            p
            for p in self.placements
            if p.element == element and (interface is None or p.interface == interface)
        )


ROWS = (
    Row("input", "input", "input", "the image's pixels"),
    Row("neurons", "hidden layer", "neurons", "one unit (x, y, channel)"),
    Row("spatial", "hidden layer", "spatial", "one position (x, y): a vector"),
    Row("channels", "hidden layer", "channels", "one channel, over all positions"),
    Row("groups", "hidden layer", "groups", "k channel groups found by NMF"),
    Row("output", "output", "output", "the classes (logits)"),
    Row("examples", "dataset", "examples", "one example (image) of a dataset"),
)

CONTENTS = {
    "substrate": "the input itself",
    "activations": "activations",
    "attribution": "attribution",
    "correlation": "correlation over a dataset",
}
PRESENTATIONS = ("image", "feature_vis", "grid", "heatmap", "bars", "sankey", "examples", "atlas")

# Every cell the grammar allows, by an example element; `L` and `K` are hidden
# layers (K before L), `G` is L's groups. Each example's cell is computed by the
# same rule as the file's elements, and a test checks every one.
EXAMPLE_LETS = {
    "K": 'layer("blocks.3.2.bn1")',
    "L": 'layer("blocks.4.2.bn1")',
    "G": 'layer("blocks.4.2.bn1").groups(4)',
    "D": "dataset(samples(), crops=64, seed=0)",
}
EXAMPLE_NAMES = "K, L: two hidden layers (K first); G = L.groups(4); D: a dataset"
ALTERNATIVES = (
    "input as image(grid=L.spatial)",
    'attribution(input.spatial -> output["tabby"]) as heatmap(over=input)',
    "activations(L.neurons) | top(8) as feature_vis",
    "activations(L.neurons) | select(channel=12) as heatmap(over=input)",
    "activations(L.neurons) | top(8) as bars",
    'attribution(L.neurons -> output["tabby"]) | top(8) as feature_vis(bars=true)',
    'attribution(L.neurons -> output["tabby"]) | select(channel=12) as heatmap(over=input)',
    'attribution(L.neurons -> output["tabby"]) | top(8) as bars',
    "activations(L.spatial) | top(8) as feature_vis",
    "activations(L.spatial) as grid(size_by=magnitude)",
    "activations(L.spatial) | select(channel=12) as heatmap(over=input)",
    'attribution(L.spatial -> output["tabby"]) | top(8) as feature_vis',
    "attribution(L.spatial -> output) | reduce(pca, 3) as grid(size_by=magnitude, color=value)",
    'attribution(L.spatial -> output["tabby"]) as heatmap(over=input)',
    "attribution(K.spatial -> L.spatial) | top(3, per=target) as sankey",
    "activations(L.channels) | top(8) as feature_vis(bars=true)",
    "activations(L.channels) | top(8) as bars",
    'attribution(L.channels -> output["tabby"]) | top(8) as feature_vis(bars=true)',
    'attribution(L.channels -> output["tabby"]) | top(8) as bars',
    "attribution(K.channels -> L.channels) | top(3, per=target) as sankey(icons=feature_vis)",
    "activations(G) as feature_vis(bars=true)",
    "activations(G.spatial) as heatmap(over=input, color=atom)",
    "activations(G) as bars",
    'attribution(G -> output["tabby"]) as feature_vis(bars=true)',
    'attribution(G.spatial -> output["tabby"]) as heatmap(over=input, color=atom)',
    "attribution(G -> output) | top(3, per=source) as bars",
    "attribution(K.groups(4) -> G) as sankey(icons=feature_vis)",
    "activations(output) | softmax | top(5) as bars",
    "attribution(L.spatial -> output) | select(x=3, y=4) | top(5) as bars",
    "activations(L.spatial, over=D) | select(channel=12) | top(8) as examples",
    'attribution(L.channels -> output["tabby"], over=D) | select(channel=12) | top(8) as examples',
    "activations(L.spatial, over=D) as atlas(cells=12, layout=umap)",
    "correlation(K.channels -> L.channels, over=D) | select(channel=12) | top(4) as feature_vis(bars=true)",
    "correlation(K.channels -> L.channels, over=D) | select(channel=12) | top(4) as bars",
)


def design_space(programs: dict[str, Program]) -> DesignSpace:
    """The diagram for checked programs, by file name (one file, or several to compare)."""
    counts: dict[str, int] = {}
    for program in programs.values():
        for interface in program.interfaces:
            counts[interface.name] = counts.get(interface.name, 0) + 1
    interfaces, placements, arrows, comparisons = [], [], [], []
    for file, program in programs.items():
        for interface in program.interfaces:
            name = interface.name
            if counts[name] > 1:  # the same name in several files: say which file
                name = f"{_stem(file)}.{name}"
            interfaces.append(InterfaceSummary(name, interface.title, _model(interface), file))
            for element in interface.elements:
                row, column = cell(element)
                placements.append(
                    Placement(
                        name,
                        element.name,
                        row,
                        column,
                        _substrates(element.content),
                        _short(element.content),
                        _excerpt(program.source, element.span),
                    )
                )
                arrows.extend(
                    Arrow(name, s.element, element.name, s.event, s.bindings)
                    for s in element.selections
                )
        comparisons.extend(program.comparisons)
    alternatives = _alternatives()
    used = [(p.row, p.column) for p in placements] + [(a.row, a.column) for a in alternatives]
    known = {row.key for row in ROWS}
    extra_rows = [
        Row(r, "other", r, "") for r in dict.fromkeys(r for r, _ in used) if r not in known
    ]
    files = ", ".join(_stem(file) + ".interp" for file in programs)
    return DesignSpace(
        title=f"Design space of {files}",
        interfaces=tuple(interfaces),
        comparisons=tuple(comparisons),
        rows=(*ROWS, *extra_rows),
        columns=tuple(sorted(dict.fromkeys(c for _, c in used), key=_column_order)),
        placements=tuple(placements),
        arrows=tuple(arrows),
        alternatives=alternatives,
    )


def cell(element: Element) -> tuple[str, Column]:
    """The (row key, column) an element belongs in."""
    content = element.content
    if any(axis.name == "example" for axis in element.atom_axes):
        return "examples", Column(content.kind, element.presentation.kind)
    free = {axis.side for axis in element.atom_axes}
    shown = (
        content.target
        if content.kind == "attribution" and content.target is not None and free == {"target"}
        else content.source
    )
    return row_of(shown), Column(content.kind, element.presentation.kind)


def row_of(substrate: Substrate) -> str:
    if substrate.kind in ("input", "output"):
        return substrate.kind
    if substrate.groups is not None:
        return "groups"
    return substrate.atoms or substrate.kind


def _column_order(column: Column) -> tuple[int, int, str]:
    contents, presentations = list(CONTENTS), list(PRESENTATIONS)
    return (
        contents.index(column.content) if column.content in contents else len(contents),
        presentations.index(column.presentation)
        if column.presentation in presentations
        else len(presentations),
        column.key,
    )


@functools.lru_cache(maxsize=1)
def _alternatives() -> tuple[Alternative, ...]:
    """Each example element checked (statically) and placed by :func:`cell`.

    An example the checker stops accepting is left out rather than failing the
    user's diagram; the test suite checks that every one is accepted.
    """
    try:
        examples = _checked(ALTERNATIVES)
    except InterpError:
        examples = [found for e in ALTERNATIVES for found in _checked_or_none(e)]
    return tuple(Alternative(*cell(element), example) for example, element in examples)


def _checked(examples: tuple[str, ...]) -> list[tuple[str, Element]]:
    import interp

    text = example_interface(examples)
    program = interp.check(interp.parse(text, "<alternatives>"), source=text, bind_models=False)
    interface = program.interfaces[0]
    return [(example, interface.element(f"e{i}")) for i, example in enumerate(examples)]


def _checked_or_none(example: str) -> list[tuple[str, Element]]:
    try:
        return _checked((example,))
    except InterpError:
        return []


def example_interface(examples: tuple[str, ...]) -> str:
    """One interface holding each example as element `e0`, `e1`, ... (in order)."""
    lets = "".join(f"  let {name} = {value}\n" for name, value in EXAMPLE_LETS.items())
    elements = "".join(f"  element e{i} = {text}\n" for i, text in enumerate(examples))
    return f'interface alternatives {{\n  model efficientnet_lite0\n  input sample("chelsea")\n{lets}{elements}}}\n'


def _substrates(content: Content) -> str:
    if content.kind == "attribution" and content.target is not None:
        return f"{content.source.describe()} → {content.target.describe()}"
    return content.source.describe()


def _short(content: Content) -> str:
    """The content's substrates in a few words: the row already names the atoms."""

    def name(substrate: Substrate, atoms: bool) -> str:
        if substrate.kind != "layer":
            return ", ".join(substrate.labels) or substrate.kind
        where = str(substrate.layer)
        if substrate.groups is not None:
            where += f".groups({substrate.groups.k})" + (".spatial" if substrate.footprint else "")
        elif atoms and substrate.atoms:  # only a target's atoms: the row names the source's
            where += f".{substrate.atoms}"
        return where

    if content.kind == "attribution" and content.target is not None:
        return f"{name(content.source, False)} → {name(content.target, True)}"
    return name(content.source, False)


def _model(interface: Interface) -> str:
    model = interface.model
    if model.weights is None:
        return model.name
    seed = f", seed={model.seed}" if model.weights == "random" else ""
    return f"{model.name}(weights={model.weights}{seed})"


def _excerpt(source: str, span: Span | None) -> str:
    """The element statement's text on one line (whitespace collapsed), or ""."""
    if not source or span is None:
        return ""
    lines = source.split("\n")[span.line - 1 : span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        lines[0] = lines[0][span.column - 1 : span.end_column - 1]
    else:
        lines[0], lines[-1] = lines[0][span.column - 1 :], lines[-1][: span.end_column - 1]
    text = " ".join(re.sub(r'("[^"]*")|#.*', lambda m: m.group(1) or "", line) for line in lines)
    return re.sub(r"^element\s+\w+\s*=\s*", "", re.sub(r"\s+", " ", text).strip())


def _stem(file: str) -> str:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return name.removesuffix(".interp")
