"""AST → bound program: resolve names and `extends`, give contents their axes,
and check every operation and presentation against them.

Static checks need no model; `check(spec, models=...)` also binds layers and
class labels to the model (via `interp.bind`). Every problem found becomes a
located diagnostic, and all of them are reported together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace

from interp import ast
from interp.axes import (
    AxisError,
    apply_op,
    collapse_drill,
    content_axes,
    free_atoms,
    names,
    substrate_axes,
)
from interp.bound import (
    Content,
    Element,
    Groups,
    Interface,
    Method,
    Presentation,
    Program,
    Reduce,
    SelectAt,
    SelectFrom,
    Softmax,
    Substrate,
    Sum,
    Top,
)
from interp.errors import Diagnostic, InterpError, Span, did_you_mean
from interp.images import ImageSpec
from interp.models import ModelSpec
from interp.signatures import OPERATIONS, PRESENTATIONS, Signature

DEFAULT_MODEL = ModelSpec(source="builtin", name="efficientnet_lite0")
DEFAULT_IMAGE = ImageSpec(kind="sample", value="chelsea")
ATOM_NAMES = ("spatial", "channels", "neurons", "groups")


class Problems:
    """Collects diagnostics so one run reports every mistake in a file."""

    def __init__(self, source: str = "") -> None:
        self.items: list[Diagnostic] = []
        self.source = source

    def add(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(message, span, hint))

    def at(self, span: Span | None, word: str, after: str = "") -> Span | None:
        """The span of identifier `word` (following keyword `after`) inside `span`,
        so a caret can point at one name of a statement; `span` when not found."""
        lead = re.escape(after) + r"\s+" if after else ""
        return self._find(span, lead + r"(?<![\w.])(" + re.escape(word) + r")(?!\w)")

    def at_member(self, span: Span | None, name: str) -> Span | None:
        """The span of the last `.name` inside `span` (the atoms of `L.name`)."""
        return self._find(span, r"\.\s*(" + re.escape(name) + r")(?!\w)", last=True)

    def at_string(self, span: Span | None, value: str) -> Span | None:
        """The span of the string literal `"value"` inside `span`."""
        return self._find(span, "(" + re.escape(json.dumps(value)) + ")")

    def _find(self, span: Span | None, pattern: str, last: bool = False) -> Span | None:
        if span is None or not self.source:
            return span
        lines, compiled, found_at = self.source.split("\n"), re.compile(pattern), None
        for number in range(span.line, min(span.end_line, len(lines)) + 1):
            text = lines[number - 1]
            start = span.column - 1 if number == span.line else 0
            stop = span.end_column - 1 if number == span.end_line else len(text)
            for found in compiled.finditer(text, start, stop):
                found_at = Span(span.file, number, found.start(1) + 1, number, found.end(1) + 1)
                if not last:
                    return found_at
        return found_at or span

    def sorted(self) -> list[Diagnostic]:
        """Unique diagnostics in source order (inherited statements are checked once per child)."""
        unique = list(dict.fromkeys(self.items))
        return sorted(
            unique,
            key=lambda d: (
                d.span is None,
                d.span.line if d.span else 0,
                d.span.column if d.span else 0,
            ),
        )


def check_static(spec: ast.Spec, source: str = "") -> Program:
    """Resolve and type-check `spec` without a model; raises InterpError listing all problems."""
    problems = Problems(source)
    interfaces = _resolve_extends(spec, problems)
    bound = tuple(_bind_interface(i, problems) for i in interfaces)
    comparisons = []
    known = [i.name for i in spec.interfaces]
    for comparison in spec.comparisons:
        for name in comparison.names:
            if name not in known:
                problems.add(
                    f"compare: no interface named {name!r}",
                    problems.at(comparison.span, name),
                    did_you_mean(name, known),
                )
        comparisons.append(comparison.names)
    if problems.items:
        raise InterpError(problems.sorted(), source)
    return Program(bound, tuple(comparisons), source)


# ---- extends ----------------------------------------------------------------------------


def _resolve_extends(spec: ast.Spec, problems: Problems) -> list[ast.Interface]:
    by_name: dict[str, ast.Interface] = {}
    for interface in spec.interfaces:
        first = by_name.get(interface.name)
        if first is not None:
            where = f"the first is at line {first.span.line}; " if first.span else ""
            problems.add(
                f"interface {interface.name!r} is defined twice",
                problems.at(interface.span, interface.name, "interface"),
                f"{where}rename one of them",
            )
        by_name.setdefault(interface.name, interface)
    cycles: set[frozenset[str]] = set()

    def merged(interface: ast.Interface, seen: tuple[str, ...]) -> ast.Interface:
        if interface.extends is None:
            return interface
        at = problems.at(interface.span, interface.extends, "extends")
        if interface.extends in seen:
            cycle = (*seen[seen.index(interface.extends) :], interface.extends)
            if frozenset(cycle) not in cycles:
                cycles.add(frozenset(cycle))
                if len(cycle) == 2:
                    problems.add(
                        f"interface {interface.name!r} extends itself",
                        at,
                        "extend another interface, or remove `extends`",
                    )
                else:
                    problems.add(
                        f"extends cycle: {' -> '.join(cycle)}",
                        at,
                        "an interface cannot extend itself, directly or through others",
                    )
            return interface.model_copy(update={"extends": None})
        parent = by_name.get(interface.extends)
        if parent is None:
            problems.add(
                f"interface {interface.name!r} extends {interface.extends!r}, which is not defined",
                at,
                did_you_mean(interface.extends, [n for n in by_name if n != interface.name]),
            )
            return interface.model_copy(update={"extends": None})
        parent = merged(parent, (*seen, interface.extends))
        own = {s.key for s in interface.body}
        body = tuple(s for s in parent.body if s.key not in own) + interface.body
        title = interface.title if interface.title is not None else parent.title
        return interface.model_copy(update={"body": body, "title": title, "extends": None})

    return [merged(i, (i.name,)) for i in spec.interfaces]


# ---- one interface ----------------------------------------------------------------------


def _bind_interface(interface: ast.Interface, problems: Problems) -> Interface:
    lets: dict[str, ast.LetStmt] = {}
    elements: dict[str, ast.ElementStmt] = {}
    model, image, layout = DEFAULT_MODEL, DEFAULT_IMAGE, None
    model_span = image_span = None
    for stmt in interface.body:
        if isinstance(stmt, ast.ModelStmt):
            model, model_span = _model_spec(stmt.ref, problems) or model, stmt.ref.span
        elif isinstance(stmt, ast.InputStmt):
            image, image_span = _image_spec(stmt.ref, problems) or image, stmt.ref.span
        elif isinstance(stmt, ast.LetStmt | ast.ElementStmt):
            table = lets if isinstance(stmt, ast.LetStmt) else elements
            first = lets.get(stmt.name) or elements.get(stmt.name)
            if first is not None:
                keyword = "let" if isinstance(stmt, ast.LetStmt) else "element"
                where = f"the first is at line {first.span.line}; " if first.span else ""
                problems.add(
                    f"{stmt.name!r} is defined twice in {interface.name!r}",
                    problems.at(stmt.span, stmt.name, keyword),
                    f"{where}names of lets and elements must be unique",
                )
            table.setdefault(stmt.name, stmt)
        elif isinstance(stmt, ast.LayoutStmt):
            layout = stmt.layout
            _check_layout(stmt.layout, elements, interface, problems)

    scope = _Scope(lets, elements, problems)
    for let in lets.values():  # report mistakes in lets no element uses, too
        scope.substrate(let.value)
    bound: dict[str, Element] = {}
    for name in _dependency_order(elements, problems):
        element = _bind_element(elements[name], scope, bound)
        if element is not None:
            bound[name] = element
    return Interface(
        name=interface.name,
        title=interface.title or interface.name,
        model=model,
        image=image,
        elements=tuple(bound.values()),
        layout=layout,
        span=interface.span,
        model_span=model_span,
        image_span=image_span,
    )


def _check_layout(
    layout: ast.Layout, elements, interface: ast.Interface, problems: Problems
) -> None:
    if layout.direction not in ("row", "column"):
        problems.add(
            f"unknown layout {layout.direction!r}",
            problems.at(layout.span, layout.direction),
            "use row(...) or column(...)",
        )
    declared = [e.name for e in interface.elements]
    for item in layout.items:
        if isinstance(item, ast.Layout):
            _check_layout(item, elements, interface, problems)
        elif item not in declared:
            problems.add(
                f"layout names {item!r}, which is not an element",
                problems.at(layout.span, item),
                did_you_mean(item, declared),
            )


def _dependency_order(elements: dict[str, ast.ElementStmt], problems: Problems) -> list[str]:
    """Elements ordered so that each selection's source element comes first."""
    deps = {
        name: [s for s in _selected_elements(stmt) if s in elements]
        for name, stmt in elements.items()
    }
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle, selector = (*path[path.index(name) :], name), elements[path[-1]]
            at = next(
                (r.span for r in _selection_refs(selector) if r.base.name == name), selector.span
            )  # type: ignore[union-attr]
            if len(cycle) == 2:
                problems.add(
                    f"element {name!r} selects on itself", at, "select on another element's atoms"
                )
            else:
                problems.add(
                    f"selection cycle: {' -> '.join(cycle)}",
                    at,
                    "an element cannot depend, through selections, on its own selection",
                )
            return
        state[name] = "active"
        for dep in deps[name]:
            visit(dep, (*path, name))
        state[name] = "done"
        order.append(name)

    for name in elements:
        visit(name, ())
    return order


