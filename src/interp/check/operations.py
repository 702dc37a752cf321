"""Operations: bind `| select(...)`, `| top(k)`, `| reduce(pca, n)`, `| softmax` and
`| sum(over=...)` against the signatures table and the content's axes.

`select` takes another element's selection (`select(E.hover)`, bound to the
axes both share) or literal coordinates (`select(channel=12)`, checked in
`interp.check.extents`); selecting an atlas's cells is checked in
`interp.check.datasets`.
"""

from __future__ import annotations

from interp.check import datasets
from interp.check.axes import free_atoms, names
from interp.check.extents import Extent, select_at
from interp.check.program import (
    Aggregate,
    Content,
    Element,
    Reduce,
    SelectFrom,
    Softmax,
    Sum,
    Top,
)
from interp.check.scope import Scope
from interp.check.signatures import bind_arguments
from interp.errors import did_you_mean
from interp.syntax import ast
from interp.vocabulary.operations import OPERATIONS
from interp.vocabulary.presentations import PRESENTATIONS


def bind_operation(
    op: ast.Operation,
    axes,
    known: dict[str, Extent],
    scope: Scope,
    bound: dict[str, Element],
    content: Content,
):
    problems = scope.problems
    if op.name not in OPERATIONS:
        problems.add(
            f"unknown operation {op.name!r}",
            op.name_span or op.span,
            did_you_mean(op.name, OPERATIONS),
        )
        return None
    if op.name == "select":
        return _select(op, axes, known, scope, bound, content)
    args = bind_arguments(op, OPERATIONS[op.name], problems)
    if args is None:
        return None
    if op.name == "top":
        return Top(args["k"], args.get("per"))  # type: ignore[arg-type]
    if op.name == "reduce":
        return Reduce(args["method"], args["n"])  # type: ignore[arg-type]
    if op.name == "softmax":
        return Softmax()
    raw = args["over"]
    over: tuple[str, ...] = tuple(raw) if isinstance(raw, list) else (raw,)  # type: ignore[arg-type]
    if op.name == "sum" and "example" not in over:
        return Sum(over)
    return Aggregate(op.name, over, args.get("q"), args.get("top"))  # type: ignore[arg-type]


def _select(
    op: ast.Operation,
    axes,
    known: dict[str, Extent],
    scope: Scope,
    bound: dict[str, Element],
    content: Content,
):
    problems = scope.problems
    hint = "select(E.hover), select(E.click) or select(channel=[12, 40], x=3)"
    positional, keywords = op.positional, [a for a in op.args if a.name]
    if positional and (keywords or len(positional) > 1):
        problems.add("select takes one element's selection, or axis=value pairs", op.span, hint)
        return None
    if keywords:
        return select_at(keywords, axes, known, scope.problems, scope.facts)
    if not positional:
        problems.add("select needs something to select", op.span, hint)
        return None
    ref = positional[0].value
    if (
        isinstance(ref, ast.Member)
        and isinstance(ref.base, ast.Name)
        and ref.args is None
        and ref.name not in ("hover", "click")
    ):
        problems.add(
            f"select: unknown event {ref.name!r} of {ref.base.name!r}",
            ref.span,
            did_you_mean(ref.name, ["hover", "click"]),
        )
        return None
    if not (
        isinstance(ref, ast.Member)
        and isinstance(ref.base, ast.Name)
        and ref.args is None
        and ref.name in ("hover", "click")
    ):
        problems.add(f"select: expected E.hover or E.click, got {ref.to_text()!r}", ref.span, hint)
        return None
    name = ref.base.name
    if name not in scope.elements:
        problems.add(
            f"select: no element named {name!r}", ref.base.span, did_you_mean(name, scope.elements)
        )
        return None
    selector = bound.get(name)
    if selector is None:
        return None  # its own errors are reported where it is defined
    if PRESENTATIONS[selector.presentation.kind].lays_out_vectors:
        return datasets.select_cells(ref, selector, content, axes, problems)
    offered = free_atoms(selector.axes)
    bindings: list[tuple[str, str]] = []
    taken: set[str] = set()
    for theirs in offered:
        ours = next((a for a in axes if a.origin == theirs.origin and a.name not in taken), None)
        if ours is not None:
            bindings.append((theirs.name, ours.name))
            taken.add(ours.name)
    if not bindings:
        problems.add(
            f"select({name}.{ref.name}): the atoms of {name!r} ({names(offered)}) are not axes of this content",
            ref.span,
            f"this content's axes: {names(axes)}; select on an element whose atoms index the same layer",
        )
        return None
    return SelectFrom(name, ref.name, tuple(bindings))  # type: ignore[arg-type]
