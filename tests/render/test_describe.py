"""Views say what they show in words: sentences from bound elements, legends from arrays."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import xarray as xr
from gallery import spec_path
from sklearn.decomposition import PCA

from interp.check import check
from interp.execute.tables import grid as components
from interp.execute.tables import table_of
from interp.execute.words import element_meta, spelled
from interp.syntax import load


@cache
def element(spec: str, name: str):
    program = check(load(spec_path(spec)))
    return next(e for i in program.interfaces for e in i.elements if e.name == name)


def words(spec: str, name: str) -> dict:
    bound = element(spec, name)
    presentation = table_of(bound.presentation.kind)
    return {
        **element_meta(bound),
        "describe": presentation.describe(bound),
        "reading": presentation.reading(bound),
    }


@pytest.mark.parametrize(
    ("spec", "name", "sentence", "quantity"),
    [
        (
            "teaser",
            "detectors",
            'Attribution (activation × gradient) of blocks.4.2.bn1 channels to "Egyptian cat"'
            ' and "tabby", top 6 per class',
            "attribution to the logit",
        ),
        (
            "teaser",
            "where",
            "Activations of the hovered channel of blocks.4.2.bn1 at each position",
            "activation",
        ),
        (
            "channel_attribution",
            "classes",
            "Probabilities of the classes (softmax of the logits), top 3",
            "probability",
        ),
        (
            "channel_attribution",
            "lower",
            "Attribution (activation × gradient) of blocks.3.2.bn1 channels to the clicked"
            " channel of blocks.4.2.bn1, top 8",
            "attribution to the channel's activation",
        ),
        (
            "semantic_dictionary",
            "dictionary",
            "Activations of blocks.4.2.bn1 channels at the hovered position, top 8",
            "activation",
        ),
        (
            "semantic_dictionary",
            "picker",
            "The input image, divided into the positions of blocks.4.2.bn1",
            "value",
        ),
        (
            "spatial_attribution",
            "saliency",
            "Attribution (activation × gradient) of blocks.4.2.bn1 positions to the classes,"
            " reduced to 3 PCA components",
            "component score",
        ),
        (
            "neuron_groups",
            "classes",
            "Attribution (activation × gradient) of the 6 NMF groups of blocks.4.2.bn1 to the"
            " classes, top 3 per group",
            "attribution to the logit",
        ),
    ],
)
def test_each_view_says_quantity_method_and_layer(spec, name, sentence, quantity):
    said = words(spec, name)
    assert said["describe"] == sentence
    assert said["quantity"] == quantity


def test_nouns_and_readings():
    detectors = words("teaser", "detectors")
    assert detectors["offered"] == "channel"
    assert detectors["nouns"] == {"channel": "channel", "class": "class"}
    assert detectors["reading"].startswith("icon: what excites the channel most")
    assert words("spatial_attribution", "saliency")["offered"] == "position"
    assert "red, green, blue" in words("spatial_attribution", "saliency")["reading"]
    assert words("group_flow", "flow")["reading"].startswith("band width ∝ |attribution")
    assert words("neuron_groups", "where")["reading"].startswith(
        "each cell takes the colour of the group"
    )


def test_labels_are_spelled_out():
    assert spelled("ch 222") == "channel 222"
    assert spelled("(3, 4)") == "position (3, 4)"
    assert spelled("(x 3, y 4)") == "position (3, 4)"
    assert spelled("group 2") == "group 2"
    assert spelled("Egyptian cat") == "Egyptian cat"


def test_component_legend_names_each_components_top_classes():
    rng = np.random.default_rng(0)
    classes = [f"c{i}" for i in range(12)]
    # three hidden directions over positions, each carried by known classes
    factors = rng.normal(size=(64, 3)) * np.array([5.0, 3.0, 2.0])
    loadings = np.zeros((3, 12))
    loadings[0, [1, 2, 3]] = 1.0
    loadings[1, [7, 8]] = [1.0, 0.9]
    loadings[2, [10]] = 1.0
    data = factors @ loadings + 0.01 * rng.normal(size=(64, 12))
    before = xr.DataArray(
        data.reshape(8, 8, 12),
        dims=("y", "x", "class"),
        coords={"y": range(8), "x": range(8), "class": classes},
    )
    pca = PCA(3, random_state=0).fit(data)
    # PCA's signs are arbitrary: orient each component towards its carriers
    scores = pca.transform(data) * np.sign(pca.components_[[0, 1, 2], [1, 7, 10]])
    reduced = xr.DataArray(
        scores.reshape(8, 8, 3),
        dims=("y", "x", "component"),
        coords={"y": range(8), "x": range(8), "component": range(3)},
    )
    tops = components.top_targets(before, reduced, ["class"], k=2)
    assert set(tops[0]) <= {"c1", "c2", "c3"}
    assert set(tops[1]) == {"c7", "c8"}
    assert tops[2][0] == "c10"
    lines = components.legend_lines(tops)
    assert [line["_text"].split(":")[0] for line in lines] == ["red", "green", "blue"]