def _selected_elements(stmt: ast.ElementStmt) -> list[str]:
    return [ref.base.name for ref in _selection_refs(stmt)]  # type: ignore[union-attr]


def _selection_refs(stmt: ast.ElementStmt) -> list[ast.Member]:
    """The `E.event` arguments of an element's selects."""
    found = []
    for op in stmt.ops:
        if op.name == "select":
            for arg in op.positional:
                if isinstance(arg.value, ast.Member) and isinstance(arg.value.base, ast.Name):
                    found.append(arg.value)
    return found


# ---- model and input ----------------------------------------------------------------------


def _model_spec(ref: ast.Value, problems: Problems) -> ModelSpec | None:
    hint = 'e.g. efficientnet_lite0, efficientnet_lite0(weights=random, seed=0), torchvision("googlenet", weights="g.pth")'
    if isinstance(ref, ast.Name):
        return ModelSpec(source="builtin", name=ref.name)
    if not isinstance(ref, ast.Call):
        problems.add("expected a model", ref.span, hint)
        return None
    kwargs = {a.name: a.value for a in ref.args if a.name}
    for arg in ref.args:
        if arg.name and arg.name not in ("weights", "seed"):
            problems.add(
                f"model: unknown argument {arg.name!r}",
                arg.span,
                did_you_mean(arg.name, ["weights", "seed"]),
            )
    weights = kwargs.get("weights")
    weights_value = None
    if isinstance(weights, ast.Name) and weights.name == "random":
        weights_value = "random"
    elif isinstance(weights, ast.Str):
        weights_value = weights.value
    elif weights is not None:
        problems.add(
            "weights= takes random or a file path string", weights.span, 'e.g. weights="model.pth"'
        )
    seed = kwargs.get("seed")
    if seed is not None and not (isinstance(seed, ast.Num) and isinstance(seed.value, int)):
        problems.add("seed= takes an integer", seed.span, "e.g. seed=0")
        seed = None
    seed_value = seed.value if isinstance(seed, ast.Num) else 0
    if ref.name in ("torchvision", "timm"):
        first = ref.positional[0].value if ref.positional else None
        if not isinstance(first, ast.Str):
            problems.add(
                f"{ref.name}(...) takes the architecture name as a string first",
                ref.span,
                f'e.g. {ref.name}("resnet18", weights="resnet18.pth")',
            )
            return None
        return ModelSpec(source=ref.name, name=first.value, weights=weights_value, seed=seed_value)
    if ref.positional:
        problems.add(f"model {ref.name}(...) takes only keyword arguments", ref.span, hint)
    return ModelSpec(source="builtin", name=ref.name, weights=weights_value, seed=seed_value)


