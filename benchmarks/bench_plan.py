"""Whole-plan overhead: the teaser spec's data through interp vs a hand-written torch script.

    python benchmarks/bench_plan.py [--repeat N]

Both sides compute the same arithmetic on the default model and chelsea:
one forward pass capturing `blocks.4.2.bn1`, gradient x activation of its
channels to two class logits, the top 6 channels per class, and the
activation maps of the channels shown. Model loading is excluded from both.
Target: interp / torch <= 1.2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

from interp.check import check  # noqa: E402
from interp.data.images import load_image  # noqa: E402
from interp.execute.context import Settings  # noqa: E402
from interp.execute.executors.local import LocalExecutor  # noqa: E402
from interp.models.hooks import capture, run_until  # noqa: E402
from interp.models.load import load_model  # noqa: E402
from interp.plan.build import build_plan  # noqa: E402
from interp.syntax import load  # noqa: E402

SPEC = Path(__file__).resolve().parents[1] / "specs" / "teaser.interp"
LAYER = "blocks.4.2.bn1"


def by_hand(handle, image) -> dict:
    """The teaser's numbers, written directly in torch."""
    x = handle.preprocess(image)
    with capture(
        handle.module, [LAYER], edits={LAYER: lambda t: t.detach().requires_grad_(True)}
    ) as record:
        logits = run_until(handle.module, x)
    act = record[LAYER]
    classes = [handle.labels.index(c) for c in ("Egyptian cat", "tabby")]
    grads = torch.stack(
        [torch.autograd.grad(logits[0, c], act, retain_graph=True)[0][0] for c in classes]
    )
    per_channel = (grads * act[0].detach()).sum(dim=(2, 3))  # (2, C)
    top = per_channel.topk(6, dim=1).indices
    maps = act[0].detach()[top.flatten().unique()]
    return {"attribution": per_channel, "top": top, "maps": maps}


def by_interp(plan) -> dict:
    """The plan's data nodes (element arrays and offered atoms; no icons, no views)."""
    wanted = [n for _, _, e in plan.elements for n in (e.array, e.atoms)]
    return LocalExecutor().run(plan, Settings(device="cpu", progress=False), wanted)


def timed(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    program = check(load(SPEC))
    interface = program.interfaces[0]
    handle = load_model(interface.model)
    image = load_image(interface.image)
    plan = build_plan(program)
    ours = timed(lambda: by_interp(plan), args.repeat)
    theirs = timed(lambda: by_hand(handle, image), args.repeat)
    print(f"{'case':<34} {'interp s':>9} {'torch s':>9} {'ratio':>7}")
    print(
        f"{'teaser data plan (median of ' + str(args.repeat) + ')':<34} {ours:>9.3f} {theirs:>9.3f} {ours / theirs:>6.2f}x"
    )


if __name__ == "__main__":
    main()
