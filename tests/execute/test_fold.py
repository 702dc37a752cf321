"""Batch norms folded into convolutions for the optimizer: same values, fewer passes."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from interp.execute.feature_vis.fold import folded_copy
from interp.execute.feature_vis.norms import affine_batch_norm
from interp.execute.feature_vis.optimize import prepared
from interp.models.hooks import capture, run_until
from interp.models.load import ModelSpec, load_model

LAYERS = ["blocks.1.0.bn1", "blocks.2.1.conv_pw", "blocks.4.2.bn1", "bn2", ""]


@pytest.fixture(scope="module")
def lite0():
    return load_model(ModelSpec("builtin", "efficientnet_lite0"))


def pixels(batch: int, size: int, seed: int = 1) -> torch.Tensor:
    return torch.rand(batch, 3, size, size, generator=torch.Generator().manual_seed(seed))


def activations(module: nn.Module, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
    with torch.no_grad(), capture(module, LAYERS) as seen:
        run_until(module, inputs)
    return dict(seen.outputs)


def test_every_batch_norm_of_lite0_folds_and_every_layer_keeps_its_values(lite0):
    state = {k: v.clone() for k, v in lite0.module.state_dict().items()}
    cpu = torch.device("cpu")
    norms = [n for n, m in lite0.module.named_modules() if isinstance(m, nn.BatchNorm2d)]
    inputs = lite0.normalize(pixels(3, 96))  # another batch and size than the probe's
    expected = activations(lite0.module, inputs)
    with prepared(lite0.module, lite0.normalize, cpu, size=64, keep={"blocks.2.1.conv_pw"}) as fast:
        actual = activations(fast, inputs.contiguous(memory_format=torch.channels_last))
    folded = folded_copy(lite0.module, inputs[:1], keep={"blocks.2.1.conv_pw"})
    pairs = folded.pairs
    assert {norm for _, norm in pairs} == set(norms) - {"blocks.2.1.bn1"}
    assert "blocks.2.1.conv_pw" not in {conv for conv, _ in pairs}
    for layer in LAYERS:  # the kept conv's own output too
        torch.testing.assert_close(actual[layer], expected[layer], rtol=1e-4, atol=2e-4)
    after = lite0.module.state_dict()
    assert all(torch.equal(after[k], v) for k, v in state.items())  # the caller's model untouched


class Chain(nn.Module):
    """conv -> norm -> ReLU -> conv -> norm -> ReLU6."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.norm = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.other = nn.Conv2d(4, 4, 1)
        self.other_norm = nn.BatchNorm2d(4)
        self.relu6 = nn.ReLU6()

    def forward(self, x):
        return self.relu6(self.other_norm(self.other(self.relu(self.norm(self.conv(x))))))


class Shared(Chain):
    """The first conv's output feeds its batch norm and, unnormalized, the sum after it."""

    def forward(self, x):
        y = self.conv(x)
        z = self.norm(y) + y
        return self.relu6(self.other_norm(self.other(self.relu(z))))


def test_a_conv_read_elsewhere_is_not_folded_and_values_stay():
    torch.manual_seed(0)
    model = Shared()
    chain = Chain()
    chain.load_state_dict(model.state_dict())
    for norm in (model.norm, model.other_norm):
        norm.running_mean.uniform_(-1, 1)
        norm.running_var.uniform_(0.5, 2)
        norm.weight.data.uniform_(0.5, 2)
        norm.bias.data.uniform_(-1, 1)
    model.eval()
    chain.load_state_dict(model.state_dict())
    chain.eval()
    probe = pixels(2, 16)
    folded = folded_copy(model, probe)
    # `conv` feeds the sum as well, so folding it would change the sum: the check refuses,
    # and the model is used unfolded (all or nothing).
    assert folded.pairs == ()
    with torch.no_grad():
        torch.testing.assert_close(folded.module(probe), model(probe))

    both = folded_copy(chain, probe)
    assert both.pairs == (("conv", "norm"), ("other", "other_norm"))
    assert both.module.conv.bias is not None and chain.conv.bias is None
    assert both.fused == (("conv", "relu", ("norm",)), ("other", "relu6", ("other_norm",)))
    with torch.no_grad():
        torch.testing.assert_close(both.module(probe), chain(probe), rtol=1e-5, atol=1e-5)


