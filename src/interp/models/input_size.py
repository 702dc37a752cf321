"""Whether a model accepts one input size only, read from the model or measured.

A ViT's position embeddings fix its input side (torchvision's
`VisionTransformer.image_size`, timm's `patch_embed.img_size` with
`strict_img_size`); other models say nothing, and are probed once with an input
of another side: a model that fails on it takes its own `input_size` only.
Feature visualization resizes its images to that side before the model sees
them (`resized`), so icons are still optimized at their page's size.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn


def declared_size(module: nn.Module) -> int | None:
    """The one input side `module` declares, or None when it declares none."""
    size = getattr(module, "image_size", None)  # torchvision VisionTransformer
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    embed = getattr(module, "patch_embed", None)  # timm ViT/DeiT
    img = getattr(embed, "img_size", None)
    if img is not None and getattr(embed, "strict_img_size", False):
        return int(img[0] if isinstance(img, (tuple, list)) else img)
    return None


@functools.lru_cache(maxsize=16)
def fixed_size(handle) -> int | None:
    """The side `handle`'s model must be fed, when it accepts that one only; else None."""
    declared = declared_size(handle.module)
    if declared is not None:
        return declared
    other = max(32, handle.input_size // 2)
    if other == handle.input_size:
        return None
    probe = torch.zeros(1, 3, other, other, device=handle.device)
    try:
        with torch.no_grad():
            handle.module(handle.normalize(probe))
    except Exception:  # the model refuses another size: it takes its own only
        return handle.input_size
    return None


def resized(
    normalize: Callable[[torch.Tensor], torch.Tensor], side: int
) -> Callable[[torch.Tensor], torch.Tensor]:
    """`normalize` after resizing `(N, 3, H, W)` images to `side` (differentiably)."""

    def to_side(pixels: torch.Tensor) -> torch.Tensor:
        if pixels.shape[-2:] != (side, side):
            pixels = F.interpolate(pixels, size=(side, side), mode="bilinear", align_corners=False)
        return normalize(pixels)

    return to_side
