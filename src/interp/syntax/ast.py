"""The AST: frozen pydantic nodes that know how to print themselves.

One representation for parsed text and for the Python builder. Every node
carries a source `span` (None when built in Python), and every name, label and
title written in the source its own `*_span`, so a diagnostic can point at
the one word it is about; statements carry leading `comments`. None of these
takes part in equality or hashing, so a spec and its canonical text, or a
spec and its builder twin, compare equal.

Values form a small expression language (names, calls, members, strings,
numbers); contents, operations and presentations are typed wrappers around
it. The checker gives values their meaning.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interp.errors import Span

LINE_WIDTH = 100


def _where(default: Any = None) -> Any:
    """A source location: not printed, not compared, not hashed."""
    return Field(default=default, exclude=True, repr=False)


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    span: Span | None = _where()

    def _key(self) -> Any:
        """Type and fields, recursively, without spans or comments."""
        return (type(self).__name__,) + tuple(
            (name, _key(getattr(self, name)))
            for name, field in type(self).model_fields.items()
            if not field.exclude
        )

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def to_text(self) -> str:
        raise NotImplementedError


def quote(text: str) -> str:
    """A string literal. A lone surrogate (no UTF-8 file can hold one) is printed as
    its escape, so printing never turns a spec into text that cannot be saved."""
    return _SURROGATE.sub(
        lambda found: f"\\u{ord(found.group()):04x}", json.dumps(text, ensure_ascii=False)
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(number: int | float) -> int | float:
    """`number` if it prints as itself (finite; an int within Python's digit limit for
    text, `sys.get_int_max_str_digits`); ValueError otherwise."""
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{number!r} is not a finite number; the language writes only finite ones")
    try:
        repr(number)
    except ValueError:
        raise ValueError(
            f"an integer of {number.bit_length()} bits has too many digits to write"  # type: ignore[union-attr]
        ) from None
    return number


def _key(value: Any) -> Any:
    if isinstance(value, Node):
        return value._key()
    if isinstance(value, tuple):
        return tuple(_key(v) for v in value)
    return (type(value).__name__, value)


# ---- values -----------------------------------------------------------------


class Name(Node):
    """A bare identifier: a `let`/element reference or a keyword value (`nmf`)."""

    name: str

    def to_text(self) -> str:
        return self.name


class Str(Node):
    value: str

    def to_text(self) -> str:
        return quote(self.value)


class Num(Node):
    """A number that prints back as itself: a finite float, or an integer with no
    more digits than Python converts to and from text (`sys.get_int_max_str_digits`)."""

    value: int | float

    @field_validator("value")
    @classmethod
    def _printable(cls, value: int | float) -> int | float:
        return printable(value)

    def to_text(self) -> str:
        return repr(self.value)


class Bool(Node):
    value: bool

    def to_text(self) -> str:
        return "true" if self.value else "false"


class ListValue(Node):
    items: tuple[Value, ...]

    def to_text(self) -> str:
        return "[" + ", ".join(item.to_text() for item in self.items) + "]"


class InputRef(Node):
    """`input`: the input pixels."""

    def to_text(self) -> str:
        return "input"


class OutputRef(Node):
    """`output` or `output["tabby", ...]`: the output classes (logits)."""

    labels: tuple[str, ...] = ()
    label_spans: tuple[Span | None, ...] = _where(())

    def to_text(self) -> str:
        if not self.labels:
            return "output"
        return "output[" + ", ".join(quote(x) for x in self.labels) + "]"


class LayerRef(Node):
    """`layer("blocks.4.2.bn1")`: a module addressed by its `named_modules()` path;
    `layer("blocks.4.2.bn1", model=efficientnet_lite1)`: a layer of another model."""

    path: str
    model: Value | None = None  # a model reference, as after `model`; None: the interface's

    def to_text(self) -> str:
        path = quote(self.path)
        return (
            f"layer({path})"
            if self.model is None
            else f"layer({path}, model={self.model.to_text()})"
        )


class Arg(Node):
    """A call argument: positional (`name` is None) or keyword."""

    name: str | None = None
    value: Value
    name_span: Span | None = _where()

    def to_text(self) -> str:
        return self.value.to_text() if self.name is None else f"{self.name}={self.value.to_text()}"


class Arrow(Node):
    """`source -> target` inside `attribution(...)`."""

    source: Value
    target: Value

    def to_text(self) -> str:
        return f"{self.source.to_text()} -> {self.target.to_text()}"


def _args_text(args: tuple[Arg, ...]) -> str:
    return ", ".join(arg.to_text() for arg in args)


class Call(Node):
    """`name(args)`. Operations and presentations drop empty parentheses (`| softmax`,
    `as bars`); a plain call keeps them, since a bare `f` parses as a Name."""

    name: str
    args: tuple[Arg, ...] = ()
    name_span: Span | None = _where()

    def to_text(self) -> str:
        if self.args or type(self) is Call:
            return f"{self.name}({_args_text(self.args)})"
        return self.name

    def kwarg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)

    @property
    def positional(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.name is None)


class Member(Node):
    """`base.name` or `base.name(args)`: atoms (`.channels`, `.groups(6)`) and
    selections (`picker.hover`)."""

    base: Value
    name: str
    args: tuple[Arg, ...] | None = None
    name_span: Span | None = _where()

    def to_text(self) -> str:
        call = "" if self.args is None else f"({_args_text(self.args)})"
        return f"{self.base.to_text()}.{self.name}{call}"


Value = (
    Name | Str | Num | Bool | ListValue | InputRef | OutputRef | LayerRef | Call | Member | Arrow
)


# ---- contents, operations, presentations -------------------------------------


class Activations(Node):
    """`activations(S)`: the activation values of `S`'s atoms; `activations(S, over=D)`
    over each example of a dataset."""

    substrate: Value
    options: tuple[Arg, ...] = ()

    def to_text(self) -> str:
        extra = "".join(", " + a.to_text() for a in self.options)
        return f"activations({self.substrate.to_text()}{extra})"


class Attribution(Node):
    """`attribution(S -> T, method=..., maxpool=...)`: each atom of S to each atom of T."""

    source: Value
    target: Value
    options: tuple[Arg, ...] = ()

    def to_text(self) -> str:
        extra = "".join(", " + a.to_text() for a in self.options)
        return f"attribution({self.source.to_text()} -> {self.target.to_text()}{extra})"


class Correlation(Node):
    """`correlation(A -> B, over=D)`: each atom of A with each atom of B, over a dataset."""

    source: Value
    target: Value
    options: tuple[Arg, ...] = ()

    def to_text(self) -> str:
        extra = "".join(", " + a.to_text() for a in self.options)
        return f"correlation({self.source.to_text()} -> {self.target.to_text()}{extra})"


class SubstrateContent(Node):
    """A bare substrate as content, e.g. `input as image(grid=L.spatial)`."""

    substrate: Value

    def to_text(self) -> str:
        return self.substrate.to_text()


Content = Activations | Attribution | Correlation | SubstrateContent


class Operation(Call):
    """`| select(...)`, `| top(k, per=...)`, `| reduce(pca, 3)`, `| softmax`, `| sum(over=x)`."""


class Presentation(Call):
    """`as feature_vis(bars=true)`, `as heatmap(over=input)`, ..."""


# ---- statements ----------------------------------------------------------------


class Statement(Node):
    comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """What `extends` replaces by: a child's statement with the same key wins."""
        return (type(self).__name__, getattr(self, "name", ""))

    def lines(self) -> list[str]:
        return [self.to_text()]