def test_fused_convolutions_give_the_model_s_values_and_input_gradients(lite0):
    """Batch norms folded, ReLU6 applied by the convolutions: same objective, same gradient."""
    cpu = torch.device("cpu")
    x = lite0.normalize(pixels(2, 64, seed=3)).contiguous(memory_format=torch.channels_last)

    def objective_and_gradient(module):
        start = x.clone().requires_grad_()
        with capture(module, ["blocks.4.2.bn1"], stop_after="blocks.4.2.bn1") as seen:
            run_until(module, start)
        value = seen["blocks.4.2.bn1"][:, 5:40].mean()
        return value.detach(), torch.autograd.grad(value, [start])[0]

    expected = objective_and_gradient(lite0.module.eval())
    with prepared(lite0.module, lite0.normalize, cpu, size=64, keep={"blocks.4.2.bn1"}) as fast:
        fused = [n for n, m in fast.named_modules() if "forward" in m.__dict__]
        actual = objective_and_gradient(fast)
    assert len(fused) > 40  # each fused convolution and its activation
    assert {"conv_stem", "blocks.1.0.conv_dw", "blocks.3.0.conv_dw"} <= set(fused)  # "same"-padded
    assert "blocks.4.2.bn1.act" not in fused  # the objective's own ReLU6 keeps its redirection
    torch.testing.assert_close(actual[0], expected[0], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(actual[1], expected[1], rtol=1e-3, atol=1e-7)


class Residual(nn.Module):
    """A stem (conv, norm, ReLU), then torchvision's BasicBlock (one ReLU module called twice,
    the second time on a conv's output changed in place: `out += x`), then a conv whose
    output is changed in place before a ReLU of its own."""

    def __init__(self):
        super().__init__()
        self.stem, self.stem_norm = nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4)
        self.stem_relu = nn.ReLU()
        self.conv1, self.bn1 = nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4)
        self.conv2, self.bn2 = nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4)
        self.relu = nn.ReLU(inplace=True)
        self.conv3, self.bn3 = nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4)
        self.out_relu = nn.ReLU6()

    def forward(self, x):
        x = self.stem_relu(self.stem_norm(self.stem(x)))
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x
        out = self.relu(out)
        y = self.bn3(self.conv3(out))
        y += out
        return self.out_relu(y)


def test_a_shared_or_changed_activation_input_is_not_fused_and_gradients_stay():
    torch.manual_seed(0)
    model = Residual()
    for norm in (model.stem_norm, model.bn1, model.bn2, model.bn3):
        norm.running_mean.uniform_(-1, 1)
        norm.running_var.uniform_(0.5, 2)
    model.eval()
    probe = pixels(2, 16)
    folded = folded_copy(model, probe)
    assert {conv for conv, _ in folded.pairs} == {"stem", "conv1", "conv2", "conv3"}
    # `relu` runs twice; `out_relu` reads conv3's output after `y += out`: only the stem fuses
    assert folded.fused == (("stem", "stem_relu", ("stem_norm",)),)

    def gradient(module):
        start = pixels(2, 16, seed=4).requires_grad_()
        with affine_batch_norm(skip=folded.skipped()):
            value = module(start).square().mean()
        return value.detach(), torch.autograd.grad(value, [start])[0]

    expected, actual = gradient(model), gradient(folded.module)
    torch.testing.assert_close(actual[0], expected[0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(actual[1], expected[1], rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("size", [15, 16, 17, 30])
def test_a_same_padded_convolution_fuses_with_its_activation_at_any_input_size(size):
    """timm's TensorFlow-style "same" padding depends on the input's size (odd sides pad
    evenly, even ones one more on the bottom and right): the fused convolution pads as it
    does, on inputs of other sizes than the probe's too, with the same input gradient."""
    from timm.layers import Conv2dSame

    torch.manual_seed(0)
    model = nn.Sequential(
        Conv2dSame(3, 4, 3, stride=2),
        nn.ReLU6(),
        Conv2dSame(4, 4, 5, stride=2, groups=4),
        nn.ReLU(),
    ).eval()
    folded = folded_copy(model, pixels(2, 16))
    assert [(conv, act) for conv, act, _ in folded.fused] == [("0", "1"), ("2", "3")]

    def value_and_gradient(module):
        start = pixels(2, size, seed=5).contiguous(memory_format=torch.channels_last)
        start.requires_grad_()
        value = module(start)
        return value.detach(), torch.autograd.grad((value * value.detach()).sum(), [start])[0]

    expected, actual = value_and_gradient(model), value_and_gradient(folded.module)
    torch.testing.assert_close(actual[0], expected[0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(actual[1], expected[1], rtol=1e-4, atol=1e-7)
