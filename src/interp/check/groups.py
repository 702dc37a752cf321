"""`.groups(k, ...)`: a layer's channels factorized into k groups, its options checked.

`factorize=nmf`, `of=activations|gradient|attribution`, `target="class"` and
`compatible=` (another layer's groups, to split the same activation matrix);
given the model's facts, also the class, the group count, the signs NMF needs
and the order of the layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interp.check.keywords import once
from interp.check.program import Groups, Substrate
from interp.errors import did_you_mean
from interp.syntax import ast

if TYPE_CHECKING:
    from interp.check.scope import Scope


def bind_groups(scope: Scope, base: Substrate, member: ast.Member) -> Groups | None:
    """`.groups(k, factorize=, of=, target=, compatible=)` on `base`; with facts, checked
    against the model (the class, the group count, signs, the order of layers)."""
    add = scope.problems.add
    args = member.args or ()
    positional = [a for a in args if a.name is None]
    k_ok = (
        len(positional) == 1
        and isinstance(positional[0].value, ast.Num)
        and isinstance(positional[0].value.value, int)
        and positional[0].value.value >= 1
    )
    if not k_ok:
        at = positional[0].span if len(positional) == 1 else member.span
        add(
            "groups(k, ...) takes the number of groups, a positive integer",
            at,
            "e.g. .groups(6, factorize=nmf, of=activations)",
        )
    options = {"factorize": ("nmf",), "of": ("activations", "gradient", "attribution")}
    values: dict[str, str | None] = {"factorize": "nmf", "of": "activations", "target": None}
    target_span = None
    compatible: Groups | None = None
    unique = once(args, "groups", scope.problems)
    for arg in args:
        if arg.name is None:
            continue
        if arg.name == "compatible":
            later = scope.substrate(arg.value)
            if later is None:
                return None
            if later.groups is None or later.footprint or later.model != base.model:
                add(
                    "groups: compatible= takes another layer's groups, of the same model",
                    arg.value.span or arg.span,
                    'e.g. let upper = layer("blocks.4.2.bn1").groups(5), then '
                    'layer("blocks.3.2.bn1").groups(5, compatible=upper)',
                )
                return None
            compatible = later.groups
        elif arg.name == "target" and isinstance(arg.value, ast.Str):
            values["target"], target_span = arg.value.value, arg.value.span
        elif (
            arg.name in options
            and isinstance(arg.value, ast.Name)
            and arg.value.name in options[arg.name]
        ):
            values[arg.name] = arg.value.name
        elif arg.name in options:
            add(
                f"groups: {arg.name}= takes one of {', '.join(options[arg.name])}, "
                f"not {arg.value.to_text()}",
                arg.value.span,
                did_you_mean(arg.value.to_text(), options[arg.name]),
            )
        else:
            add(
                f"groups: unknown argument {arg.name!r}",
                arg.name_span or arg.span,
                did_you_mean(arg.name, [*options, "target", "compatible"]),
            )
    if not (k_ok and unique):
        return None
    if compatible is not None and values["of"] != "activations":
        add(
            "groups: compatible= splits the activation matrix, so it needs of=activations",
            member.span,
            "drop of= (or compatible=)",
        )
        return None
    groups = Groups(
        base.layer or "",
        positional[0].value.value,  # type: ignore[union-attr]
        values["factorize"],  # type: ignore[arg-type]
        values["of"],  # type: ignore[arg-type]
        values["target"],
        compatible,
    )
    facts = scope.facts_of(base.model)
    if facts is None:
        return groups
    failed = [
        groups.target is not None and scope.fails(facts.unknown_class(groups.target), target_span),
        scope.fails(facts.too_many_groups(groups), positional[0].value.span),
        groups.of == "activations" and scope.fails(facts.signed(groups.layer), base.span),
        compatible is not None and scope.fails(facts.not_later(groups), base.span),
    ]
    return None if any(failed) else groups
