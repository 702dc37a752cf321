"""Bind a checked program to its models: layers, class labels, inputs, NMF.

`check(spec)` is the checker the CLI and `interp.pipeline` use: the static checks
of `interp.check`, then every layer path against its model's `named_modules()`
(the interface's, or another's: `layer(..., model=...)`), every class label
against its labels, every input image, and NMF of activations against the
layers that are non-negative. All problems of a file are reported together.
"""

from __future__ import annotations

import shlex

from interp.check.bound import Interface, Program, Substrate
from interp.check.problems import Problems
from interp.data.datasets import list_examples
from interp.data.images import load_image
from interp.errors import InterpError, Span, did_you_mean
from interp.models.load import ModelHandle, layer_table, load_model, nonnegative_layers
from interp.models.registry import EMPTY, Models
from interp.models.spec import ModelSpec


def bind_models(program: Program, source: str, device: str, models: Models = EMPTY) -> None:
    """Check every interface of `program` against its models; raises InterpError listing all problems.

    `models` holds the models the caller supplied by name.
    """
    problems = Problems(source)
    for interface in program.interfaces:
        _bind(interface, problems, device, models)
    if problems.items:
        raise InterpError(problems.sorted(), source)


class _Models:
    """Each model an interface uses, loaded once; None for one that failed (reported)."""

    def __init__(self, problems: Problems, device: str, models: Models):
        self.problems, self.device, self.models = problems, device, models
        self.loaded: dict[ModelSpec, ModelHandle | None] = {}

    def get(self, spec: ModelSpec, span: Span | None) -> ModelHandle | None:
        if spec not in self.loaded:
            try:
                self.loaded[spec] = load_model(spec, self.device, span=span, models=self.models)
            except InterpError as exc:
                self.problems.items.extend(exc.diagnostics)
                self.loaded[spec] = None
        return self.loaded[spec]


def _bind(interface: Interface, problems: Problems, device: str, models: Models) -> None:
    try:
        load_image(interface.image, span=interface.image_span)
    except InterpError as exc:
        problems.items.extend(exc.diagnostics)
    loaded = _Models(problems, device, models)
    own = loaded.get(interface.model, interface.model_span)
    for over in dict.fromkeys(e.content.over for e in interface.elements if e.content.over):
        try:
            list_examples(over)  # an empty or unreadable match is located at dataset(...)
        except InterpError as exc:
            problems.items.extend(exc.diagnostics)
    for element in interface.elements:
        substrates = [
            element.content.source,
            element.content.target,
            element.presentation.option("grid"),
        ]
        for substrate in substrates:
            if not isinstance(substrate, Substrate):
                continue
            model = substrate.model or interface.model
            handle = own if substrate.model is None else loaded.get(model, substrate.span)
            if handle is not None:
                _bind_substrate(substrate, model, handle, problems)


def _layers_hint(model: ModelSpec) -> str:
    if model.source == "module":
        return "(the supplied module's named_modules() are its layers)"
    return f"(`interp layers {shlex.quote(model.to_text())}` lists them all)"


def _bind_substrate(
    substrate: Substrate, model: ModelSpec, handle: ModelHandle, problems: Problems
) -> None:
    layers = handle.layer_names()
    shapes = {info.name: info.shape for info in layer_table(handle)}
    if substrate.kind == "layer" and substrate.layer not in layers:
        problems.add(
            f"model {model.to_text()} has no layer {substrate.layer!r}",
            substrate.span,
            did_you_mean(substrate.layer or "", sorted(layers, key=_natural))
            + " "
            + _layers_hint(model),
        )
        return
    shape = shapes.get(substrate.layer) if substrate.kind == "layer" else None
    if shape is not None and len(shape) != 3:
        cubes = [name for name, s in shapes.items() if len(s) == 3 and s[1] > 1]
        problems.add(
            f"layer {substrate.layer!r} outputs shape {shape}, not a (channels, height, width) cube, so it has no .{substrate.atoms}",
            substrate.span,
            "use a convolutional layer, e.g. "
            + ", ".join(repr(n) for n in _near(substrate.layer or "", cubes, layers)),
        )
        return
    for label in substrate.labels:
        if label not in handle.labels:
            problems.add(
                f"unknown class {label!r}",
                problems.at_string(substrate.span, label),
                did_you_mean(label, handle.labels),
            )
    groups = substrate.groups
    if groups is not None:
        if groups.target is not None and groups.target not in handle.labels:
            # target="..." follows the layer on its line: point there when it does
            span = substrate.span
            rest = span and Span(span.file, span.line, span.column, span.line + 1, 1)
            found = problems.at_string(rest, groups.target)
            problems.add(
                f"unknown class {groups.target!r}",
                found if found != rest else span,
                did_you_mean(groups.target, handle.labels),
            )
        if groups.of == "activations":
            allowed = nonnegative_layers(handle)
            if groups.layer not in allowed:
                cubes = [name for name in allowed if shapes[name][1] > 1]
                why = (
                    "has negative activations"
                    if groups.layer in shapes
                    else "is not one of the layers measured to be non-negative"
                )
                problems.add(
                    f"NMF needs non-negative data, and {groups.layer!r} {why}",
                    substrate.span,
                    "factorize a post-activation layer, e.g. "
                    + ", ".join(repr(n) for n in _near(groups.layer, cubes, layers))
                    + "; or use of=gradient / of=attribution, which are split into positive and negative parts",
                )


def _near(layer: str, allowed: list[str], order: list[str], n: int = 4) -> list[str]:
    """The `n` layers of `allowed` nearest to `layer`: its own sublayers first, then
    the closest in module order; a layer's submodule of the same output is skipped."""
    allowed_set = set(allowed)
    outer = [name for name in allowed if name.rpartition(".")[0] not in allowed_set] or allowed
    position = {name: i for i, name in enumerate(order)}
    here = position.get(layer, 0)
    inside = [name for name in outer if name.startswith(layer + ".")]
    rest = sorted(
        (name for name in outer if name not in inside),
        key=lambda name: abs(position.get(name, 0) - here),
    )
    return (inside + rest)[:n]


def _natural(name: str) -> list:
    return [int(p) if p.isdigit() else p for p in name.split(".")]
