"""The dataset pass against a hand-written torch loop, its memory, Ray Data, and the atlas.

    python benchmarks/bench_dataset.py [--crops 1024] [--big 8192] [--skip-big] [--skip-ray]

1. Throughput: the `DatasetPass` of `activations(L.spatial, over=pics)` (Lite0,
   blocks.4.2.bn1, per-channel top 8 examples with positions) on `--crops` seeded
   crops, no cache, against a torch loop written by hand with the same batch
   size and model doing the same work: decode and preprocess each crop, a
   forward pass stopped after the layer, each channel's largest value over
   positions, a running per-channel top 8. Both throughputs, their ratio, and
   whether the top 8 examples of every channel are equal.
2. Peak memory (the process's maximum resident set) of the pass at `--crops`
   and `--big` crops, each in a fresh process: bounded by the chunk, not the
   dataset.
3. The same pass on Ray Data with `--workers` actors (a local cluster): its
   throughput and, apart, the time `ray.init()` took.
4. The activation atlas of `--atlas-crops` crops in 12 x 12 cells: a whole
   `interp.run` (pass, UMAP layout, 144 icons at draft quality) cold, with an
   empty cache, and warm.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import interp  # noqa: E402
from interp.data.datasets import DatasetSpec, list_examples, load_example  # noqa: E402
from interp.execute.context import Settings  # noqa: E402
from interp.execute.executors.local import LocalExecutor  # noqa: E402
from interp.models.hooks import capture, run_until  # noqa: E402
from interp.models.load import load_model  # noqa: E402
from interp.models.spec import ModelSpec  # noqa: E402
from interp.plan.build import CHUNK, build_plan  # noqa: E402
from interp.plan.nodes import DatasetPass  # noqa: E402

LAYER = "blocks.4.2.bn1"
K = 8


def spec(crops: int) -> str:
    return f"""
interface bench {{
  model efficientnet_lite0
  input sample("chelsea")
  let pics = dataset(samples(), crops={crops}, seed=0)
  element fires = activations(layer("{LAYER}").spatial, over=pics) | select(channel=7) | top({K}) as examples
}}
"""


def dataset_pass(crops: int, workers: int | None = None):
    """(seconds, the pass's value) for the plan's DatasetPass alone, no cache; on Ray Data
    with `workers` actors when given."""
    program = interp.check(interp.parse(spec(crops)))
    plan = build_plan(program, quality="draft")
    (node,) = plan.of(DatasetPass)
    settings = Settings(device="cpu", cache_root=None, progress=False)
    start = time.perf_counter()
    if workers is None:
        value = LocalExecutor().run(plan, settings, [node])[node]
    else:
        from interp.execute.executors.ray_data import ray_data_pass

        value = ray_data_pass(node, settings, workers=workers)
    return time.perf_counter() - start, value


def torch_loop(crops: int):
    """(seconds, per-channel top-k example indices) by hand: the same work, no interp."""
    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"))
    examples = list_examples(DatasetSpec("samples", crops=crops, seed=0)).examples
    best_value = best_index = None
    start = time.perf_counter()
    for first in range(0, len(examples), CHUNK):
        chunk = examples[first : first + CHUNK]
        batch = torch.cat([handle.preprocess(load_example(e)) for e in chunk])
        with torch.no_grad(), capture(handle.module, [LAYER], stop_after=LAYER) as recorded:
            run_until(handle.module, batch)
        peak = recorded[LAYER].flatten(2).amax(-1).T  # (C, N)
        index = torch.arange(first, first + len(chunk)).expand_as(peak)
        if best_value is not None:
            peak, index = torch.cat([best_value, peak], 1), torch.cat([best_index, index], 1)
        order = torch.argsort(peak, dim=1, descending=True, stable=True)[:, :K]
        best_value, best_index = peak.gather(1, order), index.gather(1, order)
    return time.perf_counter() - start, best_index.numpy()


def peak_memory(crops: int) -> float:
    """MiB: the maximum resident set of a fresh process running the pass over `crops` crops."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        f"import resource, sys; sys.path.insert(0, {here!r}); import bench_dataset as b; "
        f"b.dataset_pass({crops}); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def atlas_times(crops: int) -> tuple[float, float]:
    text = f"""
interface atlas {{
  model efficientnet_lite0
  input sample("chelsea")
  let pics = dataset(samples(), crops={crops}, seed=0)
  element atlas = activations(layer("{LAYER}").spatial, over=pics) as atlas(cells=12, layout=umap)
}}
"""
    from interp.cache import Cache

    with tempfile.TemporaryDirectory() as folder:
        times = []
        for _ in range(2):
            start = time.perf_counter()
            interp.run(text, quality="draft", progress=False, cache=Cache(folder), device="cpu")
            times.append(time.perf_counter() - start)
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crops", type=int, default=1024)
    parser.add_argument("--big", type=int, default=8192)
    parser.add_argument("--atlas-crops", type=int, default=512)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-atlas", action="store_true")
    args = parser.parse_args()
    if not args.skip_throughput:
        throughput(args)
    sizes = [args.crops] + ([] if args.skip_big else [args.big])
    for crops in sizes:
        print(f"peak memory, pass over {crops} crops: {peak_memory(crops):,.0f} MiB", flush=True)
    if not args.skip_atlas:
        cold, warm = atlas_times(args.atlas_crops)
        print(
            f"atlas 12x12 of {args.atlas_crops} crops (draft icons): cold {cold:.1f} s, warm {warm:.1f} s"
        )


def throughput(args) -> None:
    hand_times, pass_times = [], []
    for _ in range(args.repeats):  # alternated, best of each: a shared machine's load varies
        hand_s, hand_top = torch_loop(args.crops)
        pass_s, value = dataset_pass(args.crops)
        hand_times.append(hand_s)
        pass_times.append(pass_s)
    hand_s, pass_s = min(hand_times), min(pass_times)
    (found,) = value.results.values()
    same = np.array_equal(np.sort(found["index"], 1), np.sort(hand_top, 1))
    rows = [
        ("torch loop by hand", hand_s, args.crops / hand_s),
        ("interp dataset pass", pass_s, args.crops / pass_s),
    ]
    if not args.skip_ray:
        import ray

        start = time.perf_counter()
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
        startup = time.perf_counter() - start
        ray_s, on_ray = dataset_pass(args.crops, workers=args.workers)
        ray.shutdown()
        (ray_found,) = on_ray.results.values()
        rows.append((f"Ray Data ({args.workers} workers)", ray_s, args.crops / ray_s))
    print(
        f"dataset pass: Lite0 {LAYER}, per-channel top {K}, {args.crops} crops, chunks of {CHUNK}"
    )
    print(
        f"cores: {os.cpu_count()}, torch threads: {torch.get_num_threads()}, load average: "
        f"{os.getloadavg()[0]:.1f}; best of {args.repeats} alternated runs each"
    )
    print(f"{'':<26} {'seconds':>8} {'examples/s':>11} {'vs torch':>9}")
    for name, seconds, rate in rows:
        print(f"{name:<26} {seconds:>8.1f} {rate:>11.2f} {hand_s / seconds:>8.2f}x")
    print(f"top {K} of every channel equal to the torch loop's: {same}")
    if not args.skip_ray:
        same_ray = np.array_equal(ray_found["index"], found["index"])
        print(
            f"ray.init(): {startup:.1f} s; Ray Data top {K} equal to local: {same_ray}", flush=True
        )


if __name__ == "__main__":
    main()
