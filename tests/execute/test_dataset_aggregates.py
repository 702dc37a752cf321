"""Aggregates over a dataset's examples equal numpy over the per-example arrays; `where`
by label and by the model's prediction selects exactly the matching examples; the
attribution graph of a class equals the mean of single-image graphs.

Tiny models (`tests/tiny.py`, 32 pixels) over 70 seeded crops of the bundled photos:
three chunks of the pass, so the streamed merge is exercised.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import torch

import interp
from interp.data.datasets import DatasetSpec, list_examples, load_example
from interp.errors import InterpError
from interp.execute.attribution.core import Atoms, Target, attribute
from interp.models.hooks import capture

LABELS = ["cat", "dog", "fox"]
CROPS = 70
OPTIONS = dict(quality="draft", icon_size=32, icon_steps=2, progress=False, device="cpu")


def two_layers(seed: int = 0) -> torch.nn.Module:
    """conv → ReLU → conv → ReLU → pool → linear: a graph between layers "1" and "3"."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.Conv2d(4, 5, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(),
            torch.nn.Linear(5, 3),
        ).eval()
    with torch.no_grad():
        model[6].bias.zero_()  # predictions vary over the crops: where(predicted=) selects some
    return model


@cache
def handle():
    return interp.from_module(
        two_layers(), labels=LABELS, mean=(0.5,) * 3, std=(0.5,) * 3, input_size=32
    )


@cache
def examples(where: str = "") -> tuple:
    return list_examples(DatasetSpec("samples", crops=CROPS, seed=0)).examples


SPEC = f"""
interface tiny {{
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops={CROPS}, seed=0)
  let rockets = pics.where(label=["rocket", "coins"])
  element mean = activations(layer("1").channels, over=pics) | mean(over=example) as bars
  element total = activations(layer("1").channels, over=pics) | sum(over=example) as bars
  element picked = activations(layer("1").channels, over=pics) | select(channel=[0, 2]) | mean(over=example) as bars
  element cube = activations(layer("1").spatial, over=pics) | mean(over=example) as heatmap(over=input)
  element often = attribution(layer("1").channels -> output["fox", "cat"], over=pics) | count(over=example, top=2) as bars
  element high = activations(layer("3").channels, over=pics) | quantile(0.9, over=example) as bars
  element class_mean = activations(layer("1").channels, over=rockets) | mean(over=example) as bars
  element foxes = activations(layer("1").channels, over=pics.where(predicted="dog")) | mean(over=example) as bars
  element graph = attribution(layer("1").channels -> layer("3").channels, over=rockets) | mean(over=example) | top(2, per=target) as sankey
}}
"""


@cache
def result():
    return interp.run(SPEC, models={"tiny": handle()}, **OPTIONS)


@cache
def by_hand():
    """Each example's activations of layers 1 and 3, attribution to each class, logits."""
    module = handle().module
    found = {"1": [], "3": [], "attr": [], "logits": []}
    for example in examples():
        leaf = {"1": lambda output: output.detach().requires_grad_(True)}
        with torch.enable_grad(), capture(module, ["1", "3"], edits=leaf) as recorded:
            logits = module(handle().preprocess(load_example(example)))
        act = recorded["1"]
        rows = [torch.autograd.grad(logits[0, c], act, retain_graph=True)[0] for c in range(3)]
        found["attr"].append(
            np.stack([(act * g)[0].sum((1, 2)).detach().numpy() for g in rows], -1)
        )
        found["1"].append(act[0].detach().numpy())
        found["3"].append(recorded["3"][0].detach().numpy())
        found["logits"].append(logits[0].detach().numpy())
    return {name: np.stack(values) for name, values in found.items()}


