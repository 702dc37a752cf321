"""AST → bound program: merge `extends`, collect lets and elements, order
elements so each selection's source comes first, read model and input.

Names become substrates in `interp.check.scope`; contents, operations and
presentations are checked against their axes in `interp.check.elements`. These
static checks need no model; `interp.check.bind` adds the ones that do; model references are read in
`interp.check.models`.
Every problem becomes a located diagnostic, all reported together.
"""

from __future__ import annotations

from interp.check.bound import (
    Element,
    Interface,
    Program,
)
from interp.check.elements import bind_element
from interp.check.models import DEFAULT_MODEL, model_spec
from interp.check.problems import Problems
from interp.check.scope import Scope
from interp.data.images import ImageSpec
from interp.data.paths import resolve_path
from interp.errors import InterpError, did_you_mean
from interp.models.registry import EMPTY, Models
from interp.models.spec import ModelSpec
from interp.syntax import ast

DEFAULT_IMAGE = ImageSpec(kind="sample", value="chelsea")


def check_static(spec: ast.Spec, source: str = "", models: Models = EMPTY) -> Program:
    """Resolve and type-check `spec` without a model; raises InterpError listing all problems.

    `models` names the models the caller supplies; a model name that is neither
    one of them nor built in is a located problem.
    """
    problems = Problems(source)
    interfaces = _resolve_extends(spec, problems)
    bound = tuple(_bind_interface(i, problems, models) for i in interfaces)
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


def _bind_interface(interface: ast.Interface, problems: Problems, models: Models) -> Interface:
    lets: dict[str, ast.LetStmt] = {}
    elements: dict[str, ast.ElementStmt] = {}
    model, image, layout = DEFAULT_MODEL, DEFAULT_IMAGE, None
    model_span = image_span = None
    for stmt in interface.body:
        if isinstance(stmt, ast.ModelStmt):
            model, model_span = model_spec(stmt.ref, problems, models) or model, stmt.ref.span
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

    def other_model(ref: ast.Value) -> ModelSpec | None:
        """`layer(..., model=ref)`: None when ref names the interface's own model."""
        found = model_spec(ref, problems, models)
        return None if found == model else found

    scope = Scope(lets, elements, problems, other_model)
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
