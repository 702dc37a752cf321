"""Values: the small expression language inside every statement.

Names, strings, numbers, booleans, lists, the substrates `input`, `output[...]`
and `layer(...)`, calls, members and `source -> target` arrows. The parser and
the builder make them; the checker gives them their meaning.
"""

from __future__ import annotations

from pydantic import field_validator

from interp.errors import Span
from interp.syntax.ast.node import Node, printable, quote, where


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
    label_spans: tuple[Span | None, ...] = where(())

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
    name_span: Span | None = where()

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
    name_span: Span | None = where()

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
    name_span: Span | None = where()

    def to_text(self) -> str:
        call = "" if self.args is None else f"({_args_text(self.args)})"
        return f"{self.base.to_text()}.{self.name}{call}"


class Picked(Node):
    """`L.channels[222, 141]`: some atoms of a substrate, by index (what an edit changes)."""

    base: Value
    indices: tuple[int, ...]
    index_spans: tuple[Span | None, ...] = where(())

    def to_text(self) -> str:
        return f"{self.base.to_text()}[{', '.join(str(i) for i in self.indices)}]"


Value = (
    Name
    | Str
    | Num
    | Bool
    | ListValue
    | InputRef
    | OutputRef
    | LayerRef
    | Call
    | Member
    | Arrow
    | Picked
)


for _model in (ListValue, LayerRef, Arg, Arrow, Call, Member, Picked):
    _model.model_rebuild()
