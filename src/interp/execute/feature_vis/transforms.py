"""Transformation robustness: each step sees each image slightly moved, scaled and turned.

Lucid pads, jitters, scales, rotates and jitters again, one operation at a
time, with one random draw shared by the batch. Here the whole chain is one
affine warp per image (one ``grid_sample`` for the batch), and the draws are
per image and fixed in advance from the image's own seed, so an image's
optimization does not depend on its batch mates. Pixels warped in from
outside the image are mid-grey, like Lucid's constant padding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

PAD_VALUE = 0.5


@dataclass(frozen=True)
class Robustness:
    """Ranges of the random warp: translation (fraction of the side), zoom, rotation (degrees)."""

    jitter: float = 1 / 16
    scale: tuple[float, float] = (0.9, 1.1)
    degrees: float = 10.0

    def sample(self, seeds: Sequence[int], steps: int) -> torch.Tensor:
        """``(B, steps, 4)`` draws (dx, dy, zoom, angle) per image, from each image's seed."""
        draws = []
        for seed in seeds:
            generator = torch.Generator().manual_seed(seed ^ 0x5EED_F00D)
            draws.append(torch.rand(steps, 4, generator=generator))
        uniform = torch.stack(draws)
        low = torch.tensor([-self.jitter, -self.jitter, self.scale[0], -self.degrees])
        high = torch.tensor([self.jitter, self.jitter, self.scale[1], self.degrees])
        return low + uniform * (high - low)


def warp(images: torch.Tensor, draws: torch.Tensor) -> torch.Tensor:
    """Apply per-image affine warps; `draws` is ``(B, 4)`` from :meth:`Robustness.sample`.

    A zoom ``s > 1`` shows the content larger; translation is in fractions of
    the side; the output has the input's size.
    """
    draws = draws.to(device=images.device, dtype=images.dtype)
    dx, dy, zoom, degrees = draws.unbind(dim=1)
    angle = degrees * (math.pi / 180)
    cos, sin = angle.cos() / zoom, angle.sin() / zoom
    # Output coordinates -> input sampling coordinates (normalized to [-1, 1]).
    theta = torch.stack(
        [torch.stack([cos, -sin, 2 * dx], dim=1), torch.stack([sin, cos, 2 * dy], dim=1)], dim=1
    )
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    centred = images - PAD_VALUE
    warped = F.grid_sample(
        centred, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )
    return warped + PAD_VALUE
