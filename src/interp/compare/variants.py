"""Families of interface designs that differ in one dimension, compared on one page.

    spec = interp.variants("specs/teaser.interp", element="detectors",
                           layer=["blocks.3.2.bn1", "blocks.4.2.bn1", "blocks.5.3.bn1"])
    result = interp.run(spec)          # one compare page, one metrics table
    print(interp.to_text(spec))        # ... and it is an ordinary spec

Each variant is a child interface (`interface teaser_blocks_3_2_bn1 extends
teaser`) that replaces only the statements the dimension touches, so the
family reads as a spec a user could have written by hand:

- `layer=[...]`: the layer `element` reads (through its lets), everywhere it is read;
- `method=[...]`: the attribution method of `element` (`linear`, `grad_cam`,
  `integrated_gradients(steps=16)`);
- `model=[...]`: the interface's model (`efficientnet_lite1`,
  `efficientnet_lite0(weights=random, seed=0)`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from interp.syntax import ast
from interp.syntax.parser import parse
from interp.syntax.resolve import resolve_spec

DIMENSIONS = ("layer", "method", "model")


def variants(
    spec: ast.Spec | str | Path,
    *,
    element: str,
    interface: str | None = None,
    **dimension: Sequence[str],
) -> ast.Spec:
    """`spec` plus one child interface per value of the one `dimension`, and their `compare`."""
    spec = resolve_spec(spec)
    if len(dimension) != 1 or next(iter(dimension)) not in DIMENSIONS:
        given = ", ".join(dimension) or "none"
        raise TypeError(f"variants takes one dimension of {', '.join(DIMENSIONS)}; got {given}")
    ((name, values),) = dimension.items()
    if isinstance(values, str) or len(values) < 2:
        raise ValueError(f"{name}= takes a list of at least two values, e.g. {name}=[..., ...]")
    base = _interface(spec, interface)
    body = _merged(spec, base)
    stmt = body.get(("ElementStmt", element))
    if stmt is None:
        known = [key[1] for key in body if key[0] == "ElementStmt"]
        raise ValueError(f"interface {base.name!r} has no element {element!r}; it has {known}")
    vary = {"layer": _layer, "method": _method, "model": _model}[name]
    children = []
    taken = {i.name for i in spec.interfaces}
    for value in values:
        changed = vary(body, stmt, str(value))
        child = _name(base.name, str(value), taken)
        taken.add(child)
        title = f"{base.title or base.name} · {name} {value}"
        children.append(ast.Interface(name=child, title=title, extends=base.name, body=changed))
    compare = ast.Compare(names=tuple(c.name for c in children))
    return ast.Spec(items=(*spec.items, *_located(children, compare, f"{name}={list(values)}")))


def _located(children: list[ast.Interface], compare: ast.Compare, asked: str) -> tuple:
    """The new interfaces and their compare as parsed from their own printed text, so an
    error in a variant (`method=gradcam`) points at the line that says it, in text the
    user can print (`interp.to_text(spec)`), never at a line of the base it was copied from."""
    generated = ast.Spec(items=(*children, compare)).to_text()
    return parse(generated, file=f"<interp.variants {asked}>").items


def _interface(spec: ast.Spec, name: str | None) -> ast.Interface:
    if name is None:
        if len(spec.interfaces) != 1:
            names = [i.name for i in spec.interfaces]
            raise ValueError(f"the spec has several interfaces ({names}): pass interface=NAME")
        return spec.interfaces[0]
    found = spec.interface(name)
    if found is None:
        raise ValueError(f"no interface {name!r} in the spec")
    return found


def _merged(spec: ast.Spec, interface: ast.Interface) -> dict[tuple, ast.Statement]:
    """The interface's statements by key, its parents' first (a child's replace them)."""
    chain = []
    current: ast.Interface | None = interface
    while current is not None and current not in chain:
        chain.append(current)
        current = spec.interface(current.extends) if current.extends else None
    merged: dict[tuple, ast.Statement] = {}
    for link in reversed(chain):
        for stmt in link.body:
            merged[stmt.key] = stmt
    return merged


# ---- dimensions: each returns the statements a variant replaces -------------------------------


def _layer(body: dict, element: ast.ElementStmt, path: str) -> tuple[ast.Statement, ...]:
    lets = _lets_read(body, element)
    paths = {ref.path for stmt in (*lets, element) for ref in _layer_refs(stmt)}
    if len(paths) != 1:
        raise ValueError(
            f"element {element.name!r} reads {len(paths)} layers ({sorted(paths)}); "
            "layer= varies an element that reads one"
        )
    (old,) = paths
    changed = [
        _replace_layer(stmt, old, path)
        for stmt in (*lets, element)
        if any(ref.path == old for ref in _layer_refs(stmt))
    ]
    return tuple(changed)


def _method(body: dict, element: ast.ElementStmt, method: str) -> tuple[ast.Statement, ...]:
    content = element.content
    if not isinstance(content, ast.Attribution):
        raise ValueError(f"element {element.name!r} is not an attribution: it has no method")
    value = _value(method)
    options = tuple(a for a in content.options if a.name != "method")
    options += (ast.Arg(name="method", value=value),)
    return (
        element.model_copy(update={"content": content.model_copy(update={"options": options})}),
    )


def _model(body: dict, element: ast.ElementStmt, model: str) -> tuple[ast.Statement, ...]:
    return (ast.ModelStmt(ref=_value(model)),)


def _value(text: str) -> ast.Value:
    """A value written as in a spec (`grad_cam`, `efficientnet_lite0(weights=random)`)."""
    wrapper = parse(f"interface v {{\n  model {text}\n}}")
    return wrapper.interfaces[0].body[0].ref


def _lets_read(body: dict, stmt: ast.Statement) -> list[ast.LetStmt]:
    """The let statements `stmt` reads, directly or through other lets, in body order."""
    found: list[ast.LetStmt] = []
    pending = [stmt]
    while pending:
        for name in _names(pending.pop()):
            let = body.get(("LetStmt", name))
            if let is not None and let not in found:
                found.append(let)
                pending.append(let)
    order = list(body.values())
    return sorted(found, key=order.index)


def _walk(node):
    if isinstance(node, ast.Node):
        yield node
        for field in type(node).model_fields:
            yield from _walk(getattr(node, field))
    elif isinstance(node, tuple):
        for item in node:
            yield from _walk(item)


def _names(stmt: ast.Statement) -> set[str]:
    return {n.name for n in _walk(stmt) if isinstance(n, ast.Name)}


def _layer_refs(stmt: ast.Statement) -> list[ast.LayerRef]:
    return [n for n in _walk(stmt) if isinstance(n, ast.LayerRef)]


def _replace_layer(node, old: str, new: str):
    """`node` with every `layer("old")` of the interface's model reading `new` instead."""
    if isinstance(node, ast.LayerRef):
        return node.model_copy(update={"path": new}) if node.path == old else node
    if isinstance(node, ast.Node):
        updates = {}
        for field in type(node).model_fields:
            value = getattr(node, field)
            replaced = _replace_layer(value, old, new)
            if replaced is not value:
                updates[field] = replaced
        return node.model_copy(update=updates) if updates else node
    if isinstance(node, tuple):
        items = tuple(_replace_layer(v, old, new) for v in node)
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    return node


def _name(base: str, value: str, taken: set[str]) -> str:
    """An identifier for the variant: the base name and the value's words."""
    words = re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_") or "variant"
    name, n = f"{base}_{words}", 2
    while name in taken:
        name, n = f"{base}_{words}_{n}", n + 1
    return name
