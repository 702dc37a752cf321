"""Layouts, interfaces and files: `row`, `column`, `interface(...)`, `compare`, `spec`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from interp.syntax import ast
from interp.syntax.builder.elements import Element
from interp.syntax.builder.literals import identifier, model_ref, substrate_value, value


def row(*items: str | ast.Layout) -> ast.Layout:
    """`row(a, column(b, c))`: elements side by side, by name."""
    return _layout("row", items)


def column(*items: str | ast.Layout) -> ast.Layout:
    """`column(a, b)`: elements one above the other, by name."""
    return _layout("column", items)


def _layout(direction: str, items: tuple[str | ast.Layout, ...]) -> ast.Layout:
    if not items:
        raise ValueError(f"{direction}(...) needs at least one element")
    names = tuple(i if isinstance(i, ast.Layout) else identifier(i, "a layout item") for i in items)
    return ast.Layout(direction=direction, items=names)


def interface(
    name: str,
    title: str | None = None,
    *,
    extends: str | ast.Interface | None = None,
    model: Any = None,
    input: Any = None,
    let: Mapping[str, Any] | None = None,
    elements: Mapping[str, Element | ast.ElementStmt] | None = None,
    layout: ast.Layout | None = None,
    comment: str | None = None,
) -> ast.Interface:
    """An interface, its statements in canonical order: model, input, lets, elements,
    layout. `model="efficientnet_lite0"` is the bare model name (`model(...)` adds
    options); `input` is a path or `sample(...)`; `let` maps names to substrates and
    `elements` names to `content.as_(presentation)`; `extends` names the parent (or is
    it); `comment` lines print above the interface."""
    lets = _mapping(let, "let", '{"mid": layer("blocks.4.2.bn1")}')
    named = _mapping(elements, "elements", '{"where": activations(...).as_(heatmap())}')
    for argument, given in (("title", title), ("comment", comment)):
        if given is not None and not isinstance(given, str):
            raise TypeError(f"interface: {argument}= takes a string or None, not {_kind(given)}")
    if layout is not None and not isinstance(layout, ast.Layout):
        raise TypeError(
            f"interface: layout= takes row(...) or column(...), not {_kind(layout)}; "
            'e.g. layout=row("detectors", "where")'
        )
    body: list[ast.AnyStatement] = []
    if model is not None:
        edits = getattr(model, "edits", ())  # model.with_(...): an edited model
        body.append(ast.ModelStmt(ref=model_ref(getattr(model, "node", model)), edits=edits))
    if input is not None:
        body.append(ast.InputStmt(ref=value(input)))
    for let_name, substrate in lets.items():
        value_ = substrate_value(substrate, f"let {let_name}")
        body.append(ast.LetStmt(name=identifier(let_name, "a let name"), value=value_))
    for element_name, element in named.items():
        if isinstance(element, ast.ElementStmt):
            element = Element(element.content, element.ops, element.presentation)
        if not isinstance(element, Element):
            raise TypeError(f"element {element_name}: finish the content with .as_(presentation)")
        body.append(element.statement(identifier(element_name, "an element name")))
    if layout is not None:
        body.append(ast.LayoutStmt(layout=layout))
    return ast.Interface(
        name=identifier(name, "an interface name"),
        title=title,
        extends=extends.name
        if isinstance(extends, ast.Interface)
        else None
        if extends is None
        else identifier(extends, "extends"),
        body=tuple(body),
        comments=tuple(f"# {line}".rstrip() for line in comment.splitlines()) if comment else (),
    )


def _mapping(given: Any, argument: str, example: str) -> Mapping[str, Any]:
    """`given` when it maps names to values (None: no entries); else a TypeError saying so."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise TypeError(
            f"interface: {argument}= takes a mapping from names to values (a dict), "
            f"not {_kind(given)}; e.g. {argument}={example}"
        )
    return given


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def compare(*interfaces: str | ast.Interface) -> ast.Compare:
    """`compare a, b`: a side-by-side comparison page."""
    names = tuple(i.name if isinstance(i, ast.Interface) else identifier(i) for i in interfaces)
    if len(names) < 2:
        raise ValueError("compare needs two or more interfaces")
    return ast.Compare(names=names)


def spec(*items: ast.Interface | ast.Compare) -> ast.Spec:
    """A file: interfaces and comparisons, in order."""
    for item in items:
        if not isinstance(item, ast.Interface | ast.Compare):
            raise TypeError(
                f"spec(...) takes interfaces and comparisons (interface(...), compare(...)), "
                f"not {_kind(item)}"
            )
    return ast.Spec(items=items)
