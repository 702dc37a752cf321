"""Attribution engine: Captum references, forward == reverse, finite differences, groups, hooks."""

from __future__ import annotations

import pytest
import timm
import torch
import torchvision
from captum import attr as captum
from torch import nn

from interp.execute.attribution import modes
from interp.execute.attribution.core import Atoms, Target, activations, attribute, gradient
from interp.execute.attribution.elementwise import elementwise_modules
from interp.execute.attribution.grad_cam import GradCAM
from interp.execute.attribution.integrated_gradients import IntegratedGradients
from interp.execute.attribution.linear import Linear
from interp.models.hooks import capture, run_until

CLASSES = (1, 5, 7)
SOURCE = "blocks.2.1.bn1"  # 240 x 8 x 8 at a 64 x 64 input
LATER = "blocks.4.2.bn1"  # 672 x 4 x 4


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Small tensors run fastest on one thread (and stay fast on a shared, busy CPU)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def lite0():
    """The real EfficientNet-Lite0 architecture, random weights, float64 for exact comparisons."""
    torch.manual_seed(0)
    model = timm.create_model("tf_efficientnet_lite0", pretrained=False).eval().double()
    model.requires_grad_(False)
    return model


@pytest.fixture(scope="module")
def lite0_f32():
    """The same architecture in float32, parameters requiring grad, as models are usually loaded."""
    torch.manual_seed(0)
    return timm.create_model("tf_efficientnet_lite0", pretrained=False).eval()


@pytest.fixture(scope="module")
def image():
    return torch.randn(
        1, 3, 64, 64, generator=torch.Generator().manual_seed(1), dtype=torch.float64
    )


def module(model: nn.Module, name: str) -> nn.Module:
    return dict(model.named_modules())[name]


def relative(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return float((actual - expected).abs().max() / expected.abs().max().detach())


def assert_no_hooks(model: nn.Module) -> None:
    for name, mod in model.named_modules():
        assert not mod._forward_hooks and not mod._forward_pre_hooks, name


# ---- gradient x activation against Captum ---------------------------------------------


def test_layer_spatial_to_classes_matches_captum(lite0, image):
    """All classes: forward mode, with elementwise modules linearized by their diagonals."""
    ours = attribute(lite0, image, Atoms(LATER, "spatial"), Target(None, "classes"))
    assert ours.shape == (4, 4, 1000)
    reference = captum.LayerGradientXActivation(lite0, module(lite0, LATER))
    for cls in CLASSES:
        expected = reference.attribute(image, target=cls)[0].sum(0)
        assert relative(ours[..., cls], expected) < 1e-5


def test_layer_channels_to_classes_matches_captum(lite0, image):
    """Ten classes: reverse mode, with diagonals; three classes: reverse mode without."""
    many = tuple(range(1, 1000, 100))
    ours = attribute(lite0, image, Atoms(LATER, "channels"), Target(None, "classes", many))
    few = attribute(lite0, image, Atoms(LATER, "channels"), Target(None, "classes", many[:3]))
    assert ours.shape == (672, 10) and few.shape == (672, 3)
    reference = captum.LayerGradientXActivation(lite0, module(lite0, LATER))
    for column, cls in enumerate(many[:3]):
        expected = reference.attribute(image, target=cls)[0].sum((1, 2))
        assert relative(ours[:, column], expected) < 1e-5
        assert relative(few[:, column], expected) < 1e-5


def test_input_spatial_to_class_matches_captum(lite0, image):
    ours = attribute(lite0, image, Atoms(None, "spatial"), Target(None, "classes", (3,)))
    assert ours.shape == (64, 64, 1)
    expected = captum.InputXGradient(lite0).attribute(image, target=3)[0].sum(0)
    assert relative(ours[..., 0], expected) < 1e-5


def test_float32_real_architecture_matches_captum(lite0_f32, image):
    model = lite0_f32
    single = image.float()
    ours = attribute(model, single, Atoms(LATER, "spatial"), Target(None, "classes", (2,)))
    expected = captum.LayerGradientXActivation(model, module(model, LATER)).attribute(
        single, target=2
    )
    assert relative(ours[..., 0], expected[0].sum(0)) < 1e-5


# ---- integrated gradients and Grad-CAM against Captum ----------------------------------


def tail(model: nn.Module, layer: str, image: torch.Tensor):
    """The model as a function of `layer`'s output: Captum's IG then starts from a zero baseline."""

    def forward(activation: torch.Tensor) -> torch.Tensor:
        inputs = image.expand(len(activation), *image.shape[1:])
        with capture(model, [], edits={layer: lambda _output: activation}):
            return run_until(model, inputs)

    return forward


def test_layer_integrated_gradients_match_captum_from_a_zero_activation(lite0, image):
    method = IntegratedGradients(steps=8)
    ours = attribute(
        lite0, image, Atoms(LATER, "spatial"), Target(None, "classes", (4,)), method=method
    )
    activation = activations(lite0, image, [LATER])[LATER][None]
    reference = captum.IntegratedGradients(tail(lite0, LATER, image))
    expected = reference.attribute(activation, target=4, n_steps=8, method="gausslegendre")
    assert relative(ours[..., 0], expected[0].sum(0)) < 1e-5


def test_input_integrated_gradients_match_captum(lite0, image):
    method = IntegratedGradients(steps=6)
    ours = attribute(
        lite0, image, Atoms(None, "channels"), Target(None, "classes", (0,)), method=method
    )
    expected = captum.IntegratedGradients(lite0).attribute(
        image, target=0, n_steps=6, method="gausslegendre"
    )
    assert relative(ours[:, 0], expected[0].sum((1, 2))) < 1e-5


def small_cnn() -> nn.Sequential:
    """Bias-free up to `2`, so a zero image gives a zero activation there (Captum's layer baseline)."""
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, bias=False),
        nn.ReLU(),
        nn.Conv2d(8, 6, 3, bias=False),
        nn.Conv2d(6, 5, 3),
        nn.Tanh(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(5, 4),
    ).double()


