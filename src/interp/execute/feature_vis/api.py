"""`visualize`: feature visualizations for many objectives, batched, truncated and cached.

The work is planned before anything runs: objectives are reduced to the
optimizations they need (equal ones merge; activation vectors whose
directions are nearly identical share one), cached results are taken from the
cache, and the rest are grouped by layer and optimized in batches on the
model truncated after that layer.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ...errors import did_you_mean, error
from ..cache import Cache, digest
from . import optimize as _optimize
from .objectives import OUTPUT, Objective
from .param import to_uint8
from .transforms import Robustness

CACHE_VERSION = 1
DEDUPE_COSINE = 0.98

PRESETS: dict[str, _optimize.Settings] = {
    "draft": _optimize.Settings(size=64, steps=48, lr=0.1),
    "standard": _optimize.Settings(size=128, steps=64, lr=0.1),
    "high": _optimize.Settings(size=192, steps=256, lr=0.05),
}
BATCH_SIZE = {"cpu": 16, "cuda": 64}  # images of BATCH_SIDE px per batch; smaller ones pack more
BATCH_SIDE = 128
MAX_BATCH = 256


@dataclass(frozen=True)
class _Model:
    module: nn.Module
    normalize: Callable[[torch.Tensor], torch.Tensor]
    fingerprint: str


@dataclass(frozen=True)
class _Job:
    """One optimization: the objective it maximizes and the seed of its image."""

    objective: Objective
    seed: int
    group: int = 0


def settings_for(
    quality: str = "standard", *, size: int | None = None, steps: int | None = None
) -> _optimize.Settings:
    """The preset for `quality`, with `size` / `steps` overridden when given."""
    if quality not in PRESETS:
        raise error(
            f"unknown feature visualization quality {quality!r}",
            hint=did_you_mean(quality, PRESETS),
        )
    settings = PRESETS[quality]
    return replace(settings, size=size or settings.size, steps=steps or settings.steps)


def visualize(
    model: Any,
    objectives: Sequence[Objective],
    *,
    quality: str = "standard",
    size: int | None = None,
    steps: int | None = None,
    seed: int = 0,
    device: torch.device | str | None = None,
    cache: Cache | None = None,
    progress: bool | None = None,
    normalize: Callable[[torch.Tensor], torch.Tensor] | None = None,
    batch_size: int | None = None,
    dedupe_cosine: float | None = DEDUPE_COSINE,
    settings: _optimize.Settings | None = None,
) -> list[np.ndarray]:
    """One ``H x W x 3`` uint8 image per objective, in order.

    `model` is a model handle (``.module``, ``.normalize``, ``.fingerprint``)
    or a bare ``nn.Module`` (then `normalize` maps ``[0, 1]`` pixels to its
    input; identity by default). `quality` picks a preset (``draft``,
    ``standard``, ``high``); `size` and `steps` override it, `settings`
    replaces it. Objectives of directions with cosine above `dedupe_cosine`
    share one image (None: never). `cache` (None: off) makes re-renders free.
    """
    settings = settings or settings_for(quality, size=size, steps=steps)
    jobs = [_Job(o.optimized, _seed(seed, o.optimized)) for o in objectives]
    images = _run(
        model, jobs, settings, device, cache, progress, normalize, batch_size, dedupe_cosine
    )
    return [images[job].copy() for job in jobs]


def visualize_diverse(
    model: Any,
    objective: Objective,
    n: int,
    *,
    diversity: float = 1.0,
    quality: str = "standard",
    size: int | None = None,
    steps: int | None = None,
    seed: int = 0,
    device: torch.device | str | None = None,
    cache: Cache | None = None,
    progress: bool | None = None,
    normalize: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> list[np.ndarray]:
    """`n` different images of one objective, pushed apart by Lucid's gram-matrix diversity.

    `diversity` weighs the summed gram-matrix cosines against the summed
    objectives, so it is relative to the layer's activation scale: on
    EfficientNet-Lite0's ``blocks.4.2.bn1`` (channel means near 5) 1.0 gives
    visibly different images that keep 70-95% of the objective, and 3.0
    already lets some images drop their feature.
    """
    settings = replace(settings_for(quality, size=size, steps=steps), diversity=diversity)
    target = objective.optimized
    jobs = [_Job(target, _seed(seed, target, i), group=1) for i in range(n)]
    images = _run(model, jobs, settings, device, cache, progress, normalize, n, None)
    return [images[job].copy() for job in jobs]


def _run(model, jobs, settings, device, cache, progress, normalize, batch_size, dedupe_cosine):
    resolved = _resolve(model, normalize)
    parameters = list(resolved.module.parameters())
    device = (
        torch.device(device)
        if device is not None
        else (parameters[0].device if parameters else torch.device("cpu"))
    )
    cache = cache or Cache(None)

    together = len(jobs) if settings.diversity else 1  # a diverse image depends on its set

    def key(job: _Job) -> tuple:
        return (
            "feature_vis",
            CACHE_VERSION,
            resolved.fingerprint,
            job.objective,
            job.seed,
            together,
            settings,
        )

    images: dict[_Job, np.ndarray] = {}
    for job in dict.fromkeys(jobs):
        hit = cache.get(key(job))
        if isinstance(hit, np.ndarray):
            images[job] = hit
    todo = [job for job in dict.fromkeys(jobs) if job not in images]
    if settings.diversity and todo:
        todo = list(dict.fromkeys(jobs))  # a diverse set is optimized together or not at all
    shared = (
        _share_directions(todo, dedupe_cosine)
        if dedupe_cosine is not None
        else {j: j for j in todo}
    )
    batches = _batches(
        list(dict.fromkeys(shared.values())), batch_size or _batch_size(device, settings.size)
    )
    if not batches:
        return images
    _check_layers(resolved.module, {b[0].objective.layer for b in batches})
    show = sys.stderr.isatty() if progress is None else progress
    with (
        _optimize.prepared(resolved.module, device) as module,
        tqdm(
            total=settings.steps * len(batches), desc="feature vis", disable=not show, unit="step"
        ) as bar,
    ):
        for batch in batches:
            pixels = _optimize.optimize_batch(
                module,
                resolved.normalize,
                batch[0].objective.layer,
                [job.objective for job in batch],
                [job.seed for job in batch],
                settings,
                device=device,
                groups=[job.group for job in batch],
                on_step=bar.update,
            )
            for job, picture in zip(batch, to_uint8(pixels), strict=True):
                images[job] = picture
    for job, representative in shared.items():
        images[job] = images[representative]
        cache.put(key(job), images[job])
    return images


def _resolve(model: Any, normalize) -> _Model:
    if isinstance(model, nn.Module):
        module = model
        normalize = normalize or (lambda x: x)
        fingerprint = module_fingerprint(module, normalize)
    else:
        module = model.module
        normalize = normalize or model.normalize
        fingerprint = str(model.fingerprint)
    return _Model(module, normalize, fingerprint)


def module_fingerprint(module: nn.Module, normalize) -> str:
    """A content hash of a bare module: class, weights and buffers, and what `normalize` does."""
    hasher = hashlib.sha256(type(module).__qualname__.encode())
    for name, tensor in module.state_dict().items():
        hasher.update(name.encode())
        hasher.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    probe = torch.linspace(0, 1, 48).reshape(1, 3, 4, 4)
    with torch.no_grad():
        response = normalize(probe.to(next(iter(module.parameters()), probe).device))
    hasher.update(np.round(response.float().cpu().numpy(), 6).tobytes())
    return hasher.hexdigest()


def _seed(seed: int, objective: Objective, index: int = 0) -> int:
    """The image's own seed: from the user's seed and the objective, never from batch mates."""
    return int(digest(("feature_vis_seed", seed, objective, index))[:15], 16)


def _share_directions(jobs: Sequence[_Job], threshold: float) -> dict[_Job, _Job]:
    """Map each job to the job that draws it: the first earlier direction job within `threshold` cosine."""
    shared: dict[_Job, _Job] = {}
    leaders: dict[tuple, list[tuple[_Job, np.ndarray]]] = {}
    for job in jobs:
        o = job.objective
        if o.kind != "direction":
            shared[job] = job
            continue
        vector = np.asarray(o.direction, dtype=np.float64)
        unit = vector / max(np.linalg.norm(vector), 1e-12)
        family = leaders.setdefault((o.layer, o.cosine_power, job.group), [])
        match = next((leader for leader, u in family if float(unit @ u) > threshold), None)
        if match is None:
            family.append((job, unit))
        shared[job] = match or job
    return shared


def _batch_size(device: torch.device, side: int) -> int:
    """Images per batch: as many pixels as `BATCH_SIZE` images of `BATCH_SIDE` px.

    A step's fixed cost (autograd bookkeeping, one kernel launch per op) is
    shared by the batch, so small icons are optimized many at a time.
    """
    per_device = BATCH_SIZE.get(device.type, 16)
    return int(min(MAX_BATCH, max(1, per_device * BATCH_SIDE**2 // max(side, 1) ** 2)))


def _batches(jobs: Sequence[_Job], batch_size: int) -> list[list[_Job]]:
    """Jobs grouped by layer (deepest work shared per layer), split into chunks of `batch_size`."""
    by_layer: dict[str, list[_Job]] = {}
    for job in jobs:
        by_layer.setdefault(job.objective.layer, []).append(job)
    return [
        same[start : start + batch_size]
        for same in by_layer.values()
        for start in range(0, len(same), batch_size)
    ]


def _check_layers(module: nn.Module, layers: set[str]) -> None:
    names = dict(module.named_modules())
    for layer in sorted(layers):
        if layer != OUTPUT and layer not in names:
            raise error(
                f"no layer {layer!r} in the model",
                hint=did_you_mean(layer, [n for n in names if n]),
            )


__all__ = [
    "PRESETS",
    "Robustness",
    "settings_for",
    "visualize",
    "visualize_diverse",
    "module_fingerprint",
]
