"""What an axis of a content is, and the axes a substrate's atoms give it.

Every content is a labeled array; its axes are known statically from what it
is computed over. These are the words the checker, the planner and the
presentations' declarations share: an `Axis` (name, the substrate coordinate
it indexes, its role), the axes of one substrate (`substrate_axes`), and the
small predicates every presentation asks (`free_atoms`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from interp.keys import TARGET_PREFIX

if TYPE_CHECKING:
    from interp.check.program import Substrate

__all__ = [
    "TARGET_PREFIX",
    "Axis",
    "collapse_drill",
    "free_atoms",
    "names",
    "origin_key",
    "substrate_axes",
]


@dataclass(frozen=True)
class Axis:
    """A named axis of a content. `origin` identifies the substrate coordinate it
    indexes (layer + "pos"/"channel"/"group"/"class"), so a selection on one
    element can bind the same coordinate in another, whatever its local name."""

    name: str
    origin: tuple[str | None, str]
    role: Literal["atom", "vector", "drill"] = "atom"
    side: Literal["source", "target"] = "source"


def origin_key(substrate: Substrate) -> str | None:
    if substrate.kind == "layer" and substrate.model is not None:
        return f"{substrate.model.to_text()}/{substrate.layer}"  # another model's coordinates
    if substrate.kind == "layer":
        return substrate.layer
    return substrate.kind


def substrate_axes(substrate: Substrate, side: str, *, activations: bool) -> tuple[Axis, ...]:
    """Axes of one substrate's atoms. `activations` adds the vector/drill axes a
    layer's activations carry (spatial atoms carry a channel vector; channel
    and group atoms keep positions for drill-down)."""
    key = origin_key(substrate)
    prefix = TARGET_PREFIX if side == "target" else ""

    def axis(name: str, what: str, role: str = "atom", origin: str | None = key) -> Axis:
        return Axis(prefix + name if name != "class" else name, (origin, what), role, side)

    position = (axis("x", "pos"), axis("y", "pos"))
    groups = substrate.groups
    if substrate.kind == "output":
        # one named class is a scalar target, not an axis of atoms to rank
        return (axis("class", "class", "vector" if len(substrate.labels) == 1 else "atom"),)
    if groups is not None:
        group = axis("group", "group", origin=f"{key}#groups")
        if substrate.footprint:
            return (group, *position)
        drill = tuple(replace(a, role="drill") for a in position) if activations else ()
        return (group, *drill)
    if substrate.atoms == "spatial":
        vector = (axis("channel", "channel", "vector"),) if activations and key != "input" else ()
        return (*position, *vector)
    if substrate.atoms == "channels":
        drill = tuple(replace(a, role="drill") for a in position) if activations else ()
        return (axis("channel", "channel"), *drill)
    if substrate.atoms == "neurons":
        return (*position, axis("channel", "channel"))
    return ()


def free_atoms(axes: tuple[Axis, ...]) -> tuple[Axis, ...]:
    return tuple(a for a in axes if a.role == "atom")


def collapse_drill(axes: tuple[Axis, ...]) -> tuple[Axis, ...]:
    """Unbound drill-down axes are summed away before any non-select operation."""
    return tuple(a for a in axes if a.role != "drill")


def names(axes: tuple[Axis, ...]) -> str:
    return ", ".join(a.name for a in axes) or "none"
