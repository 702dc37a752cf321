"""AST → bound program: merge `extends`, collect lets and elements, order
elements so each selection's source comes first, read model and input.

Names become substrates in `interp.check.scope`; contents, operations and
presentations are checked against their axes in `interp.check.elements`. These
static checks need no model; `interp.check.model_binding` loads the models and walks
the spec again with their facts (`interp.check.facts`), for the checks that
need them; model references are read in `interp.check.models`. Every problem becomes a located diagnostic, all reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from interp.check.edits import check_edits, read_edits
from interp.check.elements import bind_element
from interp.check.facts import ModelFacts
from interp.check.inheritance import resolve_extends
from interp.check.models import DEFAULT_MODEL, model_spec
from interp.check.problems import Problems
from interp.check.program import (
    Element,
    Interface,
    Program,
)
from interp.check.scope import Scope
from interp.data.images import ImageSpec
from interp.data.paths import resolve_path
from interp.errors import InterpError, Span, did_you_mean
from interp.models.registry import EMPTY, Models
from interp.models.spec import ModelSpec
from interp.syntax import ast

DEFAULT_IMAGE = ImageSpec(kind="sample", value="chelsea")
FactsOf = Callable[[ModelSpec, Span | None], ModelFacts | None]


def check_static(spec: ast.Spec, source: str | None = None, models: Models = EMPTY) -> Program:
    """Resolve and type-check `spec` without a model; raises InterpError listing all problems.

    `models` names the models the caller supplies; a model name that is neither
    one of them nor built in is a located problem.
    """
    problems = Problems()
    program = check_program(spec, problems, models=models)
    if problems.items:
        raise InterpError(problems.sorted(), source)
    return replace(program, source=source or "")


def check_program(
    spec: ast.Spec, problems: Problems, facts_of: FactsOf | None = None, models: Models = EMPTY
) -> Program:
    """The checker's one walk over `spec`, adding every mistake to `problems`; with
    `facts_of` (a model's facts, loaded on first use; the span says where the model
    is named) it also checks layers, classes, coordinates and sizes against the models."""
    _check_strings(spec, problems)
    interfaces = resolve_extends(spec, problems)
    bound = tuple(_bind_interface(i, problems, facts_of, models) for i in interfaces)
    comparisons = []
    known = [i.name for i in spec.interfaces]
    for comparison in spec.comparisons:
        spans = comparison.name_spans or (None,) * len(comparison.names)
        for name, span in zip(comparison.names, spans, strict=True):
            if name not in known:
                problems.add(
                    f"compare: no interface named {name!r}",
                    span or comparison.span,
                    did_you_mean(name, known),
                )
        comparisons.append(comparison.names)
    return Program(bound, tuple(comparisons))


# ---- text -------------------------------------------------------------------------------


def _check_strings(spec: ast.Spec, problems: Problems) -> None:
    """Every string must be writable as UTF-8 (to a formatted spec, to a page): a lone
    surrogate, which an escape such as \\ud800 can make, is refused where it stands."""
    for text, span in _strings(spec):
        bad = next((c for c in text if 0xD800 <= ord(c) <= 0xDFFF), None)
        if bad is not None:
            problems.add(
                f"this string holds a lone surrogate (\\u{ord(bad):04x}), which no UTF-8 file "
                "or page can store",
                span,
                "write the character itself, or escape a whole character: \\u00e9, or the "
                "pair \\ud83d\\ude00 for one beyond \\uffff",
            )


def _strings(spec: ast.Spec) -> Iterator[tuple[str, Span | None]]:
    """Every string written in `spec` (titles, literals, labels, layer paths), with its span."""
    stack: list[object] = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        if not isinstance(node, ast.Node):
            continue
        if isinstance(node, ast.Interface) and node.title is not None:
            yield node.title, node.title_span or node.span
        elif isinstance(node, ast.Str):
            yield node.value, node.span
        elif isinstance(node, ast.LayerRef):
            yield node.path, node.span
        elif isinstance(node, ast.OutputRef):
            spans = node.label_spans or (node.span,) * len(node.labels)
            yield from zip(node.labels, spans, strict=True)
        stack.extend(getattr(node, name) for name in type(node).model_fields if name != "span")


# ---- one interface ----------------------------------------------------------------------


def _bind_interface(
    interface: ast.Interface, problems: Problems, facts_of: FactsOf | None, models: Models
) -> Interface:
    lets: dict[str, ast.LetStmt] = {}
    elements: dict[str, ast.ElementStmt] = {}
    model, image, layout = DEFAULT_MODEL, DEFAULT_IMAGE, None
    edit_values: tuple[ast.Value, ...] = ()
    model_span = image_span = None
    for stmt in interface.body:
        if isinstance(stmt, ast.ModelStmt):
            model, model_span = model_spec(stmt.ref, problems, models) or model, stmt.ref.span
            edit_values = stmt.edits  # read once the lets are known: ablate(mid.channels[3])
        elif isinstance(stmt, ast.InputStmt):
            image, image_span = _image_spec(stmt.ref, problems) or image, stmt.ref.span
        elif isinstance(stmt, ast.LetStmt | ast.ElementStmt):
            table = lets if isinstance(stmt, ast.LetStmt) else elements
            first = lets.get(stmt.name) or elements.get(stmt.name)
            if first is not None:
                problems.twice(
                    f"{stmt.name!r} is defined twice in {interface.name!r}",
                    stmt.name_span or stmt.span,
                    first.span,
                    "names of lets and elements must be unique",
                )
            table.setdefault(stmt.name, stmt)
        elif isinstance(stmt, ast.LayoutStmt):
            layout = stmt.layout
            _check_layout(stmt.layout, elements, interface, problems)

    layers = {
        name: let.value.path
        for name, let in lets.items()
        if isinstance(let.value, ast.LayerRef) and let.value.model is None
    }
    edits = read_edits(edit_values, problems, layers, lets)
    model = replace(model, edits=tuple(e.spec for e in edits))

    def other_model(ref: ast.Value) -> ModelSpec | None:
        """`layer(..., model=ref)`: None when ref names the interface's own model."""
        found = model_spec(ref, problems, models)
        return None if found == model else found

    def facts(of: ModelSpec | None) -> ModelFacts | None:
        """The facts of a layer's model (None: the interface's), when checking against models."""
        if facts_of is None:
            return None
        return facts_of(of or model, model_span if of is None else None)

    if edits and facts_of is not None:
        found = facts_of(model.unedited(), model_span)
        if found is not None:
            check_edits(edits, found, problems)
    scope = Scope(lets, elements, problems, facts, other_model)
    for let in lets.values():  # report mistakes in lets no element uses, too
        scope.let(let.value)
    bound: dict[str, Element] = {}
    for name in _dependency_order(elements, problems):
        element = bind_element(elements[name], scope, bound)
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
            layout.direction_span or layout.span,
            "use row(...) or column(...)",
        )
    declared = [e.name for e in interface.elements]
    spans = layout.item_spans or (None,) * len(layout.items)
    for item, span in zip(layout.items, spans, strict=True):
        if isinstance(item, ast.Layout):
            _check_layout(item, elements, interface, problems)
        elif item not in declared:
            problems.add(
                f"layout names {item!r}, which is not an element",
                span or layout.span,
                did_you_mean(item, declared),
            )


