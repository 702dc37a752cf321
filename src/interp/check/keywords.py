"""One rule for keywords: a keyword given twice is a located error, wherever the call is.

Operations, presentations and methods bind through `Signature.bind`, which
refuses a repeated keyword itself; the calls the checker reads by hand (a
model reference, `dataset(...)`, a content's options, `.groups(...)`) call
`once` before reading theirs, so none of them silently keeps the first or the
last of two values. The message reads as `Signature.bind`'s does.
"""

from __future__ import annotations

from collections.abc import Iterable

from interp.check.problems import Problems
from interp.errors import Span
from interp.syntax import ast


def once(args: Iterable[ast.Arg], what: str, problems: Problems) -> bool:
    """Report each keyword of `args` given again (at the repeat); True when none is."""
    first: dict[str, Span | None] = {}
    ok = True
    for arg in args:
        if arg.name is None:
            continue
        if arg.name in first:
            hint = f"give {arg.name}= once"
            problems.add(
                f"{what}: {arg.name} given twice",
                arg.span,
                _first(first[arg.name], arg.span) + hint,
            )
            ok = False
        else:
            first[arg.name] = arg.span
    return ok


def _first(first: Span | None, again: Span | None) -> str:
    if first is None:
        return ""
    if again is not None and again.line == first.line:
        return "the first is earlier on this line; "
    return f"the first is at line {first.line}; "
