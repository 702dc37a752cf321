"""The axes of a content, and how operations and presentations change them.

Every content is a labeled array; this module knows its axes statically so
the checker can reject an operation or presentation that does not fit
(`softmax` without a `class` axis, `heatmap` of content with no positions)
before any torch work runs.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from interp.check.program import (
    Aggregate,
    Axis,
    Content,
    Reduce,
    SelectAt,
    SelectFrom,
    Softmax,
    Sum,
    Top,
)
from interp.vocabulary.axes import (  # noqa: F401  (the axis vocabulary, read here and by callers)
    TARGET_PREFIX,
    collapse_drill,
    free_atoms,
    names,
    origin_key,
    substrate_axes,
)
from interp.vocabulary.contents import KERNEL_AXES
from interp.vocabulary.signatures import AxisError  # noqa: F401  (raised here)


def content_axes(content: Content) -> tuple[Axis, ...]:
    if content.kind == "activations":
        axes = substrate_axes(content.source, "source", activations=True)
    elif content.kind in ("attribution", "correlation"):
        assert content.target is not None
        axes = substrate_axes(content.source, "source", activations=False) + substrate_axes(
            content.target, "target", activations=False
        )
    elif content.kind == "weights":
        assert content.target is not None
        return weights_axes(content)
    else:
        return ()
    if content.over is None or content.kind == "correlation":
        return axes
    return over_axes(content, axes)


def weights_axes(content: Content) -> tuple[Axis, ...]:
    """`channel, tchannel, ky, kx`: the kernel's offsets are vectors each pair carries,
    in the target's coordinates (where B sees A)."""
    assert content.target is not None
    pairs = substrate_axes(content.source, "source", activations=False) + substrate_axes(
        content.target, "target", activations=False
    )
    where = origin_key(content.target)
    kernel = tuple(Axis(name, (where, name), "vector", "target") for name in KERNEL_AXES)
    return pairs + kernel


def over_axes(content: Content, axes: tuple[Axis, ...]) -> tuple[Axis, ...]:
    """A content over a dataset: an `example` axis first; a `.spatial` content's positions
    are carried by each example (its strongest position), not atoms of their own."""
    assert content.over is not None
    example = Axis("example", (None, f"example:{content.over.describe()}"))
    if content.source.atoms == "spatial":
        axes = tuple(replace(a, role="vector") if a.name in ("x", "y") else a for a in axes)
    return (example, *axes)


def top_axes(op, axes: tuple[Axis, ...], present) -> tuple[list[str], list[str]]:
    """What `top(k)` ranks among the axes `present`: the atom axes it ranks jointly
    (`per=source` ranks the target's, `per=target` the source's), and the vector axes
    a coordinate's strength is the norm over (a class vector is ranked, not normed)."""
    atoms = [a for a in axes if a.role == "atom" and a.name in present]
    if op.per == "source":
        ranked = [a.name for a in atoms if a.side == "target"]
    elif op.per == "target":
        ranked = [a.name for a in atoms if a.side == "source"]
    else:
        ranked = [a.name for a in atoms]
    vectors = [
        a.name for a in axes if a.role == "vector" and a.name in present and a.name != "class"
    ]
    return ranked, vectors


def _axis_hint(name: str, axes: tuple[Axis, ...]) -> str:
    close = difflib.get_close_matches(name, [a.name for a in axes], n=1, cutoff=0.6)
    return (f"did you mean {close[0]!r}? " if close else "") + f"this content's axes: {names(axes)}"


def apply_op(op, axes: tuple[Axis, ...]) -> tuple[Axis, ...]:
    """The axes after `op`; raises AxisError when `op` cannot apply."""
    if isinstance(op, SelectFrom):
        if op.how == "members":  # a cell's members: each example's vector projected on the cell's
            return tuple(a for a in axes if not (a.role == "vector" and a.name == "channel"))
        bound = {target for _, target in op.bindings}
        return tuple(a for a in axes if a.name not in bound)
    if isinstance(op, SelectAt):
        known = {a.name for a in axes}
        for axis_name, _ in op.coords:
            if axis_name not in known:
                raise AxisError(
                    f"select: this content has no axis {axis_name!r}",
                    _axis_hint(axis_name, axes),
                    word=axis_name,
                )
        # one value binds the axis away; a list keeps it, restricted to those coordinates
        bound = {name for name, values in op.coords if len(values) == 1}
        return tuple(a for a in axes if a.name not in bound)
    axes = collapse_drill(axes)
    atoms = free_atoms(axes)
    if isinstance(op, Top):
        if not atoms:
            raise AxisError("top: no free atom axis is left to rank", f"axes: {names(axes)}")
        sides = {a.side for a in atoms}
        if op.per is None and len(sides) > 1:
            raise AxisError(
                "top: both source and target atoms are free",
                "say which to keep k of: top(k, per=source) keeps k targets per source atom, "
                "per=target k sources per target atom; or select one side first",
            )
        if op.per is not None and len(sides) < 2:
            raise AxisError(
                f"top(per={op.per}) needs both source and target atoms free",
                f"only {names(atoms)} {'is' if len(atoms) == 1 else 'are'} free; use top(k) without per=",
            )
        return axes
    if isinstance(op, Softmax):
        if not any(a.name == "class" for a in axes):
            raise AxisError(
                "softmax normalizes over classes, and this content has no class axis",
                f"this content's axes: {names(axes)}; softmax fits class scores, e.g. activations(output) | softmax",
            )
        return axes
    if isinstance(op, Reduce):
        targets = [a for a in atoms if a.side == "target"]
        sources = [a for a in atoms if a.side == "source"]
        if not targets or not sources:
            raise AxisError(
                f"reduce replaces the target axis by {op.n} components, so it needs a content with "
                "source and target atoms",
                "e.g. attribution(L.spatial -> output) | reduce(pca, 3)",
            )
        kept = tuple(a for a in axes if a not in targets)
        return kept + (Axis("component", (None, "component"), "vector", "target"),)
    if isinstance(op, Sum | Aggregate):
        what = op.how if isinstance(op, Aggregate) else "sum"
        known = {a.name for a in axes}
        for axis_name in op.over:
            if axis_name not in known:
                hint = _axis_hint(axis_name, axes)
                if axis_name == "example":
                    hint += "; a content computed over=DATASET has an example axis"
                raise AxisError(
                    f"{what}: this content has no axis {axis_name!r}", hint, word=axis_name
                )
        kept = tuple(a for a in axes if a.name not in op.over)
        if "example" in op.over:  # each example's strongest position is a position again
            kept = tuple(
                replace(a, role="atom") if a.origin[1] == "pos" and a.role == "vector" else a
                for a in kept
            )
        return kept
    raise TypeError(op)
