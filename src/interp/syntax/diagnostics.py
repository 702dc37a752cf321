"""Syntax errors in words a user knows: what was expected, where, and what
the construct being written looks like. Lark's token names never leak.
"""

from __future__ import annotations

import difflib

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput

from interp.errors import Diagnostic, Span
from interp.syntax.grammar import lark_parser

_WORDS = {
    "NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "$END": "the end of the file",
}
_STATEMENTS = {"MODEL", "INPUT", "LET", "ELEMENT", "LAYOUT"}
_VALUE_STARTS = {"NAME", "STRING", "NUMBER", "LSQB", "TRUE", "FALSE", "INPUT"}
_CONTINUATIONS = {"DOT", "LSQB", "LPAR"}  # may follow any value; rarely what is missing

# The grammar takes any name as a presentation; the checker knows which are declared.
PRESENTATION_HINT = "a presentation, e.g. `as bars` or `as heatmap(over=input)`"

# What the construct being parsed looks like, by the keyword that opened it.
_SHAPES = {
    "COMPARE": "compare names two or more interfaces: `compare trained, randomized`",
    "INTERFACE": 'an interface reads `interface NAME "title" extends OTHER { ... }`',
    "LBRACE": "statements: model, input, let, element, layout",
    "MODEL": 'e.g. `model efficientnet_lite0` or `model torchvision("googlenet", weights="g.pth")`',
    "INPUT": 'e.g. `input sample("chelsea")` or `input "path/to/image.png"`',
    "LET": 'e.g. `let mid = layer("blocks.4.2.bn1")`',
    "ELEMENT": "an element reads `element NAME = CONTENT | OPERATION ... as PRESENTATION`",
    "AS": PRESENTATION_HINT,
    "LAYOUT": "e.g. `layout row(a, column(b, c))`, naming elements without quotes",
}


