"""Elements: bind a content, its operations and its presentation, checking
each against the content's axes (`interp.check.axes`) and the signatures table.

Literal coordinates (`select(channel=12)`) and sizes (`reduce(pca, 3)`) are
checked against the axes' extents in `interp.check.extents`.
"""

from __future__ import annotations

from collections.abc import Callable

from interp.check.axes import (
    AxisError,
    apply_op,
    collapse_drill,
    content_axes,
    free_atoms,
    names,
    substrate_axes,
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
from interp.check.signatures import OPERATIONS, PRESENTATIONS, Signature
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
        parsed = _operation(op, axes, known, scope, bound)
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
    if presentation is None or len(problems.items) > count:
        return None
    if presentation.kind == "image":
        axes = substrate_axes(presentation.option("grid"), "source", activations=False)  # type: ignore[arg-type]
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
        return Content("activations", substrate)
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
    method, maxpool = Method(), "default"
    for arg in content.options:
        if arg.name == "method":
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
                "options: method=gradient|integrated_gradients(steps=N)|grad_cam, maxpool=relaxed",
            )
    return Content("attribution", source, target, method, maxpool)  # type: ignore[arg-type]


def _method(arg: ast.Arg, problems: Problems) -> Method | None:
    value = arg.value
    name = value.name if isinstance(value, ast.Name | ast.Call) else None
    if name not in METHODS:
        at = value.name_span if isinstance(value, ast.Call) else None
        problems.add(
            f"unknown attribution method {value.to_text()!r}",
            at or value.span,
            did_you_mean(str(name), METHODS),
        )
        return None
    steps, example = 32, "e.g. method=integrated_gradients(steps=32)"
    for a in value.args if isinstance(value, ast.Call) else ():
        if name != "integrated_gradients":
            problems.add(
                f"{name} takes no arguments",
                a.span,
                f"write method={name}; only integrated_gradients takes steps=",
            )
        elif a.name is None:
            problems.add(
                "integrated_gradients takes steps by name",
                a.span,
                "write integrated_gradients(steps=32)",
            )
        elif a.name != "steps":
            problems.add(
                f"integrated_gradients: unknown argument {a.name!r}",
                a.name_span or a.span,
                did_you_mean(a.name, ["steps"]) + f" {example}",
            )
        elif isinstance(a.value, ast.Num) and isinstance(a.value.value, int) and a.value.value > 0:
            steps = a.value.value
        else:
            problems.add(
                f"integrated_gradients: steps must be a positive integer, not {a.value.to_text()}",
                a.value.span,
                "steps is how many points along the path from the baseline; " + example,
            )
    return Method(name, steps)  # type: ignore[arg-type]


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
    op: ast.Operation, axes, known: dict[str, Extent], scope: Scope, bound: dict[str, Element]
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
        return _select(op, axes, known, scope, bound)
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
    op: ast.Operation, axes, known: dict[str, Extent], scope: Scope, bound: dict[str, Element]
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


def _presentation(
    call: ast.Presentation, content: Content, axes, scope: Scope
) -> Presentation | None:
    problems = scope.problems
    if call.name not in PRESENTATIONS:
        problems.add(
            f"unknown presentation {call.name!r}", call.span, did_you_mean(call.name, PRESENTATIONS)
        )
        return None
    args = _arguments(call, PRESENTATIONS[call.name], problems)
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
    problem = _fits(presentation, content, collapse_drill(axes))
    if problem:
        problems.add(problem[0], call.span, problem[1])
        return None
    return presentation


FitCheck = Callable[[Presentation, Content, tuple], "tuple[str, str] | None"]


def _fits(p: Presentation, content: Content, axes) -> tuple[str, str] | None:
    """Why presentation `p` cannot show content with `axes`, or None when it can."""
    atoms = free_atoms(axes)
    spatial = [a for a in atoms if a.name in ("x", "y", "tx", "ty")]
    layer_atoms = [a for a in atoms if a.origin[0] not in (None, "output", "input")]
    several = [
        a for a in atoms if a not in spatial and not (a.name == "class" and _single_class(content))
    ]
    if p.kind == "image":
        if content.kind != "substrate" or content.source.kind != "input":
            return (
                "image(...) shows the input itself",
                "write: element picker = input as image(grid=L.spatial)",
            )
        return None
    if content.kind == "substrate":
        return (
            f"a bare substrate can only be shown as image(...), not {p.kind}",
            "use activations(...) or attribution(...) as content",
        )
    if p.kind == "heatmap":
        if len(spatial) < 2:
            return (
                "heatmap needs positions (x, y) to draw over the input",
                f"this content's free axes: {names(atoms)}; use .spatial atoms, or select the other axes",
            )
        if several and p.option("color") != "atom":
            return (
                f"heatmap shows one map, but {names(tuple(several))} is still free",
                "select one atom first, or draw each atom in its own colour: heatmap(over=input, color=atom)",
            )
    elif p.kind == "feature_vis":
        if not layer_atoms:
            return (
                f"feature_vis draws a hidden layer's atoms, and this content has none free ({names(atoms)})",
                "use bars for classes",
            )
    elif p.kind == "bars":
        if not atoms:
            return "bars need a free atom axis", f"axes: {names(axes)}"
    elif p.kind == "grid":
        if (
            content.source.atoms != "spatial"
            or content.source.kind != "layer"
            or len([a for a in spatial if a.side == "source"]) < 2
        ):
            return (
                "grid draws a layer's positions: its content needs L.spatial atoms as source",
                "e.g. activations(L.spatial) as grid(size_by=magnitude)",
            )
        if p.option("color") == "value" and not any(a.name == "component" for a in axes):
            return (
                "grid(color=value) colours cells by a 3-component content",
                "add | reduce(pca, 3)",
            )
    elif p.kind == "sankey":
        if {a.side for a in atoms} != {"source", "target"}:
            return (
                "sankey draws flows between two substrates, so it needs source and target atoms free",
                "e.g. attribution(a.groups(5) -> b.groups(5)) as sankey",
            )
    return None


def _single_class(content: Content) -> bool:
    target = content.target if content.kind == "attribution" else content.source
    return target is not None and target.kind == "output" and len(target.labels) == 1
