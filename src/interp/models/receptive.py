"""How much of the input one unit of a layer sees, measured on the model.

One unit at the centre of the layer's grid is backpropagated to the input
pixels (over a few seeded noise images). Its gradient is non-zero over the
*theoretical* field, which for a deep layer often covers the whole input but
is mostly weightless; the *effective* field (Luo et al., "Understanding the
Effective Receptive Field", 2016) is the side of the smallest square around
the gradient's centre of mass holding a share of its absolute mass. Two
readers use it:

- a dataset example's thumbnail shows the square holding `EFFECTIVE_SHARE`
  (the unit's view, nearly all of it: `effective`);
- an icon is never optimized smaller than the square holding `PATTERN_SHARE`
  (the scale of the pattern the unit responds to: `pattern`); on
  EfficientNet-Lite0, ``blocks.4.2.bn1`` sees 273 px in theory, 55 px of
  pattern.

Measured once per (model, layer) in a process: one truncated forward and
backward pass at the model's input size.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from interp.models.hooks import capture, run_until

EFFECTIVE_SHARE = 0.9
PATTERN_SHARE = 0.5
PROBES = 4  # noise images the gradient is averaged over


@dataclass(frozen=True)
class ReceptiveField:
    """A layer's receptive field in input pixels: `theoretical`, `effective` and `pattern`
    sides, and the layer's grid `(height, width)` (the stride is the input size over it)."""

    theoretical: int
    effective: int
    pattern: int
    grid: tuple[int, int]


def receptive_field(handle, layer: str) -> ReceptiveField:
    """`layer`'s field on `handle`'s model. A layer without positions (a vector, the
    logits) sees the whole input."""
    return _measure(handle, layer)


@functools.lru_cache(maxsize=64)
def _measure(handle, layer: str) -> ReceptiveField:
    size = handle.input_size
    whole = ReceptiveField(size, size, size, (1, 1))
    if layer == "" or layer not in dict(handle.module.named_modules()):
        return whole
    generator = torch.Generator().manual_seed(0)
    pixels = torch.rand(PROBES, 3, size, size, generator=generator).to(handle.device)
    image = handle.normalize(pixels).requires_grad_(True)
    with torch.enable_grad(), capture(handle.module, [layer], stop_after=layer) as recorded:
        run_until(handle.module, image)
        output = recorded[layer]
        if output.ndim != 4:
            return whole
        height, width = output.shape[2:]
        output[:, :, height // 2, width // 2].sum().backward()
    mass = image.grad.abs().sum(dim=(0, 1)).cpu().numpy().astype(np.float64)
    rows, columns = np.nonzero(mass > mass.max() * 1e-9)
    theoretical = int(max(rows.max() - rows.min(), columns.max() - columns.min()) + 1)
    effective = min(theoretical, _holding(mass, EFFECTIVE_SHARE, theoretical))
    pattern = min(theoretical, _holding(mass, PATTERN_SHARE, theoretical))
    return ReceptiveField(theoretical, effective, pattern, (int(height), int(width)))


def _holding(mass: np.ndarray, share: float, limit: int) -> int:
    """The side of the smallest odd square around `mass`'s (rounded) centre of mass that
    holds `share` of it, at most `limit`."""
    size, total, half = mass.shape[0], mass.sum(), 0
    cy = int(round((mass.sum(axis=1) * np.arange(size)).sum() / total))
    cx = int(round((mass.sum(axis=0) * np.arange(mass.shape[1])).sum() / total))
    while 2 * half + 1 < limit:
        box = mass[max(0, cy - half) : cy + half + 1, max(0, cx - half) : cx + half + 1]
        if box.sum() >= share * total:
            break
        half += 1
    return min(size, 2 * half + 1)
