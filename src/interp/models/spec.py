"""Which model a spec names: plain data, no torch, so the static checker stays light."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from interp.vocabulary.families import BUILTIN_MODELS, LIBRARY_FAMILIES

if TYPE_CHECKING:
    from interp.data.datasets import DatasetSpec

# Calls that name an architecture of a library rather than a model (the families declare them).
LIBRARIES = LIBRARY_FAMILIES
SOURCES = ("builtin", *LIBRARIES, "module")
MAX_CLASSES = 100_000  # a head this wide is ~200 M weights on a 2048-wide backbone: 800 MB


@dataclass(frozen=True)
class EditSpec:
    """One edit of an edited model (`model M with ablate(...)`), as the checker read it.

    `kind` is ``"ablate"`` (channels set to `to`: ``"zero"``, ``"mean"`` (the channel's
    mean over the input's positions) or ``"input"`` (another image's activations,
    `image` = ``(kind, value)`` as `interp.data.images.ImageSpec` takes them)),
    ``"steer"`` (adds `by` times the channel's standard deviation over positions) or
    ``"clamp"`` (limits the channels to [`low`, `high`]). `interp.models.edits` runs them.
    """

    kind: Literal["ablate", "steer", "clamp"]
    layer: str
    channels: tuple[int, ...]
    to: Literal["zero", "mean", "input"] = "zero"
    image: tuple[str, str] | None = None
    by: float = 0.0
    low: float | None = None
    high: float | None = None
    #: `to=mean(over=D)`: the channel's mean over the dataset's examples and positions
    over: DatasetSpec | None = None

    def to_text(self) -> str:
        """The edit in the language: `ablate(layer("x").channels[3, 7], to=mean)`."""
        atoms = f"layer({json.dumps(self.layer)}).channels[{', '.join(map(str, self.channels))}]"
        options = []
        if self.kind == "ablate" and self.to == "mean":
            options.append(f"to=mean(over={self.over.describe()})" if self.over else "to=mean")
        elif self.kind == "ablate" and self.to == "input" and self.image is not None:
            kind, value = self.image
            image = json.dumps(value) if kind == "path" else f"sample({json.dumps(value)})"
            options.append(f"to=input({image})")
        if self.kind == "steer":
            options.append(f"by={self.by!r}")
        if self.kind == "clamp":
            options += [
                f"{n}={v!r}" for n, v in (("min", self.low), ("max", self.high)) if v is not None
            ]
        return f"{self.kind}({', '.join([atoms, *options])})"

    def words(self) -> str:
        """The edit in words, for a page header: `channels 222, 141 of blocks.4.2.bn1 set to zero`."""
        many = len(self.channels) > 1
        atoms = f"channel{'s' if many else ''} {', '.join(map(str, self.channels))} of {self.layer}"
        if self.kind == "steer":
            return (
                f"{atoms} steered by {self.by:g}× {'their' if many else 'its'} std over positions"
            )
        if self.kind == "clamp":
            low = "-∞" if self.low is None else f"{self.low:g}"
            high = "∞" if self.high is None else f"{self.high:g}"
            return f"{atoms} clamped to [{low}, {high}]"
        if self.to == "mean" and self.over is not None:
            return f"{atoms} set to {'their' if many else 'its'} mean over {self.over.describe()}"
        if self.to == "mean":
            return f"{atoms} set to {'their' if many else 'its'} mean over positions"
        if self.to == "input" and self.image is not None:
            return f"{atoms} patched from {self.image[1]}"
        return f"{atoms} set to zero"


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
    edits: tuple[EditSpec, ...] = ()  # an edited model: `model M with ablate(...)`

    def unedited(self) -> ModelSpec:
        """The model before its edits (what its layers, shapes and labels are read from)."""
        return replace(self, edits=()) if self.edits else self

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


__all__ = ["BUILTIN_MODELS", "LIBRARIES", "MAX_CLASSES", "EditSpec", "ModelSpec"]
