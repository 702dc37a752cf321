"""`model M with ablate(...), steer(...), clamp(...)`: the edits of an edited model, read
into :class:`~interp.models.spec.EditSpec` (statically), then checked against the
model's facts (the layer exists, the channel indices are in range).

The edits are declared in `interp.vocabulary.edits`; every mistake is a located
problem with a hint, reported before any model runs an edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from interp.check.dataset_refs import resolve_dataset
from interp.check.facts import ModelFacts
from interp.check.problems import Problems
from interp.data.paths import resolve_path
from interp.errors import did_you_mean
from interp.models.spec import EditSpec
from interp.syntax import ast
from interp.vocabulary.edits import ABLATE_TO, EDITS
from interp.vocabulary.signatures import AxisError

_ATOMS_HINT = 'the channels of a layer, by index: layer("blocks.4.2.bn1").channels[222, 141]'


@dataclass(frozen=True)
class BoundEdit:
    """An edit as read, with the AST it came from (for located problems against facts)."""

    spec: EditSpec
    call: ast.Call
    atoms: ast.Picked


def read_edits(
    values: tuple[ast.Value, ...],
    problems: Problems,
    layers: Mapping[str, str] | None = None,
    lets: Mapping[str, ast.LetStmt] | None = None,
) -> tuple[BoundEdit, ...]:
    """The edits written after `with`, each checked against its declared signature;
    `layers` maps the interface's `let` names of layers to their paths (`mid.channels[3]`),
    `lets` its lets (a dataset for `to=mean(over=pics)`)."""
    found = []
    for value in values:
        edit = _read(value, problems, layers or {}, lets or {})
        if edit is not None:
            found.append(edit)
    return tuple(found)


def check_edits(edits: tuple[BoundEdit, ...], facts: ModelFacts, problems: Problems) -> None:
    """Each edit's layer exists in the model and its channel indices are in range."""
    for edit in edits:
        layer = edit.spec.layer
        unknown = facts.unknown_layer(layer)
        if unknown is not None:
            problems.add(unknown[0], edit.atoms.base.base.span, unknown[1])  # type: ignore[union-attr]
            continue
        shape = facts.shapes.get(layer)
        if not shape:
            problems.add(
                f"{edit.spec.kind}: layer {layer!r} has no tensor output with channels",
                edit.atoms.base.base.span,  # type: ignore[union-attr]
                "edit a layer `interp layers` lists with a shape",
            )
            continue
        channels = shape[0]
        spans = edit.atoms.index_spans or (edit.atoms.span,) * len(edit.atoms.indices)
        for index, span in zip(edit.atoms.indices, spans, strict=True):
            if not 0 <= index < channels:
                problems.add(
                    f"{edit.spec.kind}: channel {index} is out of range: {layer} has {channels} channels",
                    span,
                    f"channel indices run from 0 to {channels - 1}",
                )
        if edit.spec.kind == "steer" and len(shape) < 2:
            problems.add(
                f"steer: layer {layer!r} has no positions to measure a channel's scale over",
                edit.call.span,
                "steer a layer with positions (C, H, W), or use clamp/ablate",
            )


