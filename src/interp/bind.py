"""Bind a checked program to its models: layers, class labels, inputs, NMF.

`check(spec)` is the checker the CLI and `interp.run` use: the static checks
of `interp.check`, then every layer path against the model's
`named_modules()`, every class label against its labels, every input image,
and NMF of activations against the layers that are non-negative. All
problems of a file are reported together.
"""

from __future__ import annotations

from interp import ast
from interp.bound import Interface, Program, Substrate
from interp.check import Problems, check_static
from interp.errors import InterpError, Span, did_you_mean
from interp.images import load_image
from interp.models import ModelHandle, load_model, nonnegative_layers


def check(spec: ast.Spec, *, source: str | None = None, device: str = "cpu", bind_models: bool = True) -> Program:
    """Static checks, then (with `bind_models`) the checks that need each model."""
    source = source if source is not None else ""
    program = check_static(spec, source)
    if not bind_models:
        return program
    problems = Problems(source)
    for interface in program.interfaces:
        _bind(interface, problems, device)
    if problems.items:
        raise InterpError(problems.sorted(), source)
    return program


def _bind(interface: Interface, problems: Problems, device: str) -> None:
    try:
        handle = load_model(interface.model, device, span=interface.model_span)
    except InterpError as exc:
        problems.items.extend(exc.diagnostics)
        return
    try:
        load_image(interface.image, span=interface.image_span)
    except InterpError as exc:
        problems.items.extend(exc.diagnostics)
    layers = set(handle.layer_names())
    for element in interface.elements:
        substrates = [element.content.source, element.content.target, element.presentation.option("grid")]
        for substrate in substrates:
            if isinstance(substrate, Substrate):
                _bind_substrate(substrate, handle, layers, problems)


def _bind_substrate(substrate: Substrate, handle: ModelHandle, layers: set[str], problems: Problems) -> None:
    if substrate.kind == "layer" and substrate.layer not in layers:
        problems.add(
            f"model {handle.spec.name} has no layer {substrate.layer!r}",
            substrate.span,
            did_you_mean(substrate.layer or "", sorted(layers, key=_natural)) + f" (`interp layers {handle.spec.name}` lists them all)",
        )
        return
    for label in substrate.labels:
        if label not in handle.labels:
            problems.add(f"unknown class {label!r}", problems.at_string(substrate.span, label), did_you_mean(label, handle.labels))
    groups = substrate.groups
    if groups is not None:
        if groups.target is not None and groups.target not in handle.labels:
            # target="..." follows the layer on its line: point there when it does
            span = substrate.span
            rest = span and Span(span.file, span.line, span.column, span.line + 1, 1)
            found = problems.at_string(rest, groups.target)
            problems.add(f"unknown class {groups.target!r}", found if found != rest else span, did_you_mean(groups.target, handle.labels))
        if groups.of == "activations":
            allowed = nonnegative_layers(handle)
            if groups.layer not in allowed:
                problems.add(
                    f"NMF needs non-negative data, and {groups.layer!r} has negative activations",
                    substrate.span,
                    "factorize a post-activation layer, e.g. "
                    + ", ".join(repr(n) for n in _near(groups.layer, allowed))
                    + "; or use of=gradient / of=attribution, which are split into positive and negative parts",
                )


def _near(layer: str, allowed: list[str], n: int = 4) -> list[str]:
    """Non-negative layers nearest to `layer`: its own sublayers first, then its
    siblings', skipping a layer's activation submodule (same output)."""
    allowed_set = set(allowed)
    outer = [name for name in allowed if name.rsplit(".", 1)[0] not in allowed_set]
    inside = [name for name in outer if name.startswith(layer + ".")]
    prefix = layer.rsplit(".", 1)[0] + "."
    siblings = [name for name in outer if name.startswith(prefix) and name not in inside]
    return (inside + siblings or outer or allowed)[:n]


def _natural(name: str) -> list:
    return [int(p) if p.isdigit() else p for p in name.split(".")]
