"""The executor walks the plan and nothing else: each node once, in order, passes never repeated.

Passes over the input are counted on the model itself (calls of the root
module with a batch of one image), so the tests see what torch ran, not what
the code says it ran.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gallery import spec_path

import interp
from interp.execute.attribution import kernel
from interp.execute.context import RunContext, Settings
from interp.execute.executors.local import LocalExecutor
from interp.models.hooks import capture, run_until
from interp.models.load import load_model
from interp.models.spec import ModelSpec
from interp.plan.build import build_plan
from interp.plan.nodes import Attribute, Forward, Visualize
from interp.syntax import parse

SETTINGS = Settings(device="cpu", progress=False)
LITE0 = ModelSpec("builtin", "efficientnet_lite0")


def plan_for(text_or_name: str):
    spec = interp.load(spec_path(text_or_name)) if "{" not in text_or_name else parse(text_or_name)
    program = interp.check(spec)
    return program, build_plan(program, quality="draft", size=32, steps=2)


@pytest.fixture
def passes():
    """Counts passes of the model over a single image (forward calls with batch size one)."""
    handle = load_model(LITE0)
    seen = []
    hook = handle.module.register_forward_pre_hook(
        lambda module, args: seen.append(args[0].shape[0]) if args[0].shape[0] == 1 else None
    )
    yield seen
    hook.remove()


@pytest.fixture
def attribute_calls(monkeypatch):
    """The targets of every call to the batched attribution utility."""
    seen = []
    original = kernel.attribute

    def counting(*args, **kwargs):
        seen.append(args[3])
        return original(*args, **kwargs)

    monkeypatch.setattr(kernel, "attribute", counting)
    return seen


def test_each_node_runs_once_in_topological_order_and_views_never_touch_the_model():
    _, plan = plan_for("channel_attribution")
    ran, model_users = [], []

    class Watching(RunContext):
        def model(self, spec):
            model_users.append(ran[-1].kind)
            return super().model(spec)

    values = LocalExecutor(on_node=ran.append, context=Watching).run(plan, SETTINGS)
    assert len(ran) == len(set(ran)) == len(plan.nodes)
    position = {node: i for i, node in enumerate(ran)}
    assert all(position[i] < position[n] for n in ran for i in n.inputs)
    assert set(values) == set(plan.nodes)
    assert {"View", "Page", "Operation", "Collapse", "Atoms", "IconObjectives"}.isdisjoint(
        model_users
    )
    assert {k for k in model_users} <= {n.kind for n in plan.nodes if n.needs_model}


def test_one_forward_pass_serves_every_layer_and_the_logits(passes):
    _, plan = plan_for("channel_attribution")
    (forward,) = plan.of(Forward)
    assert forward.carrier is None and forward.logits
    values = LocalExecutor().run(plan, SETTINGS, [forward])
    captured = values[forward]
    assert set(captured.activations) == {"blocks.3.2.bn1", "blocks.4.2.bn1"}
    handle = load_model(LITE0)
    assert handle.labels[int(captured.logits.argmax())] == "Egyptian cat"
    assert len(passes) == 1


def test_an_attribution_pass_doubles_as_the_forward_pass(passes):
    program, plan = plan_for("teaser")
    (forward,) = plan.of(Forward)
    assert isinstance(forward.carrier, Attribute)
    values = LocalExecutor().run(plan, SETTINGS)
    assert len(passes) == 1  # the attribution's first pass; no second one for `where`
    handle = load_model(LITE0)
    image = handle.preprocess(interp.data.images.load_image(program.interfaces[0].image))
    with torch.no_grad(), capture(handle.module, ["blocks.4.2.bn1"]) as record:
        run_until(handle.module, image)
    np.testing.assert_allclose(
        values[forward].activations["blocks.4.2.bn1"],
        record["blocks.4.2.bn1"][0].numpy(),
        rtol=1e-6,
        atol=1e-6,
    )


def test_forward_stops_after_the_deepest_layer_when_no_logits_are_read():
    _, plan = plan_for("activation_grid")
    (forward,) = plan.of(Forward)
    assert not forward.logits
    handle = load_model(LITE0)
    with capture(handle.module, ["conv_head"]) as later:
        values = LocalExecutor().run(plan, SETTINGS, [forward])
    assert "conv_head" not in later.outputs  # nothing past blocks.5.3.bn1 ran
    assert values[forward].activations["blocks.4.2.bn1"].shape == (672, 14, 14)
    assert values[forward].logits is None


TWO_SELECTIONS = """
interface two {
  element a = attribution(layer("blocks.4.2.bn1").channels -> output) | select(class=["tabby", "Egyptian cat"]) as bars
  element b = attribution(layer("blocks.4.2.bn1").channels -> output) | select(class=["tabby", "tiger cat"]) as bars
}
"""


def test_one_attribution_family_covers_the_union_of_its_selections(attribute_calls):
    _, plan = plan_for(TWO_SELECTIONS)
    assert plan.count(Attribute) == 1
    LocalExecutor().run(plan, SETTINGS)
    labels = load_model(LITE0).labels
    (target,) = attribute_calls
    assert set(target.indices) == {labels.index(c) for c in ("tabby", "Egyptian cat", "tiger cat")}


def test_disk_cache_skips_recomputation(attribute_calls, tmp_path):
    _, plan = plan_for(TWO_SELECTIONS)
    settings = Settings(device="cpu", progress=False, cache_root=str(tmp_path))
    (node,) = plan.of(Attribute)
    cold = LocalExecutor().run(plan, settings, [node])[node]
    warm = LocalExecutor().run(plan, settings, [node])[node]
    assert len(attribute_calls) == 1
    np.testing.assert_array_equal(cold.array.values, warm.array.values)
    assert not list(tmp_path.rglob("*.part"))  # written atomically


def test_run_can_be_called_again_and_again():
    spec = interp.load(spec_path("saliency"))
    first = interp.run(spec, quality="draft", progress=False, icon_size=32, icon_steps=2)
    second = interp.run(spec, quality="draft", progress=False, icon_size=32, icon_steps=2)
    assert callable(interp.run) and callable(interp.check)
    assert interp.check(spec).interfaces == first.program.interfaces
    for name in first.interfaces[0].arrays:
        np.testing.assert_array_equal(first.array(name).values, second.array(name).values)


TWO_MODELS = """
interface y {
  let a = layer("blocks.4.2.bn1")
  let b = layer("blocks.4.2.bn1", model=efficientnet_lite1)
  element mine = activations(a.channels) | top(3) as feature_vis
  element yours = activations(b.channels) | top(3) as feature_vis
}
"""


def test_another_models_layer_runs_on_that_model_once():
    program, plan = plan_for(TWO_MODELS)
    forwards = plan.of(Forward)
    assert sorted(f.model.name for f in forwards) == ["efficientnet_lite0", "efficientnet_lite1"]
    values = LocalExecutor().run(plan, SETTINGS)
    lite1 = load_model(ModelSpec("builtin", "efficientnet_lite1"))
    image = lite1.preprocess(interp.data.images.load_image(program.interfaces[0].image))
    with torch.no_grad(), capture(lite1.module, ["blocks.4.2.bn1"]) as record:
        run_until(lite1.module, image)
    totals = record["blocks.4.2.bn1"][0].sum((1, 2)).numpy()
    yours = values[plan.element("y", "yours").array]
    expected = np.sort(totals)[::-1][:3]
    np.testing.assert_allclose(np.sort(yours.values)[::-1], expected, rtol=1e-5)
    icons = {b.model.name for b in plan.of(Visualize)}
    assert icons == {"efficientnet_lite0", "efficientnet_lite1"}  # each drawn on its own model
