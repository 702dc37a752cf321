"""Every contract spec rendered cold and warm: seconds, icons, optimized megapixels, page size.

    python benchmarks/bench_gallery.py [--quality standard] [--specs teaser activation_grid]
                                       [--rounds 3] [--peer] [--in-a-row] [--guard]
                                       [--device cuda] [--json results.json]

Each spec is rendered by the command line (`interp render`) in a fresh
process with an empty cache of its own (cold: every forward pass, attribution
and feature visualization computed), then again with that cache (warm: what
a user sees re-rendering an unchanged spec). Times are wall-clock seconds of
the whole process, interpreter start included, and its CPU seconds (user +
system: on a loaded machine, the work done). The cold run counts the
feature-visualization images it optimizes and their pixels (`optimized MP`:
the sum of side² over optimized images, in megapixels); `icons` is the
number of distinct icons on the page. The device (`--device`, default: as
`interp render` picks, CUDA when there is one) is named under the table, with
the machine's load average: on a shared machine, read the numbers with it.

`--peer` also renders each spec cold with the peer schedule, every feature
visualization at full size for all its steps (the standard preset before
coarse-to-fine), interleaved with the real one (the order alternating by
round), and prints the ratio of their medians over `--rounds`. `--in-a-row`
renders the specs one after another in fresh processes sharing one cache that
is empty at the start (what a user rendering several pages pays: icons the specs
share are drawn once), beside the sum of each with its own empty cache.
`--guard` prints the quality guard: the objective and high-frequency detail of
the preset's schedule over the peer's on 33 fixed channels (the same
measurement as `tests/execute/test_feature_vis_quality.py`).

Targets (issue 11, 2-core CPU, standard quality): every page ≤ 5 MB, teaser
≤ 1 MB; activation_grid cold ≤ 90 s, semantic_dictionary cold ≤ 45 s, all
eight cold ≤ 3 minutes; a warm re-render < 1 s. Issue 24: semantic_dictionary cold
≤ 60 s; the eight cold ≤ 180 s each with its own empty cache.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from gallery import CONTRACT, spec_path  # noqa: E402

EIGHT = (  # the original eight contract specs, the README's row
    "activation_grid",
    "channel_attribution",
    "group_flow",
    "neuron_groups",
    "sanity_check",
    "semantic_dictionary",
    "spatial_attribution",
    "teaser",
)
PEER = "INTERP_BENCH_PEER"  # set in a child: draw every icon at full size for all its steps
ICON_TABLE = re.compile(r'"[^"]*icon_urls":\s*(\[.*?\])', re.S)


def child(spec: str, output: str, quality: str, device: str) -> None:
    """Render `spec` once in this process, counting the images the optimizer makes."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from interp import cli
    from interp.execute.feature_vis import api

    counted = {"images": 0, "pixels": 0}
    real = api._optimize.optimize_batch
    if os.environ.get(PEER):
        from dataclasses import replace

        api.PRESETS[quality] = replace(api.PRESETS[quality], pyramid=())

    def counting(module, normalize, layer, objectives, seeds, settings, **kwargs):
        counted["images"] += len(objectives)
        counted["pixels"] += len(objectives) * settings.size**2
        return real(module, normalize, layer, objectives, seeds, settings, **kwargs)

    api._optimize.optimize_batch = counting
    status = cli.main(["render", spec, "-o", output, "--quality", quality, *_device(device)])
    print("BENCH " + json.dumps(counted))
    sys.exit(status)


def _device(device: str) -> list[str]:
    return ["--device", device] if device else []


