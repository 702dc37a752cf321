"""Text → AST: the Lark LALR parser and one small Transformer method per rule.

`parse(text)` returns a :class:`~interp.syntax.ast.Spec`; `to_text(spec)` prints it
back in canonical form, so `parse(to_text(spec)) == spec`. Comments attach to
the statement (or interface) that follows them and survive formatting.
Syntax errors become located diagnostics that name what was expected in
words a user knows, not token names.

Text is read as a file is (`interp.syntax.limits`: a byte-order mark, CRLF
and CR line endings, no lone surrogates, bounded nesting). What the AST could
not print back is refused with a location: numbers that overflow or have too
many digits, and bad escapes in any string.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from lark import Token, Transformer, v_args
from lark.exceptions import UnexpectedInput

from interp.errors import Diagnostic, InterpError, Span
from interp.syntax import ast
from interp.syntax.comments import attach_comments, find_comments
from interp.syntax.diagnostics import syntax_diagnostic
from interp.syntax.grammar import lark_parser
from interp.syntax.limits import as_read, lone_surrogate, too_deep

_CONTENTS = ("activations", "attribution")

# Contents written `NAME(source -> target, ...)`.
ARROW_CONTENTS: dict[str, type[ast.Attribution] | type[ast.Correlation]] = {
    "attribution": ast.Attribution,
    "correlation": ast.Correlation,
}


def parse(text: str, file: str = "<spec>") -> ast.Spec:
    """Parse `.interp` text into a Spec; raises InterpError with located diagnostics."""
    text = as_read(text)
    surrogate = lone_surrogate(text, file)
    if surrogate is not None:
        raise InterpError(surrogate, text)
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput as exc:
        raise InterpError(syntax_diagnostic(exc, text, file), text) from None
    nested = too_deep(tree, file, text)
    if nested is not None:
        raise InterpError(nested, text)
    builder = _ToAst(file, text)
    spec = builder.transform(tree)
    problems = builder.problems()
    if problems:
        raise InterpError(problems, text)
    return attach_comments(spec, find_comments(text))


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


def _unquote(token: Token) -> str:
    """A STRING token's value; JSONDecodeError on a bad escape."""
    return json.loads(token, strict=False) if "\\" in token else str(token)[1:-1]


