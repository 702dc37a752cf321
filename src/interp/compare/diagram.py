"""The design-space diagram's data: rows (substrates), columns (content × presentation),
the elements placed in its cells, the arrows between them, and the alternatives.

Frozen data, built by `interp.compare.space.design_space` and drawn by
`interp.render.space`; `ROWS`, `CONTENTS` and `PRESENTATIONS` give the
drawing order.
"""

from __future__ import annotations

from dataclasses import dataclass

from interp.vocabulary.presentations import PRESENTATIONS as DECLARED


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
    "weights": "weights (the parameters)",
}
PRESENTATIONS = tuple(DECLARED)  # the declared presentations, in their order
