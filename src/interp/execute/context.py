"""What kernels that run the model may use: models, inputs, the cache, the device.

One `RunContext` lives in each process that executes nodes (the local
process, or each Ray worker): it loads a model the first time a node needs it
and keeps it for the next, so a model is loaded once per worker. It is built
from `Settings`, which are plain and picklable. Kernels of pure nodes (views,
operations) are never given a context: they cannot touch a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from interp.cache import Cache
from interp.data.images import ImageSpec, image_digest, load_image
from interp.models.load import ModelHandle, load_model
from interp.models.registry import EMPTY, Models
from interp.models.spec import ModelSpec


@dataclass(frozen=True)
class Settings:
    """How nodes run: the device, the on-disk cache root (None: off), progress bars,
    and models supplied from Python by name (`interp.run(..., models=...)`)."""

    device: str
    cache_root: str | None = None
    progress: bool | None = None
    models: Models = EMPTY


@dataclass
class RunContext:
    settings: Settings
    _models: dict[ModelSpec, ModelHandle] = field(default_factory=dict)
    _images: dict[ImageSpec, np.ndarray] = field(default_factory=dict)
    _inputs: dict[tuple[ModelSpec, ImageSpec], torch.Tensor] = field(default_factory=dict)

    @property
    def device(self) -> str:
        return self.settings.device

    @property
    def progress(self) -> bool | None:
        return self.settings.progress

    @property
    def cache(self) -> Cache | None:
        root = self.settings.cache_root
        return Cache(root) if root is not None else None

    def model(self, spec: ModelSpec) -> ModelHandle:
        if spec not in self._models:
            self._models[spec] = load_model(spec, self.device, models=self.settings.models)
        return self._models[spec]

    def image(self, spec: ImageSpec) -> np.ndarray:
        if spec not in self._images:
            self._images[spec] = load_image(spec)
        return self._images[spec]

    def input_tensor(self, model: ModelSpec, image: ImageSpec) -> torch.Tensor:
        """The preprocessed image `(1, 3, S, S)` on the device, made once."""
        key = (model, image)
        if key not in self._inputs:
            self._inputs[key] = self.model(model).preprocess(self.image(image))
        return self._inputs[key]

    def key(self, model: ModelSpec, image: ImageSpec | None, *parts: Any) -> tuple:
        """A cache key by content: the model's fingerprint, the image's digest, then `parts`."""
        digest = image_digest(self.image(image)) if image is not None else None
        return (self.model(model).fingerprint, digest, *parts)