@v_args(meta=True)
class _ToAst(Transformer):
    """One method per grammar rule; builds typed nodes with spans."""

    def __init__(self, file: str, text: str):
        super().__init__()
        self.file, self.text = file, text
        self.diagnostics: list[Diagnostic] = []
        # `->` in a call other than attribution(...), by the call's span: an error,
        # unless the call turns out to be an element's content, where the checker
        # reports the misspelled content name instead (`atribution(a -> b)`)
        self.stray_arrows: dict[Span, list[Diagnostic]] = {}

    def problems(self) -> list[Diagnostic]:
        found = self.diagnostics + [d for ds in self.stray_arrows.values() for d in ds]
        return sorted(found, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))

    def _at(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column, self.text)

    def _token(self, token: Token | None) -> Span | None:
        if token is None:
            return None
        return Span(
            self.file, token.line, token.column, token.end_line, token.end_column, self.text
        )

    def _fail(self, message: str, span: Span | None, hint: str | None = None):
        self.diagnostics.append(Diagnostic(message, span, hint))

    def _string(self, token: Token) -> str:
        """A string's value; a bad escape is reported where it stands (strings hold no newline)."""
        try:
            return _unquote(token)
        except json.JSONDecodeError as exc:
            start = exc.pos if token[exc.pos] == "\\" else exc.pos - 1
            escape = token[start : start + (6 if token[start + 1] == "u" else 2)].rstrip('"')
            column = token.column + start
            self._fail(
                f"bad escape `{escape}` in string",
                Span(self.file, token.line, column, token.line, column + len(escape), self.text),
                r"write \\ for a backslash (or / in a path), \" for a quote, \u00e9 for any character",
            )
            return str(token)[1:-1]

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
        return ast.ModelStmt(ref=children[0], span=self._at(meta))

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

    # -- values
    def call(self, meta, children):
        name, args = children
        args = tuple(args or ())
        span = self._at(meta)
        if str(name) == "layer":
            self._no_arrows(args)
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
        elif str(name) not in ARROW_CONTENTS and span is not None:
            stray = self._no_arrows(args, report=False)
            if stray:
                self.stray_arrows[span] = stray
        return ast.Call(name=str(name), args=args, span=span, name_span=self._token(name))

    def name(self, meta, children):
        token = children[0]
        if str(token) == "output":
            return ast.OutputRef(span=self._at(meta))
        return ast.Name(name=str(token), span=self._at(meta))

    def input_ref(self, meta, children):
        return ast.InputRef(span=self._at(meta))

    def string(self, meta, children):
        return ast.Str(value=self._string(children[0]), span=self._at(meta))

    def number(self, meta, children):
        """Only numbers that print back as themselves: finite floats, and integers
        Python can convert to and from text."""
        text, span = str(children[0]), self._at(meta)
        if not any(c in text for c in ".eE"):
            try:
                return ast.Num(value=int(text), span=span)
            except ValueError:  # past sys.get_int_max_str_digits()
                self._fail(
                    f"integer too long: {len(text.lstrip('-'))} digits",
                    span,
                    "numbers here are counts, indices and seeds; a seed fits in 20 digits",
                )
                return ast.Num(value=0, span=span)
        value = float(text)
        if not math.isfinite(value):
            self._fail(
                f"number too large: {text} is beyond the largest float (about 1.8e308)",
                span,
                "write a smaller number",
            )
            return ast.Num(value=0.0, span=span)
        return ast.Num(value=value, span=span)

    def true(self, meta, children):
        return ast.Bool(value=True, span=self._at(meta))

    def false(self, meta, children):
        return ast.Bool(value=False, span=self._at(meta))

    def list(self, meta, children):
        return ast.ListValue(items=tuple(c for c in children if c is not None), span=self._at(meta))

    def member(self, meta, children):
        base, name = children
        return ast.Member(
            base=base, name=str(name), span=self._at(meta), name_span=self._token(name)
        )

    def method(self, meta, children):
        base, name, args = children
        self._no_arrows(args or ())
        return ast.Member(
            base=base,
            name=str(name),
            args=tuple(args or ()),
            span=self._at(meta),
            name_span=self._token(name),
        )

    def index(self, meta, children):
        base, args = children
        self._no_arrows(args)
        span = self._at(meta)
        labels = [a.value for a in args if a.name is None and isinstance(a.value, ast.Str)]
        if not isinstance(base, ast.OutputRef) or base.labels or len(labels) != len(args):
            self._fail(
                "only output can be indexed, by class names",
                span,
                'e.g. output["tabby"] or output["Egyptian cat", "tabby"]',
            )
            return base
        return ast.OutputRef(
            labels=tuple(label.value for label in labels),
            span=span,
            label_spans=tuple(label.span for label in labels),
        )

    def args(self, meta, children):
        return [c if isinstance(c, ast.Arg) else ast.Arg(value=c, span=c.span) for c in children]

    def keyword(self, meta, children):
        name, value = children
        return ast.Arg(
            name=str(name), value=value, span=self._at(meta), name_span=self._token(name)
        )

    def _no_arrows(self, args, report: bool = True) -> list[Diagnostic]:
        """`->` outside attribution(...): reported now, or returned to report later."""
        found = [
            Diagnostic(
                "`->` belongs inside attribution(...)",
                arg.span,
                f"write attribution({arg.value.to_text()})",
            )
            for arg in args
            if isinstance(arg.value, ast.Arrow)
        ]
        if report:
            self.diagnostics.extend(found)
        return found

    def arrow(self, meta, children):
        source, _, target = children
        return ast.Arrow(source=source, target=target, span=self._at(meta))

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
            "operations: select, top, reduce, softmax, sum"
            if kind is ast.Operation
            else "presentations: feature_vis, heatmap, bars, grid, image, sankey",
        )
        return kind(name="?", span=value.span)