def _image_spec(ref: ast.Value, problems: Problems) -> ImageSpec | None:
    if isinstance(ref, ast.Str):
        return ImageSpec(kind="path", value=ref.value)
    if (
        isinstance(ref, ast.Call)
        and ref.name == "sample"
        and len(ref.args) == 1
        and isinstance(ref.args[0].value, ast.Str)
    ):
        return ImageSpec(kind="sample", value=ref.args[0].value.value)
    problems.add(
        'expected an image: a path string or sample("name")',
        ref.span,
        'e.g. input sample("chelsea") or input "cat.png"',
    )
    return None


# ---- substrates ---------------------------------------------------------------------------


class _Scope:
    def __init__(self, lets, elements, problems: Problems):
        self.lets, self.elements, self.problems = lets, elements, problems
        self.resolving: set[str] = set()

    def substrate(self, value: ast.Value) -> Substrate | None:
        """Resolve a substrate expression (layer, input, output, a let, atoms)."""
        add = self.problems.add
        if isinstance(value, ast.LayerRef):
            return Substrate("layer", layer=value.path, span=value.span)
        if isinstance(value, ast.InputRef):
            return Substrate("input")
        if isinstance(value, ast.OutputRef):
            return Substrate("output", atoms="classes", labels=value.labels, span=value.span)
        if isinstance(value, ast.Name):
            let = self.lets.get(value.name)
            if let is None:
                if value.name in self.elements:
                    add(
                        f"{value.name!r} is an element, not a substrate",
                        value.span,
                        f"select on it with select({value.name}.hover)",
                    )
                else:
                    choices = list(self.lets) + ["input", "output"]
                    add(
                        f"undefined name {value.name!r}",
                        value.span,
                        did_you_mean(value.name, choices),
                    )
                return None
            if value.name in self.resolving:
                add(
                    f"let {value.name!r} refers to itself",
                    value.span,
                    'a let names a substrate, e.g. let mid = layer("blocks.4.2.bn1")',
                )
                return None
            self.resolving.add(value.name)
            try:
                return self.substrate(let.value)
            finally:
                self.resolving.discard(value.name)
        if isinstance(value, ast.Member):
            return self._atoms(value)
        add(
            'expected a substrate: layer("..."), input, output or a let name',
            value.span,
            'e.g. layer("blocks.4.2.bn1").channels',
        )
        return None

    def _atoms(self, member: ast.Member) -> Substrate | None:
        add = self.problems.add
        if member.name in ("hover", "click"):
            add(
                f"{member.to_text()} is a selection; use it inside select(...)",
                member.span,
                f"e.g. | select({member.to_text()})",
            )
            return None
        base = self.substrate(member.base)
        if base is None:
            return None
        if member.name == "spatial" and base.groups is not None and not base.footprint:
            return replace(base, footprint=True)
        if member.name not in ATOM_NAMES:
            add(
                f"unknown atoms {member.name!r}",
                self.problems.at_member(member.span, member.name),
                did_you_mean(member.name, ATOM_NAMES),
            )
            return None
        if base.kind == "output":
            add(
                f"output's atoms are its classes; .{member.name} cannot follow",
                self.problems.at_member(member.span, member.name),
                'use output, or name classes: output["tabby"]',
            )
            return None
        if base.atoms is not None:
            add(
                f"{base.describe()} already has atoms; .{member.name} cannot follow",
                self.problems.at_member(member.span, member.name),
                'atoms are chosen once: layer("x").channels',
            )
            return None
        if base.kind == "input" and member.name != "spatial":
            add(
                f"input has only spatial atoms, not .{member.name}",
                self.problems.at_member(member.span, member.name),
                "use input.spatial",
            )
            return None
        if member.name == "groups" and member.args is None:
            add(
                ".groups needs the number of groups",
                self.problems.at_member(member.span, member.name),
                "e.g. .groups(6, factorize=nmf, of=activations)",
            )
            return None
        if member.name != "groups" and member.args is not None:
            add(
                f".{member.name} takes no arguments",
                self.problems.at_member(member.span, member.name),
                f"write .{member.name}; only .groups(k) takes arguments",
            )
            return None
        if member.name == "groups":
            groups = self._groups(base.layer or "", member)
            return replace(base, atoms="groups", groups=groups) if groups else None
        return replace(base, atoms=member.name)  # type: ignore[arg-type]

    def _groups(self, layer: str, member: ast.Member) -> Groups | None:
        add = self.problems.add
        args = member.args or ()
        positional = [a for a in args if a.name is None]
        k_ok = (
            len(positional) == 1
            and isinstance(positional[0].value, ast.Num)
            and isinstance(positional[0].value.value, int)
            and positional[0].value.value >= 1
        )
        if not k_ok:
            at = positional[0].span if len(positional) == 1 else member.span
            add(
                "groups(k, ...) takes the number of groups, a positive integer",
                at,
                "e.g. .groups(6, factorize=nmf, of=activations)",
            )
        options = {"factorize": ("nmf",), "of": ("activations", "gradient", "attribution")}
        values: dict[str, str | None] = {"factorize": "nmf", "of": "activations", "target": None}
        for arg in args:
            if arg.name is None:
                continue
            if arg.name == "target" and isinstance(arg.value, ast.Str):
                values["target"] = arg.value.value
            elif (
                arg.name in options
                and isinstance(arg.value, ast.Name)
                and arg.value.name in options[arg.name]
            ):
                values[arg.name] = arg.value.name
            elif arg.name in options:
                add(f"groups: {arg.name}= takes one of {', '.join(options[arg.name])}", arg.span)
            else:
                add(
                    f"groups: unknown argument {arg.name!r}",
                    arg.span,
                    did_you_mean(arg.name, [*options, "target"]),
                )
        if not k_ok:
            return None
        return Groups(
            layer, positional[0].value.value, values["factorize"], values["of"], values["target"]
        )  # type: ignore[arg-type]


