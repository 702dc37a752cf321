"""`weights(A.channels -> B.channels)`: its checks.

Both sides are a layer's `.channels` on one model (a kernel connects
channels; `.spatial`, `.neurons` and groups are refused with the form that
works), and with the model's facts A must feed B: traced on the model
(`interp.models.flow`), not guessed from module order; and the path between
them must be linear once its activations are the identity, probed on the model
(`interp.models.linear`), so `interp check` refuses what a run would.
"""

from __future__ import annotations

from interp.check.program import Content
from interp.check.scope import Scope
from interp.syntax import ast
from interp.vocabulary.contents import WEIGHTS


def bind_weights(written: ast.Weights, scope: Scope) -> Content | None:
    """The bound content, or None with its problems reported."""
    add = scope.problems.add
    source, target = scope.substrate(written.source), scope.substrate(written.target)
    if source is None or target is None:
        return None
    for arg in written.options:
        add(
            f"weights: unknown option {arg.to_text()!r}",
            arg.span,
            f"weights takes no options: it reads the parameters alone, e.g. {WEIGHTS.example}",
        )
        return None
    for substrate, where in ((source, written.source), (target, written.target)):
        if substrate.kind != "layer" or substrate.groups is not None:
            add(
                f"weights connect two layers' channels, not {substrate.describe()}",
                where.span,
                f"e.g. {WEIGHTS.example}",
            )
            return None
        if substrate.atoms != "channels":
            atoms = f".{substrate.atoms}" if substrate.atoms else "no atoms"
            add(
                f"weights connect channels: {substrate.describe()} has {atoms}",
                where.span,
                f"use .channels on both sides (the kernel's positions are its ky, kx axes): "
                f"{WEIGHTS.example}",
            )
            return None
    if source.model != target.model:
        add(
            f"weights run through one model, but {source.describe()} and {target.describe()} "
            "belong to different models",
            written.span,
            "compare two models' channels by correlation over a dataset: "
            "correlation(A.channels -> B.channels, over=pics)",
        )
        return None
    facts = scope.facts_of(source.model)
    a, b = source.layer or "", target.layer or ""
    if facts is not None and (
        scope.fails(facts.not_upstream(a, b), written.span)
        or scope.fails(facts.not_linear(a, b), written.span)
    ):
        return None
    return Content("weights", source, target)
