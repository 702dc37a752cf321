"""Lark tree → AST: the rules for the top level, statements, contents, operations and
presentations, on top of the value rules in `interp.syntax.transform_values`.

An element's content is read from what parsed as a call (`activations(...)`,
`attribution(a -> b)`); a misspelled content is left for the checker to name.
"""

from __future__ import annotations

from lark import v_args

from interp.syntax import ast
from interp.syntax.diagnostics import PRESENTATION_HINT
from interp.syntax.transform_values import ARROW_CONTENTS, ValueTransformer

_CONTENTS = ("activations", "attribution", "ablation")


@v_args(meta=True)
class ToAst(ValueTransformer):
    """One method per grammar rule; builds typed nodes with spans."""

    # -- top level
    def start(self, meta, items):
        return ast.Spec(items=tuple(items), span=self._at(meta))

    def interface(self, meta, children):
        name, title, extends, late_title, *body = children
        if title is not None and late_title is not None:
            self._fail(
                "an interface has one title",
                self._token(late_title),
                'keep one: interface NAME "title" extends OTHER { ... }',
            )
        title = title if title is not None else late_title
        return ast.Interface(
            name=str(name),
            title=None if title is None else self._string(title),
            extends=None if extends is None else str(extends),
            body=tuple(body),
            span=self._at(meta),
            name_span=self._token(name),
            title_span=self._token(title),
            extends_span=self._token(extends),
        )

    def compare(self, meta, names):
        return ast.Compare(
            names=tuple(str(n) for n in names),
            span=self._at(meta),
            name_spans=tuple(self._token(n) for n in names),
        )

    # -- statements
    def model_stmt(self, meta, children):
        ref, *edits = children
        edits = tuple(e for e in edits if e is not None)
        return ast.ModelStmt(ref=ref, edits=edits, span=self._at(meta))

    def input_stmt(self, meta, children):
        return ast.InputStmt(ref=children[1], span=self._at(meta))

    def let_stmt(self, meta, children):
        name, value = children
        return ast.LetStmt(
            name=str(name), value=value, span=self._at(meta), name_span=self._token(name)
        )

    def element_stmt(self, meta, children):
        name, content, *pipes, presentation = children
        return ast.ElementStmt(
            name=str(name),
            content=self._content(content),
            ops=tuple(self._call(p, ast.Operation, "an operation") for p in pipes),
            presentation=self._call(presentation, ast.Presentation, "a presentation"),
            span=self._at(meta),
            name_span=self._token(name),
        )

    def pipe(self, meta, children):
        return children[0]

    def layout_stmt(self, meta, children):
        return ast.LayoutStmt(layout=children[0], span=self._at(meta))

    def layout(self, meta, children):
        direction, *items = children
        return ast.Layout(
            direction=str(direction),
            items=tuple(i if isinstance(i, ast.Layout) else str(i) for i in items),
            span=self._at(meta),
            direction_span=self._token(direction),
            item_spans=tuple(
                i.span if isinstance(i, ast.Layout) else self._token(i) for i in items
            ),
        )

    def layout_name(self, meta, children):
        return children[0]  # the NAME token; `layout` keeps its span

    # -- contents, operations, presentations
    def _content(self, value) -> ast.Content:
        if isinstance(value, ast.Call) and value.name not in _CONTENTS and value.span:
            # a misspelled content, `atribution(a -> b)`: the checker names the right one
            self.stray_arrows.pop(value.span, None)
        if isinstance(value, ast.Call) and value.name == "activations":
            first, rest = (value.args[0], value.args[1:]) if value.args else (None, ())
            if first is not None and first.name is None and all(a.name for a in rest):
                return ast.Activations(substrate=first.value, options=rest, span=value.span)
            self._fail(
                "activations(...) takes one substrate (and options such as over=)",
                value.span,
                "e.g. activations(mid.channels) or activations(mid.spatial, over=pics)",
            )
        elif isinstance(value, ast.Call) and value.name in ARROW_CONTENTS:
            arrows = [a for a in value.args if isinstance(a.value, ast.Arrow)]
            first = value.args[0] if value.args else None
            if first is not None and first.name is None and isinstance(first.value, ast.Arrow):
                if len(arrows) == 1:
                    arrow = first.value
                    return ARROW_CONTENTS[value.name](
                        source=arrow.source,
                        target=arrow.target,
                        options=value.args[1:],
                        span=value.span,
                    )
            example = {
                "attribution": "attribution(mid.channels -> output)",
                "ablation": "ablation(mid.channels -> output)",
                "weights": "weights(early.channels -> late.channels)",
            }.get(value.name, "correlation(a.channels -> b.channels, over=pics)")
            self._fail(
                f"{value.name}(...) takes `source -> target` first", value.span, f"e.g. {example}"
            )
        elif isinstance(value, ast.Arrow):
            self._fail(
                "`->` belongs inside attribution(...)", value.span, "write attribution(a -> b)"
            )
        else:
            return ast.SubstrateContent(substrate=value, span=value.span)
        return ast.SubstrateContent(substrate=value, span=value.span)

    def _call(self, value, kind: type[ast.Call], what: str) -> ast.Call:
        if isinstance(value, ast.Name):
            return kind(name=value.name, span=value.span, name_span=value.span)
        if isinstance(value, ast.Call) and type(value) is ast.Call:
            return kind(
                name=value.name, args=value.args, span=value.span, name_span=value.name_span
            )
        self._fail(
            f"expected {what} here, like `top(5)`"
            if kind is ast.Operation
            else f"expected {what} here",
            value.span,
            "an operation is a call, e.g. top(8) or select(picker.hover)"
            if kind is ast.Operation
            else PRESENTATION_HINT,
        )
        return kind(name="?", span=value.span)