class ModelStmt(Statement):
    ref: Value

    def to_text(self) -> str:
        return f"model {self.ref.to_text()}"


class InputStmt(Statement):
    ref: Value

    def to_text(self) -> str:
        return f"input {self.ref.to_text()}"


class LetStmt(Statement):
    name: str
    value: Value
    name_span: Span | None = _where()

    def to_text(self) -> str:
        return f"let {self.name} = {self.value.to_text()}"


class ElementStmt(Statement):
    """One line when short; a pipeline with a `select` or past the line width
    breaks one operation per line, aligned under `=`."""

    name: str
    content: Content
    ops: tuple[Operation, ...] = ()
    presentation: Presentation
    name_span: Span | None = _where()

    def to_text(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        head = f"element {self.name} = {self.content.to_text()}"
        tail = [f"| {op.to_text()}" for op in self.ops] + [f"as {self.presentation.to_text()}"]
        one_line = " ".join([head, *tail])
        interactive = any(op.name == "select" for op in self.ops)
        if len(one_line) + 2 <= LINE_WIDTH and not interactive:
            return [one_line]
        pad = " " * len(f"element {self.name} ")
        return [head] + [pad + part for part in tail]


class Layout(Node):
    """`row(a, column(b, c))`."""

    direction: str
    items: tuple[str | Layout, ...]
    direction_span: Span | None = _where()
    item_spans: tuple[Span | None, ...] = _where(())

    def to_text(self) -> str:
        parts = [i if isinstance(i, str) else i.to_text() for i in self.items]
        return f"{self.direction}({', '.join(parts)})"

    def names(self) -> list[str]:
        out: list[str] = []
        for item in self.items:
            out.extend([item] if isinstance(item, str) else item.names())
        return out


class LayoutStmt(Statement):
    layout: Layout

    def to_text(self) -> str:
        return f"layout {self.layout.to_text()}"


AnyStatement = ModelStmt | InputStmt | LetStmt | ElementStmt | LayoutStmt


# ---- top level -----------------------------------------------------------------


def _comment_lines(comments: tuple[str, ...], indent: str = "") -> list[str]:
    return [f"{indent}{c}" for c in comments]


class Interface(Node):
    name: str
    title: str | None = None
    extends: str | None = None
    body: tuple[AnyStatement, ...] = ()
    comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)
    end_comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)
    name_span: Span | None = _where()
    title_span: Span | None = _where()
    extends_span: Span | None = _where()

    def statement(self, kind: type[Statement], name: str = "") -> Statement | None:
        return next((s for s in self.body if s.key == (kind.__name__, name)), None)

    @property
    def elements(self) -> tuple[ElementStmt, ...]:
        return tuple(s for s in self.body if isinstance(s, ElementStmt))

    def to_text(self) -> str:
        head = f"interface {self.name}"
        if self.title is not None:
            head += " " + quote(self.title)
        if self.extends is not None:
            head += f" extends {self.extends}"
        lines = _comment_lines(self.comments) + [head + " {"]
        previous: Statement | None = None
        for stmt in self.body:
            body = stmt.lines()
            if previous is not None and _blank_between(previous, stmt, len(body)):
                lines.append("")
            lines.extend(_comment_lines(stmt.comments, "  "))
            lines.extend("  " + line for line in body)
            previous = stmt
        lines.extend(_comment_lines(self.end_comments, "  "))
        lines.append("}")
        return "\n".join(lines)


