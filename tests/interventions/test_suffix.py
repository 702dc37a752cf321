"""Module replay (`interp.models.suffix`): the suffix pass from a layer, fed a batch of
replacement activations, gives exactly what full forward passes with those
activations put in give, on EfficientNet-Lite0 and a torchvision ResNet-18."""

from __future__ import annotations

import pytest
import torch
import torchvision

from interp.models.load import load_model
from interp.models.spec import ModelSpec
from interp.models.suffix import record_prefix, run_suffix


def _lite0():
    return load_model(ModelSpec("builtin", "efficientnet_lite0", weights="random")).module, 224


def _resnet18():
    torch.manual_seed(0)
    model = torchvision.models.get_model("resnet18", weights=None).eval()
    for module in model.modules():  # as interp loads every model
        if isinstance(getattr(module, "inplace", None), bool):
            module.inplace = False
    return model, 64


def _full(model, inputs, layer, activation):
    """The reference: a whole forward pass with `layer`'s output (its first call) replaced."""
    calls = []

    def first(_module, _inputs, output):
        calls.append(1)
        return activation if len(calls) == 1 else output

    handle = dict(model.named_modules())[layer].register_forward_hook(first)
    try:
        with torch.no_grad():
            return model(inputs)
    finally:
        handle.remove()


@pytest.mark.parametrize(
    ("build", "layer"),
    [
        (_lite0, "blocks.4.2.bn1"),
        (_lite0, "blocks.1.0"),
        (_resnet18, "layer2.0.bn1"),
        (_resnet18, "layer3"),
        (_resnet18, "layer1.1.relu"),  # one module called twice in its block
    ],
)
def test_suffix_outputs_equal_full_forward_passes(build, layer):
    model, size = build()
    torch.manual_seed(1)
    inputs = torch.randn(1, 3, size, size)
    prefix = record_prefix(model, inputs, layer)
    with torch.no_grad():
        assert torch.allclose(model(inputs), prefix.output)
        changed = prefix.activation.repeat(4, *[1] * (prefix.activation.ndim - 1))
        changed[1] = 0
        changed[2] *= torch.rand_like(changed[2])
        changed[3, 0] = 5.0
        got = run_suffix(model, prefix, changed)
    for i in range(4):
        want = _full(model, inputs, layer, changed[i : i + 1])
        assert torch.allclose(got[i : i + 1], want, atol=1e-5, rtol=1e-5), i
    assert not any("forward" in vars(m) for m in model.modules())  # stubs removed


def test_nothing_before_the_layer_runs():
    """Inside the recorded modules nothing runs: their children never fire."""
    model, size = _resnet18()
    prefix = record_prefix(model, torch.randn(1, 3, size, size), "layer3")
    assert list(prefix.recorded) == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2"]
    ran = []
    hooks = [
        m.register_forward_hook(lambda *_, name=name: ran.append(name))
        for name, m in model.named_modules()
        if name.startswith(("layer1.", "layer2.", "layer3."))
    ]
    with torch.no_grad():
        run_suffix(model, prefix, prefix.activation.expand(3, -1, -1, -1))
    for hook in hooks:
        hook.remove()
    assert ran == []  # layer3 itself is replaced, layer1 and layer2 replayed
