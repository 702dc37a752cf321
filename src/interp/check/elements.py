"""Elements: bind a content, its operations and its presentation, checking
each against the content's axes (`interp.check.axes`) and the signatures table.

Literal coordinates (`select(channel=12)`) and sizes (`reduce(pca, 3)`) are
checked against the axes' extents in `interp.check.extents`.
"""

from __future__ import annotations

from interp.check import datasets
from interp.check.axes import (
    AxisError,
    apply_op,
    collapse_drill,
    content_axes,
    free_atoms,
    names,
)
from interp.check.bound import (
    Content,
    Element,
    Method,
    Presentation,
    Reduce,
    SelectAt,
    SelectFrom,
    Softmax,
    Sum,
    Top,
)
from interp.check.extents import Extent, extents, select_at, too_many_components
from interp.check.problems import Problems
from interp.check.scope import Scope
from interp.check.signatures import OPERATIONS, Signature
from interp.errors import Span, did_you_mean
from interp.syntax import ast

CONTENTS = ("activations", "attribution")
METHODS = ("gradient", "integrated_gradients", "grad_cam")

# ---- elements -----------------------------------------------------------------------------


def bind_element(stmt: ast.ElementStmt, scope: Scope, bound: dict[str, Element]) -> Element | None:
    problems = scope.problems
    count = len(problems.items)
    content = _content(stmt.content, scope)
    if content is None:
        return None
    axes = content_axes(content)
    known = extents(content, scope.facts)
    ops = []
    for op in stmt.ops:
        parsed = _operation(op, axes, known, scope, bound, content)
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


def _content(content: ast.Content, scope: Scope) -> Content | None:
    if isinstance(content, ast.SubstrateContent) and isinstance(content.substrate, ast.Call):
        call = content.substrate  # `activation(...)`: a misspelled content, not a substrate
        scope.problems.add(
            f"unknown content {call.name!r}",
            call.name_span or call.span,
            did_you_mean(call.name, CONTENTS, n=1)
            + " contents: activations(S), attribution(S -> T), or a bare substrate",
        )
        return None
    if isinstance(content, ast.SubstrateContent):
        substrate = scope.substrate(content.substrate)
        return Content("substrate", substrate) if substrate else None
    if isinstance(content, ast.Activations):
        substrate = scope.substrate(content.substrate)
        if substrate is None:
            return None
        if substrate.atoms is None and substrate.kind != "output":
            scope.problems.add(
                f"activations of {substrate.describe()}: choose its atoms",
                content.substrate.span,
                "add .spatial, .channels, .neurons or .groups(k)",
            )
            return None
        over, ok = datasets.over_option(content, scope)
        if not ok:
            return None
        return datasets.checked(Content("activations", substrate, over=over), content, scope)
    if isinstance(content, ast.Correlation):
        return datasets.correlation(content, scope)
    source, target = scope.substrate(content.source), scope.substrate(content.target)
    if source is None or target is None:
        return None
    for side, substrate, span in (
        ("source", source, content.source.span),
        ("target", target, content.target.span),
    ):
        if substrate.atoms is None:
            scope.problems.add(
                f"attribution {side} {substrate.describe()}: choose its atoms",
                span,
                "add .spatial, .channels, .neurons or .groups(k)",
            )
            return None
    if source.model != target.model:
        scope.problems.add(
            f"attribution runs on one model, but {source.describe()} and {target.describe()} "
            "belong to different models",
            content.span,
            "compare two models' atoms by correlation over a dataset: "
            "correlation(A.channels -> B.channels, over=pics)",
        )
        return None
    if source.kind == "output":
        scope.problems.add(
            "attribution flows from earlier to later: output cannot be a source",
            content.source.span,
            "swap the sides: attribution(L.channels -> output)",
        )
        return None
    if target.kind == "input":
        scope.problems.add(
            "input cannot be an attribution target",
            content.target.span,
            "attribution goes from input towards output",
        )
        return None
    method, maxpool, over = Method(), "default", None
    for arg in content.options:
        if arg.name == "over":
            over = scope.dataset(arg.value)
            if over is None:
                return None
        elif arg.name == "method":
            method = _method(arg, scope.problems) or method
        elif (
            arg.name == "maxpool"
            and isinstance(arg.value, ast.Name)
            and arg.value.name in ("default", "relaxed")
        ):
            maxpool = arg.value.name
        elif arg.name == "maxpool":
            scope.problems.add(
                f"attribution: maxpool= takes default or relaxed, not {arg.value.to_text()}",
                arg.value.span,
                "maxpool=relaxed spreads max-pool gradients over its inputs",
            )
        else:
            scope.problems.add(
                f"attribution: unknown option {arg.to_text()!r}",
                arg.span,
                "options: method=linear|integrated_gradients(steps=N)|grad_cam, maxpool=relaxed, "
                "over=DATASET",
            )
    found = Content("attribution", source, target, method, maxpool, over)  # type: ignore[arg-type]
    return datasets.checked(found, content, scope)


def _method(arg: ast.Arg, problems: Problems) -> Method | None:
    from interp.execute.attribution.methods import METHODS  # imports no torch

    value = arg.value
    name = value.name if isinstance(value, ast.Name | ast.Call) else None
    if name not in METHODS:
        at = value.name_span if isinstance(value, ast.Call) else None
        problems.add(
            f"unknown attribution method {value.to_text()!r}",
            at or value.span,
            did_you_mean(str(name), list(METHODS)),
        )
        return None
    arguments: dict[str, object] = {}
    if isinstance(value, ast.Call):
        found = _arguments(value, METHODS[name].signature, problems)
        if found is None:
            return None
        arguments = found
    return Method(name, tuple(sorted(arguments.items())))


# ---- operations ---------------------------------------------------------------------------


def _arguments(
    call: ast.Call, signature: Signature, problems: Problems
) -> dict[str, object] | None:
    """Match a call's arguments to its signature; report every mismatch."""
    try:
        return signature.bind(call)
    except AxisError as exc:
        problems.add(str(exc), exc.span or call.span, exc.hint)
        return None


def _operation(
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
    args = _arguments(op, OPERATIONS[op.name], problems)
    if args is None:
        return None
    if op.name == "top":
        return Top(args["k"], args.get("per"))  # type: ignore[arg-type]
    if op.name == "reduce":
        return Reduce(args["method"], args["n"])  # type: ignore[arg-type]
    if op.name == "softmax":
        return Softmax()
    over = args["over"]
    return Sum(tuple(over) if isinstance(over, list) else (over,))  # type: ignore[arg-type]


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
    if selector.presentation.kind == "atlas":
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


# ---- presentations --------------------------------------------------------------------------


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
    args = _arguments(call, PRESENTATIONS[call.name].signature, problems)
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
