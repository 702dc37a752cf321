"""What text the parser accepts before it builds the AST.

Text reads as Python reads a text file (a byte-order mark dropped, CRLF and CR
line endings as LF) and must be text (no lone surrogate, which UTF-8 cannot
encode). Nesting is bounded, and checked on Lark's tree without recursion,
before any stage that walks the AST recursively (building, printing,
comparing, checking) could run out of stack.
"""

from __future__ import annotations

import re

from lark import Tree

from interp.errors import Diagnostic, Span

# Calls, lists, members and layouts nested deeper than this are refused: real
# specs nest a handful of levels, and every stage walks the tree recursively.
MAX_NESTING = 40
_NESTING = frozenset({"call", "method", "member", "index", "list", "layout"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def as_read(text: str) -> str:
    """`text` as `load` reads it from a file: no byte-order mark, LF line endings."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def lone_surrogate(text: str, file: str) -> Diagnostic | None:
    """The first lone surrogate in `text`, if any: text decoded from a file never
    holds one, but a string passed to `parse` can."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    index = found.start()
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Diagnostic(
        f"a lone surrogate (\\u{ord(text[index]):04x}) is not text: UTF-8 cannot encode it",
        Span(file, line, column, line, column + 1, text),
        "write the character itself; a character beyond \\uffff is one character, not a pair",
    )


def too_deep(tree: Tree, file: str, text: str) -> Diagnostic | None:
    """The first construct nested deeper than MAX_NESTING, found without recursion."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        depth += node.data in _NESTING
        if depth > MAX_NESTING:
            meta = node.meta
            return Diagnostic(
                f"too deeply nested: more than {MAX_NESTING} levels of calls, lists and members",
                Span(file, meta.line, meta.column, meta.line, meta.column + 1, text),
                "name the inner parts with `let`, or flatten the nesting",
            )
        children = [(c, depth) for c in node.children if isinstance(c, Tree)]
        stack.extend(reversed(children))
    return None
