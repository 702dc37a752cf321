"""Attribution to many targets: interp's batched products vs Captum's one call per target.

    python benchmarks/bench_attribution.py [--quick] [--device cuda]

On the default model (EfficientNet-Lite0, ImageNet weights) with `chelsea`:

1. `blocks.4.2.bn1.spatial -> output` (all 1000 classes) vs Captum
   `LayerGradientXActivation` looped over classes (a sample, scaled to 1000);
2. `blocks.3.2.bn1.channels -> output["Egyptian cat", "tabby"]` (reverse mode);
3. `blocks.3.2.bn1.spatial -> blocks.4.2.bn1.spatial` vs Captum on the model
   cut at the target layer, one call per target position (sampled, scaled).

Both sides are warmed up first (one small call each: lazy imports, the JVP
decompositions, allocator growth), then timed: interp's median of 3 runs,
Captum's median call times the number of targets. Prints one row per case:
the mode interp chose, seconds for interp and for the peer, their ratio, and
the largest difference on the sampled targets relative to the largest Captum
value.
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
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from captum.attr import LayerGradientXActivation  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from interp.data.images import ImageSpec, load_image  # noqa: E402
from interp.execute import modes  # noqa: E402
from interp.execute.attribution.core import Atoms, Target, activations, attribute  # noqa: E402
from interp.execute.hooks import capture, run_until  # noqa: E402
from interp.models.load import ModelSpec, load_model  # noqa: E402


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
    peer_targets: list[int]  # Captum target indices timed (a sample when there are many)
    columns: list[int]  # the matching columns of interp's flattened target axis
    targets: int  # all target scalars: the peer's time is scaled to these
    reduce_peer: object  # Captum's (C, H, W) attribution -> interp's source shape


def median_seconds(fn, repeat: int):
    """`fn()`'s value and its median wall time over `repeat` calls (shared machines are noisy)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return value, statistics.median(times)


def measure(case: Case, model, image, repeat: int):
    units = activations(model, image, [case.source.layer])[case.source.layer]
    sources = units.shape[0] if case.source.kind == "channels" else units[0].numel()
    mode = modes.choose("auto", sources, case.targets)
    attribute(model, image, case.source, Target(None, "classes", (0,)))
    case.peer.attribute(image, target=0)
    ours, seconds = median_seconds(
        lambda: attribute(model, image, case.source, case.target), repeat
    )
    ours = ours.reshape(*ours.shape[: 2 if case.source.kind == "spatial" else 1], -1)
    worst, per_call = 0.0, []
    for column, index in zip(case.columns, case.peer_targets, strict=True):
        reference, call = median_seconds(lambda i=index: case.peer.attribute(image, target=i), 1)
        reference, per_call = case.reduce_peer(reference[0].detach()), [*per_call, call]
        error = (ours[..., column] - reference).abs().max() / reference.abs().max()
        worst = max(worst, float(error))
    peer = statistics.median(per_call) * case.targets
    return case.name, mode, seconds, peer, peer / seconds, worst


def layer(model: nn.Module, name: str) -> nn.Module:
    return dict(model.named_modules())[name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 Captum targets, not 20; one run")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    samples = 5 if args.quick else 20

    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"), args.device)
    model = handle.module.eval()
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    cat, tabby = handle.labels.index("Egyptian cat"), handle.labels.index("tabby")
    with torch.no_grad():
        top = handle.labels[int(model(image)[0].argmax())]
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.device}; top: {top}"
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
    rows = [measure(case, model, image, repeat=1 if args.quick else 3) for case in cases]
    header = (
        f"{'case':<50} {'mode':<8} {'interp s':>9} {'peer s':>9} {'ratio':>7} {'max rel diff':>13}"
    )
    print(header)
    print("-" * len(header))
    for name, mode, ours, peer, ratio, diff in rows:
        print(f"{name:<50} {mode:<8} {ours:>9.2f} {peer:>9.2f} {ratio:>6.1f}x {diff:>13.1e}")


if __name__ == "__main__":
    main()
