"""Which model a spec names: plain data, no torch, so the static checker stays light."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BUILTIN_MODELS = ("efficientnet_lite0",)


@dataclass(frozen=True)
class ModelSpec:
    """Which model: `weights` is a local file, ``"random"``, or None (builtin's own)."""

    source: Literal["builtin", "torchvision", "timm", "module"]
    name: str
    weights: str | None = None
    seed: int = 0