# ---- elements -----------------------------------------------------------------------------


def _bind_element(
    stmt: ast.ElementStmt, scope: _Scope, bound: dict[str, Element]
) -> Element | None:
    problems = scope.problems
    count = len(problems.items)
    content = _content(stmt.content, scope)
    if content is None:
        return None
    axes = content_axes(content)
    ops = []
    for op in stmt.ops:
        parsed = _operation(op, axes, scope, bound)
        if parsed is None:
            continue
        try:
            axes = apply_op(parsed, axes)
        except AxisError as exc:
            problems.add(
                str(exc), problems.at(op.span, exc.word) if exc.word else op.span, exc.hint
            )
            continue
        ops.append(parsed)
    presentation = _presentation(stmt.presentation, content, axes, scope)
    if presentation is None or len(problems.items) > count:
        return None
    if presentation.kind == "image":
        axes = substrate_axes(presentation.option("grid"), "source", activations=False)  # type: ignore[arg-type]
    return Element(stmt.name, content, tuple(ops), presentation, collapse_drill(axes), stmt.span)


def _content(content: ast.Content, scope: _Scope) -> Content | None:
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
    if name not in ("gradient", "integrated_gradients", "grad_cam"):
        problems.add(
            f"unknown attribution method {value.to_text()!r}",
            value.span,
            did_you_mean(str(name), ["gradient", "integrated_gradients", "grad_cam"]),
        )
        return None
    steps = 32
    if isinstance(value, ast.Call):
        for a in value.args:
            if (
                a.name == "steps"
                and isinstance(a.value, ast.Num)
                and isinstance(a.value.value, int)
                and a.value.value > 0
            ):
                steps = a.value.value
            else:
                problems.add(
                    f"{name}: unexpected argument {a.to_text()!r}",
                    a.span,
                    "integrated_gradients(steps=32)",
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


def _operation(op: ast.Operation, axes, scope: _Scope, bound: dict[str, Element]):
    problems = scope.problems
    if op.name not in OPERATIONS:
        problems.add(f"unknown operation {op.name!r}", op.span, did_you_mean(op.name, OPERATIONS))
        return None
    if op.name == "select":
        return _select(op, axes, scope, bound)
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


def _select(op: ast.Operation, axes, scope: _Scope, bound: dict[str, Element]):
    problems = scope.problems
    hint = "select(E.hover), select(E.click) or select(channel=[12, 40], x=3)"
    positional, keywords = op.positional, [a for a in op.args if a.name]
    if positional and (keywords or len(positional) > 1):
        problems.add("select takes one element's selection, or axis=value pairs", op.span, hint)
        return None
    if keywords:
        coords = []
        for arg in keywords:
            items = arg.value.items if isinstance(arg.value, ast.ListValue) else (arg.value,)
            if not all(isinstance(i, ast.Num | ast.Str) for i in items):
                problems.add(f"select: {arg.name}= takes numbers or strings", arg.span, hint)
                return None
            coords.append((arg.name, tuple(i.value for i in items)))  # type: ignore[union-attr]
        return SelectAt(tuple(coords))
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
    call: ast.Presentation, content: Content, axes, scope: _Scope
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