def syntax_diagnostic(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    """One located diagnostic in a user's words: what was expected, what was found, and
    what the construct being written looks like."""
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(exc, text, file)
    token = getattr(exc, "token", None)
    at_end = token is None or token.type == "$END"
    stack = _parse_stack(exc)
    accepted = _accepted(exc)
    if at_end:
        span, found = _end_span(text, file), "the end of the file"
    else:
        end = (token.end_line or token.line, token.end_column or token.column + len(token))
        span, found = Span(file, token.line, token.column, *end), f"`{token}`"
    if not at_end and token.type == "ARROW":
        return Diagnostic("`->` belongs inside attribution(...)", span, "write attribution(a -> b)")
    if at_end and "RBRACE" in accepted:
        name, line = _open_interface(stack)
        hint = f"interface {name} opens at line {line}; close it with `}}`"
        return Diagnostic("unexpected end of file: missing `}`", span, hint)
    before = text[: token.start_pos].rstrip() if not at_end and token.start_pos else ""
    if not at_end and token.type in ("RPAR", "RSQB") and before.endswith(","):
        return Diagnostic(
            f"expected a value after `,`, found {found}", span, "remove the trailing comma"
        )
    shape = "LBRACE" if "RBRACE" in accepted else _shape(stack)  # between statements
    hint = _SHAPES.get(shape) if shape else None
    if shape is None and not at_end:
        hint = (
            "statements go inside an interface: `interface NAME { ... }`"
            if token.type in _STATEMENTS
            else "one `}` too many? the interface above is already closed"
            if token.type == "RBRACE"
            else "a file holds `interface NAME { ... }` blocks and `compare` lines"
        )
    if not at_end and token.type == "NAME":
        close = difflib.get_close_matches(str(token), _keywords(accepted), n=1, cutoff=0.75)
        if close:
            hint = f"did you mean `{close[0]}`?"
        elif "AS" in accepted:
            hint = f"a presentation follows `as`: write `as {token}`"
    words = _expected_words(accepted, after=stack[-1] if stack else None)
    message = f"expected {_either(words)}, found {found}" if words else f"unexpected {found}"
    return Diagnostic(message, span, hint)


def _bad_character(exc: UnexpectedCharacters, text: str, file: str) -> Diagnostic:
    char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "?"
    line, column = max(exc.line, 1), max(exc.column, 1)
    if char == '"':
        end = len(text.split("\n")[line - 1].rstrip("\r")) + 1
        hint = r'close it with `"` on the same line; write \" for a quote inside'
        return Diagnostic("unterminated string", Span(file, line, column, line, end), hint)
    span = Span(file, line, column, line, column + 1)
    shown = f"`{char}`" if char.isprintable() else repr(char)
    hints = {
        "'": 'strings use double quotes: "chelsea"',
        ";": "no `;` needed: statements end with the line",
    }
    hint = hints.get(char, "names use letters, digits and _; comments start with #")
    return Diagnostic(f"unexpected character {shown}", span, hint)


def _parse_stack(exc: UnexpectedInput) -> list:
    parser = getattr(exc, "interactive_parser", None)
    return list(parser.parser_state.value_stack) if parser is not None else []


def _accepted(exc: UnexpectedInput) -> set[str]:
    """The terminals that could come next; exact, unlike LALR's merged lookaheads."""
    parser = getattr(exc, "interactive_parser", None)
    if parser is not None:
        try:
            return set(parser.accepts())
        except Exception:  # noqa: BLE001 - fall back to Lark's approximation
            pass
    return set(getattr(exc, "expected", ()) or ())


def _shape(stack: list) -> str | None:
    """The keyword token that opened the innermost construct being parsed."""
    for index in range(len(stack) - 1, -1, -1):
        item = stack[index]
        if isinstance(item, Token) and item.type == "RBRACE":
            return None  # the interface is closed: at the top level
        if not isinstance(item, Token) or item.type not in _SHAPES:
            continue
        if item.type == "INPUT":  # the statement, not the `input` value
            previous = stack[index - 1] if index else None
            if isinstance(previous, Token) and previous.type != "LBRACE":
                continue
        return item.type
    return None


def _open_interface(stack: list) -> tuple[str, int]:
    keyword = next(
        (t for t in reversed(stack) if isinstance(t, Token) and t.type == "INTERFACE"), None
    )
    if keyword is None:
        return "", 1
    name = stack[stack.index(keyword) + 1]
    return str(name), keyword.line


def _end_span(text: str, file: str) -> Span:
    """Just after the last non-blank character: where the missing text belongs."""
    body = text.rstrip()
    line = body.count("\n") + 1
    column = len(body) - (body.rfind("\n") + 1) + 1
    return Span(file, line, column, line, column + 1)


def _keywords(accepted: set[str]) -> list[str]:
    parser = _lark()
    words = []
    for name in accepted:
        pattern = parser.get_terminal(name).pattern if name != "$END" else None
        if pattern is not None and pattern.type == "str" and pattern.value.isidentifier():
            words.append(pattern.value)
    return sorted(words)


def _expected_words(accepted: set[str], after: object = None) -> list[str]:
    """Terminal names in words: groups for statements and values, then single tokens.
    Right after `|` or `as` the value is an operation or a presentation."""
    names = set(accepted)
    if names - _CONTINUATIONS:
        names -= _CONTINUATIONS
    groups = []
    if _STATEMENTS <= names:
        names -= _STATEMENTS
        groups.append("a statement")
    if {"NAME", "STRING", "NUMBER"} <= names:
        names -= _VALUE_STARTS
        kind = after.type if isinstance(after, Token) else None
        groups.append({"VBAR": "an operation", "AS": "a presentation"}.get(kind, "a value"))
    parser = _lark()
    words = set()
    for name in names:
        if name in _WORDS:
            words.add(_WORDS[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:
            continue
        words.add(f"`{pattern.value}`" if pattern.type == "str" else name.lower())
    return groups + sorted(words, key=lambda w: (w == _WORDS["$END"], w))


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _lark():
    return lark_parser()
