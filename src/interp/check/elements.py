"""Elements: bind a content, its operations and its presentation, checking
each against the content's axes (`interp.check.axes`) and the signatures table.

The content is bound in `interp.check.contents` and each operation in
`interp.check.operations`; the presentation is bound here, and fitted to the
axes by its class in the presentation registry. Literal coordinates
(`select(channel=12)`) and sizes (`reduce(pca, 3)`) are checked against the
axes' extents in `interp.check.extents`.
"""

from __future__ import annotations

from interp.check import datasets
from interp.check.axes import AxisError, apply_op, collapse_drill, content_axes
from interp.check.bound import Content, Element, Presentation, Reduce, SelectAt
from interp.check.contents import CONTENTS, METHODS, bind_content
from interp.check.extents import extents, too_many_components
from interp.check.operations import bind_operation
from interp.check.scope import Scope
from interp.check.signatures import bind_arguments
from interp.errors import Span, did_you_mean
from interp.syntax import ast


def bind_element(stmt: ast.ElementStmt, scope: Scope, bound: dict[str, Element]) -> Element | None:
    problems = scope.problems
    count = len(problems.items)
    content = bind_content(stmt.content, scope)
    if content is None:
        return None
    axes = content_axes(content)
    known = extents(content, scope.facts)
    ops = []
    for op in stmt.ops:
        parsed = bind_operation(op, axes, known, scope, bound, content)
        if parsed is None:
            continue
        if isinstance(parsed, Reduce):
            too_many_components(op, parsed, axes, known, ops, problems)
        try:
            axes = apply_op(parsed, axes)
        except AxisError as exc:
            problems.add(str(exc), _word_span(op, exc.word) if exc.word else op.span, exc.hint)
            continue
        if isinstance(parsed, SelectAt):
            known.update((name, values) for name, values in parsed.coords if len(values) > 1)
        elif isinstance(parsed, Reduce):
            known["component"] = parsed.n
        ops.append(parsed)
    presentation = _presentation(stmt.presentation, content, axes, scope)
    if presentation is not None:
        datasets.shown(stmt, content, tuple(ops), presentation, problems)
    if presentation is None or len(problems.items) > count:
        return None
    axes = _shown(presentation).element_axes(presentation, axes)
    return Element(stmt.name, content, tuple(ops), presentation, collapse_drill(axes), stmt.span)


def _word_span(op: ast.Call, word: str) -> Span | None:
    """Where `word` is written in `op`: a keyword's name (`select(chanel=3)`) or a
    bare name among its values (`sum(over=[x, chanel])`)."""
    for arg in op.args:
        if arg.name == word:
            return arg.name_span or arg.span
        items = arg.value.items if isinstance(arg.value, ast.ListValue) else (arg.value,)
        for item in items:
            if isinstance(item, ast.Name) and item.name == word:
                return item.span
    return op.span


def _shown(presentation: Presentation):
    """The presentation class behind a bound presentation call."""
    from interp.render.registry import PRESENTATIONS

    return PRESENTATIONS[presentation.kind]


def _presentation(
    call: ast.Presentation, content: Content, axes, scope: Scope
) -> Presentation | None:
    from interp.render.registry import PRESENTATIONS

    problems = scope.problems
    if call.name not in PRESENTATIONS:
        problems.add(
            f"unknown presentation {call.name!r}", call.span, did_you_mean(call.name, PRESENTATIONS)
        )
        return None
    args = bind_arguments(call, PRESENTATIONS[call.name].signature, problems)
    if args is None:
        return None
    if call.name == "image" and isinstance(args.get("grid"), ast.Value):
        grid = scope.substrate(args["grid"])  # type: ignore[arg-type]
        if grid is None:
            return None
        if grid.kind != "layer" or grid.atoms != "spatial":
            problems.add(
                f"image(grid=...) takes a layer's spatial atoms, not {grid.describe()}",
                args["grid"].span or call.span,
                'e.g. image(grid=layer("blocks.4.2.bn1").spatial)',
            )  # type: ignore[union-attr]
            return None
        args["grid"] = grid
    presentation = Presentation(call.name, tuple(sorted(args.items())))
    problem = PRESENTATIONS[call.name].fit(presentation, content, collapse_drill(axes))
    if problem:
        problems.add(problem[0], call.span, problem[1])
        return None
    return presentation


__all__ = ["CONTENTS", "METHODS", "bind_element"]
