"""Literal coordinates and sizes, checked against what the axes hold.

Every axis of a content has an extent: the coordinates it can take, as far as
they are known. `output[...]`, `.groups(k)` and an earlier `select` give some
statically; with the model's facts the layers' shapes and the class labels
give the rest. `select(channel=9999)`, `select(class="tabbby")` and
`reduce(pca, 3)` over two classes are reported where they are written, with
the valid range or names, instead of failing in xarray or scikit-learn later.
"""

from __future__ import annotations

import math

from interp.check.axes import collapse_drill, free_atoms
from interp.check.facts import ModelFacts
from interp.check.problems import Problems
from interp.check.program import Content, Reduce, SelectAt, SelectFrom, Substrate
from interp.errors import did_you_mean
from interp.syntax import ast

# The coordinates an axis can take: a count (0 .. n-1) or the allowed values.
Extent = int | tuple


def extents(content: Content, facts: ModelFacts | None) -> dict[str, Extent]:
    """The coordinates each axis of `content` can take, as far as they are known:
    classes from `output[...]` or the model's labels, groups from `.groups(k)`,
    positions and channels from the layer's shape."""
    found: dict[str, Extent] = {}
    for prefix, substrate in (("", content.source), ("t", content.target)):
        if substrate is not None:
            found.update(_substrate_extents(substrate, prefix, facts))
    return found


def _substrate_extents(
    substrate: Substrate, prefix: str, facts: ModelFacts | None
) -> dict[str, Extent]:
    if substrate.kind == "output":
        labels = substrate.labels or (facts.labels if facts else ())
        return {"class": tuple(labels)} if labels else {}
    found: dict[str, Extent] = {}
    if substrate.groups is not None:
        found[prefix + "group"] = substrate.groups.k
    if facts is None:
        return found
    if substrate.kind == "input":
        found[prefix + "x"] = found[prefix + "y"] = facts.input_size
        return found
    cube = facts.cube(substrate.layer)
    if cube is not None:
        channels, height, width = cube
        found.update({prefix + "channel": channels, prefix + "y": height, prefix + "x": width})
    return found


def count(extent: Extent | None) -> int | None:
    """How many coordinates an extent holds."""
    if extent is None:
        return None
    return extent if isinstance(extent, int) else len(extent)


_COORDINATES = {  # what an axis indexes, by Axis.origin[1]: its coordinates in words
    "pos": "positions",
    "channel": "channels",
    "group": "groups",
    "component": "components",
    "class": "classes",
}


def select_at(
    keywords: list[ast.Arg],
    axes,
    known: dict[str, Extent],
    problems: Problems,
    facts: ModelFacts | None,
) -> SelectAt:
    """`select(channel=[12, 40], x=3)`: each coordinate must be one the axis has. The
    selection is returned even when some are not, so later operations are checked
    against the axes it leaves (the element is dropped for its problems anyway)."""
    coords, seen = [], set()
    labels = facts.labels if facts else ()
    for arg in keywords:
        items = arg.value.items if isinstance(arg.value, ast.ListValue) else (arg.value,)
        axis = next((a for a in axes if a.name == arg.name), None)
        if arg.name in seen:
            problems.add(
                f"select: {arg.name}= given twice",
                arg.name_span or arg.span,
                f"give each axis once; a list selects several: {arg.name}=[...]",
            )
            continue
        seen.add(arg.name)
        if not items:
            problems.add(
                f"select: {arg.name}= needs at least one coordinate",
                arg.value.span,
                _example(arg.name, axis) + ", or leave it out to keep every coordinate",
            )
        values: list = []
        for item in items:
            if isinstance(item, ast.Num | ast.Str) and item.value in values:
                problem = (f"select: {arg.name} {item.to_text()} is listed twice", "list each once")
            elif isinstance(item, ast.Num | ast.Str):
                values.append(item.value)
                problem = axis and _bad_coordinate(axis, item, known.get(axis.name), labels)
            else:
                problem = (
                    f"select: {arg.name}= takes {_kind(axis)}, not {item.to_text()}",
                    _example(arg.name, axis),
                )
            if problem:  # an unknown axis is reported by apply_op
                problems.add(problem[0], item.span, problem[1])
        coords.append((arg.name, tuple(values)))
    return SelectAt(tuple(coords))  # type: ignore[arg-type]


