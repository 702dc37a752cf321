"""What a plan node is: a frozen, hashable dataclass whose fields that are nodes are its edges.

The base class and the edge walk live apart from the node kinds so that every
kind's module can build on them without reading the others. `Restriction`
lives here too: it is the one value besides a node that holds an edge (an
attribution's targets may be the atoms another element offers). `spanless`
clears source spans, so equal work written in two places is one node.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from interp.plan.nodes.arrays import Atoms


@dataclass(frozen=True)
class Node:
    """Base of every plan node. `needs_model`: its kernel runs the model (views never do)."""

    needs_model: ClassVar[bool] = False

    @property
    def inputs(self) -> tuple[Node, ...]:
        """The nodes this node reads, in field order (its edges)."""
        found: list[Node] = []
        for field in dataclasses.fields(self):
            _collect(getattr(self, field.name), found)
        return tuple(dict.fromkeys(found))

    @property
    def kind(self) -> str:
        return type(self).__name__

    def describe(self) -> str:
        """One line for `interp plan`."""
        return self.kind


def _collect(value: Any, found: list[Node]) -> None:
    if isinstance(value, Node):
        found.append(value)
    elif isinstance(value, Restriction):
        _collect(value.atoms, found)
    elif isinstance(value, tuple):
        for item in value:
            _collect(item, found)


@dataclass(frozen=True)
class Restriction:
    """Target coordinates an attribution must cover: `values`, or the `axis` of `atoms`' atoms."""

    values: tuple[int | str, ...] = ()
    atoms: Atoms | None = None
    axis: str = ""


def spanless(value: Any) -> Any:
    """`value` with every `span` field cleared: plan nodes never depend on where text was written."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            if field.name.endswith("span"):
                if current is not None:
                    changes[field.name] = None
            else:
                cleaned = spanless(current)
                if cleaned is not current:
                    changes[field.name] = cleaned
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        cleaned = tuple(spanless(v) for v in value)
        return cleaned if any(a is not b for a, b in zip(cleaned, value, strict=True)) else value
    return value
