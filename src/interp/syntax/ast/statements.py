"""Statements: the lines of an interface's body (`model`, `input`, `let`, `element`,
`layout`), each with its leading comments and its `extends` key.
"""

from __future__ import annotations

from pydantic import Field

from interp.errors import Span
from interp.syntax.ast.contents import Content, Operation, Presentation
from interp.syntax.ast.node import LINE_WIDTH, Node, where
from interp.syntax.ast.values import Value


class Statement(Node):
    comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """What `extends` replaces by: a child's statement with the same key wins."""
        return (type(self).__name__, getattr(self, "name", ""))

    def lines(self) -> list[str]:
        return [self.to_text()]


class ModelStmt(Statement):
    """`model REF [with EDIT, ...]`: the model, edited by `ablate`/`steer`/`clamp` calls."""

    ref: Value
    edits: tuple[Value, ...] = ()

    def to_text(self) -> str:
        if not self.edits:
            return f"model {self.ref.to_text()}"
        return f"model {self.ref.to_text()} with {', '.join(e.to_text() for e in self.edits)}"


class InputStmt(Statement):
    ref: Value

    def to_text(self) -> str:
        return f"input {self.ref.to_text()}"


class LetStmt(Statement):
    name: str
    value: Value
    name_span: Span | None = where()

    def to_text(self) -> str:
        return f"let {self.name} = {self.value.to_text()}"


class ElementStmt(Statement):
    """One line when short; a pipeline with a `select` or past the line width
    breaks one operation per line, aligned under `=`."""

    name: str
    content: Content
    ops: tuple[Operation, ...] = ()
    presentation: Presentation
    name_span: Span | None = where()

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
    direction_span: Span | None = where()
    item_spans: tuple[Span | None, ...] = where(())

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


for _model in (ElementStmt, Layout):
    _model.model_rebuild()
