"""Contents over a dataset equal single-image runs; top-k and correlation equal brute force.

Most tests run two tiny classifiers (`tests/tiny.py`, 32 pixels, four
channels) over 70 seeded crops: three chunks of the pass, so merging across
chunks is exercised; the numbers are checked against torch run by hand on
every example. One test runs EfficientNet-Lite0 on a few crops against
`interp.run` with each crop as the input.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from tiny import tiny_classifier

import interp
from interp.cache import Cache
from interp.data.datasets import DatasetSpec, list_examples, load_example
from interp.execute.dataset_pass import rows_of
from interp.models.hooks import capture, run_until
from interp.plan import nodes

LABELS = ["cat", "dog", "fox"]
CROPS = 70
OPTIONS = dict(quality="draft", icon_size=32, icon_steps=2, progress=False, device="cpu")


@cache
def handles():
    make = lambda seed: interp.from_module(  # noqa: E731
        tiny_classifier(seed=seed), labels=LABELS, mean=(0.5,) * 3, std=(0.5,) * 3, input_size=32
    )
    return {"tiny": make(0), "other": make(1)}


SPEC = f"""
interface tiny {{
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops={CROPS}, seed=0)
  element picker = activations(layer("1").channels) as bars
  element fires = activations(layer("1").spatial, over=pics) | select(picker.hover) | top(5) as examples
  element totals = activations(layer("1").channels, over=pics) | select(picker.hover) | top(4) as examples
  element supports = attribution(layer("1").channels -> output["fox"], over=pics) | select(picker.hover) | top(3) as examples
  element overall = activations(layer("1").spatial, over=pics) | top(3) as examples
  element twins = correlation(layer("1").channels -> layer("0", model=other).channels, over=pics) | top(2, per=source) as bars
}}
"""


@cache
def result(cache_root: str | None = None):
    return interp.run(
        SPEC, models=handles(), cache=Cache(cache_root) if cache_root else None, **OPTIONS
    )


@cache
def by_hand():
    """Every example's activations of both models' layers and its attribution to "fox"."""
    examples = list_examples(DatasetSpec("samples", crops=CROPS, seed=0)).examples
    tiny, other = handles()["tiny"], handles()["other"]
    found = {"relu": [], "conv": [], "fox": []}
    for example in examples:
        pixels = load_example(example)
        leaf = {"1": lambda output: output.detach().requires_grad_(True)}
        with torch.enable_grad(), capture(tiny.module, ["1"], edits=leaf) as recorded:
            image = tiny.preprocess(pixels)
            logits = tiny.module(image)
        act = recorded["1"]
        grad = torch.autograd.grad(logits[0, LABELS.index("fox")], act)[0]
        found["relu"].append(act[0].detach().numpy())
        found["fox"].append((act * grad)[0].sum((1, 2)).detach().numpy())
        with torch.no_grad(), capture(other.module, ["0"]) as recorded:
            run_until(other.module, other.preprocess(pixels))
        found["conv"].append(recorded["0"][0].numpy())
    return {name: np.stack(values) for name, values in found.items()}


def brute_top(values: np.ndarray, k: int) -> list[int]:
    """Examples by value, largest first, ties by example index."""
    return sorted(range(len(values)), key=lambda i: (-values[i], i))[:k]


def test_spatial_top_k_equals_a_brute_force_sort_with_positions():
    fires = result().array("fires")
    relu = by_hand()["relu"]  # (N, C, H, W)
    n, c, h, w = relu.shape
    peak = relu.reshape(n, c, h * w)
    for channel in range(c):
        kept = fires.sel(key_picker=str(channel)).dropna("example")
        expected = brute_top(peak[:, channel].max(-1), 5)
        assert sorted(kept.example.values.tolist()) == sorted(expected)
        for example in expected:
            where = int(peak[example, channel].argmax())
            row = kept.sel(example=example)
            np.testing.assert_allclose(float(row), peak[example, channel].max(), rtol=1e-5)
            assert (int(row.x), int(row.y)) == (where % w, where // w)


def test_top_without_a_selection_ranks_examples_by_their_strongest_value():
    overall = result().array("overall")
    strongest = by_hand()["relu"].max(axis=(1, 2, 3))
    assert sorted(overall.example.values.tolist()) == sorted(brute_top(strongest, 3))
    np.testing.assert_allclose(
        overall.max("channel").values, strongest[overall.example.values], rtol=1e-5
    )


def test_channel_totals_and_attributions_equal_torch_on_each_example():
    totals = result().array("totals")
    sums = by_hand()["relu"].sum((2, 3))
    for channel in range(4):
        kept = totals.sel(key_picker=str(channel)).dropna("example")
        assert sorted(kept.example.values.tolist()) == sorted(brute_top(sums[:, channel], 4))
        np.testing.assert_allclose(
            kept.values, sums[kept.example.values, channel], rtol=1e-5, atol=1e-6
        )
    supports = result().array("supports").sel({"class": "fox"})
    fox = by_hand()["fox"]
    for channel in range(4):
        kept = supports.sel(key_picker=str(channel)).dropna("example")
        assert sorted(kept.example.values.tolist()) == sorted(brute_top(fox[:, channel], 3))
        np.testing.assert_allclose(
            kept.values, fox[kept.example.values, channel], rtol=1e-4, atol=1e-6
        )


def test_correlation_equals_numpy_on_activations_collected_by_hand():
    twins = result().array("twins")
    a = by_hand()["relu"].sum((2, 3))  # (N, 4) channel totals of tiny's layer 1
    b = by_hand()["conv"].sum((2, 3))  # (N, 4) of the other model's layer 0
    expected = np.corrcoef(a.T, b.T)[:4, 4:]
    for channel in range(4):
        row = twins.sel(channel=channel).dropna("tchannel")
        assert len(row) == 2
        np.testing.assert_allclose(
            row.values, expected[channel, row.tchannel.values], rtol=1e-5, atol=1e-6
        )
        assert set(row.tchannel.values.tolist()) == set(np.argsort(-expected[channel])[:2].tolist())


def test_one_pass_per_dataset_runs_each_model_once_per_chunk():
    plan = result().plan
    (found,) = plan.of(nodes.DatasetPass)
    assert [m.name for m in found.models] == ["tiny", "other"]
    assert len(found.reductions) == 5
    calls = []
    for handle in handles().values():
        handle.module.register_forward_pre_hook(lambda m, i: calls.append(i[0].shape[0]))
    try:
        interp.run(SPEC, models=handles(), **OPTIONS)
    finally:
        for handle in handles().values():
            handle.module._forward_pre_hooks.clear()
    # 3 chunks (32 + 32 + 6) x 2 models; the single-image forward passes of `input` are others
    assert sorted(c for c in calls if c > 1) == sorted([32, 32, 6] * 2)


def test_per_example_rows_are_written_as_parquet_beside_the_cache(tmp_path):
    found = result(str(tmp_path))
    (dataset_pass,) = found.plan.of(nodes.DatasetPass)
    files = sorted((tmp_path / "datasets").rglob("chunk-*.parquet"))
    assert len(files) == 3 * 4  # three chunks, for each reduction with per-example rows
    for folder in {f.parent for f in files}:
        assert len(pd.read_parquet(folder)) == CROPS * 4  # one row per (example, channel)
    fires = found.data("fires", every_example=True)
    assert len(fires) == CROPS * 4 and {"example", "label", "channel", "value", "x", "y"} <= set(
        fires
    )
    relu = by_hand()["relu"]
    np.testing.assert_allclose(
        fires.sort_values(["example", "channel"])["value"].to_numpy(),
        relu.reshape(CROPS, 4, -1).max(-1).reshape(-1),
        rtol=1e-5,
    )
    with pytest.raises(interp.InterpError, match="beside the cache"):
        rows_of(None)
    assert dataset_pass.chunk == 32


SINGLE = """
interface single {
  model efficientnet_lite0
  input "PATH"
  let mid = layer("blocks.4.2.bn1")
  element fires = activations(mid.spatial) | select(channel=[7, 222, 501]) as heatmap(over=input, color=atom)
  element supports = attribution(mid.channels -> output["Egyptian cat"]) | select(channel=[7, 222, 501]) as bars
}
"""


def test_lite0_values_equal_single_image_runs(tmp_path):
    over = interp.run(
        """
