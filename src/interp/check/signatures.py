"""Binding a call's arguments through its signature (declared in `interp.vocabulary`),
reporting every mismatch as a located problem."""

from __future__ import annotations

from interp.check.problems import Problems
from interp.syntax import ast
from interp.vocabulary.signatures import AxisError, Signature


def bind_arguments(
    call: ast.Call, signature: Signature, problems: Problems
) -> dict[str, object] | None:
    """Match a call's arguments to its signature; report every mismatch."""
    try:
        return signature.bind(call)
    except AxisError as exc:
        problems.add(str(exc), exc.span or call.span, exc.hint)
        return None
