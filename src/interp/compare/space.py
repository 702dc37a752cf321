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

The diagram's data types are in `interp.compare.diagram` (and exported here);
what it writes about each element is in `interp.compare.captions`.
"""

from __future__ import annotations

import functools

from interp.check.program import Element, Program, Substrate
from interp.compare.captions import excerpt, model_name, short_name, stem, substrates_of
from interp.compare.diagram import (
    CONTENTS,
    PRESENTATIONS,
    ROWS,
    Alternative,
    Arrow,
    Column,
    DesignSpace,
    InterfaceSummary,
    Placement,
    Row,
)
from interp.errors import InterpError

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
    "weights(K.channels -> L.channels) | select(tchannel=12) | top(6) as kernels",
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
                name = f"{stem(file)}.{name}"
            interfaces.append(InterfaceSummary(name, interface.title, model_name(interface), file))
            for element in interface.elements:
                row, column = cell(element)
                placements.append(
                    Placement(
                        name,
                        element.name,
                        row,
                        column,
                        substrates_of(element.content),
                        short_name(element.content),
                        excerpt(program.source, element.span),
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
    files = ", ".join(stem(file) + ".interp" for file in programs)
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


__all__ = [
    "ALTERNATIVES",
    "CONTENTS",
    "EXAMPLE_LETS",
    "EXAMPLE_NAMES",
    "PRESENTATIONS",
    "ROWS",
    "Alternative",
    "Arrow",
    "Column",
    "DesignSpace",
    "InterfaceSummary",
    "Placement",
    "Row",
    "cell",
    "design_space",
    "example_interface",
    "row_of",
]
