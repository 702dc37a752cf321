"""Names → substrates: resolve `let`s, `layer(...)`, `input`, `output` and atoms.

`Scope.substrate` turns a substrate expression (`mid.channels`,
`layer("x").groups(6)`, `groups.spatial`) into a bound `Substrate`, adding a
located diagnostic for anything it cannot resolve. Given the model's facts,
it also checks layer paths, class labels and group counts against the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from interp.check.bound import Groups, Substrate
from interp.check.facts import ModelFacts
from interp.check.problems import Problems
from interp.data.datasets import DatasetSpec
from interp.data.paths import resolve_path
from interp.errors import Span, did_you_mean
from interp.models.spec import ModelSpec
from interp.syntax import ast

ATOM_NAMES = ("spatial", "channels", "neurons", "groups")
DATASET_OPTIONS = ("limit", "seed", "crops")
DATASET_EXAMPLE = 'dataset("photos/**/*.jpg", limit=100) or dataset(samples(), crops=256, seed=0)'


def is_dataset(value: ast.Value) -> bool:
    """Whether `value` is a `dataset(...)` call (what a `let` may name besides a substrate)."""
    return isinstance(value, ast.Call) and value.name == "dataset"


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

    def _fails(self, problem: tuple[str, str] | None, span: Span | None) -> bool:
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
            if known and self._fails(known.unknown_layer(value.path), value.span):
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
                failed |= self._fails(self.facts.unknown_class(label), span)
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
        add = self.problems.add
        datasets = [n for n, let in self.lets.items() if is_dataset(let.value)]
        if datasets:
            hint = f"the datasets here: {', '.join(datasets)} (e.g. {what}{datasets[0]})"
        else:
            hint = f"name a dataset with let: let pics = {DATASET_EXAMPLE.split(' or ')[0]}; then {what}pics"
        if isinstance(value, ast.Name) and value.name in self.lets:
            let = self.lets[value.name]
            if is_dataset(let.value):
                return self.dataset(let.value, what)
            add(f"{what} takes a dataset, and {value.name!r} is a substrate", value.span, hint)
            return None
        if not is_dataset(value):
            if datasets and isinstance(value, ast.Name):
                hint = (
                    did_you_mean(value.name, datasets)
                    + f" the datasets here: {', '.join(datasets)}"
                )
            add(f"{what} takes a dataset, not {value.to_text()!r}", value.span, hint)
            return None
        return self._dataset_call(value)  # type: ignore[arg-type]

    def _dataset_call(self, call: ast.Call) -> DatasetSpec | None:
        add = self.problems.add
        positional = call.positional
        options: dict[str, int] = {}
        ok = True
        for arg in call.args:
            if arg.name is None:
                continue
            number = arg.value.value if isinstance(arg.value, ast.Num) else None
            if arg.name not in DATASET_OPTIONS:
                add(
                    f"dataset: unknown argument {arg.name!r}",
                    arg.span,
                    did_you_mean(arg.name, DATASET_OPTIONS) + f" e.g. {DATASET_EXAMPLE}",
                )
                ok = False
            elif (
                not isinstance(number, int)
                or isinstance(number, bool)
                or number < (0 if arg.name == "seed" else 1)
            ):
                kind = "a non-negative" if arg.name == "seed" else "a positive"
                add(
                    f"dataset: {arg.name} must be {kind} integer, not {arg.value.to_text()}",
                    arg.value.span,
                    f"e.g. {DATASET_EXAMPLE}",
                )
                ok = False
            else:
                options[arg.name] = number
        source = positional[0].value if len(positional) == 1 else None
        if isinstance(source, ast.Str):
            pattern = resolve_path(source.value, source.span)
            spec = DatasetSpec("files", pattern, written=source.value, span=call.span)
        elif isinstance(source, ast.Call) and source.name == "samples" and not source.args:
            spec = DatasetSpec("samples", span=call.span)
        else:
            add(
                "dataset takes a glob of image files, or samples()",
                source.span if source is not None and source.span else call.span,
                f"e.g. {DATASET_EXAMPLE}",
            )
            return None
        if not ok:
            return None
        return replace(spec, **options)

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
        if known and self._fails(known.not_a_cube(base.layer or "", member.name), base.span):
            return None
        if member.name == "groups":
            groups = self._groups(base, member)
            return replace(base, atoms="groups", groups=groups) if groups else None
        return replace(base, atoms=member.name)  # type: ignore[arg-type]

    def _groups(self, base: Substrate, member: ast.Member) -> Groups | None:
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
        target_span = None
        compatible: Groups | None = None
        for arg in args:
            if arg.name is None:
                continue
            if arg.name == "compatible":
                later = self.substrate(arg.value)
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
        if not k_ok:
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
        facts = self.facts_of(base.model)
        if facts is None:
            return groups
        failed = [
            groups.target is not None
            and self._fails(facts.unknown_class(groups.target), target_span),
            self._fails(facts.too_many_groups(groups), positional[0].value.span),
            groups.of == "activations" and self._fails(facts.signed(groups.layer), base.span),
            compatible is not None and self._fails(facts.not_later(groups), base.span),
        ]
        return None if any(failed) else groups
