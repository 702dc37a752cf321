"""The top level: an interface (its statements, printed with blank lines between
kinds), a `compare`, and a file of them (`Spec`).
"""

from __future__ import annotations

from pydantic import Field

from interp.errors import Span
from interp.syntax.ast.node import Node, quote, where
from interp.syntax.ast.statements import (
    AnyStatement,
    ElementStmt,
    InputStmt,
    ModelStmt,
    Statement,
)


def _comment_lines(comments: tuple[str, ...], indent: str = "") -> list[str]:
    return [f"{indent}{c}" for c in comments]


class Interface(Node):
    name: str
    title: str | None = None
    extends: str | None = None
    body: tuple[AnyStatement, ...] = ()
    comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)
    end_comments: tuple[str, ...] = Field(default=(), exclude=True, repr=False)
    name_span: Span | None = where()
    title_span: Span | None = where()
    extends_span: Span | None = where()

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
    name_spans: tuple[Span | None, ...] = where(())

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


for _model in (Interface, Spec):
    _model.model_rebuild()
