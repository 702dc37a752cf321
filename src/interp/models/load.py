"""Models the checker and executor run: a frozen module plus everything needed to feed it.

A :class:`ModelSpec` names a model (a builtin EfficientNet-Lite, a torchvision
or timm architecture with a local weights file, random weights, or a module the
caller supplied by name); `load_model` turns it into a :class:`ModelHandle`: the
module in eval mode with frozen parameters, its class labels, its preprocessing,
and a content fingerprint that keys every cached result. Nothing is ever
downloaded. Building architectures lives in `interp.models.architectures`,
reading files in `interp.models.weights`.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from PIL import Image
from torch import nn

from interp.data.images import ImageSpec, load_image, to_rgb_uint8
from interp.errors import InterpError, Span, error
from interp.models.architectures import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    build,
    builtin_weights_file,
    imagenet_labels,
)
from interp.models.edits import edited
from interp.models.hooks import capture
from interp.models.registry import Models
from interp.models.spec import BUILTIN_MODELS, ModelSpec
from interp.models.weights import file_stamp
from interp.options import available_devices
from interp.vocabulary.families import BUILTIN_SOURCE

MAX_INPUT_SIZE = 4096  # one 4096² RGB float image is 200 MB; larger is a mistake

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "LayerInfo",
    "ModelHandle",
    "ModelSpec",
    "from_module",
    "imagenet_labels",
    "layer_table",
    "load_model",
    "nonnegative_layers",
]


@dataclass(frozen=True, eq=False)
class ModelHandle:
    """A loaded model and its input contract; compared and hashed by identity.

    `fit` says how an image becomes the ``input_size`` square the model sees:
    ``"stretch"`` resizes the whole image to it (aspect not kept), ``"crop"``
    resizes the shorter side to ``input_size / crop_pct`` and takes the centre.
    """

    module: nn.Module
    spec: ModelSpec
    labels: tuple[str, ...]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    input_size: int
    fingerprint: str
    device: str
    fit: Literal["stretch", "crop"] = "stretch"
    crop_pct: float = 1.0
    interpolation: Literal["bilinear", "bicubic"] = "bilinear"

    def __repr__(self) -> str:
        """One line (the dataclass's would print the whole network)."""
        return (
            f"<interp model {self.spec.name!r}: {type(self.module).__name__}, "
            f"{len(self.labels)} classes, input {self.input_size}px, on {self.device}>"
        )

    def crop(self, image: np.ndarray) -> np.ndarray:
        """The ``(S, S, 3)`` uint8 image the model sees: overlay heatmaps on this."""
        size = self.input_size
        resample = Image.BICUBIC if self.interpolation == "bicubic" else Image.BILINEAR
        pil = Image.fromarray(to_rgb_uint8(image))
        if self.fit == "stretch":
            return np.array(pil.resize((size, size), resample))
        scale = size / self.crop_pct / min(pil.width, pil.height)
        width = max(size, round(pil.width * scale))
        height = max(size, round(pil.height * scale))
        top, left = (height - size) // 2, (width - size) // 2
        box = (left, top, left + size, top + size)
        return np.array(pil.resize((width, height), resample).crop(box))

    def preprocess(self, image: np.ndarray) -> torch.Tensor:
        """An ``(H, W, 3)`` uint8 image as the normalized ``(1, 3, S, S)`` model input."""
        pixels = torch.from_numpy(self.crop(image))
        x01 = pixels.permute(2, 0, 1)[None].to(self.device, torch.float32) / 255.0
        return self.normalize(x01)

    def normalize(self, x01: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` images in [0, 1] to model inputs (differentiable)."""
        mean = torch.tensor(self.mean, device=x01.device, dtype=x01.dtype).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=x01.device, dtype=x01.dtype).view(1, 3, 1, 1)
        return (x01 - mean) / std

    def layer_names(self) -> list[str]:
        return [name for name, _ in self.module.named_modules() if name]


@dataclass(frozen=True)
class LayerInfo:
    """A module's output for one image: `shape` without the batch axis as the engine reads
    it (channels-first (C, H, W) for every layer with a grid), the `layout` the model
    itself gives it ("(C, H, W)", "(H, W, C)", "tokens 14x14 + 1 class", "flat"), and
    `after`: for a module that runs more than once per pass, the module that finished
    just before each of its calls (empty for a module that runs once). `finish` is its
    place in the order modules finish (a parent after its children)."""

    name: str
    shape: tuple[int, ...]
    nonnegative: bool
    layout: str = field(default="", compare=False)
    after: tuple[str, ...] = ()
    finish: int = field(default=0, compare=False)


def load_model(
    spec: ModelSpec,
    device: str | torch.device = "cpu",
    span: Span | None = None,
    models: Models | Mapping[str, Any] | None = None,
) -> ModelHandle:
    """Load `spec` once per process and device; user mistakes raise InterpError at `span`.

    A ``"module"`` spec names a model in `models`, the caller's registry; it is
    used as supplied, or as a copy on `device` when it lives elsewhere.
    """
    device = str(torch.device(device))
    if spec.edits:  # an edited model: the model, then its edits (interp.models.edits)
        return edited(load_model(spec.unedited(), device, span, models), spec.edits)
    try:
        if spec.source == "module":
            return _on_device(Models.of(models).handle(spec.name), device)
        return _load_cached(spec, device, _file_stamps(spec))
    except InterpError as exc:
        raise InterpError([replace(d, span=d.span or span) for d in exc.diagnostics]) from None


def from_module(
    module: nn.Module,
    *,
    labels: Sequence[str],
    mean: Sequence[float],
    std: Sequence[float],
    input_size: int = 224,
    name: str = "custom",
    device: str | torch.device = "cpu",
) -> ModelHandle:
    """Wrap any image classifier for `interp.run(spec, models={"mine": ...})`.

    `module` maps ``(N, 3, input_size, input_size)`` images, normalized by
    `mean` and `std` (per RGB channel, on pixels in [0, 1]), to ``(N, len(labels))``
    logits; one forward pass on a blank image checks that. The module itself is
    frozen, set to eval, its in-place activations turned off, and moved to `device`.
    """
    if not isinstance(module, nn.Module):
        raise error(
            f"from_module takes a torch.nn.Module, not {type(module).__name__}",
            hint="interp.from_module(model, labels=[...], mean=(...), std=(...), input_size=224)",
        )
    labels = _class_names(labels)
    mean_, std_ = _per_channel(mean, "mean"), _per_channel(std, "std")
    if any(value <= 0 for value in std_):
        raise error(f"from_module: std must be positive, got {std_}")
    if (
        isinstance(input_size, bool)
        or not isinstance(input_size, int)
        or not 1 <= input_size <= MAX_INPUT_SIZE
    ):
        raise error(
            f"from_module: input_size is the side of the square input in pixels, got {input_size!r}",
            hint=f"a whole number from 1 to {MAX_INPUT_SIZE}; e.g. input_size=224",
        )
    handle = _handle(
        ModelSpec("module", name),
        module,
        _available_device(device),
        labels=labels,
        mean=mean_,
        std=std_,
        input_size=input_size,
    )
    _check_outputs(handle)
    return handle


def layer_table(handle: ModelHandle, image_tensor: torch.Tensor | None = None) -> list[LayerInfo]:
    """Every module with a single-tensor output, in module order, from one forward pass.

    Without `image_tensor` the pass runs on the ``chelsea`` sample (cached per handle).
    """
    if image_tensor is None:
        return list(_default_layer_table(handle))
    return list(_measure_layers(handle, image_tensor))


def nonnegative_layers(handle: ModelHandle) -> list[str]:
    """Spatial ``(C, H, W)`` layers whose activations are >= 0: the ones NMF can factorize."""
    return [info.name for info in layer_table(handle) if info.nonnegative and len(info.shape) == 3]


@functools.lru_cache(maxsize=8)
def _default_layer_table(handle: ModelHandle) -> tuple[LayerInfo, ...]:
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    return _measure_layers(handle, image)


def _measure_layers(handle: ModelHandle, image_tensor: torch.Tensor) -> tuple[LayerInfo, ...]:
    modules = dict(handle.module.named_modules())
    names = [name for name in handle.layer_names() if not isinstance(modules[name], nn.Identity)]
    with torch.no_grad(), capture(handle.module, names) as record:
        handle.module(image_tensor.to(handle.device))
    finish = {name: i for i, name in reversed(list(enumerate(record.finished)))}
    return tuple(
        LayerInfo(
            name,
            tuple(output.shape[1:]),
            bool(output.min() >= 0),
            record.layouts[name].describe(record.shapes[name]),
            _calls(name, record.finished) if record.calls[name] > 1 else (),
            finish[name],
        )
        for name in names
        if isinstance(output := record.outputs.get(name), torch.Tensor) and output.ndim >= 2
    )


def _calls(name: str, finished: list[str]) -> tuple[str, ...]:
    """For each call of `name`, the module outside it that finished just before."""
    after = []
    for i, done in enumerate(finished):
        if done == name:
            before = (
                m for m in reversed(finished[:i]) if m != name and not m.startswith(name + ".")
            )
            after.append(next(before, "the input"))
    return tuple(after)


# Loading ------------------------------------------------------------------


def _file_stamps(spec: ModelSpec) -> tuple:
    """The identities of the files `spec` reads, so an edited file is reloaded."""
    stamps = []
    if spec.weights not in (None, "random"):
        hint = "weights must be a local file (torch.save(model.state_dict(), PATH)) or weights=random; nothing is downloaded"
        stamps.append(file_stamp(Path(spec.weights), "weights", hint))
    elif (
        spec.weights is None
        and spec.name in BUILTIN_MODELS
        and spec.source == BUILTIN_SOURCE[spec.name]
    ):
        stamps.append(file_stamp(builtin_weights_file(spec.name), "weights", "reinstall it"))
    if spec.labels is not None:
        hint = "a text file with one class name per line"
        stamps.append(file_stamp(Path(spec.labels), "labels", hint))
    return tuple(stamps)


@functools.lru_cache(maxsize=8)
def _load_cached(spec: ModelSpec, device: str, stamps: tuple) -> ModelHandle:
    module, preprocessing = build(spec)
    return _handle(spec, module, device, **preprocessing)


@functools.lru_cache(maxsize=4)
def _on_device(handle: ModelHandle, device: str) -> ModelHandle:
    """A supplied model on `device`: itself, or a copy (the caller's module stays put)."""
    if handle.device == device:
        return handle
    return replace(handle, module=copy.deepcopy(handle.module).to(device), device=device)


def _handle(spec: ModelSpec, module: nn.Module, device: str, **preprocessing) -> ModelHandle:
    """Freeze `module` for inspection: eval mode, no parameter grads, no in-place activations.

    In-place activations (ReLU after a hooked BatchNorm) would overwrite captured
    outputs and break gradients taken with respect to them.
    """
    module.eval()
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    for submodule in module.modules():
        if isinstance(getattr(submodule, "inplace", None), bool):
            submodule.inplace = False
    preprocessing.setdefault("labels", imagenet_labels())
    fingerprint = _fingerprint(
        f"{spec.source}:{spec.name}", module, repr(sorted(preprocessing.items()))
    )
    return ModelHandle(
        module.to(device), spec, fingerprint=fingerprint, device=device, **preprocessing
    )


def _fingerprint(architecture: str, module: nn.Module, preprocessing: str) -> str:
    """sha256 over what determines every result: architecture, input contract, tensors."""
    digest = hashlib.sha256(f"{architecture}|{preprocessing}".encode())
    for key, tensor in module.state_dict().items():
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"|{key}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _class_names(labels: object) -> tuple[str, ...]:
    """`from_module`'s labels: a list or tuple of distinct class names, one per output."""
    hint = 'labels=["cat", "dog", ...]; from a file: Path("labels.txt").read_text().splitlines()'
    if isinstance(labels, (str, bytes, Path)) or not isinstance(labels, Iterable):
        raise error(
            f"from_module: labels takes a list or tuple of class names, one per output, not {type(labels).__name__} {labels!r:.60}",
            hint=hint,
        )
    names = tuple(str(label) for label in labels)
    if not names:
        raise error("from_module: labels name the classes, one per output", hint=hint)
    first: dict[str, int] = {}
    for index, label in enumerate(names):
        if first.setdefault(label, index) != index:
            raise error(
                f"from_module: labels name class {label!r} twice, at {first[label]} and {index}",
                hint="each output needs its own name",
            )
    return names


def _available_device(device: object) -> str:
    """`device` as torch names it, when this machine has it (`options.available_devices`);
    otherwise a user error listing the ones it has."""
    available = available_devices()
    hint = f"devices on this machine: {', '.join(available)}"
    try:
        found = torch.device(device)  # type: ignore[arg-type]
    except (RuntimeError, TypeError, ValueError):
        raise error(f"from_module: device {device!r} is not a device name", hint=hint) from None
    if found.type != "cpu" and str(found) not in available:
        raise error(f"from_module: device {device!r} is not available on this machine", hint=hint)
    return str(found)


def _per_channel(values: Sequence[float], what: str) -> tuple[float, float, float]:
    try:
        floats = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        floats = ()
    if len(floats) != 3 or not all(math.isfinite(v) for v in floats):
        raise error(
            f"from_module: {what} takes three finite numbers, one per RGB channel, got {values!r}",
            hint="e.g. mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)",
        )
    return floats  # type: ignore[return-value]


def _check_outputs(handle: ModelHandle) -> None:
    """One forward pass on a blank image: the module must give one logit per label."""
    blank = torch.zeros(1, 3, handle.input_size, handle.input_size, device=handle.device)
    try:
        with torch.no_grad():
            logits = handle.module(handle.normalize(blank))
    except Exception as exc:  # the user's module, the user's to fix
        raise error(
            f"from_module: the module fails on a (1, 3, {handle.input_size}, {handle.input_size}) image: {type(exc).__name__}: {exc}",
            hint="input_size must be a size the module accepts",
        ) from None
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (1, len(handle.labels)):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise error(
            f"from_module: the module gives {shape} for one image; {len(handle.labels)} labels need (1, {len(handle.labels)})",
            hint="the module must return one logit per label",
        )
