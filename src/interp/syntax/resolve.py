"""The AST of whatever names a spec: an AST as is, a path read, other text parsed.

`interp.run`, `interp.check` and `interp.variants` take a spec in any of these
forms; each resolves it here, before the checker sees it.
"""

from __future__ import annotations

import os
from pathlib import Path

from interp.errors import Diagnostic
from interp.options import OptionTypeError
from interp.syntax import ast
from interp.syntax.parser import load, parse


def resolve_spec(spec: object, caller: str = "interp.run") -> ast.Spec:
    """The AST of `spec`: an AST (a Spec, or one Interface) as is, a path (`Path` or a one-line `str`) read, other text parsed.

    `caller` is the function the hint of a wrong type shows."""
    if isinstance(spec, ast.Spec):
        return located(spec)
    if isinstance(spec, ast.Interface):  # what `builder.interface(...)` makes
        return located(ast.Spec(items=(spec,)))
    if isinstance(spec, os.PathLike):
        return load(Path(spec))
    if isinstance(spec, str):
        if "\n" not in spec and (spec.endswith(".interp") or _is_file(spec)):
            return load(spec)
        return parse(spec)
    kind = "None" if spec is None else f"{type(spec).__name__} {spec!r}"[:80]
    raise OptionTypeError(
        Diagnostic(
            f"spec must be an interp AST (interp.ast.Spec), .interp text or a path, not {kind}",
            hint=f"{caller}('specs/teaser.interp'), {caller}(interp.load(path)) or {caller}(text)",
        )
    )


def located(spec: ast.Spec) -> ast.Spec:
    """`spec` with the interfaces built in Python (no source positions) as parsed from their
    printed text, so a mistake in one is shown on the line of `interp.to_text(spec)` that
    says it rather than with no place at all."""
    built = {id(i): i for i in spec.items if isinstance(i, ast.Interface) and i.name_span is None}
    if not built:
        return spec
    text = ast.Spec(items=tuple(built.values())).to_text()
    reparsed = iter(parse(text, "<built in Python>").items)
    items = tuple(next(reparsed) if id(i) in built else i for i in spec.items)
    return spec.model_copy(update={"items": items})


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL byte
        return False