def render(
    spec: Path, output: Path, cache: Path, quality: str, device: str, count: bool, peer=False
) -> dict:
    env = {**os.environ, "INTERP_CACHE_DIR": str(cache), "OMP_WAIT_POLICY": "PASSIVE"}
    env.pop(PEER, None)
    if peer:
        env[PEER] = "1"
    if count:
        command = [sys.executable, __file__, "--child", str(spec), str(output), quality, device]
    else:
        command = [sys.executable, "-m", "interp.cli", "render", str(spec), "-o", str(output)]
        command += ["--quality", quality, *_device(device)]
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{spec.name} failed:\n{done.stdout}\n{done.stderr}")
    found = {"seconds": seconds, "cpu": cpu, "stdout": done.stdout.strip()}
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            found.update(json.loads(line[6:]))
    return found


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def page_icons(html: str) -> int:
    """Distinct icon images on a page (the `*icon_urls` lookup tables of its views)."""
    urls: set[str] = set()
    for table in ICON_TABLE.findall(html):
        urls.update(row["url"] for row in json.loads(table))
    return len(urls)


def measure(name: str, quality: str, device: str, folder: Path, peer: bool = False) -> dict:
    """One spec cold in a fresh process with its own empty cache, then warm from it."""
    spec = spec_path(name)
    cache = folder / f"cache-{name}{'-peer' if peer else ''}"
    shutil.rmtree(cache, ignore_errors=True)
    output = folder / f"{name}.html"
    cold = render(spec, output, cache, quality, device, count=True, peer=peer)
    html_bytes = output.stat().st_size
    icons = page_icons(output.read_text(encoding="utf-8"))
    warm = render(spec, output, cache, quality, device, count=False, peer=peer)
    shutil.rmtree(cache, ignore_errors=True)
    return {
        "spec": name,
        "cold_s": round(cold["seconds"], 1),
        "cold_cpu_s": round(cold["cpu"], 1),
        "warm_s": round(warm["seconds"], 2),
        "icons": icons,
        "optimized": cold.get("images", 0),
        "optimized_mp": round(cold.get("pixels", 0) / 1e6, 1),
        "page_mb": round(html_bytes / 1e6, 2),
    }


def in_a_row(names: list[str], quality: str, device: str, folder: Path) -> float:
    """Seconds to render `names` one after another, fresh processes, one cache empty at first."""
    cache = folder / "cache-in-a-row"
    shutil.rmtree(cache, ignore_errors=True)
    total = 0.0
    for name in names:
        total += render(spec_path(name), folder / f"{name}.html", cache, quality, device, False)[
            "seconds"
        ]
    shutil.rmtree(cache, ignore_errors=True)
    return total


def median_rows(rounds: list[list[dict]]) -> list[dict]:
    """Per spec, the median over rounds of each number."""
    merged = []
    for same in zip(*rounds, strict=True):
        row = dict(same[0])
        for key, value in row.items():
            if isinstance(value, (int, float)):
                row[key] = statistics.median(r[key] for r in same)
        merged.append(row)
    return merged


def device_name(device: str) -> str:
    """What the renders ran on, in words: the GPU's name, or the CPU count."""
    import torch

    chosen = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if chosen.type == "cuda":
        return f"{torch.cuda.get_device_name(chosen)} (CUDA)"
    return f"CPU, {torch.get_num_threads()} torch threads on {os.cpu_count()} cores"


def table(rows: list[dict], load: tuple[float, float], device: str) -> str:
    lines = [
        "| spec | cold s | cold CPU s | warm s | icons | optimized images | optimized MP | page MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['spec']} | {r['cold_s']:.1f} | {r['cold_cpu_s']:.1f} | {r['warm_s']:.2f} |"
            f" {r['icons']} | {r['optimized']} | {r['optimized_mp']:.1f} | {r['page_mb']:.2f} |"
        )
    sums = ("cold_s", "cold_cpu_s", "icons", "optimized", "optimized_mp")
    total = {k: sum(r[k] for r in rows) for k in sums}
    lines.append(
        f"| **total** | {total['cold_s']:.1f} | {total['cold_cpu_s']:.1f}"
        f" | max {max(r['warm_s'] for r in rows):.2f} |"
        f" {total['icons']} | {total['optimized']} | {total['optimized_mp']:.1f} |"
        f" max {max(r['page_mb'] for r in rows):.2f} |"
    )
    lines.append(
        f"\ndevice: {device}; load average before / after: {load[0]:.1f} / {load[1]:.1f}"
        f" on {os.cpu_count()} CPUs"
    )
    return "\n".join(lines)


