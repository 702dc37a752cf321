"""weights(A -> B): the kernel of a directly connected convolution, and the expanded weights
against an autograd reference on a copy of the model with its activations the identity."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pytest
import timm
import torch
import torchvision
from torch import nn

import interp
from interp.errors import InterpError
from interp.execute.weights import connect, expanded, kernel
from interp.models.flow import layer_graph
from interp.syntax import parse


@dataclass(frozen=True, eq=False)
class Handle:
    """What `connect` reads of a loaded model (hashed by identity, like ModelHandle)."""

    module: nn.Module
    input_size: int
    device: str = "cpu"


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny() -> nn.Sequential:
    """conv → bn → relu → grouped conv → relu6 → conv (layers "0" to "5")."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1, groups=2),
        nn.ReLU6(),
        nn.Conv2d(6, 5, 3, padding=1),
    )
    with torch.no_grad():  # batch norm statistics other than 0/1, so its scale matters
        model[1].running_mean.uniform_(-1, 1)
        model[1].running_var.uniform_(0.5, 2)
        model[1].weight.uniform_(0.5, 2)
        model[1].bias.uniform_(-1, 1)
    return model.eval()


def identity_copy(module: nn.Module) -> nn.Module:
    """The reference's model: a deep copy with every activation module replaced by identity."""
    module = copy.deepcopy(module)
    for parent in list(module.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, (nn.ReLU, nn.ReLU6, nn.SiLU, nn.GELU, nn.Hardswish)):
                setattr(parent, name, nn.Identity())
    return module


