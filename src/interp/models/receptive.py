"""How much of the input one unit of a layer sees: the floor on the size of its icons.

A feature visualization smaller than the pattern its layer responds to cannot
show that pattern. The pattern's scale is the layer's *effective* receptive
field (Luo et al., "Understanding the Effective Receptive Field", 2016): one
unit at the centre of the layer's grid is backpropagated to the input pixels,
and the field is the side of the smallest square around the gradient's centre
of mass that holds `MASS` of its absolute mass. The theoretical field (every
pixel with any gradient at all) is several times wider and mostly weightless:
on EfficientNet-Lite0, ``blocks.4.2.bn1`` has a theoretical field of 273 px
and an effective one of 55 px.

Measured once per (model, layer) in a process: one truncated forward and
backward pass on a fixed noise image at the model's input size.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from interp.execute.hooks import capture, run_until

MASS = 0.5  # the share of the gradient's absolute mass the effective field holds


def receptive_field(handle, layer: str) -> int:
    """The side in input pixels of `layer`'s effective receptive field on `handle`'s model.

    A layer without positions (a vector, the logits) sees the whole input: its
    field is the input's side.
    """
    return _measure(handle, layer)


@functools.lru_cache(maxsize=64)
def _measure(handle, layer: str) -> int:
    size = handle.input_size
    if layer not in dict(handle.module.named_modules()) or layer == "":
        return size
    noise = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    pixels = (0.4 + 0.2 * noise).to(handle.device).requires_grad_(True)
    with torch.enable_grad(), capture(handle.module, [layer], stop_after=layer) as record:
        run_until(handle.module, handle.normalize(pixels))
        activation = record[layer]
        if activation.ndim != 4:
            return size
        height, width = activation.shape[2:]
        unit = activation[0, :, height // 2, width // 2].abs().sum()
        (gradient,) = torch.autograd.grad(unit, [pixels])
    mass = gradient.abs().sum(dim=(0, 1)).double().cpu().numpy()
    return _holding(mass, MASS)


def _holding(mass: np.ndarray, share: float) -> int:
    """The side of the smallest square around `mass`'s centre holding `share` of it."""
    total = float(mass.sum())
    side = max(mass.shape)
    if total <= 0:
        return side
    rows, columns = np.indices(mass.shape)
    centre_y = float((mass * rows).sum() / total)
    centre_x = float((mass * columns).sum() / total)
    distance = np.maximum(np.abs(rows - centre_y), np.abs(columns - centre_x))
    order = np.argsort(distance, axis=None, kind="stable")
    held = np.cumsum(mass.ravel()[order])
    reach = float(distance.ravel()[order][np.searchsorted(held, share * total)])
    return int(min(side, 2 * np.ceil(reach) + 1))
