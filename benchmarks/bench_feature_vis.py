"""Feature visualization: interp versus Lucent's `render_vis`, measured in one run.

Workload: the default model (EfficientNet-Lite0), layer ``blocks.4.2.bn1``,
8 channels, 128 px icons. The peer is Lucent's ``render_vis``, one objective
at a time on the full model, with its standard transforms and Adam(0.05);
its input normalization is the model's own, and ``fixed_image_size=128`` so
it shows the model the same 128 px as interp does (Lucent's default would
upsample to 224 px: reported as a second peer for throughput only).

Quality is scored the same way for both: each final uint8 icon is shown to
the model as is (no transform) and its channel's mean activation is read;
the score is the mean over the 8 icons.

(a) time to quality: the peer's score after 256 steps is the target; interp
    runs its standard preset at increasing step counts (a fresh optimization
    each) and the first that reaches the target gives interp's time. The
    peer's time is 256 steps x 8 icons at its best measured per-step time.
(b) raw throughput at equal steps (32) and size (128 px): icons per second,
    best of two interleaved repeats for each side.

The machine may be shared: timings take the best of repeats, and the load
average is printed. ``--quick`` runs 64 peer steps and 16-step throughput.

    PYTHONPATH=src python benchmarks/bench_feature_vis.py [--quick]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import time

import numpy as np
import torch

from interp.execute.cache import Cache
from interp.execute.feature_vis import Objective, visualize
from interp.execute.feature_vis.param import FourierImage
from interp.execute.hooks import capture, run_until
from interp.models.load import ModelSpec, load_model

LAYER = "blocks.4.2.bn1"
SIZE = 128


def active_channels(handle, count: int) -> list[int]:
    """`count` channels spread over those active on a random starting image (fair to Lucent)."""
    with torch.no_grad(), capture(handle.module, [LAYER], stop_after=LAYER) as record:
        run_until(handle.module, handle.normalize(FourierImage([123], SIZE)()))
    alive = (record[LAYER][0].amax(dim=(1, 2)) > 0).nonzero().ravel().tolist()
    return [alive[i * len(alive) // count] for i in range(count)]


def score(handle, images, channels) -> float:
    x01 = torch.tensor(np.stack(images)).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad(), capture(handle.module, [LAYER], stop_after=LAYER) as record:
        run_until(handle.module, handle.normalize(x01))
    activation = record[LAYER]
    return float(np.mean([activation[i, c].mean().item() for i, c in enumerate(channels)]))


def lucent_icons(handle, channels, thresholds, *, fixed_size=SIZE):
    """Lucent's icons at each threshold, and its wall time per step (all icons)."""
    from lucent.optvis import param, render, transform

    per_threshold = {t: [] for t in thresholds}
    elapsed = 0.0
    for channel in channels:
        module = copy.deepcopy(handle.module)  # Lucent never removes its hooks
        torch.manual_seed(0)
        np.random.seed(0)
        start = time.perf_counter()
        images = render.render_vis(
            module,
            f"{LAYER.replace('.', '_')}:{channel}",
            param_f=lambda: param.image(SIZE),
            transforms=[*transform.standard_transforms, handle.normalize],
            preprocess=False,
            thresholds=tuple(thresholds),
            fixed_image_size=fixed_size,
            progress=False,
            show_image=False,
        )
        elapsed += time.perf_counter() - start
        for t, image in zip(thresholds, images, strict=True):
            per_threshold[t].append((image[0] * 255).round().astype(np.uint8))
    return per_threshold, elapsed / (max(thresholds) * len(channels))


def interp_run(handle, objectives, steps, **kwargs):
    start = time.perf_counter()
    images = visualize(handle, objectives, steps=steps, progress=False, **kwargs)
    return images, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="64 peer steps, short runs")
    parser.add_argument("--channels", type=int, default=8)
    args = parser.parse_args()
    peer_steps = 64 if args.quick else 256
    equal_steps = 16 if args.quick else 32
    ladder = [16, 24, 32] if args.quick else [24, 32, 40, 48, 64]

    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"))
    channels = active_channels(handle, args.channels)
    objectives = [Objective(LAYER, "channel", channel=c) for c in channels]
    n = len(channels)
    print(
        f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, load {os.getloadavg()[0]:.1f}; channels {channels}"
    )

    thresholds = sorted({equal_steps, peer_steps // 2, peer_steps})
    peer, peer_step = lucent_icons(handle, channels, thresholds)
    target = score(handle, peer[peer_steps], channels)
    curve = ", ".join(f"{t}: {score(handle, peer[t], channels):.3f}" for t in thresholds)
    print(f"# lucent (128 px) score by step: {curve}")

    # (b) throughput at equal steps and size, interleaved, best of two.
    lucent_times, lucent224_times, interp_times = [peer_step * equal_steps * n], [], []
    for _ in range(2):
        _, t = lucent_icons(handle, channels[:2], [equal_steps])
        lucent_times.append(t * equal_steps * n)
        _, t = lucent_icons(handle, channels[:2], [equal_steps], fixed_size=None)
        lucent224_times.append(t * equal_steps * n)
        interp_times.append(interp_run(handle, objectives, equal_steps)[1])
    lucent_time = min(lucent_times)
    lucent_step = lucent_time / (equal_steps * n)

    # (a) time to quality: the first step count whose fresh run reaches the target.
    reached = None
    rows = []
    for steps in ladder:
        images, t = interp_run(handle, objectives, steps)
        value = score(handle, images, channels)
        rows.append((steps, value, t))
        if value >= target:
            t = min(t, interp_run(handle, objectives, steps)[1])
            reached = (steps, value, t)
            break
    peer_ttq = lucent_step * peer_steps * n

    cache = Cache(os.environ.get("INTERP_BENCH_CACHE", "/tmp/interp-bench-cache"))
    interp_run(handle, objectives, 64, cache=cache)
    _, cached = interp_run(handle, objectives, 64, cache=cache)

    print()
    print("| measure | lucent render_vis | interp | ratio |")
    print("|---|---|---|---|")
    for steps, value, t in rows:
        print(f"| score after {steps} steps (target {target:.3f}) | | {value:.3f} in {t:.1f} s | |")
    if reached:
        steps, value, t = reached
        print(
            f"| (a) time to Lucent's {peer_steps}-step score {target:.3f} | {peer_ttq:.1f} s "
            f"({peer_steps} steps x {n}) | {t:.1f} s ({steps} steps, score {value:.3f}) "
            f"| {peer_ttq / t:.1f}x |"
        )
    else:
        print(
            f"| (a) time to quality | {peer_ttq:.1f} s | not reached within {ladder[-1]} steps | - |"
        )
    best = min(interp_times)
    print(
        f"| (b) icons/s, {equal_steps} steps, {SIZE} px | {n / lucent_time:.3f} "
        f"({1000 * lucent_step:.0f} ms/step/icon) | {n / best:.3f} "
        f"({1000 * best / (equal_steps * n):.0f} ms/step/icon) | {lucent_time / best:.1f}x |"
    )
    lucent224 = min(lucent224_times)
    print(
        f"| (b') vs Lucent default (upsampled to 224 px) | {n / lucent224:.3f} "
        f"({1000 * lucent224 / (equal_steps * n):.0f} ms/step/icon) | {n / best:.3f} | {lucent224 / best:.1f}x |"
    )
    print(f"| re-render from cache ({n} icons) | | {1000 * cached:.0f} ms | |")
    print(f"\n# load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
