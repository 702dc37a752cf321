"""Feature visualization: interp versus Lucent's `render_vis`, measured in one run.

Workload: the default model (EfficientNet-Lite0), layer ``blocks.4.2.bn1``,
8 channels, 128 px icons. The peer is Lucent's ``render_vis``, one objective
at a time on the full model, with its standard transforms and Adam(0.05);
its input normalization is the model's own, and ``fixed_image_size=128`` so
it shows the model the same 128 px as interp does (Lucent's default would
upsample to 224 px: reported as a second peer for throughput only).

Quality is scored the same way for both: each final uint8 icon is shown to
the model as is (no transform) and its channel's mean activation is read;
the score is the mean over the 8 icons. Scores are deterministic (seeded).

(a) time to quality: the peer's score after 256 steps is the target; interp's
    standard preset at increasing step counts finds the first that reaches it.
    The peer's time is 256 steps x 8 icons at its measured time per step and icon.
(b) raw throughput at equal steps (32) and size (128 px): icons per second.

Timings hold still on a shared machine: every side (Lucent at 128 px, Lucent
at 224 px, interp at equal steps, interp at the step count that reached the
target) runs **interleaved** for ``--rounds`` rounds, the order rotating each
round; each cell is the median with its range, each ratio the ratio of
medians with the range of per-round ratios, and the load average is printed
per round. A spread wider than 1.5x is flagged. ``--quick`` runs 64 peer
steps and 16-step throughput.

    PYTHONPATH=src python benchmarks/bench_feature_vis.py [--quick] [--rounds 3]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch

from interp.cache import Cache
from interp.execute.feature_vis import Objective, visualize
from interp.execute.feature_vis.param import FourierImage
from interp.models.hooks import capture, run_until
from interp.models.load import ModelSpec, load_model

LAYER = "blocks.4.2.bn1"
SIZE = 128
NOISY = 1.5


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
    """Lucent's icons at each threshold, and its wall time per step and icon."""
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


class Spread:
    """Values over rounds: the median and the range."""

    def __init__(self, values: list[float]):
        self.values = values

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def noisy(self) -> bool:
        return max(self.values) > NOISY * min(self.values)

    def cell(self, scale: float = 1.0, digits: int = 1) -> str:
        low, mid, high = (scale * v for v in (min(self.values), self.median, max(self.values)))
        return f"{mid:.{digits}f} [{low:.{digits}f}-{high:.{digits}f}]" + (
            " !" if self.noisy else ""
        )


def ratio(peer: Spread, ours: Spread) -> str:
    per_round = [p / o for p, o in zip(peer.values, ours.values, strict=True)]
    return f"{peer.median / ours.median:.1f}x [{min(per_round):.1f}-{max(per_round):.1f}]"


def interleaved(sides: dict[str, Callable[[], float]], rounds: int) -> tuple[dict, list]:
    """Each side's seconds over `rounds` rounds, the order rotating; the load after each round."""
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    loads = [os.getloadavg()[0]]
    for round_ in range(rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            times[name].append(sides[name]())
        loads.append(os.getloadavg()[0])
        print(f"# round {round_ + 1}/{rounds}: load {loads[-1]:.1f}", flush=True)
    return {name: Spread(values) for name, values in times.items()}, loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="64 peer steps, short runs")
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds (>= 3)")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3: a median of fewer is one noisy sample")
    peer_steps = 64 if args.quick else 256
    equal_steps = 16 if args.quick else 32
    ladder = [16, 24, 32] if args.quick else [24, 32, 40, 48, 64]

    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"))
    channels = active_channels(handle, args.channels)
    objectives = [Objective(LAYER, "channel", channel=c) for c in channels]
    n = len(channels)
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch"
        f" {torch.__version__}, {torch.get_num_threads()} threads, load {os.getloadavg()[0]:.1f};"
        f" channels {channels}; {args.rounds} interleaved rounds"
    )

    # Quality (deterministic): Lucent's score after peer_steps, and the first interp step
    # count that reaches it.
    thresholds = sorted({equal_steps, peer_steps // 2, peer_steps})
    peer, _ = lucent_icons(handle, channels, thresholds)
    target = score(handle, peer[peer_steps], channels)
    curve = ", ".join(f"{t}: {score(handle, peer[t], channels):.3f}" for t in thresholds)
    print(f"# lucent (128 px) score by step: {curve}")
    ladder_scores = []
    reached = None
    for steps in ladder:
        value = score(handle, interp_run(handle, objectives, steps)[0], channels)
        ladder_scores.append((steps, value))
        if value >= target:
            reached = steps
            break

    # Timing: all sides interleaved. Lucent runs 2 channels per round (its time per step
    # and icon does not depend on the channel), scaled to n icons.
    def lucent(fixed_size):
        def side() -> float:
            _, per_step = lucent_icons(handle, channels[:2], [equal_steps], fixed_size=fixed_size)
            return per_step * equal_steps * n

        return side

    sides = {
        "lucent 128": lucent(SIZE),
        "lucent 224": lucent(None),
        "interp": lambda: interp_run(handle, objectives, equal_steps)[1],
    }
    if reached is not None:
        sides["interp to quality"] = lambda: interp_run(handle, objectives, reached)[1]
    for side in sides.values():  # warm-up
        side()
    spreads, loads = interleaved(sides, args.rounds)

    cache = Cache(os.environ.get("INTERP_BENCH_CACHE", "/tmp/interp-bench-cache"))
    interp_run(handle, objectives, 64, cache=cache)
    cached = Spread([interp_run(handle, objectives, 64, cache=cache)[1] for _ in range(3)])

    lucent128, ours = spreads["lucent 128"], spreads["interp"]
    per_step = Spread([t / (equal_steps * n) for t in lucent128.values])
    peer_ttq = Spread([t * peer_steps * n for t in per_step.values])
    print()
    print("| measure | lucent render_vis | interp | ratio |")
    print("|---|---|---|---|")
    for steps, value in ladder_scores:
        print(f"| score after {steps} steps (target {target:.3f}) | | {value:.3f} | |")
    if reached is not None:
        ttq = spreads["interp to quality"]
        print(
            f"| (a) time to Lucent's {peer_steps}-step score {target:.3f}, s | {peer_ttq.cell()}"
            f" ({peer_steps} steps x {n}) | {ttq.cell()} ({reached} steps) | {ratio(peer_ttq, ttq)} |"
        )
    else:
        print(
            f"| (a) time to quality | {peer_ttq.cell()} s | not reached by {ladder[-1]} steps | - |"
        )
    print(
        f"| (b) s for {n} icons, {equal_steps} steps, {SIZE} px | {lucent128.cell()}"
        f" ({per_step.cell(1000, 0)} ms/step/icon) | {ours.cell()} | {ratio(lucent128, ours)} |"
    )
    lucent224 = spreads["lucent 224"]
    print(
        f"| (b') vs Lucent default (upsampled to 224 px), s | {lucent224.cell()} | {ours.cell()}"
        f" | {ratio(lucent224, ours)} |"
    )
    print(f"| re-render from cache ({n} icons), ms | | {cached.cell(1000, 0)} | |")
    print(
        f"\nseconds: median [min-max] over {args.rounds} interleaved rounds; ratios: peer median /"
        f" interp median [range of per-round ratios]; load average {min(loads):.1f}-{max(loads):.1f}"
        " during the timing rounds."
    )
    if any(s.noisy for s in spreads.values()):
        print(f"! marks rounds that differ more than {NOISY}x: the machine was busy.")


if __name__ == "__main__":
    main()
