"""Names → substrates: resolve `let`s, `layer(...)`, `input`, `output` and atoms.

`Scope.substrate` turns a substrate expression (`mid.channels`,
`layer("x").groups(6)`, `groups.spatial`) into a bound `Substrate`, adding a
located diagnostic for anything it cannot resolve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from interp.check.bound import Groups, Substrate
from interp.check.problems import Problems
from interp.errors import did_you_mean
from interp.models.spec import ModelSpec
from interp.syntax import ast

ATOM_NAMES = ("spatial", "channels", "neurons", "groups")


class Scope:
    """`model_ref` reads the model of `layer(..., model=REF)`: None for the
    interface's own model (or a reference already reported as wrong)."""

    def __init__(
        self,
        lets,
        elements,
        problems: Problems,
        model_ref: Callable[[ast.Value], ModelSpec | None],
    ):
        self.lets, self.elements, self.problems = lets, elements, problems
        self.model_ref = model_ref
        self.resolving: set[str] = set()

    def substrate(self, value: ast.Value) -> Substrate | None:
        """Resolve a substrate expression (layer, input, output, a let, atoms)."""
        add = self.problems.add
        if isinstance(value, ast.LayerRef):
            model = None if value.model is None else self.model_ref(value.model)
            return Substrate("layer", layer=value.path, model=model, span=value.span)
        if isinstance(value, ast.InputRef):
            return Substrate("input")
        if isinstance(value, ast.OutputRef):
            return Substrate("output", atoms="classes", labels=value.labels, span=value.span)
        if isinstance(value, ast.Name):
            let = self.lets.get(value.name)
            if let is None:
                if value.name in self.elements:
                    add(
                        f"{value.name!r} is an element, not a substrate",
                        value.span,
                        f"select on it with select({value.name}.hover)",
                    )
                else:
                    choices = list(self.lets) + ["input", "output"]
                    add(
                        f"undefined name {value.name!r}",
                        value.span,
                        did_you_mean(value.name, choices),
                    )
                return None
            if value.name in self.resolving:
                add(
                    f"let {value.name!r} refers to itself",
                    value.span,
                    'a let names a substrate, e.g. let mid = layer("blocks.4.2.bn1")',
                )
                return None
            self.resolving.add(value.name)
            try:
                return self.substrate(let.value)
            finally:
                self.resolving.discard(value.name)
        if isinstance(value, ast.Member):
            return self._atoms(value)
        add(
            'expected a substrate: layer("..."), input, output or a let name',
            value.span,
            'e.g. layer("blocks.4.2.bn1").channels',
        )
        return None

    def _atoms(self, member: ast.Member) -> Substrate | None:
        add = self.problems.add
        if member.name in ("hover", "click"):
            add(
                f"{member.to_text()} is a selection; use it inside select(...)",
                member.span,
                f"e.g. | select({member.to_text()})",
            )
            return None
        base = self.substrate(member.base)
        if base is None:
            return None
        if member.name == "spatial" and base.groups is not None and not base.footprint:
            return replace(base, footprint=True)
        if member.name not in ATOM_NAMES:
            add(
                f"unknown atoms {member.name!r}",
                self.problems.at_member(member.span, member.name),
                did_you_mean(member.name, ATOM_NAMES),
            )
            return None
        if base.kind == "output":
            add(
                f"output's atoms are its classes; .{member.name} cannot follow",
                self.problems.at_member(member.span, member.name),
                'use output, or name classes: output["tabby"]',
            )
            return None
        if base.atoms is not None:
            add(
                f"{base.describe()} already has atoms; .{member.name} cannot follow",
                self.problems.at_member(member.span, member.name),
                'atoms are chosen once: layer("x").channels',
            )
            return None
        if base.kind == "input" and member.name != "spatial":
            add(
                f"input has only spatial atoms, not .{member.name}",
                self.problems.at_member(member.span, member.name),
                "use input.spatial",
            )
            return None
        if member.name == "groups" and member.args is None:
            add(
                ".groups needs the number of groups",
                self.problems.at_member(member.span, member.name),
                "e.g. .groups(6, factorize=nmf, of=activations)",
            )
            return None
        if member.name != "groups" and member.args is not None:
            add(
                f".{member.name} takes no arguments",
                self.problems.at_member(member.span, member.name),
                f"write .{member.name}; only .groups(k) takes arguments",
            )
            return None
        if member.name == "groups":
            groups = self._groups(base.layer or "", member)
            return replace(base, atoms="groups", groups=groups) if groups else None
        return replace(base, atoms=member.name)  # type: ignore[arg-type]

    def _groups(self, layer: str, member: ast.Member) -> Groups | None:
        add = self.problems.add
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
        compatible: Groups | None = None
        for arg in args:
            if arg.name is None:
                continue
            if arg.name == "compatible":
                later = self.substrate(arg.value)
                if later is None:
                    return None
                if later.groups is None or later.footprint:
                    add(
                        "groups: compatible= takes another layer's groups",
                        arg.value.span or arg.span,
                        'e.g. let upper = layer("blocks.4.2.bn1").groups(5), then '
                        'layer("blocks.3.2.bn1").groups(5, compatible=upper)',
                    )
                    return None
                compatible = later.groups
            elif arg.name == "target" and isinstance(arg.value, ast.Str):
                values["target"] = arg.value.value
            elif (
                arg.name in options
                and isinstance(arg.value, ast.Name)
                and arg.value.name in options[arg.name]
            ):
                values[arg.name] = arg.value.name
            elif arg.name in options:
                add(f"groups: {arg.name}= takes one of {', '.join(options[arg.name])}", arg.span)
            else:
                add(
                    f"groups: unknown argument {arg.name!r}",
                    arg.span,
                    did_you_mean(arg.name, [*options, "target", "compatible"]),
                )
        if not k_ok:
            return None
        if compatible is not None and values["of"] != "activations":
            add(
                "groups: compatible= splits the activation matrix, so it needs of=activations",
                member.span,
                "drop of= (or compatible=)",
            )
            return None
        return Groups(
            layer,
            positional[0].value.value,
            values["factorize"],
            values["of"],
            values["target"],
            compatible,
        )  # type: ignore[arg-type]
