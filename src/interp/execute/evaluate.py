"""Evaluate an interface's elements to labeled arrays, in dependency order.

A selection `select(E.hover)` needs `E`'s atoms, so `E` is evaluated first
(the checker ordered them). When a selection binds the `class` axis of an
attribution to the output, only the classes `E` can offer are computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from interp.check.axes import apply_op, content_axes
from interp.check.bound import Element, SelectAt, SelectFrom
from interp.execute import ops
from interp.execute.engine import Engine

RESTRICTABLE = ("class", "tchannel")  # target axes computed only where a selection can reach


@dataclass(frozen=True)
class Evaluated:
    """An element's final array and the atoms it offers to selections (strongest first)."""

    element: Element
    array: xr.DataArray
    atoms: tuple[dict, ...]

    @property
    def atom_axes(self) -> list[str]:
        return [a.name for a in self.element.atom_axes]

    def key(self, coords: dict) -> str:
        return ops.atom_key(coords, self.atom_axes)


def evaluate(elements: tuple[Element, ...], engine: Engine) -> dict[str, Evaluated]:
    done: dict[str, Evaluated] = {}
    for element in elements:
        array = _content(element, engine, done)
        axes = content_axes(element.content)
        for op in element.ops:
            if isinstance(op, SelectFrom):
                selector = done[op.element]
                array = ops.select_from(array, op, list(selector.atoms), selector.atom_axes)
                bound = {ours for _, ours in op.bindings}
                axes = tuple(a for a in axes if a.name not in bound)
            elif isinstance(op, SelectAt):
                array = ops.select_at(array, op)
                bound = {name for name, values in op.coords if len(values) == 1}
                axes = tuple(a for a in axes if a.name not in bound)
            else:
                array = ops.apply(array, op, axes)
                axes = apply_op(op, axes)
        array = ops.collapse_drill(array, [a.name for a in axes if a.role == "drill"])
        atoms = tuple(ops.offered_atoms(array, [a.name for a in element.atom_axes]))
        done[element.name] = Evaluated(element, array, atoms)
    return done


def _content(element: Element, engine: Engine, done: dict[str, Evaluated]) -> xr.DataArray:
    content = element.content
    if content.kind == "activations":
        return engine.activations(content.source)
    if content.kind == "attribution":
        return engine.attribution(content, _restriction(element, done))
    grid = element.presentation.option("grid")
    cube = engine.activation(grid.layer).cpu().numpy()  # type: ignore[union-attr]
    norm = np.sqrt((cube**2).sum(0))
    array = xr.DataArray(norm, dims=("y", "x"))
    return array.assign_coords(y=np.arange(norm.shape[0]), x=np.arange(norm.shape[1]))


def _restriction(element: Element, done: dict[str, Evaluated]) -> tuple | None:
    """The target classes or channels a selection can reach; None when all may be needed."""
    for op in element.ops:
        if isinstance(op, SelectFrom):
            for theirs, ours in op.bindings:
                if ours in RESTRICTABLE:
                    return tuple(dict.fromkeys(atom[theirs] for atom in done[op.element].atoms))
        if isinstance(op, SelectAt):
            for name, values in op.coords:
                if name in RESTRICTABLE:
                    return tuple(values)
    return None
