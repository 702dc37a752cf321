"""One feature-visualization step: the model as it is, with batch norms folded, and with activations fused.

    python benchmarks/bench_step.py [--layer blocks.4.2.bn1] [--size 128] [--batches 8 16 32 64]
                                    [--rounds 5]

Each variant is the copy of the model the optimizer runs on (`feature_vis.optimize.prepared`),
made three ways: nothing folded (the peer), batch norms folded into their convolutions
(`fold`), and ReLU6s fused into them too (`fuse`, what `interp` runs). Every variant and
batch size runs 4 optimizer steps per round, interleaved, the order rotating; each cell is
the median seconds per step over the rounds with its range, and the ms an image's share of a
step takes. Ratios are against the unfolded model at the same batch size.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as `import interp` sets it, before torch

import torch  # noqa: E402

from interp.execute.feature_vis import fold as _fold  # noqa: E402
from interp.execute.feature_vis import fuse as _fuse  # noqa: E402
from interp.execute.feature_vis import optimize as _optimize  # noqa: E402
from interp.execute.feature_vis.objectives import Objective  # noqa: E402
from interp.models.load import load_model  # noqa: E402
from interp.models.spec import ModelSpec  # noqa: E402

STEPS = 4


def variants():
    """name -> a `folded_copy` stand-in for `prepared` to use."""
    real = _fold.folded_copy

    def unfolded(module, probe, keep=()):
        return _fold.Folded(copy.deepcopy(module).eval().to(probe.device))

    def folded_only(module, probe, keep=()):
        available = _fuse.available
        _fuse.available = lambda device: False
        try:
            return real(module, probe, keep)
        finally:
            _fuse.available = available

    return {"as it is": unfolded, "folded": folded_only, "folded + fused": real}


def seconds_per_step(handle, layer: str, size: int, batch: int, make) -> float:
    objectives = [Objective(layer, "channel", channel=i % 16) for i in range(batch)]
    seeds = list(range(batch))
    device = torch.device("cpu")
    original = _optimize.folded_copy
    _optimize.folded_copy = make
    try:
        with _optimize.prepared(
            handle.module, handle.normalize, device, size=size, keep={layer}
        ) as module:
            warm = _optimize.Settings(size=size, steps=1)
            _optimize.optimize_batch(
                module, handle.normalize, layer, objectives, seeds, warm, device=device
            )
            settings = _optimize.Settings(size=size, steps=STEPS)
            start = time.perf_counter()
            _optimize.optimize_batch(
                module, handle.normalize, layer, objectives, seeds, settings, device=device
            )
            return (time.perf_counter() - start) / STEPS
    finally:
        _optimize.folded_copy = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", default="blocks.4.2.bn1")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batches", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3: a median of fewer is one noisy sample")
    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"))
    makes = variants()
    cells = [(name, batch) for batch in args.batches for name in makes]
    times: dict[tuple[str, int], list[float]] = {cell: [] for cell in cells}
    loads = []
    for round_ in range(args.rounds):
        shift = round_ % len(cells)
        for name, batch in cells[shift:] + cells[:shift]:
            times[name, batch].append(
                seconds_per_step(handle, args.layer, args.size, batch, makes[name])
            )
        loads.append(os.getloadavg()[0])
    print(
        f"# EfficientNet-Lite0 to {args.layer}, {args.size} px, {torch.get_num_threads()} threads,"
        f" {args.rounds} interleaved rounds, load {min(loads):.1f}-{max(loads):.1f}\n"
    )
    print("| batch | model | s per step | ms per image | vs as it is |")
    print("|---:|---|---|---:|---:|")
    for name, batch in cells:
        values = times[name, batch]
        median = statistics.median(values)
        peer = statistics.median(times["as it is", batch])
        print(
            f"| {batch} | {name} | {median:.3f} [{min(values):.3f}-{max(values):.3f}]"
            f" | {1000 * median / batch:.1f} | {peer / median:.2f}x |"
        )


if __name__ == "__main__":
    main()
