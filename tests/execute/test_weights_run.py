"""weights(A -> B) through the whole pipeline: text and builder forms, top and select on it,
a plan that reads no input, and the page's words."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import interp
from interp.errors import InterpError
from interp.syntax import builder as b
from interp.syntax import parse, to_text

SPEC = """interface circuit "A tiny circuit" {
  model tiny
  input sample("chelsea")
  let early = layer("0")
  let late = layer("3")
  element pairs = weights(early.channels -> late.channels) | select(tchannel=2) | top(2) as kernels(icons=none)
  element both = weights(early.channels -> late.channels) | top(1, per=target) as kernels(icons=none)
}
"""


def tiny() -> nn.Module:
    """conv(3→4) → bn → relu → conv(4→5) → pool → linear: "3" reads "2" directly."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 5, 3, padding=1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(5, 3),
    ).eval()


@pytest.fixture(scope="module")
def model():
    return tiny()


@pytest.fixture(scope="module")
def models(model):
    wrapped = interp.from_module(
        model, labels=["cat", "dog", "cup"], mean=(0.5,) * 3, std=(0.5,) * 3, input_size=16
    )
    return {"tiny": wrapped}


@pytest.fixture(scope="module")
def result(models):
    return interp.run(SPEC, models=models, options=interp.Options(cache=None))


def expanded_reference(model: nn.Module) -> np.ndarray:
    """(4, 5, 5, 5): d conv3(relu(bn(x)))[t, centre] / d x, the relu taken as identity."""
    rows = []
    for t in range(5):
        x = torch.zeros(1, 4, 16, 16, requires_grad=True)
        y = model[3](model[1](x))
        y[0, t, 8, 8].backward()
        rows.append(x.grad[0, :, 7:10, 7:10].numpy())
    return np.stack(rows, axis=1)


def test_the_text_and_builder_forms_round_trip():
    spec = parse(SPEC)
    assert parse(to_text(spec)) == spec
    element = spec.items[0].body[-2]
    assert element.content.to_text() == "weights(early.channels -> late.channels)"
    built = b.weights(b.ref("early").channels, b.ref("late").channels)
    assert built.content == element.content


def test_select_and_top_keep_the_strongest_kernels_by_signed_sum(result, model):
    want = expanded_reference(model)  # bn's scale kept: not the bare kernel of "3"
    sums = want[:, 2].sum((1, 2))
    strongest = list(np.argsort(-sums)[:2])
    frame = result.data("pairs")
    assert sorted(frame["channel"].unique()) == sorted(strongest)
    for a in strongest:
        kernel = frame[frame["channel"] == a].pivot(index="ky", columns="kx", values="value")
        np.testing.assert_allclose(kernel.to_numpy(), want[a, 2], atol=1e-5)


def test_top_per_target_keeps_one_source_per_target_channel(result, model):
    want = expanded_reference(model).sum((2, 3))  # (source, target) signed sums
    frame = result.data("both")
    kept = frame.groupby("tchannel")["channel"].unique()
    assert sorted(kept.index) == list(range(5))
    for t, channels in kept.items():
        assert list(channels) == [int(np.argmax(want[:, t]))]


def test_the_plan_reads_no_input_and_the_page_says_what_it_shows(result, models):
    from interp.plan.build import build_plan

    plan = build_plan(interp.check(parse(SPEC), models=models))
    kinds = [n.kind for n in plan.nodes]
    assert kinds.count("Weights") == 2
    assert "Forward" not in kinds and "Attribute" not in kinds
    view = result.pages[0].elements[0]
    assert view.presentation == "kernels"
    assert "Weights from 0 channels to 3 channels" in view.meta["describe"]
    assert "at channel 2" in view.meta["describe"]
    assert view.meta["subtitle"].startswith("Expanded weights, activations linearized: ReLU ×1")
    assert view.meta["quantity"] == "weight"
    assert set(view.table["tchannel"]) == {2}


def test_weights_against_the_flow_are_refused_before_any_work(models):
    backwards = SPEC.replace(
        "early.channels -> late.channels) | select", "late.channels -> early.channels) | select"
    )
    with pytest.raises(InterpError) as raised:
        interp.check(parse(backwards), models=models)
    text = raised.value.render()
    assert "weights flow from an earlier layer to a later one" in text
    assert (
        "^^^" in text
        and 'swap the sides: weights(layer("0").channels -> layer("3").channels)' in text
    )