interface over {
  model efficientnet_lite0
  input sample("chelsea")
  let mid = layer("blocks.4.2.bn1")
  let pics = dataset(samples(), crops=3, seed=5)
  element fires = activations(mid.spatial, over=pics) | select(channel=[7, 222, 501]) | top(3) as examples
  element supports = attribution(mid.channels -> output["Egyptian cat"], over=pics) | select(channel=[7, 222, 501]) | top(3) as examples
}
""",
        **OPTIONS,
    )
    fires = over.array("fires")
    supports = over.array("supports").sel({"class": "Egyptian cat"})
    for example in list_examples(DatasetSpec("samples", crops=3, seed=5)).examples:
        path = tmp_path / f"example{example.index}.png"
        Image.fromarray(load_example(example)).save(path)
        single = interp.run(SINGLE.replace("PATH", str(path)), **OPTIONS)
        cube = single.array("fires").transpose("channel", "y", "x")
        attributed = single.array("supports").sel({"class": "Egyptian cat"})
        for channel in (7, 222, 501):
            peak = cube.sel(channel=channel).values.reshape(-1)
            value = fires.sel(channel=channel, example=example.index)
            np.testing.assert_allclose(float(value), peak.max(), rtol=1e-4)
            assert int(value.y) * cube.sizes["x"] + int(value.x) == int(peak.argmax())
            np.testing.assert_allclose(
                float(supports.sel(channel=channel, example=example.index)),
                float(attributed.sel(channel=channel)),
                rtol=1e-3,
                atol=1e-6,
            )


def test_the_receptive_field_is_measured_on_the_model():
    from interp.execute.example_images import receptive_field, thumbnail

    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),  # field 3
        torch.nn.ReLU(),
        torch.nn.Conv2d(4, 4, 3, stride=2, padding=1),  # 5, cells 2 pixels apart
        torch.nn.ReLU(),
        torch.nn.Conv2d(4, 4, 3, padding=1),  # 5 + 2 * 2 = 9
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 3),
    )
    handle = interp.from_module(net, labels=LABELS, mean=(0.5,) * 3, std=(0.5,) * 3, input_size=32)
    assert receptive_field(handle, "0").theoretical == 3
    assert receptive_field(handle, "2").theoretical == 5
    field = receptive_field(handle, "4")
    assert field.theoretical == 9 and field.grid == (16, 16)
    assert 3 <= field.effective <= 9
    view = np.zeros((32, 32, 3), np.uint8)
    shown = thumbnail(view, 0, 15, field, 18)  # a corner cell: the crop stays inside the image
    x0, y0, x1, y1 = shown["mark"]
    assert shown["url"].startswith("data:image/jpeg;base64,")
    assert x0 == pytest.approx(0.0) and x1 == pytest.approx(2 / field.effective)
    assert y1 == pytest.approx(1.0)
    assert thumbnail(view, -1, -1, None, 18)["mark"] is None


def test_the_pass_shows_a_progress_bar_in_examples_per_second(capsys):
    interp.run(
        SPEC.replace(f"crops={CROPS}", "crops=40"),
        models=handles(),
        **{**OPTIONS, "progress": True},
    )
    err = capsys.readouterr().err
    assert "dataset pass (40 examples)" in err and "example/s" in err and "/40 [" in err


ATLAS = """
interface atlas {
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops=24, seed=0)
  element detectors = activations(layer("1").channels) as feature_vis
  element atlas = activations(layer("1").spatial, over=pics) as atlas(cells=4, layout=LAYOUT)
  element members = activations(layer("1").spatial, over=pics) | select(atlas.hover) | top(3) as examples
  element here = activations(layer("1").spatial) | select(atlas.hover) as heatmap(over=input)
}
"""


@pytest.mark.parametrize("layout", ["tsne", "umap"])
def test_an_atlas_bins_sampled_vectors_and_its_cells_select(layout):
    found = interp.run(ATLAS.replace("LAYOUT", layout), models=handles(), **OPTIONS)
    plan = found.plan
    (batch,) = plan.of(nodes.Visualize)  # the atlas's icons join the layer's one batch
    assert {r.presentation for r in batch.requests} == {"feature_vis", "atlas"}
    (layout_node,) = plan.of(nodes.AtlasLayout)
    cells = found.data("atlas")
    assert len(cells) <= 16 and (cells["value"] >= 3).all()
    assert set(cells["gx"]) <= set(range(4)) and set(cells["gy"]) <= set(range(4))
    assert cells["value"].sum() <= 24 * 8  # 8 vectors sampled per example
    members = found.array("members")
    here = found.array("here")
    assert (
        set(members.key_atlas.values)
        == set(here.key_atlas.values)
        == {str(c) for c in cells["cell"]}
    )
    vectors = found.passes[layout_node.dataset].results[layout_node.reduction]
    relu = by_hand_atlas()
    for key in members.key_atlas.values[:3]:
        kept = members.sel(key_atlas=key).dropna("example")
        assert 1 <= len(kept) <= 3
        for example in kept.example.values.tolist():  # a member has a vector in the cell there
            x, y = int(kept.x.sel(example=example)), int(kept.y.sel(example=example))
            ours = (vectors["example"] == example) & (vectors["x"] == x) & (vectors["y"] == y)
            np.testing.assert_allclose(
                vectors["vectors"][ours][0], relu[example][:, y, x], rtol=1e-5, atol=1e-6
            )
    assert here.sizes == {"key_atlas": len(cells), "y": 32, "x": 32}


@cache
def by_hand_atlas():
    examples = list_examples(DatasetSpec("samples", crops=24, seed=0)).examples
    tiny = handles()["tiny"]
    found = []
    for example in examples:
        with torch.no_grad(), capture(tiny.module, ["1"]) as recorded:
            run_until(tiny.module, tiny.preprocess(load_example(example)))
        found.append(recorded["1"][0].numpy())
    return found
