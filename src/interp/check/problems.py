"""Collecting diagnostics: every mistake in a file, each pointed at its token.

The checker adds to one :class:`Problems` as it goes, so a single run
reports all problems in source order; the `at*` helpers narrow a statement's
span to the one name a caret should point at.
"""

from __future__ import annotations

import json
import re

from interp.errors import Diagnostic, Span


class Problems:
    """Collects diagnostics so one run reports every mistake in a file."""

    def __init__(self, source: str = "") -> None:
        self.items: list[Diagnostic] = []
        self.source = source

    def add(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(message, span, hint))

    def at(self, span: Span | None, word: str, after: str = "") -> Span | None:
        """The span of identifier `word` (following keyword `after`) inside `span`,
        so a caret can point at one name of a statement; `span` when not found."""
        lead = re.escape(after) + r"\s+" if after else ""
        return self._find(span, lead + r"(?<![\w.])(" + re.escape(word) + r")(?!\w)")

    def at_member(self, span: Span | None, name: str) -> Span | None:
        """The span of the last `.name` inside `span` (the atoms of `L.name`)."""
        return self._find(span, r"\.\s*(" + re.escape(name) + r")(?!\w)", last=True)

    def at_string(self, span: Span | None, value: str) -> Span | None:
        """The span of the string literal `"value"` inside `span`."""
        return self._find(span, "(" + re.escape(json.dumps(value)) + ")")

    def _find(self, span: Span | None, pattern: str, last: bool = False) -> Span | None:
        if span is None or not self.source:
            return span
        lines, compiled, found_at = self.source.split("\n"), re.compile(pattern), None
        for number in range(span.line, min(span.end_line, len(lines)) + 1):
            text = lines[number - 1]
            start = span.column - 1 if number == span.line else 0
            stop = span.end_column - 1 if number == span.end_line else len(text)
            for found in compiled.finditer(text, start, stop):
                found_at = Span(span.file, number, found.start(1) + 1, number, found.end(1) + 1)
                if not last:
                    return found_at
        return found_at or span

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
