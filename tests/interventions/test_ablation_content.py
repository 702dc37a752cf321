"""`ablation(...)` in the language: parsed, printed and built alike; checked with located
errors; run through the plan to the same numbers as `ablation_effects`; and the
`ablation_agreement` metric equals scipy's Spearman on the two contents."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

import interp
from interp.check import check
from interp.data.images import ImageSpec, load_image
from interp.errors import InterpError
from interp.execute.ablation import ablation_effects
from interp.models.load import load_model
from interp.models.spec import ModelSpec
from interp.syntax import builder as b
from interp.syntax import parse

TINY = {"quality": "draft", "icon_size": 32, "icon_steps": 2, "progress": False, "device": "cpu"}
LAYER = "blocks.5.3.bn1"
SPEC = f"""interface abl {{
  model efficientnet_lite0(weights=random)
  let mid = layer("{LAYER}")
  element effect = ablation(mid.channels -> output["Egyptian cat", "tabby"]) | top(5, per=target) as bars
  element where = ablation(mid.spatial -> output["Egyptian cat"], to=mean) as heatmap(over=input)
  element attr = attribution(mid.channels -> output["Egyptian cat"]) as bars
}}

interface edited extends abl {{
  model efficientnet_lite0(weights=random) with ablate(layer("{LAYER}").channels[1, 2])
}}

compare abl, edited
"""


def test_fmt_round_trip_and_builder():
    spec = parse(SPEC)
    assert parse(spec.to_text()) == spec
    built = b.ablation(
        b.layer(LAYER).spatial, b.output["Egyptian cat"], to=b.input("other.jpg")
    ).as_(b.heatmap(over=b.input))
    text = b.interface("x", elements={"e": built}).to_text()
    assert (
        'ablation(layer("blocks.5.3.bn1").spatial -> output["Egyptian cat"], to=input("other.jpg"))'
        in text
    )
    assert parse(text).interfaces[0] == b.interface("x", elements={"e": built})


@pytest.fixture(scope="module")
def result():
    return interp.run(SPEC, **TINY)


def _effects(edits=()):
    handle = load_model(ModelSpec("builtin", "efficientnet_lite0", weights="random", edits=edits))
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    labels = list(handle.labels)
    return handle, image, labels


def test_the_page_values_are_the_exact_ablation_effects(result):
    handle, image, labels = _effects()
    cls = [labels.index("Egyptian cat"), labels.index("tabby")]
    want = ablation_effects(handle.module, image, LAYER, "channels", cls).numpy()
    got = result.array("effect", "abl")  # NaN where top(5, per=target) dropped a channel
    kept = ~np.isnan(got.values)
    assert kept.sum() == 10
    for k, label in enumerate(["Egyptian cat", "tabby"]):
        column = got.sel({"class": label}).to_series().dropna()
        top = np.argsort(-want[:, k])[:5]
        assert sorted(column.index.astype(int)) == sorted(top)
        np.testing.assert_allclose(column.loc[list(top)].values, want[top, k], rtol=1e-5, atol=1e-6)
    where = result.array("where", "abl")
    spatial = ablation_effects(handle.module, image, LAYER, "spatial", cls[:1], to="mean")
    np.testing.assert_allclose(where.values[..., 0], spatial[..., 0].numpy(), rtol=1e-5, atol=1e-6)


def test_ablation_agreement_is_spearman_of_attribution_and_ablation(result):
    table = result.metrics()
    rows = table[(table.metric == "ablation_agreement") & (table.element == "attr")]
    assert set(rows.interface) == {"abl", "edited"}
    handle, image, labels = _effects()
    cls = [labels.index("Egyptian cat")]
    ablation = ablation_effects(handle.module, image, LAYER, "channels", cls)[:, 0].numpy()
    attribution = result.array("attr", "abl").sel({"class": "Egyptian cat"}).values
    assert attribution.shape == ablation.shape
    want = spearmanr(attribution, ablation).statistic
    got = float(rows[rows.interface == "abl"].value.iloc[0])
    assert got == pytest.approx(want, abs=1e-9)


def test_the_edited_interface_runs_on_the_edited_model(result):
    handle, image, labels = _effects()
    cls = [labels.index("Egyptian cat"), labels.index("tabby")]
    edited = load_model(
        ModelSpec(
            "builtin",
            "efficientnet_lite0",
            weights="random",
            edits=(interp.models.spec.EditSpec("ablate", LAYER, (1, 2)),),
        )
    )
    want = ablation_effects(edited.module, image, LAYER, "channels", cls).numpy()
    got = result.array("effect", "edited").sel({"class": "Egyptian cat"}).to_series().dropna()
    kept = got.index.astype(int)
    np.testing.assert_allclose(got.values, want[kept, 0], rtol=1e-5, atol=1e-6)
    assert np.abs(want[[1, 2]]).max() < 1e-5  # an ablated channel has nothing left to remove
    assert "set to zero" in result._repr_html_()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "ablation(mid.channels -> mid.channels)",
            "ablation measures the change in output classes",
        ),
        ("ablation(mid.neurons -> output)", "ablation removes channels or positions of a layer"),
        ("ablation(mid.channels -> output, to=maen)", "to= takes zero, mean or input(IMAGE)"),
        ("ablation(mid.channels -> output, by=3)", "ablation: unknown option"),
    ],
)
def test_located_errors(content, message):
    text = f'interface a {{\n  let mid = layer("{LAYER}")\n  element e = {content} as bars\n}}\n'
    with pytest.raises(InterpError) as info:
        check(parse(text, "a.interp"), source=text, bind_models=False)
    rendered = info.value.render()
    assert message in rendered and "a.interp:3:" in rendered and "^" in rendered
    assert "hint:" in rendered
