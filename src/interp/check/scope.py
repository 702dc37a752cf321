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
from interp.data.datasets import DatasetSpec
from interp.data.paths import resolve_path
from interp.errors import did_you_mean
from interp.models.spec import ModelSpec
from interp.syntax import ast

ATOM_NAMES = ("spatial", "channels", "neurons", "groups")
DATASET_OPTIONS = ("limit", "seed", "crops")
DATASET_EXAMPLE = 'dataset("photos/**/*.jpg", limit=100) or dataset(samples(), crops=256, seed=0)'


def is_dataset(value: ast.Value) -> bool:
    """Whether `value` is a `dataset(...)` call (what a `let` may name besides a substrate)."""
    return isinstance(value, ast.Call) and value.name == "dataset"


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
        for arg in args:
            if arg.name is None:
                continue
            if arg.name == "target" and isinstance(arg.value, ast.Str):
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
                    did_you_mean(arg.name, [*options, "target"]),
                )
        if not k_ok:
            return None
        return Groups(
            layer, positional[0].value.value, values["factorize"], values["of"], values["target"]
        )  # type: ignore[arg-type]
