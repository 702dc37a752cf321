"""Names → substrates: resolve `let`s, `layer(...)`, `input`, `output` and atoms.

`Scope.substrate` turns a substrate expression (`mid.channels`,
`layer("x").groups(6)`, `groups.spatial`) into a bound `Substrate`, adding a
located diagnostic for anything it cannot resolve. Given the model's facts,
it also checks layer paths and class labels against the model. The options
of `.groups(k, ...)` are checked in `interp.check.groups`, and `over=`'s
dataset is resolved in `interp.check.dataset_refs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from interp.check.dataset_refs import (
    DATASET_EXAMPLE,
    DATASET_OPTIONS,
    is_dataset,
    resolve_dataset,
)
from interp.check.dataset_where import model_selection
from interp.check.facts import ModelFacts
from interp.check.groups import bind_groups
from interp.check.problems import Problems
from interp.check.program import Substrate
from interp.data.datasets import DatasetSpec
from interp.errors import Span, did_you_mean
from interp.models.spec import ModelSpec
from interp.syntax import ast

ATOM_NAMES = ("spatial", "channels", "neurons", "groups")


class Scope:
    """`facts_of(model)` gives a model's facts when checking against models (None:
    the interface's model; None back when not binding or the model failed);
    `model_ref` reads the model of `layer(..., model=REF)`: None for the
    interface's own model (or a reference already reported as wrong)."""

    def __init__(
        self,
        lets,
        elements,
        problems: Problems,
        facts_of: Callable[[ModelSpec | None], ModelFacts | None] | None = None,
        model_ref: Callable[[ast.Value], ModelSpec | None] | None = None,
    ):
        self.lets, self.elements, self.problems = lets, elements, problems
        self.facts_of = facts_of or (lambda model: None)
        self.facts = self.facts_of(None)
        self.model_ref = model_ref or (lambda ref: None)
        self.resolving: set[str] = set()
        self.resolved: dict[str, Substrate | None] = {}  # each let is resolved once

    def fails(self, problem: tuple[str, str] | None, span: Span | None) -> bool:
        """Report a model check's problem, if any; True when there was one."""
        if problem is not None:
            self.problems.add(problem[0], span, problem[1])
        return problem is not None

    def substrate(self, value: ast.Value) -> Substrate | None:
        """Resolve a substrate expression (layer, input, output, a let, atoms)."""
        add = self.problems.add
        if isinstance(value, ast.LayerRef):
            model = None if value.model is None else self.model_ref(value.model)
            known = self.facts_of(model)
            if known and (
                self.fails(known.unknown_layer(value.path), value.span)
                or self.fails(known.called_more_than_once(value.path), value.span)
            ):
                return None
            return Substrate("layer", layer=value.path, model=model, span=value.span)
        if isinstance(value, ast.InputRef):
            return Substrate("input")
        if isinstance(value, ast.OutputRef):
            return self._output(value)
        if isinstance(value, ast.Name):
            return self._let(value)
        if isinstance(value, ast.Member):
            return self._atoms(value)
        if is_dataset(value):
            add(
                "a dataset is not a substrate",
                value.span,
                f"name it with let, then compute over it: let pics = {value.to_text()} ... "
                "activations(L.spatial, over=pics)",
            )
            return None
        add(
            'expected a substrate: layer("..."), input, output or a let name',
            value.span,
            'e.g. layer("blocks.4.2.bn1").channels',
        )
        return None

    def _output(self, value: ast.OutputRef) -> Substrate | None:
        """`output` or `output["tabby", ...]`: each class once, and (with facts) known."""
        spans = value.label_spans or (value.span,) * len(value.labels)
        failed = False
        for index, (label, span) in enumerate(zip(value.labels, spans, strict=True)):
            if label in value.labels[:index]:
                self.problems.add(f"class {label!r} is listed twice", span, "name each class once")
                failed = True
            elif self.facts:
                failed |= self.fails(self.facts.unknown_class(label), span)
        if failed:
            return None
        return Substrate("output", atoms="classes", labels=value.labels, span=value.span)

    def _let(self, name: ast.Name) -> Substrate | None:
        """Follow a chain of lets (`let a = b`, `let b = c`, ...) in a loop, then resolve
        the substrate it ends in; each let once, so long chains take linear time."""
        add, chain = self.problems.add, {}  # dict: ordered, and a fast `in`
        value: ast.Value = name
        while isinstance(value, ast.Name):
            if value.name in self.resolved:
                found = self.resolved[value.name]
                break
            let = self.lets.get(value.name)
            if let is not None and is_dataset(let.value):
                add(
                    f"{value.name!r} is a dataset, not a substrate",
                    value.span,
                    f"compute a content over its examples: activations(L.spatial, over={value.name})",
                )
                return None
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
                found = None
                break
            if value.name in self.resolving or value.name in chain:
                add(
                    f"let {value.name!r} refers to itself",
                    value.span,
                    'a let names a substrate, e.g. let mid = layer("blocks.4.2.bn1")',
                )
                found = None
                break
            chain[value.name] = None
            value = let.value
        else:
            self.resolving.update(chain)
            try:
                found = self.substrate(value)
            finally:
                self.resolving.difference_update(chain)
        self.resolved.update(dict.fromkeys(chain, found))
        return found

    def let(self, value: ast.Value) -> None:
        """Check a `let`'s value, whether or not an element uses it."""
        if is_dataset(value):
            self.dataset(value)
        else:
            self.substrate(value)

    def dataset(self, value: ast.Value, what: str = "over=") -> DatasetSpec | None:
        """Resolve `over=`'s value: a let naming `dataset(...)`, or the call itself."""
        found = resolve_dataset(value, self.lets, self.problems, what)
        if found is not None and self.facts and found.where is not None:
            return model_selection(found, self.facts, self.problems)
        return found

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
        at = member.name_span or member.span
        if member.name == "spatial" and base.groups is not None and not base.footprint:
            return replace(base, footprint=True)
        if member.name not in ATOM_NAMES:
            add(
                f"unknown atoms {member.name!r}",
                at,
                did_you_mean(member.name, ATOM_NAMES),
            )
            return None
        if base.kind == "output":
            add(
                f"output's atoms are its classes; .{member.name} cannot follow",
                at,
                'use output, or name classes: output["tabby"]',
            )
            return None
        if base.atoms is not None:
            add(
                f"{base.describe()} already has atoms; .{member.name} cannot follow",
                at,
                'atoms are chosen once: layer("x").channels',
            )
            return None
        if base.kind == "input" and member.name != "spatial":
            add(
                f"input has only spatial atoms, not .{member.name}",
                at,
                "use input.spatial",
            )
            return None
        if member.name == "groups" and member.args is None:
            add(
                ".groups needs the number of groups",
                at,
                "e.g. .groups(6, factorize=nmf, of=activations)",
            )
            return None
        if member.name != "groups" and member.args is not None:
            add(
                f".{member.name} takes no arguments",
                at,
                f"write .{member.name}; only .groups(k) takes arguments",
            )
            return None
        known = self.facts_of(base.model) if base.kind == "layer" else None
        if known and self.fails(known.not_a_cube(base.layer or "", member.name), base.span):
            return None
        if member.name == "groups":
            groups = bind_groups(self, base, member)
            return replace(base, atoms="groups", groups=groups) if groups else None
        return replace(base, atoms=member.name)  # type: ignore[arg-type]


__all__ = ["ATOM_NAMES", "DATASET_EXAMPLE", "DATASET_OPTIONS", "Scope", "is_dataset"]