def test_mean_sum_and_spatial_mean_equal_numpy_over_the_examples():
    totals = by_hand()["1"].sum((2, 3))  # (N, C)
    got = result().array("mean")
    assert got.dims == ("channel",)
    np.testing.assert_allclose(got.values, totals.mean(0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(result().array("total").values, totals.sum(0), rtol=1e-6)
    picked = result().array("picked")  # a selection before the aggregate commutes with it
    np.testing.assert_allclose(picked.values, totals.mean(0)[[0, 2]], rtol=1e-6, atol=1e-6)
    with pytest.raises(InterpError, match="keeps no per-example rows"):
        result().data("mean", every_example=True)
    cube = result().array("cube").transpose("channel", "y", "x")
    np.testing.assert_allclose(cube.values, by_hand()["1"].mean(0), rtol=1e-6, atol=1e-6)


def test_count_and_quantile_equal_numpy_over_the_examples():
    attr = by_hand()["attr"][..., [LABELS.index("fox"), LABELS.index("cat")]]  # (N, C, 2)
    top2 = np.argsort(-attr, axis=1)[:, :2]  # per example and class, the two strongest channels
    expected = np.zeros((4, 2))
    for n in range(len(attr)):
        for j in range(2):
            expected[top2[n, :, j], j] += 1
    often = result().array("often").transpose("channel", "class")
    np.testing.assert_array_equal(often.values, expected)
    assert often.sel({"class": "fox"}).sum() == 2 * CROPS
    (view,) = [v for v in result().pages[0].elements if v.name == "often"]
    assert view.meta["quantity"] == "examples (count)"  # the axis says what is counted
    totals = by_hand()["3"].sum((2, 3))
    np.testing.assert_allclose(
        result().array("high").values, np.quantile(totals, 0.9, axis=0), rtol=1e-6
    )


def test_where_selects_exactly_the_labels_and_the_predictions_asked_for():
    labels = np.asarray([e.category for e in examples()])
    chosen = np.isin(labels, ["rocket", "coins"])
    assert 0 < chosen.sum() < CROPS
    totals = by_hand()["1"].sum((2, 3))
    np.testing.assert_allclose(
        result().array("class_mean").values, totals[chosen].mean(0), rtol=1e-6, atol=1e-6
    )
    assert result().array("class_mean").attrs["examples"] == chosen.sum()
    fox = by_hand()["logits"].argmax(1) == LABELS.index("dog")
    assert 0 < fox.sum() < CROPS
    got = result().array("foxes")
    assert got.attrs["examples"] == fox.sum()
    np.testing.assert_allclose(got.values, totals[fox].mean(0), rtol=1e-6, atol=1e-6)


def test_correct_selects_the_examples_the_model_gets_right_or_wrong(tmp_path):
    from interp.data.datasets import SAMPLE_PHOTOS

    named = {photo: LABELS[i % 3] for i, photo in enumerate(SAMPLE_PHOTOS[:-1])}  # one unlabelled
    table = tmp_path / "classes.csv"
    table.write_text("photo,label\n" + "".join(f"{p},{c}\n" for p, c in named.items()))
    spec = f"""
interface t {{
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops={CROPS}, seed=0, labels="{table}")
  element right = activations(layer("1").channels, over=pics.where(correct=true)) | sum(over=example) as bars
  element wrong = activations(layer("1").channels, over=pics.where(correct=false)) | sum(over=example) as bars
}}
"""
    found = interp.run(spec, models={"tiny": handle()}, **OPTIONS)
    labels = [named.get(e.source) for e in examples()]
    predicted = [LABELS[i] for i in by_hand()["logits"].argmax(1)]
    right = np.asarray([c is not None and c == p for c, p in zip(labels, predicted, strict=True)])
    wrong = np.asarray([c is not None and c != p for c, p in zip(labels, predicted, strict=True)])
    assert right.sum() > 0 and wrong.sum() > 0 and (right | wrong).sum() < CROPS
    totals = by_hand()["1"].sum((2, 3))
    for name, chosen in (("right", right), ("wrong", wrong)):
        array = found.array(name)
        assert array.attrs["examples"] == chosen.sum()
        np.testing.assert_allclose(array.values, totals[chosen].sum(0), rtol=1e-6, atol=1e-5)


def test_the_graph_of_a_class_is_the_mean_of_single_image_graphs():
    module = handle().module
    chosen = [e for e in examples() if e.category in ("rocket", "coins")]
    single = [
        attribute(
            module,
            handle().preprocess(load_example(e)),
            Atoms("1", "channels"),
            Target("3", "channels"),
        ).numpy()
        for e in chosen
    ]
    expected = np.mean(single, axis=0)  # (4 source channels, 5 target channels)
    graph = result().array("graph")  # after top(2, per=target): 2 sources per target kept
    assert set(graph.dims) == {"channel", "tchannel"}
    kept = graph.transpose("channel", "tchannel").values
    rows = graph.channel.values
    columns = graph.tchannel.values
    present = ~np.isnan(kept)
    np.testing.assert_allclose(
        kept[present], expected[np.ix_(rows, columns)][present], rtol=1e-5, atol=1e-5
    )
    for j, t in enumerate(columns):
        strongest = sorted(np.argsort(-expected[:, t], kind="stable")[:2].tolist())
        assert sorted(rows[present[:, j]].tolist()) == strongest


def check(spec: str) -> str:
    with pytest.raises(InterpError) as caught:
        interp.check(spec, models={"tiny": handle()}, device="cpu")
    return str(caught.value)


def test_located_errors_for_aggregates_and_where():
    body = """
interface t {{
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops={crops}, seed=0)
  element e = {content}
}}
"""

    def spec(content: str, crops: int = CROPS) -> str:
        return body.format(content=content, crops=crops)

    text = check(spec('activations(layer("1").channels) | mean(over=example) as bars'))
    assert ":6:" in text and "mean: this content has no axis 'example'" in text
    text = check(
        spec('activations(layer("1").channels, over=pics) | top(2) | mean(over=example) as bars')
    )
    assert "before any operation other than select" in text
    content = 'activations(layer("1").spatial, over=pics) | count(over=example, top=2)'
    text = check(spec(content + " as heatmap(over=input)"))
    assert "a .spatial content ranks positions" in text
    content = 'activations(layer("1").spatial, over=pics) | quantile(0.5, over=example)'
    text = check(spec(content + " as heatmap(over=input)", crops=70_000))
    assert "70,000 examples x 4,096 atoms is more than" in text
    text = check(
        spec(
            'attribution(layer("1").channels -> layer("3").channels, over=pics) | top(2, per=target) as sankey'
        )
    )
    assert "aggregated over its examples" in text
    text = check(
        spec(
            'activations(layer("1").channels, over=pics.where(predicted="foxx")) | mean(over=example) as bars'
        )
    )
    assert "unknown class 'foxx'" in text and "fox" in text
    text = check(
        spec(
            'activations(layer("1").channels, over=pics.where(correct=false)) | mean(over=example) as bars'
        )
    )
    assert "is a class of" in text
    text = check(
        spec(
            'activations(layer("1").channels, over=pics.where(label="rockett")) | mean(over=example) as bars'
        )
    )
    assert ":6:" in text and "did you mean 'rocket'" in text


def test_aggregates_over_other_axes_act_on_the_array_at_hand():
    spec = """
interface t {
  model tiny
  input sample("chelsea")
  element m = activations(layer("1").spatial) | mean(over=channel) as heatmap(over=input)
  element q = activations(layer("1").neurons) | quantile(0.25, over=[x, y]) as bars
  element c = attribution(layer("1").channels -> output) | count(over=class, top=1) as bars
}
"""
    found = interp.run(spec, models={"tiny": handle()}, **OPTIONS)
    from interp.data.images import ImageSpec, load_image

    module = handle().module
    leaf = {"1": lambda output: output.detach().requires_grad_(True)}
    with torch.enable_grad(), capture(module, ["1"], edits=leaf) as recorded:
        logits = module(handle().preprocess(load_image(ImageSpec("sample", "chelsea"))))
    act = recorded["1"]
    cube = act[0].detach().numpy()  # (C, H, W)
    m = found.array("m").transpose("y", "x").values
    np.testing.assert_allclose(m, cube.mean(0), rtol=1e-5, atol=1e-6)
    q = found.array("q").values
    np.testing.assert_allclose(q, np.quantile(cube.reshape(4, -1), 0.25, axis=1), rtol=1e-5)
    grads = [torch.autograd.grad(logits[0, c], act, retain_graph=True)[0] for c in range(3)]
    attr = np.stack([(act * g)[0].sum((1, 2)).detach().numpy() for g in grads], -1)  # (C, 3)
    expected = np.zeros(4)
    for c in range(3):
        expected[np.argmax(attr[:, c])] += 1  # per class, the strongest channel
    np.testing.assert_array_equal(found.array("c").values, expected)
