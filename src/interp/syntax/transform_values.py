"""Lark tree → AST values: the Transformer's base and one small method per value rule.

`ValueTransformer` knows where each node was written (a `Span` from Lark's
positions), collects located diagnostics instead of stopping at the first,
and builds names, strings, numbers, lists, calls, members, `output[...]`,
`layer(...)` and arrows. What the AST could not print back is refused where
it stands: numbers that overflow or have too many digits, and bad escapes in
any string. `interp.syntax.transform` adds the rules for statements and the
top level.
"""

from __future__ import annotations

import json
import math

from lark import Token, Transformer, v_args

from interp.errors import Diagnostic, Span
from interp.syntax import ast

# Contents written `NAME(source -> target, ...)`.
ARROW_CONTENTS: dict[
    str, type[ast.Attribution] | type[ast.Correlation] | type[ast.Weights] | type[ast.Ablation]
] = {
    "attribution": ast.Attribution,
    "ablation": ast.Ablation,
    "correlation": ast.Correlation,
    "weights": ast.Weights,
}


def _unquote(token: Token) -> str:
    """A STRING token's value; JSONDecodeError on a bad escape."""
    return json.loads(token, strict=False) if "\\" in token else str(token)[1:-1]


@v_args(meta=True)
class ValueTransformer(Transformer):
    """One method per value rule; builds typed nodes with spans, and collects diagnostics."""

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

    def input_call(self, meta, children):
        """`input("other.jpg")`: another image (what an edit patches activations from)."""
        token, args = children
        args = tuple(args or ())
        self._no_arrows(args)
        return ast.Call(name="input", args=args, span=self._at(meta), name_span=self._token(token))

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
        picked = _picked(base, args, span)
        if picked is not None:
            return picked
        labels = [a.value for a in args if a.name is None and isinstance(a.value, ast.Str)]
        if not isinstance(base, ast.OutputRef) or base.labels or len(labels) != len(args):
            self._fail(
                "only output (by class names) and L.channels (by whole numbers) can be indexed",
                span,
                'e.g. output["tabby"], output["Egyptian cat", "tabby"] or layer("x").channels[3, 7]',
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


def _picked(base, args, span) -> ast.Picked | None:
    """`L.channels[3, 7]`: atoms by whole-number index; None when it is not that form."""
    if not (isinstance(base, ast.Member) and base.args is None and base.name == "channels"):
        return None
    values = [a.value for a in args]
    if any(a.name is not None for a in args) or not all(
        isinstance(v, ast.Num) and isinstance(v.value, int) and not isinstance(v.value, bool)
        for v in values
    ):
        return None
    return ast.Picked(
        base=base,
        indices=tuple(v.value for v in values),
        span=span,
        index_spans=tuple(v.span for v in values),
    )