def peer_table(rows: list[dict], peers: list[dict]) -> str:
    lines = [
        "| spec | cold s, full-size peer | cold s, coarse to fine | ratio |",
        "|---|---:|---:|---:|",
    ]
    for r, p in zip(rows, peers, strict=True):
        lines.append(
            f"| {r['spec']} | {p['cold_s']:.1f} | {r['cold_s']:.1f} |"
            f" {p['cold_s'] / r['cold_s']:.2f}x |"
        )
    total, peer_total = sum(r["cold_s"] for r in rows), sum(p["cold_s"] for p in peers)
    lines.append(f"| **total** | {peer_total:.1f} | {total:.1f} | {peer_total / total:.2f}x |")
    return "\n".join(lines)


def guard(device: str) -> str:
    """The quality guard's numbers, as the test measures them."""
    from dataclasses import replace

    from interp.execute.feature_vis import quality, settings_for
    from interp.models.load import ModelSpec, load_model

    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"), device or "cpu")
    preset = settings_for("standard")
    found = quality.compare_schedules(
        handle, preset, replace(preset, pyramid=()), device=device or "cpu"
    )
    return (
        f"quality guard ({found.images} channels over {', '.join(quality.GUARD_LAYERS)}):"
        f" objective {found.objective:.3f}, high-frequency share {found.detail:.3f}"
        " of the full-size schedule (bound: within 3%)"
    )


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="standard", choices=("draft", "standard", "high"))
    parser.add_argument("--specs", nargs="+", default=list(CONTRACT), choices=CONTRACT)
    parser.add_argument("--eight", action="store_true", help="the original eight specs")
    parser.add_argument("--rounds", type=int, default=1, help="medians over this many rounds")
    parser.add_argument("--peer", action="store_true", help="also the full-size schedule")
    parser.add_argument("--in-a-row", action="store_true", help="also one shared cache")
    parser.add_argument("--guard", action="store_true", help="also the quality guard")
    parser.add_argument("--device", default="", help="torch device (default: as interp picks)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--keep", type=Path, help="write pages (and caches) here, not to a temp")
    args = parser.parse_args()
    names = list(EIGHT) if args.eight else args.specs
    before = os.getloadavg()[0]
    report = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        rounds, peer_rounds = [], []
        for index in range(args.rounds):
            rows, peers = [], []
            for name in names:
                order = (False, True) if index % 2 == 0 else (True, False)
                for peer in order if args.peer else (False,):
                    found = measure(name, args.quality, args.device, folder, peer)
                    (peers if peer else rows).append(found)
                    print(json.dumps({"round": index, "peer": peer, **found}), flush=True)
            rounds.append(rows)
            peer_rounds.append(peers)
        rows = median_rows(rounds)
        report.append(table(rows, (before, os.getloadavg()[0]), device_name(args.device)))
        if args.rounds > 1:
            report.append(f"(medians of {args.rounds} rounds)")
        if args.peer:
            report.append(peer_table(rows, median_rows(peer_rounds)))
        if args.in_a_row:
            shared = in_a_row(names, args.quality, args.device, folder)
            own = sum(r["cold_s"] for r in rows)
            report.append(
                f"in a row, one cache empty at the start: {shared:.1f} s;"
                f" each with its own empty cache: {own:.1f} s ({own / shared:.2f}x)"
            )
    if args.guard:
        report.append(guard(args.device))
    text = "\n\n".join(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "table": text}, indent=1) + "\n")


if __name__ == "__main__":
    main()
