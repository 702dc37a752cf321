"""Atom keys: how an atom is named between execution, tables and the page, in one place.

A selection `select(E.hover)` slices a dependent content by the atom `E`
offers. The executor stacks one slice per atom along the axis
`key_column(E)`, labelled by `atom_key`; `E`'s own table carries the same
text in the same column, and the page's selection parameter compares the
two as strings. Target-side axes of an attribution carry `TARGET_PREFIX`
(`tx`, `ty`, `tchannel`, `tgroup`) so both sides of `a.spatial -> b.spatial`
keep their names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NewType

AtomKey = NewType("AtomKey", str)  # "12" (a channel), "3,4" (a position x,y), "tabby" (a class)

KEY_PREFIX = "key_"
TARGET_PREFIX = "t"


def key_column(element: str) -> str:
    """The column (and array axis) holding the atoms of `element` that rows belong to."""
    return KEY_PREFIX + element


def is_key_column(name: object) -> bool:
    return str(name).startswith(KEY_PREFIX)


def atom_key(coords: Mapping[str, object], axes: Sequence[str]) -> AtomKey:
    """The key of the atom at `coords` on `axes`: its coordinates, comma-joined."""
    return AtomKey(",".join(key_text(coords[a]) for a in axes))


def key_text(value: object) -> str:
    """One coordinate as key text: integers without a trailing `.0`, tuples comma-joined."""
    if isinstance(value, (tuple, list)):
        return ",".join(key_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item"):  # a numpy scalar
        return key_text(value.item())
    return str(value)


def source_name(axis: str) -> str:
    """`tchannel` -> `channel`: the name of a target-side axis without its prefix."""
    return axis.removeprefix(TARGET_PREFIX) if axis in TARGET_AXES else axis


TARGET_AXES = frozenset(TARGET_PREFIX + a for a in ("x", "y", "channel", "group"))
