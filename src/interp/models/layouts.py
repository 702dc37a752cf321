"""How a layer lays out its output: a fact read from the output itself, never assumed.

Three layouts carry a grid of positions (DESIGN.md §8):

- ``chw``: channels-first ``(C, H, W)`` (convolutions, CNN blocks);
- ``hwc``: channels-last ``(H, W, C)`` (ConvNeXt's permuted LayerNorm and Linear
  blocks, Swin stages): the square grid comes first;
- ``tokens``: ``(T, D)`` with ``T = prefix + g*g`` (ViT/DeiT encoders): a square
  patch grid of ``g x g`` tokens after ``prefix`` class/register tokens.

Every other output is ``flat`` (vectors, logits) and passes unchanged.
`hooks.capture` converts every grid layout to channels-first at the one place
activations are captured (`to_chw`) and converts edited values back
(`from_chw`), so the rest of the engine sees ``(C, H, W)`` everywhere: the
channels of a token layer are its ``D`` features, its positions the patch grid;
the class and register tokens are left out of the grid (kept as the model
computed them when a layer's output is replaced).

The input is square, so a grid is square: ``(a, b, c)`` with ``b == c`` is
channels-first, with ``a == b != c`` channels-last. When all three agree, a
module that acts on the last axis (LayerNorm, Linear) is channels-last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

#: At most this many class/register tokens before a patch grid.
MAX_PREFIX = 8
#: Modules that act on the last axis: a cube they output is channels-last.
LAST_AXIS = (nn.LayerNorm, nn.Linear)


@dataclass(frozen=True)
class Layout:
    """A layer's layout: `kind`, and for tokens the `prefix` tokens before the grid."""

    kind: Literal["chw", "hwc", "tokens", "flat"]
    prefix: int = 0

    def describe(self, shape: tuple[int, ...]) -> str:
        """The layout as `interp layers` shows it, from the model's own shape (no batch)."""
        if self.kind == "chw":
            return "(C, H, W)"
        if self.kind == "hwc":
            return "(H, W, C)"
        if self.kind == "tokens":
            side = math.isqrt(shape[0] - self.prefix)
            kind = "class" if self.prefix == 1 else "class/register"
            extra = f" + {self.prefix} {kind}" if self.prefix else ""
            return f"tokens {side}x{side}{extra}"
        return "flat"

    def to_chw(self, output: torch.Tensor) -> torch.Tensor:
        """A batched output `(N, ...)` as `(N, C, H, W)` (flat: unchanged)."""
        if self.kind == "hwc":
            return output.permute(0, 3, 1, 2)
        if self.kind == "tokens":
            patches = output[:, self.prefix :]
            side = math.isqrt(patches.shape[1])
            return patches.transpose(1, 2).reshape(output.shape[0], -1, side, side)
        return output

    def from_chw(self, cube: torch.Tensor, original: torch.Tensor) -> torch.Tensor:
        """`cube` `(N, C, H, W)` back in the model's layout; a token layer's prefix tokens
        are taken from `original`, the output `cube` replaces."""
        if self.kind == "hwc":
            return cube.permute(0, 2, 3, 1)
        if self.kind == "tokens":
            patches = cube.flatten(2).transpose(1, 2)
            prefix = original[:, : self.prefix].to(patches.dtype)
            prefix = prefix.expand(patches.shape[0], *prefix.shape[1:])
            return torch.cat([prefix, patches], dim=1)
        return cube


CHW, FLAT = Layout("chw"), Layout("flat")


def layout_of(module: nn.Module, shape: tuple[int, ...]) -> Layout:
    """The layout of `module`'s output of `shape` (without the batch axis)."""
    if len(shape) == 3:
        a, b, c = shape
        if b == c and not (a == b and isinstance(module, LAST_AXIS)):
            return CHW
        if a == b:
            return Layout("hwc")
        return CHW
    if len(shape) == 2:
        tokens, _ = shape
        side = math.isqrt(tokens)
        if side >= 2 and tokens - side * side <= MAX_PREFIX:
            return Layout("tokens", tokens - side * side)
    return FLAT
