"""User-facing diagnostics: located messages with a caret excerpt and a hint.

Every mistake a user can make (a malformed spec, an unknown layer, a missing
file) becomes a :class:`Diagnostic`; a stage that finds some raises
:class:`InterpError` carrying all of them, so one run reports every problem.
Only programming errors raise bare Python exceptions.
"""

from __future__ import annotations

import difflib
import errno
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A region of source text; lines and columns are 1-based, `end_*` exclusive.

    `text` is the whole source the span points into, when the parser made it:
    a diagnostic shows its excerpt from there, so it reads the same whether or
    not a caller passes the source again. It takes no part in equality.
    """

    file: str = "<spec>"
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 2
    text: str | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    message: str
    span: Span | None = None
    hint: str | None = None
    severity: str = "error"

    def render(self, source: str | None = None) -> str:
        """`FILE:LINE:COL: error: message`, the source line with a caret, and a hint.
        The excerpt comes from the span's own text, else from `source`."""
        where = f"{self.span}: " if self.span else ""
        lines = [f"{where}{self.severity}: {self.message}"]
        text = self.span.text if self.span and self.span.text is not None else source
        if self.span and text is not None:
            lines.extend(_excerpt(text, self.span))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
EXCERPT_WIDTH = 200  # longer source lines are shown as a window around the caret


def _excerpt(source: str, span: Span) -> list[str]:
    source_lines = source.split("\n")  # as the parser counts lines
    if not 1 <= span.line <= len(source_lines):
        return []
    # a tab or a character no terminal can print would shift or break the caret line
    text = _UNPRINTABLE.sub("\ufffd", source_lines[span.line - 1].rstrip("\r").expandtabs(1))
    end = span.end_column if span.end_line == span.line else len(text) + 1
    start, width = span.column - 1, max(1, end - span.column)
    if len(text) > EXCERPT_WIDTH:
        first = max(0, min(start - EXCERPT_WIDTH // 4, len(text) - EXCERPT_WIDTH))
        last = first + EXCERPT_WIDTH
        text = ("…" if first else "") + text[first:last] + ("…" if last < len(text) else "")
        start = start - first + (1 if first else 0)
        width = max(1, min(width, EXCERPT_WIDTH - (start - (1 if first else 0))))
    gutter = f"{span.line:>4} | "
    return [gutter + text, " " * (len(gutter) + start) + "^" * width]


class InterpError(Exception):
    """A user mistake (or several): printed as diagnostics, never as a traceback."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic], source: str | None = None):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render(self.source) for d in self.diagnostics)

    def with_source(self, source: str) -> InterpError:
        return type(self)(self.diagnostics, source)


def error(message: str, span: Span | None = None, hint: str | None = None) -> InterpError:
    return InterpError(Diagnostic(message, span, hint))


def did_you_mean(word: str, choices: Iterable[str], *, listing: int = 12, n: int = 3) -> str:
    """A hint naming the (at most `n`) closest valid choices, or listing them when none is close."""
    choices = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(word, choices, n=n, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    shown = ", ".join(repr(c) for c in choices[:listing])
    more = f", ... ({len(choices) - listing} more)" if len(choices) > listing else ""
    return f"valid choices: {shown}{more}" if choices else "there are no valid choices here"


def describe_exception(exc: BaseException) -> str:
    """Any exception as a diagnostic for a person: an InterpError as itself; an
    environment problem (out of memory, a full disk, a permission) as `error:`
    with a hint; anything else as an internal error that asks for a report."""
    if isinstance(exc, InterpError):
        return exc.render()
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":  # torch's too
        hint = "try --quality draft, a smaller spec, or another --device; `interp plan FILE` estimates the work"
        return Diagnostic("out of memory", hint=hint).render()
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return Diagnostic(f"{exc.strerror or exc}{where}", hint=_OS_HINTS.get(exc.errno)).render()
    return Diagnostic(
        f"internal error: {type(exc).__name__}: {exc}",
        hint="this is a bug in interp; rerun with INTERP_DEBUG=1 to see the traceback, and report it",
    ).render()


_OS_HINTS = {
    errno.ENOSPC: "the disk is full: free some space (`interp cache clear` frees the cache)",
    errno.EACCES: "check the permissions of the file and its folder",
    errno.EPERM: "check the permissions of the file and its folder",
    errno.EROFS: "the file system is read-only: write somewhere else (-o, $INTERP_CACHE_DIR)",
    errno.ENOENT: "check the path",
}