def _blank_between(previous: Statement, stmt: Statement, height: int) -> bool:
    """Blank lines separate kinds of statements, and multi-line or commented elements."""
    if type(previous) is not type(stmt):
        return not {type(previous), type(stmt)} <= {ModelStmt, InputStmt}
    if isinstance(stmt, ElementStmt):
        return height > 1 or len(previous.lines()) > 1 or bool(stmt.comments)
    return bool(stmt.comments)


class Compare(Node):
    """`compare A, B, ...`: a side-by-side comparison page."""

    names: tuple[str, ...]
    comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)
    name_spans: tuple[Span | None, ...] = _where(())

    def to_text(self) -> str:
        return "\n".join(_comment_lines(self.comments) + ["compare " + ", ".join(self.names)])


class Spec(Node):
    """A file: one or more interfaces, and optional comparisons."""

    items: tuple[Interface | Compare, ...] = ()
    end_comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)

    @property
    def interfaces(self) -> tuple[Interface, ...]:
        return tuple(i for i in self.items if isinstance(i, Interface))

    @property
    def comparisons(self) -> tuple[Compare, ...]:
        return tuple(i for i in self.items if isinstance(i, Compare))

    def interface(self, name: str) -> Interface | None:
        return next((i for i in self.interfaces if i.name == name), None)

    def comment_blocks(self) -> list[tuple[str, ...]]:
        """Every comment block, where it is attached, in source order
        (equality ignores comments; this is how tests see them)."""
        found: list[tuple[str, ...]] = []
        for item in self.items:
            found.append(item.comments)
            if isinstance(item, Interface):
                found.extend(stmt.comments for stmt in item.body)
                found.append(item.end_comments)
        found.append(self.end_comments)
        return found

    def to_text(self) -> str:
        blocks = [item.to_text() for item in self.items]
        if self.end_comments:
            blocks.append("\n".join(self.end_comments))
        return "\n\n".join(blocks) + "\n"


for _model in (ListValue, LayerRef, Arg, Arrow, Call, Member, Operation, Presentation):
    _model.model_rebuild()
for _model in (
    Activations,
    Attribution,
    Correlation,
    SubstrateContent,
    ElementStmt,
    Layout,
    Interface,
    Spec,
):
    _model.model_rebuild()
