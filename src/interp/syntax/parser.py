"""Text → AST: the Lark LALR parser, then a Transformer with one small method per rule
(`interp.syntax.transform`, on the value rules of `interp.syntax.transform_values`).

`parse(text)` returns a :class:`~interp.syntax.ast.Spec`; `to_text(spec)` prints it
back in canonical form, so `parse(to_text(spec)) == spec`. Comments attach to
the statement (or interface) that follows them and survive formatting.
Syntax errors become located diagnostics that name what was expected in
words a user knows, not token names.

Text is read as a file is (`interp.syntax.limits`: a byte-order mark, CRLF
and CR line endings, no lone surrogates, bounded nesting). What the AST could
not print back is refused with a location: numbers that overflow or have too
many digits, and bad escapes in any string.
"""

from __future__ import annotations

from pathlib import Path

from lark.exceptions import UnexpectedInput

from interp.errors import Diagnostic, InterpError
from interp.syntax import ast
from interp.syntax.comments import attach_comments, find_comments
from interp.syntax.diagnostics import syntax_diagnostic
from interp.syntax.grammar import lark_parser
from interp.syntax.limits import as_read, lone_surrogate, too_deep
from interp.syntax.transform import ToAst
from interp.syntax.transform_values import ARROW_CONTENTS as ARROW_CONTENTS


def parse(text: str, file: str = "<spec>") -> ast.Spec:
    """Parse `.interp` text into a Spec; raises InterpError with located diagnostics."""
    text = as_read(text)
    surrogate = lone_surrogate(text, file)
    if surrogate is not None:
        raise InterpError(surrogate, text)
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput as exc:
        raise InterpError(syntax_diagnostic(exc, text, file), text) from None
    nested = too_deep(tree, file, text)
    if nested is not None:
        raise InterpError(nested, text)
    builder = ToAst(file, text)
    spec = builder.transform(tree)
    problems = builder.problems()
    if problems:
        raise InterpError(problems, text)
    return attach_comments(spec, find_comments(text))


def load(path: str | Path) -> ast.Spec:
    """Read and parse a `.interp` file; a missing file is a user error, not a traceback."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InterpError(
            Diagnostic(f"no such file: {path}", hint="check the path; specs end in .interp")
        ) from None
    except (IsADirectoryError, UnicodeDecodeError) as exc:
        raise InterpError(Diagnostic(f"cannot read {path}: {exc}")) from None
    return parse(text, str(path))


def to_text(node: ast.Node) -> str:
    return node.to_text()