def _read(
    value: ast.Value, problems: Problems, layers: Mapping[str, str], lets: Mapping[str, ast.LetStmt]
) -> BoundEdit | None:
    if not isinstance(value, ast.Call):
        problems.add(
            f"expected an edit after `with`, not {value.to_text()}",
            value.span,
            f"the edits are {', '.join(EDITS)}; e.g. {EDITS['ablate'].signature.example}",
        )
        return None
    word = EDITS.get(value.name)
    if word is None:
        guess = did_you_mean(value.name, list(EDITS))
        names = f"the edits are {', '.join(EDITS)}"
        problems.add(
            f"unknown edit {value.name!r}",
            value.name_span or value.span,
            f"{guess} ({names})" if guess.endswith("?") else names,
        )
        return None
    signature = word.signature
    try:
        args = signature.bind(value)
    except AxisError as exc:
        problems.add(str(exc), exc.span or value.span, exc.hint)
        return None
    atoms = args["atoms"]
    path = _layer_path(atoms, layers)
    if path is None:
        problems.add(
            f"{value.name} edits channels of a layer of this model, not {atoms.to_text()}",  # type: ignore[union-attr]
            atoms.span,  # type: ignore[union-attr]
            _ATOMS_HINT,
        )
        return None
    if len(set(atoms.indices)) != len(atoms.indices):
        problems.add(f"{value.name}: a channel is named twice", atoms.span, _ATOMS_HINT)
        return None
    options: dict = {}
    ok = True
    if value.name == "ablate" and "to" in args:
        ok = _read_to(args["to"], value, options, problems, lets)  # type: ignore[arg-type]
    for name, field in (("by", "by"), ("min", "low"), ("max", "high")):
        if name in args:
            number = args[name]
            if isinstance(number, ast.Num) and not isinstance(number.value, bool):
                options[field] = float(number.value)
            else:
                problems.add(
                    f"{value.name}: {name}= takes a number, not {number.to_text()}",  # type: ignore[union-attr]
                    number.span,  # type: ignore[union-attr]
                    f"e.g. {signature.example}",
                )
                ok = False
    if value.name == "clamp":
        low, high = options.get("low"), options.get("high")
        if low is None and high is None and ok:
            problems.add("clamp needs min=, max= or both", value.span, f"e.g. {signature.example}")
            ok = False
        elif low is not None and high is not None and low > high:
            problems.add(f"clamp: min={low:g} is above max={high:g}", value.span, "min ≤ max")
            ok = False
    if not ok:
        return None
    spec = EditSpec(value.name, path, atoms.indices, **options)  # type: ignore[arg-type,union-attr]
    return BoundEdit(spec, value, atoms)


def _layer_path(atoms: object, layers: Mapping[str, str]) -> str | None:
    """The layer of `layer("x").channels[...]` or `mid.channels[...]` (a let); None otherwise."""
    if not (isinstance(atoms, ast.Picked) and isinstance(atoms.base, ast.Member)):
        return None
    base = atoms.base.base
    if isinstance(base, ast.LayerRef) and base.model is None:
        return base.path
    return layers.get(base.name) if isinstance(base, ast.Name) else None


def _read_to(
    to: ast.Value, call: ast.Call, options: dict, problems: Problems, lets: Mapping
) -> bool:
    """`to=zero`, `to=mean`, `to=mean(over=pics)` or `to=input("other.jpg")` /
    `to=input(sample("astronaut"))`."""
    if isinstance(to, ast.Name) and to.name in ("zero", "mean"):
        options["to"] = to.name
        return True
    if isinstance(to, ast.Call) and to.name == "mean":
        return _read_mean_over(to, options, problems, lets)
    if isinstance(to, ast.Call) and to.name == "input" and len(to.args) == 1:
        image = to.args[0].value
        if to.args[0].name is None and isinstance(image, ast.Str):
            options.update(to="input", image=("path", resolve_path(image.value, image.span)))
            return True
        if (
            isinstance(image, ast.Call)
            and image.name == "sample"
            and len(image.args) == 1
            and isinstance(image.args[0].value, ast.Str)
        ):
            options.update(to="input", image=("sample", image.args[0].value.value))
            return True
    problems.add(
        f"ablate: to= takes {', '.join(ABLATE_TO[:2])}, mean(over=DATASET) or input(IMAGE), "
        f"not {to.to_text()}",
        to.span,
        did_you_mean(to.to_text(), ABLATE_TO[:2])
        + ' e.g. to=mean, to=mean(over=pics) or to=input("other.jpg")',
    )
    return False


def _read_mean_over(to: ast.Call, options: dict, problems: Problems, lets: Mapping) -> bool:
    """`to=mean(over=pics)`: each channel's mean over a dataset's examples and positions."""
    if len(to.args) != 1 or to.args[0].name != "over":
        problems.add(
            "ablate: to=mean(...) takes one argument, over=DATASET",
            to.span,
            "e.g. to=mean(over=pics) with let pics = dataset(samples(), crops=64, seed=0)",
        )
        return False
    dataset = resolve_dataset(to.args[0].value, lets, problems, "over=")
    if dataset is None:
        return False
    if dataset.where is not None and dataset.where.by_model:
        problems.add(
            "ablate: to=mean(over=...) takes a dataset selected by label, not by the model's"
            " predictions (the edited model would judge its own mean)",
            to.args[0].value.span,
            'select by label: pics.where(label="cat")',
        )
        return False
    options.update(to="mean", over=dataset)
    return True
