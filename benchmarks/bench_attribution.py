"""Attribution to many targets: interp's batched products vs Captum, two ways, measured in one run.

    python benchmarks/bench_attribution.py [--quick] [--rounds 5] [--device cuda]

On the default model (EfficientNet-Lite0, ImageNet weights) with `chelsea`:

1. `blocks.4.2.bn1.spatial -> output` (all 1000 classes);
2. `blocks.3.2.bn1.channels -> output["Egyptian cat", "tabby"]` (reverse mode);
3. `blocks.3.2.bn1.spatial -> blocks.4.2.bn1.spatial` (Captum on the model cut
   at the target layer, one target per position).

Peers, both Captum's `LayerGradientXActivation`, as a user would write them:

- **loop**: one `attribute(image, target=t)` call per target (a sample of the
  targets, the median call scaled to all of them);
- **batched**: one `attribute` call with the input repeated and `target=` a list
  (Captum's batched-target idiom; `--batch` targets a call, scaled to all).

Every side is warmed up first (lazy imports, the JVP decompositions, allocator
growth), then the sides run **interleaved** for `--rounds` rounds, the order
rotating each round, so a burst of load on a shared machine lands on all of
them. Each cell is the median over rounds with its range; a ratio is the ratio
of medians with the range of the per-round ratios beside it, and the load
average (`os.getloadavg`) is printed per case. A spread wider than 1.5x is
flagged: re-run on a quieter machine before quoting it. The last column is the
largest difference from Captum on the sampled targets, relative to the largest
Captum value.
"""

from __future__ import annotations

import os

os.environ.setdefault(
    "OMP_WAIT_POLICY", "PASSIVE"
)  # shared CPUs: idle OpenMP threads must not spin

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from captum.attr import LayerGradientXActivation  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from interp.data.images import ImageSpec, load_image  # noqa: E402
from interp.execute.attribution import modes  # noqa: E402
from interp.execute.attribution.core import Atoms, Target, activations, attribute  # noqa: E402
from interp.models.hooks import capture, run_until  # noqa: E402
from interp.models.load import ModelSpec, load_model  # noqa: E402

NOISY = 1.5  # a side whose slowest round is this much slower than its fastest is flagged


class CutAt(nn.Module):
    """`model` up to `layer`, giving that layer's per-position sums `(N, H*W)` as Captum's targets."""

    def __init__(self, model: nn.Module, layer: str):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, x):
        with capture(self.model, [self.layer], stop_after=self.layer) as record:
            run_until(self.model, x)
        return record[self.layer].sum(1).flatten(1)


@dataclass
class Case:
    name: str
    source: Atoms
    target: Target
    peer: LayerGradientXActivation
    peer_targets: list[int]  # Captum target indices run (a sample when there are many)
    columns: list[int]  # the matching columns of interp's flattened target axis
    targets: int  # all target scalars: the peers' times are scaled to these
    reduce_peer: Callable  # Captum's (C, H, W) attribution -> interp's source shape


@dataclass
class Spread:
    """Seconds over rounds: the median and the range."""

    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def noisy(self) -> bool:
        return max(self.times) > NOISY * min(self.times)

    def cell(self) -> str:
        flag = " !" if self.noisy else ""
        return f"{self.median:.2f} [{min(self.times):.2f}-{max(self.times):.2f}]{flag}"


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sides(case: Case, model, image, batch: int) -> dict[str, Callable[[], float]]:
    """Each side's whole workload, as seconds (the peers' sampled work scaled to every target)."""
    chunk = case.peer_targets[:batch]
    repeated = image.expand(len(chunk), *image.shape[1:]).contiguous()

    def ours() -> float:
        return seconds(lambda: attribute(model, image, case.source, case.target))

    def loop() -> float:
        calls = [
            seconds(lambda i=i: case.peer.attribute(image, target=i)) for i in case.peer_targets
        ]
        return statistics.median(calls) * case.targets

    def batched() -> float:
        call = seconds(lambda: case.peer.attribute(repeated, target=chunk))
        return call / len(chunk) * case.targets

    return {"interp": ours, "captum loop": loop, "captum batched": batched}


def agreement(case: Case, model, image, batch: int) -> float:
    """Largest |interp - Captum| on the sampled targets (loop and batched), relative."""
    ours = attribute(model, image, case.source, case.target)
    ours = ours.reshape(*ours.shape[: 2 if case.source.kind == "spatial" else 1], -1)
    chunk = case.peer_targets[:batch]
    repeated = image.expand(len(chunk), *image.shape[1:]).contiguous()
    together = case.peer.attribute(repeated, target=chunk)
    worst = 0.0
    for row, (column, index) in enumerate(zip(case.columns, case.peer_targets, strict=True)):
        references = [case.reduce_peer(case.peer.attribute(image, target=index)[0].detach())]
        if row < len(chunk):
            references.append(case.reduce_peer(together[row].detach()))
        for reference in references:
            error = (ours[..., column] - reference).abs().max() / reference.abs().max()
            worst = max(worst, float(error))
    return worst


