"""How a run is carried out (device, quality, cache, progress, budget): not what it computes."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from interp.execute.cache import Cache


@dataclass(frozen=True)
class Options:
    device: str | None = None
    quality: str = "standard"
    cache: Cache | None = None
    progress: bool | None = None
    icon_size: int | None = None  # overrides the quality preset (tests use tiny icons)
    icon_steps: int | None = None
    budget: float | None = None  # seconds; a plan estimated above it is refused before it runs
    executor: str = "local"  # "local" (in process) or "ray"
    ray_address: str | None = None  # join this Ray cluster (default: $RAY_ADDRESS, else start one)

    @property
    def torch_device(self) -> str:
        return self.device or ("cuda" if torch.cuda.is_available() else "cpu")