def _kind(axis) -> str:
    if axis is None:
        return "numbers or strings"
    return "class names" if axis.origin[1] == "class" else f"integer indices of {_what(axis)}"


def _what(axis) -> str:
    return _COORDINATES.get(axis.origin[1], "coordinates")


def _example(name: str, axis) -> str:
    if axis is not None and axis.origin[1] == "class":
        return f'e.g. select({name}="tabby")'
    return f"e.g. select({name}=3) or select({name}=[3, 5])"


def _bad_coordinate(
    axis, item: ast.Num | ast.Str, extent: Extent | None, labels: tuple[str, ...]
) -> tuple[str, str] | None:
    """Why `item` is not a coordinate of `axis`, as (message, hint); None when it is.
    `extent` is what the axis holds, as far as known; `labels` the model's classes."""
    name, value = axis.name, item.value
    if axis.origin[1] == "class":
        if not isinstance(value, str):
            return f"select: {name}= takes class names, not {item.to_text()}", _example(name, axis)
        if not isinstance(extent, tuple) or value in extent:
            return None
        if extent != labels:  # the content names its classes: output["tabby", ...]
            return (
                f"select: class {value!r} is not among this content's classes",
                did_you_mean(value, extent) + "; or name it in output[...] too",
            )
        return f"unknown class {value!r}", did_you_mean(value, extent)
    if not isinstance(value, int):
        return (
            f"select: {name}= takes {_kind(axis)}, not {item.to_text()}",
            _example(name, axis),
        )
    if isinstance(extent, tuple):
        if value in extent:
            return None
        kept = ", ".join(str(v) for v in extent)
        return (
            f"select: {name}={value} is not among the {_what(axis)} this content keeps ({kept})",
            "an earlier select kept only those; select among them, or widen the earlier one",
        )
    if value < 0:
        return f"select: {name}={value} is out of range: indices count from 0", _example(name, axis)
    if extent is not None and value >= extent:
        return (
            f"select: {name}={value} is out of range: {_size(axis, extent)}",
            f"use 0 to {extent - 1}",
        )
    return None


def _size(axis, extent: int) -> str:
    """How many coordinates `axis` has, in words: `layer 'x' has 672 channels`."""
    where, what = axis.origin
    subject = "the input" if where == "input" else f"layer {where!r}"
    if what == "pos":
        across = "wide" if axis.name.endswith("x") else "high"
        unit = "pixels" if where == "input" else "positions"
        return f"{subject} is {extent} {unit} {across}"
    if what == "channel":
        return f"{subject} has {extent} channels"
    return f"there are {extent} {_what(axis)}"


def too_many_components(
    call: ast.Operation, op: Reduce, axes, known: dict[str, Extent], ops: list, problems: Problems
) -> None:
    """`reduce(pca, n)` finds at most min(rows, columns) components of the matrix it
    factorizes: a column per target coordinate (two for NMF, which splits signs), a
    row per coordinate of everything else. Reports an `n` that surely exceeds that."""
    axes = collapse_drill(axes)
    targets = [a.name for a in free_atoms(axes) if a.side == "target"]
    if not targets:
        return  # apply_op explains that reduce needs target atoms
    limits = []
    columns = _product(known.get(name) for name in targets)
    if columns is not None:
        about = f"{columns} target{'s' * (columns != 1)} ({', '.join(targets)})"
        if op.method == "nmf":
            columns, about = 2 * columns, about + ", split into positive and negative parts"
        limits.append((columns, about))
    if not any(isinstance(o, SelectFrom) for o in ops):  # a selection adds a row per atom
        rows = [a.name for a in axes if a.name not in targets]
        most = _product(known.get(name) for name in rows)
        if most is not None:
            per = f", one per ({', '.join(rows)})" if rows else ""
            limits.append((most, f"{most} row{'s' * (most != 1)}{per}"))
    exceeded = [(limit, about) for limit, about in limits if op.n > limit]
    if not exceeded:
        return
    limit, about = min(exceeded)
    problems.add(
        f"reduce({op.method}, {op.n}): at most {limit} component{'s' * (limit != 1)} "
        f"fit this content's {about}",
        call.positional[1].value.span if len(call.positional) > 1 else call.span,
        f"use reduce({op.method}, {limit}) or fewer",
    )


def _product(counts) -> int | None:
    found = [count(c) for c in counts]
    return None if any(c is None for c in found) else math.prod(found)  # type: ignore[arg-type]