def _dependency_order(elements: dict[str, ast.ElementStmt], problems: Problems) -> list[str]:
    """Elements ordered so that each selection's source element comes first (a depth-first
    walk with its own stack, so long chains of selections cannot exhaust Python's)."""
    deps = {
        name: [s for s in _selected_elements(stmt) if s in elements]
        for name, stmt in elements.items()
    }
    order: list[str] = []
    state: dict[str, str] = {}
    for root in elements:
        if state.get(root) == "done":
            continue
        path: list[str] = [root]
        pending: list[list[str]] = [list(reversed(deps[root]))]
        state[root] = "active"
        while path:
            if not pending[-1]:
                state[path[-1]] = "done"
                order.append(path.pop())
                pending.pop()
                continue
            name = pending[-1].pop()
            if state.get(name) == "done":
                continue
            if state.get(name) == "active":
                _selection_cycle(name, path, elements, problems)
                continue
            state[name] = "active"
            path.append(name)
            pending.append(list(reversed(deps[name])))
    return order


def _selection_cycle(
    name: str, path: list[str], elements: dict[str, ast.ElementStmt], problems: Problems
) -> None:
    cycle, selector = (*path[path.index(name) :], name), elements[path[-1]]
    at = next((r.span for r in _selection_refs(selector) if r.base.name == name), selector.span)  # type: ignore[union-attr]
    if len(cycle) == 2:
        problems.add(f"element {name!r} selects on itself", at, "select on another element's atoms")
    else:
        problems.add(
            f"selection cycle: {' -> '.join(cycle)}",
            at,
            "an element cannot depend, through selections, on its own selection",
        )


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


def _image_spec(ref: ast.Value, problems: Problems) -> ImageSpec | None:
    if isinstance(ref, ast.Str):
        return ImageSpec(kind="path", value=resolve_path(ref.value, ref.span))
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
