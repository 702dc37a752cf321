"""Collecting diagnostics: every mistake in a file, each pointed at its token.

The checker adds to one :class:`Problems` as it goes, so a single run
reports all problems in source order. Every name, label and title in the AST
carries its own span, so a caret points at the word a message is about
without searching the source again.
"""

from __future__ import annotations

from interp.errors import Diagnostic, Span


class Problems:
    """Collects diagnostics so one run reports every mistake in a file."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(message, span, hint))

    def twice(self, message: str, span: Span | None, first: Span | None, advice: str) -> None:
        """A name defined a second time: said there, with where the first one is."""
        where = f"the first is at line {first.line}; " if first else ""
        self.add(message, span, where + advice)

    def sorted(self) -> list[Diagnostic]:
        """Unique diagnostics in source order (inherited statements are checked once per child)."""
        unique = list(dict.fromkeys(self.items))
        return sorted(
            unique,
            key=lambda d: (
                d.span is None,
                d.span.line if d.span else 0,
                d.span.column if d.span else 0,
            ),
        )
