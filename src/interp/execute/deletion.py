"""Deletion curves: the target's logit as an element's atoms are removed, batched.

docs/semantics.md §7 (after Samek et al. 2017 and Petsiuk et al. 2018): atoms are
removed from strongest to weakest attribution, and the target's logit is read
after each step; a faithful attribution makes it fall faster than the same
removal in a seeded random order. The pure parts (orders, masks, areas, the
result) are in `interp.execute.metrics`; this module runs the model.

What "removed" means depends on the atoms (`Atoms.layer`, `Atoms.kind`):

- input pixels (`layer=None`, `"spatial"`): the pixel takes the value of the
  Gaussian-blurred image (all three channels), so removal adds no new edges;
- a layer's positions (`"spatial"`): the activation vector at `(y, x)`
  becomes the layer's mean vector over positions;
- a layer's channels (`"channels"`): the channel's map becomes the layer's
  mean map over channels.

Either way a removed atom becomes the layer's *average atom*, computed from
the same image. `reference=` replaces that with any tensor broadcastable to
the layer's `(C, *S)` (or the input's `(3, H, W)`), e.g. zeros or a
dataset mean. Neurons, groups and input channels are not covered: `deletion`
returns None for them.

Every curve point is one image of a batch: the same input expanded, with a
forward hook (through `hooks.capture`, so it is always removed) replacing the
removed units of the layer, or the input itself mixed with its blur. Points
shared by the two orders (nothing removed, everything removed) run once.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import xarray as xr
from torch import nn
from torchvision.transforms.functional import gaussian_blur

from interp.execute.metrics import (
    DeletionCurves,
    deletion_fractions,
    deletion_masks,
    deletion_orders,
)

from ..models.hooks import capture
from .attribution.core import Atoms

BATCH_SIZE = 32


def deletion(
    model: nn.Module,
    image: torch.Tensor,
    atoms: Atoms,
    scores: np.ndarray | torch.Tensor | xr.DataArray,
    target: int,
    *,
    steps: int = 16,
    seed: int = 0,
    reference: torch.Tensor | None = None,
    blur_sigma: float = 5.0,
    batch_size: int = BATCH_SIZE,
    device: str | torch.device | None = None,
) -> DeletionCurves | None:
    """Deletion curves of `scores` for class `target` on `image` `(1, 3, H, W)` (preprocessed).

    `scores` holds one value per atom: `(H, W)` for spatial atoms (of the
    layer, or of the input), `(C,)` for channels; a DataArray over
    `("y", "x")` or `("channel",)` (plus a one-class `class` axis) is read by
    axis name. The curves have `steps + 1` points from nothing to everything
    removed. `batch_size` bounds the images per forward pass. The model must
    be in eval mode and on `device` (default: where its parameters are); it
    is left unmodified. Returns None when deletion does not apply to `atoms`.
    """
    if atoms.kind not in ("spatial", "channels") or (
        atoms.layer is None and atoms.kind != "spatial"
    ):
        return None
    if model.training:
        raise ValueError(
            "deletion needs the model in eval mode (batch statistics would mix points)"
        )
    if device is None:
        device = next((p.device for p in model.parameters()), image.device)
    values = _scores(scores, atoms.kind)
    fractions = deletion_fractions(steps)
    strongest, shuffled = deletion_orders(values, seed)
    masks = np.concatenate([deletion_masks(order, fractions) for order in (strongest, shuffled)])
    distinct, where = np.unique(masks, axis=0, return_inverse=True)
    removed = torch.as_tensor(distinct.reshape(len(distinct), *values.shape), device=device)
    image = image.to(device)
    if atoms.layer is None:
        logits = _input_logits(model, image, removed, target, reference, blur_sigma, batch_size)
    else:
        logits = _layer_logits(model, image, atoms, removed, target, reference, batch_size)
    points = logits[where.reshape(-1)]
    return DeletionCurves(fractions, points[: len(fractions)], points[len(fractions) :])


def blur(image: torch.Tensor, sigma: float) -> torch.Tensor:
    """`image` `(N, 3, H, W)` Gaussian-blurred with `sigma` pixels (kernel ±2σ, reflected edges)."""
    half = min(math.ceil(2 * sigma), min(image.shape[-2:]) - 1)
    return gaussian_blur(image, kernel_size=[2 * half + 1] * 2, sigma=[sigma] * 2)


def _input_logits(model, image, removed, target, reference, sigma, batch_size) -> np.ndarray:
    """The target's logit for each mask `(n, H, W)` over the input's pixels."""
    if removed.shape[1:] != image.shape[-2:]:
        raise ValueError(
            f"scores of shape {tuple(removed.shape[1:])} do not fit the input {tuple(image.shape[-2:])}"
        )
    replacement = blur(image, sigma) if reference is None else reference.to(image).expand_as(image)
    logits = []
    with torch.no_grad():
        for start in range(0, len(removed), batch_size):
            chunk = removed[start : start + batch_size, None]
            logits.append(model(torch.where(chunk, replacement, image))[:, target])
    return torch.cat(logits).double().cpu().numpy()


def _layer_logits(model, image, atoms: Atoms, removed, target, reference, batch_size) -> np.ndarray:
    """The target's logit for each mask over the layer's positions `(n, H, W)` or channels `(n, C)`."""
    current: dict[str, torch.Tensor] = {}

    def remove(output: torch.Tensor) -> torch.Tensor:
        mask = current["mask"]
        if atoms.kind == "spatial":
            if output.shape[2:] != mask.shape[1:]:
                raise ValueError(
                    f"scores of shape {tuple(mask.shape[1:])} do not fit {atoms.layer!r} {tuple(output.shape[1:])}"
                )
            mask, axes = mask[:, None], tuple(range(2, output.dim()))
        else:
            if output.shape[1] != mask.shape[1]:
                raise ValueError(
                    f"{mask.shape[1]} channel scores do not fit {atoms.layer!r} {tuple(output.shape[1:])}"
                )
            mask, axes = mask.reshape(*mask.shape, *[1] * (output.dim() - 2)), (1,)
        if reference is None:
            average = output.mean(dim=axes, keepdim=True)
        else:
            average = reference.to(output)[None]
        return torch.where(mask, average.expand_as(output), output)

    logits = []
    with torch.no_grad(), capture(model, [], edits={atoms.layer: remove}):
        for start in range(0, len(removed), batch_size):
            current["mask"] = removed[start : start + batch_size]
            batch = image.expand(len(current["mask"]), *image.shape[1:])
            logits.append(model(batch)[:, target])
    return torch.cat(logits).double().cpu().numpy()


def _scores(scores, kind: str) -> np.ndarray:
    """One score per atom as a float64 array; a DataArray is read by its axis names."""
    if isinstance(scores, xr.DataArray):
        if "class" in scores.dims:
            if scores.sizes["class"] != 1:
                raise ValueError("deletion scores one target: select one class first")
            scores = scores.squeeze("class", drop=True)
        scores = scores.transpose(*(("y", "x") if kind == "spatial" else ("channel",))).values
    elif isinstance(scores, torch.Tensor):
        scores = scores.detach().cpu().numpy()
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != (2 if kind == "spatial" else 1):
        raise ValueError(
            f"{kind} atoms need {'(H, W)' if kind == 'spatial' else '(C,)'} scores, got {values.shape}"
        )
    return values