def test_integrated_gradients_match_captum_layer_integrated_gradients():
    model, image = small_cnn(), torch.rand(1, 3, 12, 12, dtype=torch.float64)
    ours = attribute(
        model, image, Atoms("2", "neurons"), Target(None, "classes"), method=IntegratedGradients(16)
    )
    reference = captum.LayerIntegratedGradients(model, model[2])
    for cls in range(4):
        expected = reference.attribute(image, target=cls, n_steps=16, method="gausslegendre")
        assert relative(ours[..., cls], expected[0]) < 1e-5


def test_grad_cam_matches_captum(lite0, image):
    classes = Target(None, "classes", CLASSES[:2])
    spatial = attribute(lite0, image, Atoms(LATER, "spatial"), classes, method=GradCAM())
    channels = attribute(lite0, image, Atoms(LATER, "channels"), classes, method=GradCAM())
    reference = captum.LayerGradCam(lite0, module(lite0, LATER))
    for column, cls in enumerate(CLASSES[:2]):
        expected_map = reference.attribute(image, target=cls, relu_attributions=True)[0, 0]
        assert relative(spatial[..., column], expected_map) < 1e-5
        per_channel = reference.attribute(image, target=cls, attr_dim_summation=False)[0]
        assert relative(channels[:, column], per_channel.sum((1, 2))) < 1e-5
    assert (spatial >= 0).all()


# ---- the two modes, finite differences, groups -----------------------------------------


@pytest.mark.parametrize("method", [Linear(), GradCAM(), IntegratedGradients(4)])
def test_forward_mode_equals_reverse_mode(lite0_f32, image, method):
    source, target = Atoms(SOURCE, "spatial"), Target(LATER, "spatial")
    single = image.float()
    forward = attribute(lite0_f32, single, source, target, method=method, mode="forward")
    reverse = attribute(lite0_f32, single, source, target, method=method, mode="reverse")
    assert forward.shape == reverse.shape == (8, 8, 4, 4)
    assert relative(forward, reverse) < 1e-5


def test_chunks_of_points_and_products_add_up(lite0, image):
    generator = torch.Generator().manual_seed(4)
    groups = Atoms(
        LATER,
        "groups",
        directions=torch.rand(3, 672, generator=generator, dtype=torch.float64),
        footprints=torch.rand(3, 4, 4, generator=generator, dtype=torch.float64),
    )
    target, method = Target(None, "classes", (0, 9, 11)), IntegratedGradients(3)
    whole = attribute(lite0, image, groups, target, method=method, mode="reverse")
    for mode in ("forward", "reverse"):
        chunked = attribute(lite0, image, groups, target, method=method, mode=mode, chunk_size=2)
        assert relative(chunked, whole) < 1e-10


