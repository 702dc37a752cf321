"""`visualize`: feature visualizations for many objectives, batched, truncated and cached.

The work is planned before anything runs: objectives are reduced to the
optimizations they need (equal ones merge; activation vectors whose
directions are nearly identical share one), cached results are taken from the
cache, and the rest are grouped by layer and optimized in batches on the
model truncated after that layer.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn

from interp.execute.progress import progress_bar

from ...cache import Cache
from ...errors import did_you_mean, error
from ...models.input_size import declared_size, fixed_size, resized
from ...options import ICON_PRESETS, icon_preset
from . import optimize as _optimize
from .jobs import Job, cut_batches, image_seed, share_directions
from .objectives import OUTPUT, Objective
from .param import to_uint8
from .transforms import Robustness

CACHE_VERSION = 2  # 2: a depthwise layer redirects the activation before it too
DEDUPE_COSINE = 0.98
DIVERSITY_WEIGHT = 1.0  # `visualize(..., diversity=N)`: at most this share of each objective

PRESETS: dict[str, _optimize.Settings] = {  # the qualities of `interp.options`
    quality: _optimize.Settings(size=p.size, steps=p.steps, lr=p.lr, pyramid=p.pyramid)
    for quality, p in ICON_PRESETS.items()
}
# Images of BATCH_SIDE px per batch; smaller ones pack more. On a 2-core CPU an image's
# share of a step at 128 px is 9.8 ms in batches of 8, 7.4 of 16, 6.2 of 32 and 6.6 of 64
# (EfficientNet-Lite0 to blocks.4.2.bn1, benchmarks/bench_step.py); 32 take about 1 GB.
BATCH_SIZE = {"cpu": 32, "cuda": 64}
BATCH_SIDE = 128
MAX_BATCH = 256


@dataclass(frozen=True)
class _Model:
    module: nn.Module
    normalize: Callable[[torch.Tensor], torch.Tensor]
    fingerprint: str


def settings_for(
    quality: str = "standard", *, size: int | None = None, steps: int | None = None
) -> _optimize.Settings:
    """The preset for `quality`, with `size` / `steps` overridden when given."""
    preset = icon_preset(quality, size=size, steps=steps)  # refuses an unknown quality
    return replace(PRESETS[quality], size=preset.size, steps=preset.steps)


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
    diversity: int = 1,
    diversity_weight: float = DIVERSITY_WEIGHT,
) -> list[np.ndarray]:
    """One ``H x W x 3`` uint8 image per objective, in order.

    `model` is a model handle (``.module``, ``.normalize``, ``.fingerprint``)
    or a bare ``nn.Module`` (then `normalize` maps ``[0, 1]`` pixels to its
    input; identity by default). `quality` picks a preset (``draft``,
    ``standard``, ``high``); `size` and `steps` override it, `settings`
    replaces it. Objectives of directions with cosine above `dedupe_cosine`
    share one image (None: never). `cache` (None: off) makes re-renders free.

    ``diversity=N`` (N > 1) draws N different images per objective instead, an
    ``N x H x W x 3`` array each: the N images of one objective are optimized
    side by side and pushed apart by Lucid's gram-matrix diversity term, which
    weighs at most `diversity_weight` times each image's own objective (so the
    weight means the same on every layer); objectives of different atoms never
    interact.
    """
    settings = settings or settings_for(quality, size=size, steps=steps)
    run = partial(_run, model, device=device, cache=cache, progress=progress, normalize=normalize)
    if diversity != 1:
        weighted = replace(settings, diversity=diversity_weight, relative_diversity=True)
        batch_size = batch_size or _batch_size(_device_of(model, device), settings.size)
        return _visualize_sets(
            run, objectives, diversity, weighted, seed, batch_size, dedupe_cosine
        )
    jobs = [Job(o.optimized, image_seed(seed, o.optimized)) for o in objectives]
    images = run(jobs, settings, batch_size=batch_size, dedupe_cosine=dedupe_cosine)
    return [images[job].copy() for job in jobs]


def _visualize_sets(
    run: Callable, objectives, n: int, settings, seed: int, batch_size: int, dedupe_cosine
) -> list[np.ndarray]:
    """`n` images per objective, one diversity group per distinct objective.

    Nearly equal directions share one set (as `visualize` shares one image); a
    batch holds whole sets only."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"diversity must be a positive integer, not {n!r}")
    wanted = [o.optimized for o in objectives]
    leaders = [Job(o, 0) for o in dict.fromkeys(wanted)]
    shared = (
        share_directions(leaders, dedupe_cosine)
        if dedupe_cosine is not None
        else {j: j for j in leaders}
    )
    drawn = list(dict.fromkeys(job.objective for job in shared.values()))
    sets = {
        o: [Job(o, image_seed(seed, o, i), group=g) for i in range(n)] for g, o in enumerate(drawn)
    }
    jobs = [job for group in sets.values() for job in group]
    images = run(jobs, settings, batch_size=max(n, batch_size // n * n), dedupe_cosine=None)
    stacks = {o: np.stack([images[job] for job in group]) for o, group in sets.items()}
    by_objective = {job.objective: shared[job].objective for job in leaders}
    return [stacks[by_objective[o]].copy() for o in wanted]


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
    already lets some images drop their feature. (``visualize(...,
    diversity=n)`` weighs the term by each image's objective instead.)
    """
    settings = replace(settings_for(quality, size=size, steps=steps), diversity=diversity)
    target = objective.optimized
    jobs = [Job(target, image_seed(seed, target, i), group=1) for i in range(n)]
    images = _run(model, jobs, settings, device, cache, progress, normalize, n, None)
    return [images[job].copy() for job in jobs]


def _device_of(model: Any, device) -> torch.device:
    """`device`, or else where the model's parameters live."""
    if device is not None:
        return torch.device(device)
    module = model if isinstance(model, nn.Module) else model.module
    return next(iter(module.parameters()), torch.empty(0)).device


def _run(model, jobs, settings, device, cache, progress, normalize, batch_size, dedupe_cosine):
    """Images of `jobs`; jobs that share a `group` are one diversity set when
    ``settings.diversity``: optimized in one batch, cached as a set (their seeds
    and the set's size are in each key), recomputed together on any miss."""
    resolved = _resolve(model, normalize)
    device = _device_of(model, device)
    cache = cache or Cache(None)
    unique = list(dict.fromkeys(jobs))
    sizes = Counter(job.group for job in unique)

    def key(job: Job) -> tuple:
        together = (
            sizes[job.group] if settings.diversity else 1
        )  # a diverse image depends on its set
        return (
            "feature_vis",
            CACHE_VERSION,
            resolved.fingerprint,
            job.objective,
            job.seed,
            together,
            settings,
        )

    images: dict[Job, np.ndarray] = {}
    for job in unique:
        hit = cache.get(key(job))
        if isinstance(hit, np.ndarray):
            images[job] = hit
    if settings.diversity:  # a diverse set is optimized together or not at all
        missing = {job.group for job in unique if job not in images}
        todo = [job for job in unique if job.group in missing]
    else:
        todo = [job for job in unique if job not in images]
    shared = (
        share_directions(todo, dedupe_cosine) if dedupe_cosine is not None else {j: j for j in todo}
    )
    batches = cut_batches(
        list(dict.fromkeys(shared.values())), batch_size or _batch_size(device, settings.size)
    )
    if not batches:
        return images
    layers = {b[0].objective.layer for b in batches}
    _check_layers(resolved.module, layers)
    with (
        _optimize.prepared(
            resolved.module,
            resolved.normalize,
            device,
            size=settings.size,
            keep=layers,
        ) as module,
        progress_bar(
            progress, total=settings.steps * len(batches), desc="feature vis", unit="step"
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
    """The module, its input map and fingerprint; a model that takes one input size only
    sees every image resized to it (`models.input_size`)."""
    if isinstance(model, nn.Module):
        module = model
        normalize = normalize or (lambda x: x)
        side = declared_size(module)
        if side is not None:
            normalize = resized(normalize, side)
        fingerprint = module_fingerprint(module, normalize)
    else:
        module = model.module
        normalize = normalize or model.normalize
        side = fixed_size(model)
        if side is not None:
            normalize = resized(normalize, side)
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


def _batch_size(device: torch.device, side: int) -> int:
    """Images per batch: as many pixels as `BATCH_SIZE` images of `BATCH_SIDE` px.

    A step's fixed cost (autograd bookkeeping, one kernel launch per op) is
    shared by the batch, so small icons are optimized many at a time.
    """
    per_device = BATCH_SIZE.get(device.type, 16)
    return int(min(MAX_BATCH, max(1, per_device * BATCH_SIDE**2 // max(side, 1) ** 2)))


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
