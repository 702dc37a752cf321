"""Text → AST: the Lark LALR parser and one small Transformer method per rule.

`parse(text)` returns a :class:`~interp.syntax.ast.Spec`; `to_text(spec)` prints it
back in canonical form, so `parse(to_text(spec)) == spec`. Comments attach to
the statement (or interface) that follows them and survive formatting.
Syntax errors become located diagnostics that name what was expected in
words a user knows, not token names.
"""

from __future__ import annotations

import json
from pathlib import Path

from lark import Token, Transformer, v_args
from lark.exceptions import UnexpectedInput

from interp.errors import Diagnostic, InterpError, Span
from interp.syntax import ast
from interp.syntax.diagnostics import syntax_diagnostic
from interp.syntax.grammar import lark_parser

# Contents written `NAME(source -> target, ...)`.
ARROW_CONTENTS: dict[str, type[ast.Attribution] | type[ast.Correlation]] = {
    "attribution": ast.Attribution,
    "correlation": ast.Correlation,
}


def parse(text: str, file: str = "<spec>") -> ast.Spec:
    """Parse `.interp` text into a Spec; raises InterpError with located diagnostics."""
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput as exc:
        raise InterpError(syntax_diagnostic(exc, text, file), text) from None
    builder = _ToAst(file)
    spec = builder.transform(tree)
    if builder.diagnostics:
        raise InterpError(builder.diagnostics, text)
    return _attach_comments(spec, _comments(text))


def load(path: str | Path) -> ast.Spec:
    """Read and parse a `.interp` file; a missing file is a user error, not a traceback."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InterpError(
            Diagnostic(f"no such file: {path}", hint="check the path; specs end in .interp")
        ) from None
    except (IsADirectoryError, UnicodeDecodeError) as exc:
        raise InterpError(Diagnostic(f"cannot read {path}: {exc}")) from None
    return parse(text, str(path))


def to_text(node: ast.Node) -> str:
    return node.to_text()


# ---- tree → AST -------------------------------------------------------------------


def _span(file: str, meta) -> Span | None:
    if getattr(meta, "empty", True):
        return None
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


def _token_span(file: str, token: Token) -> Span:
    return Span(file, token.line, token.column, token.end_line, token.end_column)


def _unquote(token: Token) -> str:
    return json.loads(token, strict=False) if "\\" in token else str(token)[1:-1]


@v_args(meta=True)
class _ToAst(Transformer):
    """One method per grammar rule; builds typed nodes with spans."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def _at(self, meta) -> Span | None:
        return _span(self.file, meta)

    def _fail(self, message: str, span: Span | None, hint: str | None = None):
        self.diagnostics.append(Diagnostic(message, span, hint))

    # -- top level
    def start(self, meta, items):
        return ast.Spec(items=tuple(items), span=self._at(meta))

    def interface(self, meta, children):
        name, title, extends, late_title, *body = children
        if title is not None and late_title is not None:
            self._fail(
                "an interface has one title",
                _token_span(self.file, late_title),
                'keep one: interface NAME "title" extends OTHER { ... }',
            )
        title = title if title is not None else late_title
        return ast.Interface(
            name=str(name),
            title=None if title is None else _unquote(title),
            extends=None if extends is None else str(extends),
            body=tuple(body),
            span=self._at(meta),
        )

    def compare(self, meta, names):
        return ast.Compare(names=tuple(str(n) for n in names), span=self._at(meta))

    # -- statements
    def model_stmt(self, meta, children):
        return ast.ModelStmt(ref=children[0], span=self._at(meta))

    def input_stmt(self, meta, children):
        return ast.InputStmt(ref=children[1], span=self._at(meta))

    def let_stmt(self, meta, children):
        name, value = children
        return ast.LetStmt(name=str(name), value=value, span=self._at(meta))

    def element_stmt(self, meta, children):
        name, content, *pipes, presentation = children
        return ast.ElementStmt(
            name=str(name),
            content=self._content(content),
            ops=tuple(self._call(p, ast.Operation, "an operation") for p in pipes),
            presentation=self._call(presentation, ast.Presentation, "a presentation"),
            span=self._at(meta),
        )

    def pipe(self, meta, children):
        return children[0]

    def layout_stmt(self, meta, children):
        return ast.LayoutStmt(layout=children[0], span=self._at(meta))

    def layout(self, meta, children):
        direction, *items = children
        return ast.Layout(direction=str(direction), items=tuple(items), span=self._at(meta))

    def layout_name(self, meta, children):
        return str(children[0])

    # -- values
    def call(self, meta, children):
        name, args = children
        args = tuple(args or ())
        span = self._at(meta)
        if str(name) not in ARROW_CONTENTS:
            self._no_arrows(args)
        if str(name) == "layer":
            path, *rest = args or (None,)
            model = rest[0] if len(rest) == 1 and rest[0].name == "model" else None
            if (
                path is not None
                and path.name is None
                and isinstance(path.value, ast.Str)
                and len(rest) == len([model] if model else [])
            ):
                value = model.value if model else None
                return ast.LayerRef(path=path.value.value, model=value, span=span)
            self._fail(
                "layer(...) takes the module path as a string, and optionally model=",
                span,
                'e.g. layer("blocks.4.2.bn1") or layer("blocks.4.2.bn1", model=efficientnet_lite1)',
            )
        return ast.Call(name=str(name), args=args, span=span)

    def name(self, meta, children):
        token = children[0]
        if str(token) == "output":
            return ast.OutputRef(span=self._at(meta))
        return ast.Name(name=str(token), span=self._at(meta))

    def input_ref(self, meta, children):
        return ast.InputRef(span=self._at(meta))

    def string(self, meta, children):
        try:
            return ast.Str(value=_unquote(children[0]), span=self._at(meta))
        except json.JSONDecodeError:
            self._fail(
                "bad escape in string", self._at(meta), r"use \" for a quote, \\ for a backslash"
            )
            return ast.Str(value=str(children[0])[1:-1], span=self._at(meta))

    def number(self, meta, children):
        text = str(children[0])
        is_int = not any(c in text for c in ".eE")
        return ast.Num(value=int(text) if is_int else float(text), span=self._at(meta))

    def true(self, meta, children):
        return ast.Bool(value=True, span=self._at(meta))

    def false(self, meta, children):
        return ast.Bool(value=False, span=self._at(meta))

    def list(self, meta, children):
        return ast.ListValue(items=tuple(c for c in children if c is not None), span=self._at(meta))

    def member(self, meta, children):
        base, name = children
        return ast.Member(base=base, name=str(name), span=self._at(meta))

    def method(self, meta, children):
        base, name, args = children
        self._no_arrows(args or ())
        return ast.Member(base=base, name=str(name), args=tuple(args or ()), span=self._at(meta))

    def index(self, meta, children):
        base, args = children
        self._no_arrows(args)
        span = self._at(meta)
        labels = [a.value.value for a in args if a.name is None and isinstance(a.value, ast.Str)]
        if not isinstance(base, ast.OutputRef) or base.labels or len(labels) != len(args):
            self._fail(
                "only output can be indexed, by class names",
                span,
                'e.g. output["tabby"] or output["Egyptian cat", "tabby"]',
            )
            return base
        return ast.OutputRef(labels=tuple(labels), span=span)

    def args(self, meta, children):
        return [c if isinstance(c, ast.Arg) else ast.Arg(value=c, span=c.span) for c in children]

    def keyword(self, meta, children):
        name, value = children
        return ast.Arg(name=str(name), value=value, span=self._at(meta))

    def _no_arrows(self, args) -> None:
        for arg in args:
            if isinstance(arg.value, ast.Arrow):
                self._fail(
                    "`->` belongs inside attribution(...)",
                    arg.span,
                    f"write attribution({arg.value.to_text()})",
                )

    def arrow(self, meta, children):
        source, _, target = children
        return ast.Arrow(source=source, target=target, span=self._at(meta))

    # -- contents, operations, presentations
    def _content(self, value) -> ast.Content:
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
            example = (
                "attribution(mid.channels -> output)"
                if value.name == "attribution"
                else "correlation(a.channels -> b.channels, over=pics)"
            )
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
            return kind(name=value.name, span=value.span)
        if isinstance(value, ast.Call) and type(value) is ast.Call:
            return kind(name=value.name, args=value.args, span=value.span)
        self._fail(
            f"expected {what} here, like `top(5)`"
            if kind is ast.Operation
            else f"expected {what} here",
            value.span,
            "operations: select, top, reduce, softmax, sum"
            if kind is ast.Operation
            else "presentations: feature_vis, heatmap, bars, grid, image, sankey",
        )
        return kind(name="?", span=value.span)