def test_attribution_is_the_derivative_along_the_atom(lite0, image):
    """attr[a, t] = d/de target(act + e * mask_a * act) at e = 0, by central differences."""
    activation = activations(lite0, image, [SOURCE])[SOURCE][None]
    ours = attribute(lite0, image, Atoms(SOURCE, "spatial"), Target(LATER, "channels"))
    forward = tail_to(lite0, SOURCE, LATER, image)
    step = 1e-6
    for y, x in [(0, 0), (3, 5), (7, 2)]:
        mask = torch.zeros_like(activation)
        mask[..., y, x] = 1
        direction = mask * activation
        plus = forward(activation + step * direction)
        minus = forward(activation - step * direction)
        numeric = (plus - minus).sum((2, 3))[0] / (2 * step)
        assert relative(ours[y, x], numeric) < 1e-5


def tail_to(model, source, target, image):
    def forward(activation):
        with capture(
            model, [target], edits={source: lambda _o: activation}, stop_after=target
        ) as rec:
            run_until(model, image)
        return rec[target]

    return forward


def test_group_source_and_target_match_brute_force(lite0, image):
    generator = torch.Generator().manual_seed(5)
    directions_in = torch.rand(3, 240, generator=generator, dtype=torch.float64)
    footprints = torch.rand(3, 8, 8, generator=generator, dtype=torch.float64)
    directions_out = torch.randn(2, 672, generator=generator, dtype=torch.float64)
    source = Atoms(SOURCE, "groups", directions=directions_in, footprints=footprints)
    target = Target(LATER, "groups", directions=directions_out)
    for mode in ("forward", "reverse"):
        ours = attribute(lite0, image, source, target, mode=mode)
        assert ours.shape == (3, 2)
        activation = activations(lite0, image, [SOURCE])[SOURCE][None].requires_grad_()
        for j, direction in enumerate(directions_out):
            scalar = torch.einsum(
                "c,nchw->", direction, tail_to(lite0, SOURCE, LATER, image)(activation)
            )
            (grad,) = torch.autograd.grad(scalar, activation)
            for g in range(3):
                component = footprints[g][None] * directions_in[g][:, None, None]
                assert torch.allclose(ours[g, j], (component * grad[0]).sum(), rtol=1e-6)


def test_shared_activation_modules_get_one_diagonal_per_call():
    """torchvision's ResNet blocks call one ReLU module twice; each call has its own derivative."""
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval().double()
    image = torch.rand(1, 3, 24, 24, dtype=torch.float64)
    source, target = Atoms("layer1.0.conv1", "spatial"), Target(None, "classes", (0, 1))
    reverse = attribute(model, image, source, target, mode="reverse")
    forward = attribute(model, image, source, target, mode="forward")
    expected = captum.LayerGradientXActivation(model, model.layer1[0].conv1).attribute(
        image, target=1
    )
    assert relative(reverse[..., 1], expected[0].sum(0)) < 1e-10
    assert relative(forward, reverse) < 1e-10


def test_neurons_and_flat_layers(lite0, image):
    neurons = attribute(lite0, image, Atoms(LATER, "neurons"), Target(None, "classes", (1,)))
    spatial = attribute(lite0, image, Atoms(LATER, "spatial"), Target(None, "classes", (1,)))
    assert neurons.shape == (672, 4, 4, 1)
    assert torch.allclose(neurons.sum(0), spatial)
    flat = attribute(lite0, image, Atoms("global_pool", "channels"), Target(None, "classes", (1,)))
    assert flat.shape == (1280, 1)
    with torch.no_grad():
        logit = lite0(image)[0, 1] - lite0.classifier.bias[1]
    assert torch.allclose(flat.sum(), logit), (
        "the classifier is linear: attributions sum to the logit"
    )


def test_gradient_helper(lite0, image):
    grads = gradient(lite0, image, LATER, Target(None, "classes", (1, 2)))
    assert grads.shape == (2, 672, 4, 4)
    activation = activations(lite0, image, [LATER])[LATER][None].requires_grad_()
    logits = tail(lite0, LATER, image)(activation)
    (expected,) = torch.autograd.grad(logits[0, 2], activation)
    assert relative(grads[1], expected[0]) < 1e-10


def test_activations_take_one_pass_and_stop_early(lite0, image):
    found = activations(lite0, image, [LATER, "blocks.1.0", "output"])
    assert list(found) == [LATER, "blocks.1.0", "output"]
    assert found[LATER].shape == (672, 4, 4) and found["output"].shape == (1000,)
    with torch.no_grad():
        assert torch.allclose(found["output"], lite0(image)[0])
    broken = nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU(), Explode())
    early = activations(broken, torch.rand(1, 3, 4, 4), ["1"])
    assert early["1"].shape == (2, 4, 4)


