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

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ...models.hooks import capture, run_until
from .jobs import image_seed
from .objectives import OUTPUT, Objective, ObjectiveBatch
from .optimize import Settings, optimize_batch, prepared


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


#: The guard's fixed channel set: 11 seeded channels of each of three EfficientNet-Lite0
#: layers (early, middle, late), the layers the gallery draws most.
GUARD_LAYERS = ("blocks.2.1.bn1", "blocks.3.2.bn1", "blocks.4.2.bn1")
GUARD_PER_LAYER = 11


@dataclass(frozen=True)
class Comparison:
    """A schedule against a reference on the same channels: the ratios of their means."""

    images: int
    objective: float  # mean objective, schedule / reference
    detail: float  # mean high-frequency share, schedule / reference

    def within(self, tolerance: float) -> bool:
        return abs(self.objective - 1) <= tolerance and abs(self.detail - 1) <= tolerance


def compare_schedules(
    handle: Any,
    schedule: Settings,
    reference: Settings,
    *,
    layers: Sequence[str] = GUARD_LAYERS,
    per_layer: int = GUARD_PER_LAYER,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> Comparison:
    """Draw the same seeded channels of `layers` with both settings and compare the images.

    `handle` is a loaded model (``.module``, ``.normalize``); channels are picked by a
    `random.Random(seed)`, and each image's seed is the one `visualize` would give it."""
    device = torch.device(device)
    pick = random.Random(seed)
    with torch.no_grad(), capture(handle.module, list(layers)) as seen:
        run_until(handle.module, handle.normalize(torch.rand(1, 3, 64, 64, device=device)))
        shapes = {layer: seen[layer].shape[1] for layer in layers}
    chosen = {
        layer: [
            Objective(layer, "channel", channel=c)
            for c in sorted(pick.sample(range(shapes[layer]), per_layer))
        ]
        for layer in layers
    }
    found = [_draw(handle, settings, chosen, seed, device) for settings in (schedule, reference)]
    (score, share), (reference_score, reference_share) = found
    return Comparison(
        images=len(score),
        objective=float(score.mean() / reference_score.mean()),
        detail=float(share.mean() / reference_share.mean()),
    )


def _draw(handle, settings: Settings, chosen: dict, seed: int, device) -> tuple:
    scores, shares = [], []
    with prepared(
        handle.module, handle.normalize, device, size=settings.size, keep=set(chosen)
    ) as module:
        for layer, objectives in chosen.items():
            seeds = [image_seed(seed, o) for o in objectives]
            pixels = optimize_batch(
                module, handle.normalize, layer, objectives, seeds, settings, device=device
            )
            scores.append(objective(handle.module, handle.normalize, objectives, pixels))
            shares.append(high_frequency_share(pixels))
    return torch.cat(scores), torch.cat(shares)