def measure(case: Case, model, image, rounds: int, batch: int) -> dict:
    units = activations(model, image, [case.source.layer])[case.source.layer]
    count = units.shape[0] if case.source.kind == "channels" else units[0].numel()
    mode = modes.choose("auto", count, case.targets)
    timed = sides(case, model, image, batch)
    attribute(model, image, case.source, Target(None, "classes", (0,)))  # warm-ups
    case.peer.attribute(image, target=case.peer_targets[0])
    case.peer.attribute(image.expand(2, *image.shape[1:]), target=case.peer_targets[:2])
    times: dict[str, list[float]] = {name: [] for name in timed}
    loads = [os.getloadavg()[0]]
    names = list(timed)
    for round_ in range(rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            times[name].append(timed[name]())
        loads.append(os.getloadavg()[0])
    return {
        "name": case.name,
        "mode": mode,
        "spreads": {name: Spread(values) for name, values in times.items()},
        "loads": loads,
        "diff": agreement(case, model, image, batch),
    }


def ratio(peer: Spread, ours: Spread) -> str:
    """The ratio of medians, with the range of the per-round ratios (rounds ran side by side)."""
    per_round = [p / o for p, o in zip(peer.times, ours.times, strict=True)]
    return f"{peer.median / ours.median:.1f}x [{min(per_round):.1f}-{max(per_round):.1f}]"


def layer(model: nn.Module, name: str) -> nn.Module:
    return dict(model.named_modules())[name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 Captum targets, 3 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5)")
    parser.add_argument("--batch", type=int, default=16, help="targets per batched Captum call")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    samples = 5 if args.quick else 20
    rounds = args.rounds or (3 if args.quick else 5)
    if rounds < 3:
        parser.error("--rounds must be at least 3: a median of fewer is one noisy sample")

    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"), args.device)
    model = handle.module.eval()
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    cat, tabby = handle.labels.index("Egyptian cat"), handle.labels.index("tabby")
    with torch.no_grad():
        top = handle.labels[int(model(image)[0].argmax())]
    print(
        f"# torch {torch.__version__}, {torch.get_num_threads()} threads, {args.device},"
        f" {os.cpu_count()} CPUs; top class: {top}; {rounds} interleaved rounds,"
        f" {samples} looped targets, {args.batch} targets per batched call"
    )

    classes = sorted({cat, tabby, *range(3, 1000, 997 // (samples - 2))})[:samples]
    positions = list(range(0, 196, 196 // samples))[:samples]
    cases = [
        Case(
            "blocks.4.2.bn1.spatial -> output (1000)",
            Atoms("blocks.4.2.bn1", "spatial"),
            Target(None, "classes"),
            LayerGradientXActivation(model, layer(model, "blocks.4.2.bn1")),
            classes,
            classes,
            1000,
            lambda a: a.sum(0),
        ),
        Case(
            "blocks.3.2.bn1.channels -> output[cat, tabby]",
            Atoms("blocks.3.2.bn1", "channels"),
            Target(None, "classes", (cat, tabby)),
            LayerGradientXActivation(model, layer(model, "blocks.3.2.bn1")),
            [cat, tabby],
            [0, 1],
            2,
            lambda a: a.sum((1, 2)),
        ),
        Case(
            "blocks.3.2.bn1.spatial -> blocks.4.2.bn1.spatial",
            Atoms("blocks.3.2.bn1", "spatial"),
            Target("blocks.4.2.bn1", "spatial"),
            LayerGradientXActivation(
                CutAt(model, "blocks.4.2.bn1"), layer(model, "blocks.3.2.bn1")
            ),
            positions,
            positions,
            196,
            lambda a: a.sum(0),
        ),
    ]
    header = (
        "| case | mode | interp s | captum loop s | captum batched s |"
        " vs loop | vs batched | load | max rel diff |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    noisy = False
    for case in cases:
        row = measure(case, model, image, rounds, args.batch)
        spreads = row["spreads"]
        ours = spreads["interp"]
        loads = row["loads"]
        noisy |= any(s.noisy for s in spreads.values())
        print(
            f"| {row['name']} | {row['mode']} | {ours.cell()} | {spreads['captum loop'].cell()}"
            f" | {spreads['captum batched'].cell()} | {ratio(spreads['captum loop'], ours)}"
            f" | {ratio(spreads['captum batched'], ours)} | {min(loads):.1f}-{max(loads):.1f}"
            f" | {row['diff']:.1e} |",
            flush=True,
        )
    print(
        "\nseconds: median [min-max] over rounds; ratios: peer median / interp median"
        " [range of per-round ratios]; load: 1-minute load average during the case."
    )
    if noisy:
        print(f"! marks a side whose rounds differ more than {NOISY}x: the machine was busy.")


if __name__ == "__main__":
    main()