# ---- comments ------------------------------------------------------------------------


def _comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of every `#` comment, skipping `#` inside strings."""
    found = []
    # split on "\n" only, as Lark counts lines: strings may hold U+2028 and friends
    for number, line in enumerate(text.split("\n"), start=1):
        in_string = escaped = False
        for column, char in enumerate(line, start=1):
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "#":
                found.append((number, column, line[column - 1 :].rstrip()))
                break
    return found


def _attach_comments(spec: ast.Spec, comments: list[tuple[int, int, str]]) -> ast.Spec:
    """Give each comment to the next statement or interface; trailing ones to the block end."""
    if not comments:
        return spec
    pending = list(comments)

    def take_before(line: int) -> tuple[str, ...]:
        taken = tuple(c[2] for c in pending if c[0] < line)
        pending[:] = [c for c in pending if c[0] >= line]
        return taken

    items = []
    for item in spec.items:
        if item.span is None:
            items.append(item)
            continue
        leading = take_before(item.span.line)
        if isinstance(item, ast.Interface):
            body = []
            for stmt in item.body:
                own = take_before(stmt.span.line) if stmt.span else ()
                # a comment on a statement's own lines stays with it
                inline = take_before(stmt.span.end_line + 1) if stmt.span else ()
                body.append(stmt.model_copy(update={"comments": own + inline}))
            end = take_before(item.span.end_line)
            item = item.model_copy(
                update={"body": tuple(body), "comments": leading, "end_comments": end}
            )
        else:
            item = item.model_copy(
                update={"comments": leading + take_before(item.span.end_line + 1)}
            )
        items.append(item)
    return spec.model_copy(
        update={"items": tuple(items), "end_comments": tuple(c[2] for c in pending)}
    )
