"""`ablation(...)`'s values: equal to a loop that ablates each atom and reruns the whole
model (≤1e-5 of the largest effect), on EfficientNet-Lite0 and a torchvision
ResNet-18 with seeded random weights; patching equals the loop with the other
image's activations put in."""

from __future__ import annotations

import copy

import pytest
import torch
import torchvision

from interp.execute.ablation import ablation_effects, replacement
from interp.models.load import load_model
from interp.models.spec import ModelSpec


def _lite0():
    """Float64, so the comparison measures the algorithm, not float32 rounding of the logits."""
    module = load_model(ModelSpec("builtin", "efficientnet_lite0", weights="random")).module
    return copy.deepcopy(module).double(), 96


def _resnet18():
    torch.manual_seed(0)
    model = torchvision.models.get_model("resnet18", weights=None).eval().double()
    for module in model.modules():
        if isinstance(getattr(module, "inplace", None), bool):
            module.inplace = False
    return model, 64


def _loop(model, inputs, layer, atoms, to, patch=None, units=None):
    """The reference: per atom (of `units`, flat indices; None: all), a whole forward
    pass with that atom replaced."""
    module = dict(model.named_modules())[layer]
    seen = {}
    hook = module.register_forward_hook(lambda *a: seen.setdefault("a", a[2].clone()))
    with torch.no_grad():
        original = model(inputs)[0]
    hook.remove()
    activation = seen["a"]
    new = replacement(activation, to, patch)
    channels, *space = activation.shape[1:]
    rows = []
    every = range(channels) if atoms == "channels" else range(space[0] * space[1])
    units = every if units is None else units
    for unit in units:
        changed = activation.clone()
        if atoms == "channels":
            changed[:, unit] = new[:, unit]
        else:
            y, x = divmod(unit, space[1])
            changed[:, :, y, x] = new[:, :, y, x]
        hook = module.register_forward_hook(lambda *_a, c=changed: c)
        with torch.no_grad():
            rows.append(original - model(inputs)[0])
        hook.remove()
    return torch.stack(rows)


def _some(n: int, k: int = 16) -> list[int]:
    """k atoms spread over n (the loop reference is a full forward pass per atom)."""
    return sorted(set(torch.linspace(0, n - 1, k).round().long().tolist()))


CASES = [
    (_lite0, "blocks.2.1.bn1", "channels", "zero"),
    (_lite0, "blocks.4.2.bn1", "spatial", "mean"),
    (_resnet18, "layer3.1.bn2", "channels", "zero"),
    (_resnet18, "layer2", "spatial", "zero"),
    (_resnet18, "layer3.0.conv1", "channels", "mean"),
]


@pytest.mark.parametrize(("build", "layer", "atoms", "to"), CASES)
def test_ablation_equals_a_loop_of_full_forward_passes(build, layer, atoms, to):
    model, size = build()
    torch.manual_seed(2)
    inputs = torch.randn(1, 3, size, size, dtype=torch.float64)
    got = ablation_effects(model, inputs, layer, atoms, to=to, batch=48)
    flat = got.reshape(-1, got.shape[-1])
    units = _some(flat.shape[0])
    want = _loop(model, inputs, layer, atoms, to, units=units)
    assert (flat[units] - want).abs().max() <= 1e-5 * want.abs().max()
    assert want.abs().max() > 0


def test_some_classes_are_the_same_columns():
    model, _ = _resnet18()
    inputs = torch.randn(1, 3, 32, 32, dtype=torch.float64)
    every = ablation_effects(model, inputs, "layer3.1.bn1", "channels")
    some = ablation_effects(model, inputs, "layer3.1.bn1", "channels", classes=[3, 281, 7])
    assert torch.allclose(some, every[:, [3, 281, 7]], atol=1e-6)


def test_patching_equals_the_loop_with_the_other_images_activations():
    model, size = _resnet18()
    torch.manual_seed(3)
    inputs, other = torch.randn(2, 1, 3, size, size, dtype=torch.float64)
    layer = "layer3.0.bn1"
    module = dict(model.named_modules())[layer]
    seen = {}
    hook = module.register_forward_hook(lambda *a: seen.setdefault("a", a[2].clone()))
    with torch.no_grad():
        model(other)
    hook.remove()
    patch = seen["a"]
    for atoms in ("channels", "spatial"):
        got = ablation_effects(model, inputs, layer, atoms, to="input", patch=patch)
        flat = got.reshape(-1, got.shape[-1])
        units = _some(flat.shape[0], 8)
        want = _loop(model, inputs, layer, atoms, "input", patch, units=units)
        assert (flat[units] - want).abs().max() <= 1e-5 * want.abs().max()


class _ToLast(torch.nn.Module):
    def forward(self, x):
        return x.permute(0, 2, 3, 1)


class _ToFirst(torch.nn.Module):
    def forward(self, x):
        return x.permute(0, 3, 1, 2)


def _channels_last_model() -> torch.nn.Module:
    """A ConvNeXt-like block: its LayerNorm "2" outputs (N, H, W, C)."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 6, 3, padding=1),
        _ToLast(),
        torch.nn.LayerNorm(6),
        _ToFirst(),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(6, 3),
    )
    return model.eval()


def test_a_channels_last_layers_channels_are_its_features_for_ablation_and_edits():
    """ConvNeXt/Swin-style layers are (N, H, W, C): `channels[i]` is feature i there, in the
    ablation content and in an edited model alike (an edit once hit the H axis)."""
    from interp.models.edits import _hook, edit_function
    from interp.models.spec import EditSpec

    model = _channels_last_model()
    x = torch.randn(1, 3, 8, 8)
    with torch.no_grad():
        original = model(x)[0]
    effects = ablation_effects(model, x, "2", "channels")
    assert effects.shape == (6, 3)
    for c in range(6):
        hook = model[2].register_forward_hook(
            lambda _m, _i, out, c=c: out.index_fill(3, torch.tensor([c]), 0.0)
        )
        with torch.no_grad():
            ablated = model(x)[0]
        hook.remove()
        torch.testing.assert_close(effects[c], original - ablated, atol=1e-5, rtol=1e-5)
    hook = model[2].register_forward_hook(_hook(edit_function(EditSpec("ablate", "2", (1, 4)))))
    with torch.no_grad():
        edited = model(x)[0]
    hook.remove()
    by_hand = model[2].register_forward_hook(
        lambda _m, _i, out: out.index_fill(3, torch.tensor([1, 4]), 0.0)
    )
    with torch.no_grad():
        want = model(x)[0]
    by_hand.remove()
    torch.testing.assert_close(edited, want)
