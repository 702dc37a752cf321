"""`ablation(L.channels -> output[...], to=zero|mean|input(IMG))`: bound as an attribution
whose method is ``ablation`` (so `top`, `select`, `bars` and `heatmap` read it as they
read attribution: same axes), after the checks only ablation needs.

The source is the channels or positions of a layer; the target the output classes
(every class, or some by name); `to=` what an ablated atom becomes (the same values
as an edit's, `interp.check.edits`).
"""

from __future__ import annotations

from interp.check.keywords import once
from interp.check.problems import Problems
from interp.check.program import Content, Method
from interp.check.scope import Scope
from interp.data.paths import resolve_path
from interp.errors import did_you_mean
from interp.syntax import ast
from interp.vocabulary.methods import ABLATION

_EXAMPLE = 'ablation(mid.channels -> output["tabby"], to=mean)'


def bind_ablation(content: ast.Ablation, scope: Scope) -> Content | None:
    """The bound content, or None with its problems reported."""
    problems = scope.problems
    source, target = scope.substrate(content.source), scope.substrate(content.target)
    if source is None or target is None:
        return None
    if (
        source.kind != "layer"
        or source.groups is not None
        or source.atoms
        not in (
            "channels",
            "spatial",
        )
    ):
        problems.add(
            f"ablation removes channels or positions of a layer, not {source.describe()}",
            content.source.span,
            f"e.g. {_EXAMPLE} or ablation(mid.spatial -> output)",
        )
        return None
    if target.kind != "output":
        problems.add(
            f"ablation measures the change in output classes, not {target.describe()}",
            content.target.span,
            f"e.g. {_EXAMPLE}",
        )
        return None
    if source.model is not None:
        problems.add(
            "ablation runs on the interface's model",
            content.source.span,
            "edit another model in its own interface: model M with ablate(...)",
        )
        return None
    if not once(content.options, "ablation", problems):
        return None
    to: object = "zero"
    for arg in content.options:
        if arg.name != "to":
            problems.add(
                f"ablation: unknown option {arg.to_text()!r}",
                arg.name_span or arg.span,
                did_you_mean(str(arg.name), ["to"]) + f" e.g. {_EXAMPLE}",
            )
            return None
        found = ablation_to(arg.value, problems)
        if found is None:
            return None
        to = found
    return Content("attribution", source, target, Method(ABLATION.name, (("to", to),)))


def ablation_to(value: ast.Value, problems: Problems) -> object | None:
    """`to=`: "zero", "mean", or the patch image as ("path", file) / ("sample", name)."""
    if isinstance(value, ast.Name) and value.name in ("zero", "mean"):
        return value.name
    if isinstance(value, ast.Call) and value.name == "input" and len(value.args) == 1:
        image = value.args[0].value
        if value.args[0].name is None and isinstance(image, ast.Str):
            return ("path", resolve_path(image.value, image.span))
        if (
            isinstance(image, ast.Call)
            and image.name == "sample"
            and len(image.args) == 1
            and isinstance(image.args[0].value, ast.Str)
        ):
            return ("sample", image.args[0].value.value)
    problems.add(
        f"to= takes zero, mean or input(IMAGE), not {value.to_text()}",
        value.span,
        did_you_mean(value.to_text(), ["zero", "mean"]) + ' e.g. to=mean or to=input("other.jpg")',
    )
    return None
