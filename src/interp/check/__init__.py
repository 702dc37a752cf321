"""AST → bound program: names, `extends`, axes, and (optionally) the models.

`check(spec)` is the checker the CLI and `interp.run` use. The static part
(`interfaces`, `extends`, `scope`, `elements`, `extents`, `axes`, `signatures`,
`facts`, `models`) needs no model and imports no torch; `bind` then loads each
model and walks the spec again with its facts, checking layers, labels, images,
NMF signs, literal coordinates and sizes. Every problem becomes a located
diagnostic, all reported together; a diagnostic reads the same whether or not
`source` is given, since every span knows the text it points into.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from interp.check.interfaces import check_static
from interp.check.program import Program
from interp.models.registry import Models
from interp.syntax import ast


def check(
    spec: ast.Spec | ast.Interface | str | os.PathLike,
    *,
    source: str | None = None,
    device: str = "cpu",
    bind_models: bool = True,
    models: Models | Mapping[str, Any] | None = None,
) -> Program:
    """Static checks, then (with `bind_models`) the checks that need each model.

    `spec` is an AST, `.interp` text or a path, as `interp.run` takes (anything else
    is a TypeError). `models` supplies models by name (`{"mine": interp.from_module(...)}`)
    for a spec's `model mine`.
    """
    from interp.syntax.resolve import resolve_spec  # loads options: not on `import interp`

    spec = resolve_spec(spec, "interp.check")
    registry = Models.of(models)
    program = check_static(spec, source, registry)
    if bind_models:
        from interp.check.model_binding import bind_models as bind

        program = bind(spec, program, device, source, registry)
    return program


__all__ = ["Program", "check", "check_static"]
