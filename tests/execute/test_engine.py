"""The engine computes each pass once: one forward, reused attribution columns, a disk cache."""

import numpy as np
import pytest

from interp.check.bound import Content, Substrate
from interp.data.images import ImageSpec, load_image
from interp.execute import attribution as attr
from interp.execute.cache import Cache
from interp.execute.engine import Engine
from interp.models.load import ModelSpec, load_model

MID = Substrate("layer", "blocks.4.2.bn1", "channels")
OUTPUT = Substrate("output", atoms="classes")


@pytest.fixture(scope="module")
def handle():
    return load_model(ModelSpec("builtin", "efficientnet_lite0"))


@pytest.fixture(scope="module")
def image():
    return load_image(ImageSpec("sample", "chelsea"))


@pytest.fixture
def calls(monkeypatch):
    """Counts calls of the tensor-level attribution."""
    seen = []
    original = attr.attribute

    def counting(*args, **kwargs):
        seen.append(args[3])
        return original(*args, **kwargs)

    monkeypatch.setattr(attr, "attribute", counting)
    return seen


def test_one_forward_pass_serves_every_layer_and_the_logits(handle, image):
    engine = Engine(handle, image, layers_needed=("blocks.3.2.bn1", "blocks.4.2.bn1"))
    engine.activation("blocks.3.2.bn1")
    engine.activation("blocks.4.2.bn1")
    logits = engine.logits()
    assert engine.forward_passes == 1
    assert handle.labels[int(logits.argmax())] == "Egyptian cat"


def test_restricted_targets_reuse_computed_columns(handle, image, calls):
    engine = Engine(handle, image)
    content = Content("attribution", MID, OUTPUT)
    first = engine.attribution(content, ("Egyptian cat", "tabby"))
    second = engine.attribution(content, ("tabby", "tiger cat"))
    assert [t.indices for t in calls] == [
        (handle.labels.index("Egyptian cat"), handle.labels.index("tabby")),
        (handle.labels.index("tiger cat"),),
    ]
    np.testing.assert_array_equal(
        first.sel({"class": "tabby"}).values, second.sel({"class": "tabby"}).values
    )
    assert second["class"].values.tolist() == ["tabby", "tiger cat"]


def test_disk_cache_skips_recomputation(handle, image, calls, tmp_path):
    content = Content("attribution", MID, Substrate("output", atoms="classes", labels=("tabby",)))
    cold = Engine(handle, image, cache=Cache(tmp_path)).attribution(content)
    warm = Engine(handle, image, cache=Cache(tmp_path)).attribution(content)
    assert len(calls) == 1
    np.testing.assert_array_equal(cold.values, warm.values)
    assert not list(tmp_path.rglob("*.part"))  # written atomically


def test_an_attribution_pass_doubles_as_the_forward_pass(handle, image):
    engine = Engine(handle, image, layers_needed=("blocks.4.2.bn1",))
    engine.attribution(
        Content("attribution", MID, Substrate("output", atoms="classes", labels=("tabby",)))
    )
    shared = engine.activation("blocks.4.2.bn1").clone()
    assert engine.forward_passes == 1  # the attribution's pass; no second one for the activation
    reference = Engine(handle, image, layers_needed=("blocks.4.2.bn1",))
    np.testing.assert_allclose(
        shared.numpy(), reference.activation("blocks.4.2.bn1").numpy(), rtol=1e-6, atol=1e-6
    )
    assert handle.labels[int(engine.logits().argmax())] == "Egyptian cat"
    assert engine.forward_passes == 1


def test_forward_stops_after_the_deepest_layer_when_no_logits_are_read(handle, image):
    from interp.execute.hooks import capture

    engine = Engine(
        handle, image, layers_needed=("blocks.2.1.bn1", "blocks.4.2.bn1"), logits_needed=False
    )
    with capture(handle.module, ["blocks.5.0"]) as later:
        engine.activation("blocks.2.1.bn1")
    assert "blocks.5.0" not in later.outputs  # nothing past blocks.4.2.bn1 ran
    assert engine.activation("blocks.4.2.bn1").shape == (672, 14, 14)
    assert engine.forward_passes == 1
    assert (
        handle.labels[int(engine.logits().argmax())] == "Egyptian cat"
    )  # asked for later: one more pass
    assert engine.forward_passes == 2
