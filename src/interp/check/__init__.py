"""AST → bound program: names, `extends`, axes, and (optionally) the models.

`check(spec)` is the checker the CLI and `interp.run` use. The static part
(`interfaces`, `extends`, `scope`, `elements`, `extents`, `axes`, `signatures`,
`facts`) needs no model and imports no torch; `bind` then loads each model and walks the spec
again with its facts, checking layers, labels, images, NMF signs, literal
coordinates and sizes. Every problem becomes a located diagnostic, all
reported together; a diagnostic reads the same whether or not `source` is
given, since every span knows the text it points into.
"""

from __future__ import annotations

from interp.check.bound import Program
from interp.check.interfaces import check_static
from interp.syntax import ast


def check(
    spec: ast.Spec, *, source: str | None = None, device: str = "cpu", bind_models: bool = True
) -> Program:
    """Static checks, then (with `bind_models`) the checks that need each model."""
    program = check_static(spec, source)
    if bind_models:
        from interp.check.bind import bind_models as bind

        program = bind(spec, program, device, source)
    return program


__all__ = ["Program", "check", "check_static"]