def test_elementwise_modules_skip_the_source_and_target():
    model = timm.create_model("tf_efficientnet_lite0")
    training = elementwise_modules(model, [])
    assert "bn1.act" in training and "bn1" not in training, "batch statistics mix the batch"
    found = elementwise_modules(model.eval(), [SOURCE, LATER])
    assert "bn1" in found and "blocks.4.2.bn2" in found
    assert SOURCE not in found and LATER not in found
    assert not any(name.endswith(".act") for name in found), "only outermost modules"


def test_mode_choice_counts_products():
    assert modes.choose("auto", sources=196, targets=1000) == "forward"
    assert modes.choose("auto", sources=480, targets=2) == "reverse"
    assert modes.choose("reverse", sources=1, targets=1000) == "reverse"
    with pytest.raises(ValueError):
        modes.choose("sideways", sources=1, targets=1)


# ---- hooks and errors --------------------------------------------------------------------


class Explode(nn.Module):
    def forward(self, x):
        raise RuntimeError("boom")


def test_hooks_are_removed_after_calls_and_errors(lite0, image):
    attribute(lite0, image, Atoms(SOURCE, "spatial"), Target(LATER, "spatial"), mode="forward")
    attribute(lite0, image, Atoms(SOURCE, "spatial"), Target(None, "classes", (1,)))
    assert_no_hooks(lite0)
    broken = nn.Sequential(nn.Conv2d(3, 4, 3), nn.MaxPool2d(2), nn.ReLU(), Explode())
    for mode in ("forward", "reverse"):
        with pytest.raises(RuntimeError, match="boom"):
            attribute(
                broken,
                torch.rand(1, 3, 9, 9),
                Atoms("0", "spatial"),
                Target(None, "classes"),
                maxpool="relaxed",
                mode=mode,
            )
        assert_no_hooks(broken)
    with pytest.raises(ValueError, match="runs before"):
        attribute(lite0, image, Atoms(LATER, "spatial"), Target(SOURCE, "spatial"))
    assert_no_hooks(lite0)


def test_bad_requests_are_errors(lite0, image):
    with pytest.raises(ValueError, match="classes"):
        attribute(lite0, image, Atoms(LATER, "spatial"), Target(None, "spatial"))
    with pytest.raises(ValueError, match="groups"):
        attribute(lite0, image, Atoms(LATER, "groups"), Target(None, "classes", (1,)))
    with pytest.raises(ValueError, match="method"):
        attribute(lite0, image, Atoms(LATER, "spatial"), Target(None, "classes"), method="lrp")


# ---- relaxed max-pooling ----------------------------------------------------------------


def test_relaxed_maxpool_spreads_gradient_by_activation():
    model = nn.Sequential(nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4, 2)).double()
    image = torch.rand(1, 1, 4, 4, dtype=torch.float64) + 0.1
    ours = attribute(
        model, image, Atoms(None, "neurons"), Target(None, "classes"), maxpool="relaxed"
    )
    weight = model[2].weight.detach()
    expected = torch.zeros(1, 4, 4, 2, dtype=torch.float64)
    for y in range(4):
        for x in range(4):
            window = image[0, 0, y // 2 * 2 : y // 2 * 2 + 2, x // 2 * 2 : x // 2 * 2 + 2]
            share = image[0, 0, y, x] / window.sum()
            expected[0, y, x] = image[0, 0, y, x] * share * weight[:, (y // 2) * 2 + x // 2]
    assert torch.allclose(ours, expected, rtol=1e-12)
    default = attribute(model, image, Atoms(None, "neurons"), Target(None, "classes"))
    assert (default != 0).sum() == 8, "an exact max-pool passes gradient to one input per window"
    with torch.no_grad():
        assert torch.equal(model(image), model(image))
    assert_no_hooks(model)


def test_relaxed_maxpool_on_googlenet():
    torch.manual_seed(0)
    model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True).eval()
    image = torch.rand(1, 3, 96, 96)
    source, target = Atoms("inception3a", "spatial"), Target(None, "classes", (0, 1))
    default = attribute(model, image, source, target)
    relaxed = attribute(model, image, source, target, maxpool="relaxed")
    relaxed_forward = attribute(model, image, source, target, maxpool="relaxed", mode="forward")
    assert relative(relaxed, default) > 1e-3
    assert relative(relaxed_forward, relaxed) < 1e-4
    assert_no_hooks(model)
