"""AST → bound program: names, `extends`, axes, and (optionally) the models.

`check(spec)` is the checker the CLI and `interp.run` use. The static part
(`interfaces`, `scope`, `elements`, `axes`, `signatures`) needs no model and
imports no torch; `bind` then checks layers, labels, images and NMF signs
against each model. Every problem becomes a located diagnostic, all
reported together.
"""

from __future__ import annotations

from interp.check.bound import Program
from interp.check.interfaces import check_static
from interp.syntax import ast


def check(
    spec: ast.Spec, *, source: str | None = None, device: str = "cpu", bind_models: bool = True
) -> Program:
    """Static checks, then (with `bind_models`) the checks that need each model."""
    source = source if source is not None else ""
    program = check_static(spec, source)
    if bind_models:
        from interp.check.bind import bind_models as bind

        bind(program, source, device)
    return program


__all__ = ["Program", "check", "check_static"]
