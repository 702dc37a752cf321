"""AST → bound program: names, `extends`, axes, and (optionally) the models.

`check(spec)` is the checker the CLI and `interp.run` use. The static part
(`interfaces`, `scope`, `elements`, `axes`, `signatures`) needs no model and
imports no torch; `bind` then checks layers, labels, images and NMF signs
against each model. Every problem becomes a located diagnostic, all
reported together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from interp.check.bound import Program
from interp.check.interfaces import check_static
from interp.models.registry import Models
from interp.syntax import ast


def check(
    spec: ast.Spec,
    *,
    source: str | None = None,
    device: str = "cpu",
    bind_models: bool = True,
    models: Models | Mapping[str, Any] | None = None,
) -> Program:
    """Static checks, then (with `bind_models`) the checks that need each model.

    `models` supplies models by name (`{"mine": interp.from_module(...)}`) for a
    spec's `model mine`.
    """
    source = source if source is not None else ""
    registry = Models.of(models)
    program = check_static(spec, source, registry)
    if bind_models:
        from interp.check.bind import bind_models as bind

        bind(program, source, device, registry)
    return program


__all__ = ["Program", "check", "check_static"]
