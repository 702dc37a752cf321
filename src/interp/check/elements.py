"""Elements: bind a content, its operations and its presentation, checking
each against the content's axes (`interp.check.axes`) and the signatures table.

The content is bound in `interp.check.contents` and each operation in
`interp.check.operations`; the presentation is bound here, and fitted to the
axes by its declaration (`interp.vocabulary.presentations`). Literal coordinates
(`select(channel=12)`) and sizes (`reduce(pca, 3)`) are checked against the
axes' extents in `interp.check.extents`.
"""

from __future__ import annotations

from interp.check import datasets
from interp.check.axes import AxisError, apply_op, collapse_drill, content_axes
from interp.check.contents import CONTENTS, METHODS, bind_content
from interp.check.extents import extents, too_many_components
from interp.check.operations import bind_operation
from interp.check.program import Content, Element, Presentation, Reduce, SelectAt
from interp.check.scope import Scope
from interp.check.signatures import bind_arguments
from interp.errors import Span, did_you_mean
from interp.syntax import ast
from interp.vocabulary.presentations import PRESENTATIONS


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
        datasets.shown(stmt, content, tuple(ops), presentation, problems, scope.facts)
    if presentation is None or len(problems.items) > count:
        return None
    axes = PRESENTATIONS[presentation.kind].element_axes(presentation, axes)
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


def _presentation(
    call: ast.Presentation, content: Content, axes, scope: Scope
) -> Presentation | None:
    """The bound presentation call, fitted to the content's axes by its declaration."""
    problems = scope.problems
    declared = PRESENTATIONS.get(call.name)
    if declared is None:
        problems.add(
            f"unknown presentation {call.name!r}", call.span, did_you_mean(call.name, PRESENTATIONS)
        )
        return None
    args = bind_arguments(call, declared.signature, problems)
    if args is None:
        return None
    for param in declared.signature.params:  # substrates it names: `image(grid=L.spatial)`
        value = args.get(param.name)
        if param.kind == "substrate" and isinstance(value, ast.Value):
            substrate = scope.substrate(value)
            if substrate is None:
                return None
            args[param.name] = substrate
    presentation = Presentation(call.name, tuple(sorted(args.items())))
    problem = declared.fit(presentation, content, collapse_drill(axes))
    if problem:
        at = _option_span(call, declared.signature, problem[2]) if len(problem) > 2 else None
        problems.add(problem[0], at or call.span, problem[1])
        return None
    return presentation


def _option_span(call: ast.Presentation, signature, option: str) -> Span | None:
    """Where the value of `option` is written in `call` (by keyword or by position)."""
    positional = [p.name for p in signature.params if p.positional]
    for index, arg in enumerate(call.args):
        if arg.name == option or (arg.name is None and positional[index : index + 1] == [option]):
            return arg.value.span or arg.span
    return None


__all__ = ["CONTENTS", "METHODS", "bind_element"]
