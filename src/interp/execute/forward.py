"""The forward pass and the contents read from it: activations, magnitudes, the input image.

`Forward` runs one pass that records every layer the interface reads and
stops after the deepest unless the logits are wanted; when an attribution's
first pass already recorded them (`Forward.carrier`), it reads them from
there. Values are numpy arrays on the CPU, so they travel between processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import xarray as xr

from interp.errors import error
from interp.execute.context import RunContext
from interp.models.hooks import capture, run_until
from interp.plan import nodes

Inputs = Mapping[nodes.Node, Any]  # the values of a node's inputs, by node


@dataclass(frozen=True)
class Captured:
    """What one pass over an input recorded: activations `(C, H, W)` by layer, and logits."""

    activations: dict[str, np.ndarray]
    logits: np.ndarray | None


def record(
    model: torch.nn.Module,
    image: torch.Tensor,
    layers: list[str],
    logits: bool,
    name: str | None = None,
) -> Captured:
    """One no-grad pass recording `layers`; it stops once all ran unless `logits`.

    NaN or infinite values in what it records are the module's numeric fault, refused
    here (naming model `name` and the layer) rather than ranked or drawn downstream.
    """
    stop = None if logits else layers  # a parent finishes after its children: wait for all
    with torch.no_grad(), capture(model, layers, stop_after=stop) as recorded:
        output = run_until(model, image)
    acts = {n: recorded[n][0].detach().cpu().numpy() for n in layers}
    captured = Captured(acts, output[0].detach().cpu().numpy() if output is not None else None)
    _refuse_nonfinite(captured, name)
    return captured


def _refuse_nonfinite(captured: Captured, name: str | None) -> None:
    model = f"model {name!r}" if name else "the model"
    hint = "the module overflows or divides by zero on this input; check it on the image outside interp"
    for layer, values in captured.activations.items():
        if _nonfinite(values):
            raise error(f"{model}: the output of layer {layer!r} is NaN or infinite", hint=hint)
    if captured.logits is not None and _nonfinite(captured.logits):
        raise error(f"{model}: its outputs (logits) are NaN or infinite", hint=hint)


def _nonfinite(values: np.ndarray) -> bool:
    return np.issubdtype(values.dtype, np.inexact) and not bool(np.isfinite(values).all())


def forward(node: nodes.Forward, inputs: Inputs, ctx: RunContext) -> Captured:
    if node.carrier is not None:
        return inputs[node.carrier].captured
    handle = ctx.model(node.model)
    return record(
        handle.module,
        ctx.input_tensor(node.model, node.image),
        list(node.layers),
        node.logits,
        node.model.name,
    )


def activations(node: nodes.Activations, inputs: Inputs, ctx: RunContext) -> xr.DataArray:
    captured: Captured = inputs[node.forward]
    substrate = node.substrate
    if substrate.kind == "output":
        handle = ctx.model(node.forward.model)
        array = xr.DataArray(
            captured.logits, dims=("class",), coords={"class": list(handle.labels)}
        )
        return array.sel({"class": list(substrate.labels)}) if substrate.labels else array
    if substrate.kind == "input":
        pixels = ctx.input_tensor(node.forward.model, node.forward.image)[0].mean(0)
        return spatial(pixels.cpu().numpy(), ("y", "x"))
    cube = captured.activations[substrate.layer]
    if substrate.groups is not None:
        factors = inputs[node.factors]
        if substrate.footprint:
            return spatial(factors.footprints, ("group", "y", "x"))
        return spatial(np.einsum("kc,chw->khw", factors.directions, cube), ("group", "y", "x"))
    return spatial(cube, ("channel", "y", "x"))


def magnitude(node: nodes.Magnitude, inputs: Inputs) -> xr.DataArray:
    cube = inputs[node.forward].activations[node.layer]
    return spatial(np.sqrt((cube**2).sum(0)), ("y", "x"))


def input_image(node: nodes.InputImage, inputs: Inputs, ctx: RunContext) -> np.ndarray:
    return ctx.model(node.model).crop(ctx.image(node.image))


def spatial(values: np.ndarray, dims: tuple[str, ...]) -> xr.DataArray:
    """A labeled array with integer coordinates on every axis."""
    array = xr.DataArray(values, dims=dims)
    return array.assign_coords({d: np.arange(array.sizes[d]) for d in dims})