def reference(block: nn.Module, shape: tuple[int, ...], targets: list[int]) -> np.ndarray:
    """d block(x)[t, centre] / d x for each target `t`, by plain autograd on the whole
    grid, cropped to where any is non-zero: `(channels of x, targets, ky, kx)`."""
    rows = []
    for t in targets:
        x = torch.zeros(1, *shape, requires_grad=True)
        y = block(x)
        y[0, t, y.shape[2] // 2, y.shape[3] // 2].backward()
        rows.append(x.grad[0].numpy())
    grads = np.stack(rows, axis=1)  # (C, T, H, W)
    ys, xs = np.nonzero(np.abs(grads).sum((0, 1)) > 0)
    assert len(ys), "the reference map is empty"
    crop = grads[:, :, ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return crop


def test_a_convolution_reading_the_source_directly_gives_its_kernel_dense_over_groups():
    model = tiny()
    handle = Handle(model, 16)
    assert layer_graph(handle).direct("2", "3")
    found = connect(handle, "2", "3", None)
    assert found.how.startswith("the kernel of 3 (3×3, groups=2")
    weight = model[3].weight.detach().numpy()  # (6, 2, 3, 3)
    assert found.values.shape == (4, 6, 3, 3)
    for b in range(6):
        first = (b // 3) * 2
        np.testing.assert_array_equal(found.values[first : first + 2, b], weight[b])
        others = [a for a in range(4) if a not in (first, first + 1)]
        assert not found.values[others, b].any()  # pairs the groups do not connect are 0


def test_expanded_weights_equal_the_kernel_across_an_activation():
    model = tiny()
    handle = Handle(model, 16)
    assert not layer_graph(handle).direct("1", "3")  # the ReLU lies between
    through = expanded(handle, "1", "3", (0, 4))
    direct = kernel(model[3], "3", (0, 4))
    np.testing.assert_allclose(through.values, direct.values, atol=1e-6)
    assert "ReLU ×1 taken as the identity" in through.how


def test_expanded_weights_through_bn_and_activations_match_autograd():
    model = tiny()
    found = connect(Handle(model, 16), "0", "5", None)
    # from "0"'s output to "5"'s: bn (scale kept), relu, grouped conv, relu6, conv
    block = identity_copy(model[1:6])
    want = reference(block, (4, 16, 16), list(range(5)))
    assert found.values.shape == want.shape == (4, 5, 5, 5)
    np.testing.assert_allclose(found.values, want, atol=1e-5)
    assert "ReLU ×1" in found.how and "ReLU6 ×1" in found.how


def test_expanded_weights_across_a_residual_add_match_autograd_on_resnet18():
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    targets = [0, 5, 63]
    found = connect(Handle(model, 64), "layer1.0", "layer1.1", tuple(targets))
    want = reference(identity_copy(model.layer1[1]), (64, 16, 16), targets)
    assert found.values.shape == want.shape == (64, 3, 5, 5)
    np.testing.assert_allclose(found.values, want, atol=1e-5)
    centre = found.values[:, :, 2, 2]
    assert abs(centre[5, 1] - want[5, 1, 2, 2]) < 1e-5  # the identity path: its own channel


def test_expanded_weights_across_depthwise_pointwise_bn_and_a_residual_add_on_lite0():
    torch.manual_seed(0)
    model = timm.create_model("tf_efficientnet_lite0", pretrained=False).eval()
    targets = [1, 100]
    # blocks.5.2 = blocks.5.1 + pwl(bn(dw5x5(bn(pw(blocks.5.1))))): 192 x 7 x 7 at 224
    found = connect(Handle(model, 224), "blocks.5.1", "blocks.5.2", tuple(targets))
    want = reference(identity_copy(model.blocks[5][2]), (192, 7, 7), targets)
    assert found.values.shape == want.shape == (192, 2, 5, 5)
    np.testing.assert_allclose(found.values, want, atol=1e-5)
    assert "ReLU6 ×2" in found.how

    # a real directly connected pair: the depthwise convolution reads bn1 (its ReLU6 inside)
    graph = layer_graph(Handle(model, 224))
    assert graph.direct("blocks.5.3.bn1", "blocks.5.3.conv_dw")
    assert not graph.direct("blocks.5.3.conv_pw", "blocks.5.3.conv_dw")
    dw = connect(Handle(model, 224), "blocks.5.3.bn1", "blocks.5.3.conv_dw", (3,))
    weight = model.blocks[5][3].conv_dw.weight.detach().numpy()
    np.testing.assert_array_equal(dw.values[3, 0], weight[3, 0])
    assert not np.delete(dw.values[:, 0], 3, axis=0).any()  # depthwise: its own channel only


def test_the_layer_graph_knows_what_feeds_what():
    torch.manual_seed(0)
    graph = layer_graph(Handle(torchvision.models.resnet18(weights=None).eval(), 64))
    assert graph.direct("layer1.0.relu", "layer1.0.conv2")
    assert graph.direct("layer1.0", "layer1.1.conv1")
    assert graph.upstream("layer1.0.bn2", "layer2.0.conv1")  # through the residual add
    assert not graph.upstream("layer2.0.conv1", "layer1.0.bn2")
    assert graph.same_output("layer1.1", "layer1") and not graph.upstream("layer1.1", "layer1")


class Gated(nn.Module):
    """x * sigmoid(conv(x)): not linear once the sigmoid is the identity."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        return x * self.gate(self.conv(x))


def test_a_path_that_stays_non_linear_is_refused():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), Gated(), nn.Conv2d(4, 2, 3, padding=1))
    with pytest.raises(InterpError, match="not linear even with its activations"):
        connect(Handle(model.eval(), 16), "0", "2", None)


def test_interp_check_refuses_a_non_linear_path_before_any_work():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        Gated(),
        nn.Conv2d(4, 2, 3, padding=1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    ).eval()
    models = {
        "gated": interp.from_module(
            model, labels=["a", "b"], mean=(0.5,) * 3, std=(0.5,) * 3, input_size=16
        )
    }
    spec = """interface g {
  model gated
  input sample("chelsea")
  element w = weights(layer("0").channels -> layer("2").channels) | select(tchannel=1) as kernels
}
"""
    with pytest.raises(InterpError) as raised:
        interp.check(parse(spec), models=models)
    text = raised.value.render()
    assert "not linear even with its activations taken as the identity" in text
    assert "^^^" in text and "squeeze-excitation" in text


def test_conv_after_conv_is_the_kernel_and_the_expanded_map_agrees():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(4, 3, 5, padding=2)).eval()
    handle = Handle(model, 16)
    found = connect(handle, "0", "1", None)
    assert found.how.startswith("the kernel of 1 (5×5)")
    np.testing.assert_array_equal(
        found.values, model[1].weight.detach().numpy().transpose(1, 0, 2, 3)
    )
    np.testing.assert_allclose(expanded(handle, "0", "1", None).values, found.values, atol=1e-6)


def test_max_pools_become_average_pools_and_the_page_says_so():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(), nn.Conv2d(4, 2, 3, padding=1)
    ).eval()
    found = connect(Handle(model, 16), "0", "3", None)
    reference_model = copy.deepcopy(model)
    reference_model[1], reference_model[2] = nn.AvgPool2d(2), nn.Identity()
    want = reference(reference_model[1:4], (4, 16, 16), [0, 1])
    np.testing.assert_allclose(found.values, want, atol=1e-6)
    assert "ReLU ×1 taken as the identity, max pool ×1 as average pools" in found.how


def test_layers_on_separate_branches_are_refused_with_a_pointer_to_interp_layers():
    from interp.check.facts import ModelFacts

    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    graph = layer_graph(Handle(model, 64))
    names = tuple(n for n, _ in model.named_modules() if n)
    facts = ModelFacts("resnet18", names, {}, (), (), 64, flow=lambda: graph)
    message, hint = facts.not_upstream("layer2.0.downsample.0", "layer2.0.conv1")
    assert "does not feed 'layer2.0.conv1'" in message and "interp layers resnet18" in hint
    message, hint = facts.not_upstream("layer2.0.conv1", "layer1.0.conv1")
    assert "comes after" in message and hint.startswith("swap the sides")
    assert facts.not_upstream("layer1.0.conv1", "layer2.0.bn2") is None


def test_a_field_cut_by_the_border_is_computed_on_a_larger_input():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 2, 3, padding=1),
        nn.Conv2d(2, 2, 7, padding=3),
        nn.ReLU(),
        nn.Conv2d(2, 2, 7, padding=3),
    ).eval()
    # at 8 x 8 the 13 x 13 field of "3"'s centre is cut by the border; at 16 x 16 it is whole
    found = connect(Handle(model, 8), "0", "3", None)
    want = reference(identity_copy(model[1:4]), (2, 16, 16), [0, 1])
    assert found.values.shape == want.shape == (2, 2, 13, 13)
    np.testing.assert_allclose(found.values, want, atol=1e-5)
    assert "cut by" not in found.how
