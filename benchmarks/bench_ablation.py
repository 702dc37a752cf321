"""Exact ablation of every channel of a layer: interp's batched suffix passes vs Captum.

    python benchmarks/bench_ablation.py [--rounds 3] [--layer blocks.4.2.bn1] [--device cuda]

On the default model (EfficientNet-Lite0, ImageNet weights) with `chelsea`, every
channel of `--layer` (672 for blocks.4.2.bn1) is set to zero, one at a time, and the
change of the logits is measured, for "Egyptian cat" and for all 1000 classes:

- **interp**: `interp.execute.ablation.ablation_effects`: the layer's activation is
  recorded once; each batch of 64 ablated activations runs through the network's
  suffix only (module replay, `interp.models.suffix`).
- **Captum**: `LayerFeatureAblation` on the same layer, `layer_mask` one group per
  channel, as a user would write it; every `perturbations_per_eval` in `--ppe` is
  tried in a first round and the fastest is the peer (`target=None` gives all 1000
  classes from the same passes).

The sides run interleaved for `--rounds` rounds (the order rotating); each cell is
the median with its range. Values are checked equal (largest difference relative to
the largest effect ≤ 1e-5). The limit printed beside the ratio is what exactness
allows: a full forward's cost over the suffix's, both per example at interp's batch
size, times what batching buys Captum's peer (its per-example cost at its best
`perturbations_per_eval` over the full forward's at interp's batch).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # shared CPUs: idle threads must not spin

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from captum.attr import LayerFeatureAblation  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from interp.data.images import ImageSpec, load_image  # noqa: E402
from interp.execute.ablation import BATCH, ablation_effects  # noqa: E402
from interp.models.load import ModelSpec, load_model  # noqa: E402
from interp.models.suffix import record_prefix, run_suffix  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def cell(times: list[float]) -> str:
    return f"{statistics.median(times):7.2f} s ({min(times):.2f}–{max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layer", default="blocks.4.2.bn1")
    parser.add_argument("--ppe", default="16,64,128", help="Captum perturbations_per_eval to try")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    handle = load_model(ModelSpec("builtin", "efficientnet_lite0"), args.device)
    model, layer = handle.module, args.layer
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    cat = handle.labels.index("Egyptian cat")
    module = dict(model.named_modules())[layer]
    prefix = record_prefix(model, image, layer)
    channels = prefix.activation.shape[1]
    mask = torch.arange(channels, device=image.device).view(1, channels, 1, 1)
    captum = LayerFeatureAblation(model, module)

    def ours(classes):
        return lambda: ablation_effects(model, image, layer, "channels", classes)

    def theirs(target, ppe):
        def run():
            found = captum.attribute(
                image, target=target, layer_mask=mask, perturbations_per_eval=ppe
            )
            return (
                found[0, :, 0, 0]
                if target is not None
                else found.reshape(found.shape[0], -1, *found.shape[-3:])[:, 0, :, 0, 0].T
            )

        return run

    print(f"# {layer}: {channels} channels ablated to zero, efficientnet_lite0, chelsea")
    print(f"# threads {torch.get_num_threads()}, load {os.getloadavg()[0]:.1f}")
    ours([cat])(), theirs(cat, 16)()  # warm up
    tried = {}
    for ppe in (int(p) for p in args.ppe.split(",")):
        tried[ppe], _ = timed(theirs(cat, ppe))
        print(f"captum perturbations_per_eval={ppe:4d}: {tried[ppe]:.2f} s")
    best = min(tried, key=tried.get)
    sides = {
        "interp, Egyptian cat": ours([cat]),
        "interp, 1000 classes": ours(None),
        f"captum ppe={best}, Egyptian cat": theirs(cat, best),
        f"captum ppe={best}, 1000 classes": theirs(None, best),
    }
    times: dict[str, list[float]] = {name: [] for name in sides}
    values = {}
    names = list(sides)
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            seconds, values[name] = timed(sides[name])
            times[name].append(seconds)
    print(f"# load after: {os.getloadavg()[0]:.1f}")
    print()
    print(
        "| target | interp | Captum LayerFeatureAblation | ratio | limit | max diff / max effect |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    # the limit: full forward vs suffix per example at BATCH, and what batching buys Captum
    batch = prefix.activation.expand(BATCH, *prefix.activation.shape[1:]).clone()
    full_b = (
        statistics.median(
            timed(lambda: model(image.expand(BATCH, -1, -1, -1)))[0] for _ in range(3)
        )
        / BATCH
    )
    suffix_b = (
        statistics.median(timed(lambda: run_suffix(model, prefix, batch))[0] for _ in range(3))
        / BATCH
    )
    captum_each = statistics.median(times[f"captum ppe={best}, Egyptian cat"]) / channels
    limit = (full_b / suffix_b) * (captum_each / full_b)
    for target in ("Egyptian cat", "1000 classes"):
        ours_t = times[f"interp, {target}"]
        theirs_t = times[f"captum ppe={best}, {target}"]
        a = values[f"interp, {target}"].reshape(channels, -1)
        b = values[f"captum ppe={best}, {target}"].reshape(channels, -1)
        diff = float((a - b).abs().max() / b.abs().max())
        ratio = statistics.median(theirs_t) / statistics.median(ours_t)
        print(
            f"| {target} | {cell(ours_t)} | {cell(theirs_t)} | {ratio:.2f}x | {limit:.2f}x "
            f"| {diff:.1e} |"
        )
        assert diff <= 1e-5, f"values differ: {diff}"
    print()
    print(
        f"full forward {1000 * full_b:.1f} ms/example and suffix {1000 * suffix_b:.1f} ms/example "
        f"at batch {BATCH} (full/suffix {full_b / suffix_b:.2f}x); Captum at ppe={best} "
        f"{1000 * captum_each:.1f} ms/ablation (batching buys it {full_b / captum_each:.2f}x "
        f"of a batch-{BATCH} forward)"
    )


if __name__ == "__main__":
    main()
