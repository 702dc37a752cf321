"""Which model a spec names: plain data, no torch, so the static checker stays light."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from interp.vocabulary.families import BUILTIN_MODELS, LIBRARY_FAMILIES

# Calls that name an architecture of a library rather than a model (the families declare them).
LIBRARIES = LIBRARY_FAMILIES
SOURCES = ("builtin", *LIBRARIES, "module")
MAX_CLASSES = 100_000  # a head this wide is ~200 M weights on a 2048-wide backbone: 800 MB


@dataclass(frozen=True)
class ModelSpec:
    """Which model.

    `source` is a family's (`interp.vocabulary.families`): ``"builtin"`` (one of
    BUILTIN_MODELS), a library (``"torchvision"``, ``"timm"``: `name` is its
    architecture); or ``"module"`` (a model the caller supplied by name, see
    `interp.models.registry`). `weights` is a local file, ``"random"``, or None
    (a builtin's own). `classes` fixes the head's size of a fine-tuned checkpoint
    (None: read it from the file); `labels` is a file of class names, one per
    line (None: ImageNet's for 1000 classes, else ``class 0`` ... ``class N-1``).
    Paths are as the checker resolved them.
    """

    source: Literal["builtin", "torchvision", "timm", "module"]
    name: str
    weights: str | None = None
    seed: int = 0
    classes: int | None = None
    labels: str | None = None

    def __post_init__(self) -> None:
        """Refuse, naming the argument, what a spec's checker would refuse: a `ModelSpec`
        built in Python never reaches torch with a head it cannot build."""
        if self.source not in SOURCES:
            raise ValueError(f"ModelSpec source must be one of {SOURCES}, not {self.source!r}")
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"ModelSpec name must be a non-empty string, not {self.name!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TypeError(f"ModelSpec seed must be a whole number, not {self.seed!r}")
        if self.classes is not None and (
            isinstance(self.classes, bool)
            or not isinstance(self.classes, int)
            or not 1 <= self.classes <= MAX_CLASSES
        ):
            raise ValueError(
                f"ModelSpec classes must be a whole number from 1 to {MAX_CLASSES:,} "
                f"(a wider head would not fit in memory), not {self.classes!r}"
            )
        for field_name in ("weights", "labels"):
            value = getattr(self, field_name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"ModelSpec {field_name} must be a path or None, not {value!r}")

    def to_text(self) -> str:
        """The model reference in the language: `torchvision("resnet18", weights=random)`."""
        options = []
        if self.weights is not None:
            weights = self.weights if self.weights == "random" else json.dumps(self.weights)
            options.append(f"weights={weights}")
        if self.weights == "random" and self.seed != 0:
            options.append(f"seed={self.seed}")
        if self.classes is not None:
            options.append(f"classes={self.classes}")
        if self.labels is not None:
            options.append(f"labels={json.dumps(self.labels)}")
        if self.source in LIBRARIES:
            return f"{self.source}({', '.join([json.dumps(self.name), *options])})"
        return f"{self.name}({', '.join(options)})" if options else self.name


__all__ = ["BUILTIN_MODELS", "LIBRARIES", "MAX_CLASSES", "ModelSpec"]
