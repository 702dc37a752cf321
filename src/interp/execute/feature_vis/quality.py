"""How good a feature visualization is, in two numbers: what it reaches, and how fine it is.

A faster optimization schedule is only kept if it reaches the same objective
and draws the same amount of detail as the schedule it replaces. Both are read
from the finished images, so any two schedules compare:

- `objective`: each image's own objective on the model, the image shown
  as it is (no warp), at the side it was optimized at;
- `high_frequency_share`: the share of each image's spectral energy (its
  mean removed) above half the Nyquist frequency, a quarter of a cycle per
  pixel: noise and fine texture live there, so a schedule that blurs lowers it
  and one that leaves noise raises it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from ...models.hooks import capture, run_until
from .objectives import OUTPUT, Objective, ObjectiveBatch


def objective(
    module: nn.Module,
    normalize: Callable[[torch.Tensor], torch.Tensor],
    objectives: Sequence[Objective],
    pixels: torch.Tensor,
) -> torch.Tensor:
    """``(B,)``: image ``i``'s value of ``objectives[i]`` (all of one layer), ``pixels`` in [0, 1]."""
    layer = objectives[0].layer
    hooked = [] if layer == OUTPUT else [layer]
    device = next(iter(module.parameters()), pixels).device
    with torch.no_grad(), capture(module, hooked, stop_after=hooked[0] if hooked else None) as seen:
        output = run_until(module, normalize(pixels.to(device)))
        activation = output if layer == OUTPUT else seen[layer]
        return ObjectiveBatch(objectives, device)(activation).cpu()


def high_frequency_share(pixels: torch.Tensor) -> torch.Tensor:
    """``(B,)``: the share of each image's spectral energy above half Nyquist (radially)."""
    centred = pixels.float() - pixels.float().mean(dim=(-2, -1), keepdim=True)
    power = torch.fft.rfft2(centred).abs().square().sum(dim=1)  # (B, H, W//2+1)
    height, width = pixels.shape[-2:]
    fy = torch.fft.fftfreq(height)[:, None]
    fx = torch.fft.rfftfreq(width)[None, :]
    high = (fx.square() + fy.square()).sqrt() > 0.25
    # rfft2 keeps one of each conjugate pair: count columns 1..W/2-1 twice
    weight = torch.full((width // 2 + 1,), 2.0)
    weight[0] = 1.0
    if width % 2 == 0:
        weight[-1] = 1.0
    weighted = power * weight
    return weighted[:, high].sum(dim=1) / weighted.flatten(1).sum(dim=1).clamp_min(1e-12)
