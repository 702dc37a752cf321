"""Local vs Ray executor on a many-icon plan, measured in the same run.

    python benchmarks/bench_executor.py [--spec specs/activation_grid.interp] [--size 32] [--steps 16]

The plan (by default the activation grid: 1,029 icons over three layers, so
three feature-visualization batches Ray can spread over its workers) runs
cold (no cache) on both executors. Ray's time includes starting the local
cluster (printed apart) and loading the model once per worker. On a 2-core
machine Ray has two single-threaded workers where the local executor has one
process with two torch threads, so the best Ray can do is about even; the
point of the executor is a cluster with more machines, where each batch gets
its own.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

import interp  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed(spec: Path, executor: str, size: int, steps: int):
    start = time.perf_counter()
    result = interp.run(
        spec,
        quality="draft",
        icon_size=size,
        icon_steps=steps,
        progress=False,
        executor=executor,
        cache=None,  # cold: neither side reads what the other computed
    )
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "activation_grid.interp")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import ray

    local_s, local = timed(args.spec, "local", args.size, args.steps)
    start = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    startup = time.perf_counter() - start
    ray_s, remote = timed(args.spec, "ray", args.size, args.steps)
    ray.shutdown()

    same = all(
        np.allclose(a.array(n).values, remote.array(n).values, atol=1e-5, equal_nan=True)
        for a in (local,)
        for n in a.interfaces[0].arrays
    )
    icons = sum(len(v.table) for p in local.pages for v in p.elements if "icon" in v.table)
    print(f"plan: {args.spec.name}, {icons} icons at {args.size}px x {args.steps} steps, cold")
    print(f"{'executor':<22} {'seconds':>9} {'ratio':>7}")
    print(f"{'local (1 process)':<22} {local_s:>9.1f} {1.0:>6.2f}x")
    print(f"{f'ray ({args.workers} workers)':<22} {ray_s:>9.1f} {local_s / ray_s:>6.2f}x")
    print(f"{'ray cluster start':<22} {startup:>9.1f}")
    print(f"same numbers: {same}; cores on this machine: {os.cpu_count()}")


if __name__ == "__main__":
    main()
