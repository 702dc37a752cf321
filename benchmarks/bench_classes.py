"""The attribution graph of a class, streamed: its peak memory at 256 and 2,048 examples.

    python benchmarks/bench_classes.py [--small 256] [--big 2048] [--model tiny|lite0]

`attribution(A.channels -> B.channels, over=pics) | mean(over=example)` runs in
a fresh process per size (each process's maximum resident set, from
`getrusage`), with no cache: the dataset pass keeps a running float64 sum per
(source, target) channel pair, never a per-example graph, so the peak is set
by one chunk of 32 examples and stays flat as the dataset grows 8x.

`--model tiny` (the default: conv-ReLU-conv-ReLU at 64 px, seeded) measures
the pass itself in seconds; `--model lite0` runs EfficientNet-Lite0
(blocks.2 -> blocks.3, 40 x 80 channels) at 224 px, minutes on a CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def tiny():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(32, 3),
    ).eval()


def spec(crops: int, model: str) -> str:
    a, b = ("1", "3") if model == "tiny" else ("blocks.2", "blocks.3")
    name = "tiny" if model == "tiny" else "efficientnet_lite0"
    return f"""
interface bench {{
  model {name}
  input sample("chelsea")
  let pics = dataset(samples(), crops={crops}, seed=0)
  element graph = attribution(layer("{a}").channels -> layer("{b}").channels, over=pics)
                | mean(over=example)
                | top(2, per=target)
                as sankey(icons=none)
}}
"""


def once(crops: int, model: str) -> dict:
    """One size in this process: seconds and peak resident set (MiB)."""
    import interp

    models = {}
    if model == "tiny":
        models["tiny"] = interp.from_module(
            tiny(), labels=["a", "b", "c"], mean=(0.5,) * 3, std=(0.5,) * 3, input_size=64
        )
    start = time.perf_counter()
    result = interp.run(spec(crops, model), models=models, progress=False, device="cpu")
    seconds = time.perf_counter() - start
    graph = result.array("graph")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"crops": crops, "seconds": seconds, "peak_mib": peak, "shape": list(graph.shape)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=256)
    parser.add_argument("--big", type=int, default=2048)
    parser.add_argument("--model", choices=("tiny", "lite0"), default="tiny")
    parser.add_argument("--once", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        print(json.dumps(once(args.once, args.model)))
        return
    rows = []
    for crops in (args.small, args.big):
        command = [sys.executable, __file__, "--once", str(crops), "--model", args.model]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    for row in rows:
        print(
            f"{row['crops']:>6} examples: {row['seconds']:7.1f} s, peak RSS {row['peak_mib']:7.1f} MiB"
            f" (graph {row['shape'][0]} x {row['shape'][1]})"
        )
    ratio = rows[1]["peak_mib"] / rows[0]["peak_mib"]
    print(f"peak RSS {args.big} / {args.small} examples: {ratio:.2f}x (bounded by the chunk: ~1x)")


if __name__ == "__main__":
    main()
