"""Contents: bind what an element computes to a bound `Content`.

`activations(S)` needs S's atoms chosen; `attribution(S -> T, method=...,
maxpool=..., over=...)` runs from earlier to later on one model, with a
method that `interp.vocabulary.methods` declares; a bare substrate is shown as
it is; `correlation` and anything `over=` a dataset are checked in
`interp.check.datasets`, `weights` in `interp.check.weights`. A misspelled content is named as such.
"""

from __future__ import annotations

from interp.check import datasets
from interp.check.problems import Problems
from interp.check.program import Content, Method
from interp.check.scope import Scope
from interp.check.signatures import bind_arguments
from interp.check.weights import bind_weights
from interp.errors import did_you_mean
from interp.syntax import ast
from interp.vocabulary.methods import METHODS

CONTENTS = ("activations", "attribution", "weights", "ablation")


def bind_content(content: ast.Content, scope: Scope) -> Content | None:
    """The bound content of an element, or None with its problems reported."""
    if isinstance(content, ast.SubstrateContent) and isinstance(content.substrate, ast.Call):
        call = content.substrate  # `activation(...)`: a misspelled content, not a substrate
        scope.problems.add(
            f"unknown content {call.name!r}",
            call.name_span or call.span,
            did_you_mean(call.name, CONTENTS, n=1)
            + " contents: activations(S), attribution(S -> T), or a bare substrate",
        )
        return None
    if isinstance(content, ast.SubstrateContent):
        substrate = scope.substrate(content.substrate)
        return Content("substrate", substrate) if substrate else None
    if isinstance(content, ast.Activations):
        substrate = scope.substrate(content.substrate)
        if substrate is None:
            return None
        if substrate.atoms is None and substrate.kind != "output":
            scope.problems.add(
                f"activations of {substrate.describe()}: choose its atoms",
                content.substrate.span,
                "add .spatial, .channels, .neurons or .groups(k)",
            )
            return None
        over, ok = datasets.over_option(content, scope)
        if not ok:
            return None
        return datasets.checked(Content("activations", substrate, over=over), content, scope)
    if isinstance(content, ast.Correlation):
        return datasets.correlation(content, scope)
    if isinstance(content, ast.Weights):
        return bind_weights(content, scope)
    if isinstance(content, ast.Ablation):
        from interp.check.ablation import bind_ablation  # ablation's own checks

        return bind_ablation(content, scope)
    source, target = scope.substrate(content.source), scope.substrate(content.target)
    if source is None or target is None:
        return None
    for side, substrate, span in (
        ("source", source, content.source.span),
        ("target", target, content.target.span),
    ):
        if substrate.atoms is None:
            scope.problems.add(
                f"attribution {side} {substrate.describe()}: choose its atoms",
                span,
                "add .spatial, .channels, .neurons or .groups(k)",
            )
            return None
    if source.model != target.model:
        scope.problems.add(
            f"attribution runs on one model, but {source.describe()} and {target.describe()} "
            "belong to different models",
            content.span,
            "compare two models' atoms by correlation over a dataset: "
            "correlation(A.channels -> B.channels, over=pics)",
        )
        return None
    if source.kind == "output":
        scope.problems.add(
            "attribution flows from earlier to later: output cannot be a source",
            content.source.span,
            "swap the sides: attribution(L.channels -> output)",
        )
        return None
    if target.kind == "input":
        scope.problems.add(
            "input cannot be an attribution target",
            content.target.span,
            "attribution goes from input towards output",
        )
        return None
    known = scope.facts_of(source.model) if source.kind == target.kind == "layer" else None
    if known and scope.fails(
        known.finishes_before(source.layer or "", target.layer or ""), content.target.span
    ):
        return None
    from interp.check.keywords import once  # one rule for a keyword given twice

    if not once(content.options, "attribution", scope.problems):
        return None
    method, maxpool, over = Method(), "default", None
    for arg in content.options:
        if arg.name == "over":
            over = scope.dataset(arg.value)
            if over is None:
                return None
        elif arg.name == "method":
            method = _method(arg, scope.problems) or method
        elif (
            arg.name == "maxpool"
            and isinstance(arg.value, ast.Name)
            and arg.value.name in ("default", "relaxed")
        ):
            maxpool = arg.value.name
        elif arg.name == "maxpool":
            scope.problems.add(
                f"attribution: maxpool= takes default or relaxed, not {arg.value.to_text()}",
                arg.value.span,
                "maxpool=relaxed spreads max-pool gradients over its inputs",
            )
        else:
            scope.problems.add(
                f"attribution: unknown option {arg.to_text()!r}",
                arg.span,
                "options: method=linear|integrated_gradients(steps=N)|grad_cam, maxpool=relaxed, "
                "over=DATASET",
            )
    found = Content("attribution", source, target, method, maxpool, over)  # type: ignore[arg-type]
    return datasets.checked(found, content, scope)


def _method(arg: ast.Arg, problems: Problems) -> Method | None:
    value = arg.value
    name = value.name if isinstance(value, ast.Name | ast.Call) else None
    if name not in METHODS:
        at = value.name_span if isinstance(value, ast.Call) else None
        problems.add(
            f"unknown attribution method {value.to_text()!r}",
            at or value.span,
            did_you_mean(str(name), list(METHODS)),
        )
        return None
    arguments: dict[str, object] = {}
    if isinstance(value, ast.Call):
        found = bind_arguments(value, METHODS[name].signature, problems)
        if found is None:
            return None
        arguments = found
    return Method(name, tuple(sorted(arguments.items())))
