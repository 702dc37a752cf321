"""Comments: found in the text (never inside strings) and attached to the AST.

Each comment goes to the statement or interface that follows it; a comment on
a statement's own lines stays with that statement; what trails a block goes
to its end. Comments take no part in equality, and `to_text` prints them back.
"""

from __future__ import annotations

from interp.syntax import ast


def find_comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of every `#` comment, skipping `#` inside strings."""
    found = []
    # split on "\n" only, as Lark counts lines: strings may hold U+2028 and friends
    for number, line in enumerate(text.split("\n"), start=1):
        in_string = escaped = False
        for column, char in enumerate(line, start=1):
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "#":
                found.append((number, column, line[column - 1 :].rstrip()))
                break
    return found


def attach_comments(spec: ast.Spec, comments: list[tuple[int, int, str]]) -> ast.Spec:
    """Give each comment to the next statement or interface; trailing ones to the block end."""
    if not comments:
        return spec
    pending = list(comments)

    def take_before(line: int) -> tuple[str, ...]:
        taken = tuple(c[2] for c in pending if c[0] < line)
        pending[:] = [c for c in pending if c[0] >= line]
        return taken

    items = []
    for item in spec.items:
        if item.span is None:
            items.append(item)
            continue
        leading = take_before(item.span.line)
        if isinstance(item, ast.Interface):
            body = []
            for stmt in item.body:
                own = take_before(stmt.span.line) if stmt.span else ()
                # a comment on a statement's own lines stays with it
                inline = take_before(stmt.span.end_line + 1) if stmt.span else ()
                body.append(stmt.model_copy(update={"comments": own + inline}))
            end = take_before(item.span.end_line)
            item = item.model_copy(
                update={"body": tuple(body), "comments": leading, "end_comments": end}
            )
        else:
            item = item.model_copy(
                update={"comments": leading + take_before(item.span.end_line + 1)}
            )
        items.append(item)
    return spec.model_copy(
        update={"items": tuple(items), "end_comments": tuple(c[2] for c in pending)}
    )
