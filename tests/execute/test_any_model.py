"""Any vision model, any layer (issue 18, DESIGN.md §8): torchvision's zoo with random
weights, at a block, a convolution or norm inside a residual block, a reused module, a
parent with its child read in one pass, and a channels-last or token layer. Every cell
either runs, with attribution equal to Captum's `LayerGradientXActivation` summed over
positions, or is refused by the checker where the layer is written, saying why.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torchvision
from captum.attr import LayerGradientXActivation

import interp
from interp.data.images import ImageSpec, load_image
from interp.errors import InterpError
from interp.execute.attribution.core import Atoms, Target, attribute
from interp.execute.forward import record
from interp.models.load import from_module, layer_table

CLASSES = 10
TARGET = 3


@dataclass(frozen=True)
class Model:
    name: str
    size: int  # the smallest input the model takes, to keep the test fast
    block: str
    inner: str  # a convolution or norm inside a residual block
    reused: str | None  # a module called more than once per pass
    special: str | None = None  # a channels-last or token layer
    layout: str = "(C, H, W)"  # the special layer's layout


ZOO = [
    Model("resnet18", 64, "layer3.1", "layer3.1.bn2", "layer3.1.relu"),
    Model("resnet50", 64, "layer4.2", "layer4.2.bn3", "layer4.2.relu"),
    Model("vgg11_bn", 64, "features", "features.5", None),
    Model("densenet121", 64, "features.denseblock2", "features.denseblock2.denselayer3.norm2", None),
    Model("mobilenet_v3_small", 64, "features.4", "features.4.block.0.1", None),
    Model("efficientnet_b0", 64, "features.3.1", "features.3.1.block.1.1", None),
    Model("googlenet", 64, "inception4a", "inception4a.branch2.1.bn", None),
    Model("regnet_y_400mf", 64, "trunk_output.block3.block3-0", "trunk_output.block3.block3-0.f.b.1", None),
    Model("convnext_tiny", 64, "features.5.3", "features.5.3.block.0", None, "features.5.3.block.3", "(H, W, C)"),
    Model("swin_t", 64, "features.5", "features.5.1.norm1", "features.5.1.stochastic_depth", "features.5.1.mlp", "(H, W, C)"),
    Model("vit_b_16", 224, "encoder.layers.encoder_layer_6", "encoder.layers.encoder_layer_6.ln_2", None, "encoder.layers.encoder_layer_6.mlp", "tokens 14x14 + 1 class"),
]  # fmt: skip
BY_NAME = {model.name: model for model in ZOO}


@functools.lru_cache(maxsize=4)  # the zoo's cells come model by model
def handle_of(name: str):
    extra = dict(aux_logits=False, init_weights=True) if name == "googlenet" else {}
    torch.manual_seed(0)
    module = torchvision.models.get_model(name, weights=None, num_classes=CLASSES, **extra)
    if name == "vit_b_16":  # torchvision starts its head at zero: no gradient would flow
        torch.nn.init.normal_(module.heads.head.weight, std=0.02)
    labels = [f"class {i}" for i in range(CLASSES)]
    size = BY_NAME[name].size
    return from_module(
        module, labels=labels, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
        input_size=size, name=name,
    )  # fmt: skip


def image_of(handle) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    pixels = torch.rand(1, 3, handle.input_size, handle.input_size, generator=generator)
    return handle.normalize(pixels)


def captum_per_channel(handle, layer: str, image: torch.Tensor) -> np.ndarray:
    """Captum's activation x gradient at `layer` for class TARGET, summed over positions
    in the model's own layout (a token layer's class token left out, as the page says)."""
    module = dict(handle.module.named_modules())[layer]
    values = LayerGradientXActivation(handle.module, module).attribute(image, target=TARGET)[0]
    info = next(row for row in layer_table(handle, image) if row.name == layer)
    if info.layout == "(H, W, C)":
        return values.sum((0, 1)).detach().numpy()
    if info.layout.startswith("tokens"):
        prefix = values.shape[0] - info.shape[1] * info.shape[2]
        return values[prefix:].sum(0).detach().numpy()
    return values.sum((1, 2)).detach().numpy()


def ours_per_channel(handle, layer: str, image: torch.Tensor) -> np.ndarray:
    atoms, target = Atoms(layer, "channels"), Target(None, "classes", indices=(TARGET,))
    return attribute(handle.module, image, atoms, target)[:, 0].numpy()


def assert_matches_captum(handle, layer: str) -> None:
    image = image_of(handle)
    ours = ours_per_channel(handle, layer, image)
    theirs = captum_per_channel(handle, layer, image)
    assert ours.shape == theirs.shape
    scale = np.abs(theirs).max()
    assert scale > 0
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4 * scale)


def cells():
    for model in ZOO:
        yield pytest.param(model.name, "block", id=f"{model.name}-block")
        yield pytest.param(model.name, "inner", id=f"{model.name}-inner")
        yield pytest.param(model.name, "parent+child", id=f"{model.name}-parent+child")
        if model.reused:
            yield pytest.param(model.name, "reused", id=f"{model.name}-reused")
        if model.special:
            yield pytest.param(model.name, "special", id=f"{model.name}-{model.layout}")


@pytest.mark.parametrize(("name", "cell"), list(cells()))
def test_zoo_cell_runs_as_captum_or_is_refused_where_written(name, cell):
    model, handle = BY_NAME[name], handle_of(name)
    if cell == "block":
        assert_matches_captum(handle, model.block)
    elif cell == "inner":
        assert_matches_captum(handle, model.inner)
    elif cell == "special":
        info = next(row for row in layer_table(handle) if row.name == model.special)
        assert info.layout == model.layout and len(info.shape) == 3
        assert_matches_captum(handle, model.special)
    elif cell == "parent+child":
        assert_parent_and_child_read_in_one_pass(handle, model.block, model.inner)
    else:
        assert_refused_with_its_calls(handle, model.reused)


def assert_parent_and_child_read_in_one_pass(handle, parent: str, child: str) -> None:
    """A pass recording a block and a module inside it runs until the block finished, and
    records each as a pass of its own would (no in-place change after the child)."""
    image = image_of(handle)
    both = record(handle.module, image, [child, parent], logits=False)
    for layer in (child, parent):
        alone = record(handle.module, image, [layer], logits=False)
        np.testing.assert_array_equal(both.activations[layer], alone.activations[layer])
    reference = {}

    def keep(name: str):
        def hook(_module, _inputs, output) -> None:  # returns None: the output goes on as is
            reference[name] = output.detach().clone()

        return hook

    modules = dict(handle.module.named_modules())
    hooks = [modules[n].register_forward_hook(keep(n)) for n in (child, parent)]
    try:
        with torch.no_grad():
            handle.module(image)
    finally:
        for hook in hooks:
            hook.remove()
    table = {row.name: row for row in layer_table(handle, image)}
    for layer in (child, parent):
        expected = reference[layer][0]
        if table[layer].layout == "(H, W, C)":
            expected = expected.permute(2, 0, 1)
        if table[layer].layout.startswith("tokens"):
            side = table[layer].shape[1]
            expected = expected[-side * side :].T.reshape(-1, side, side)
        scale = float(expected.abs().max())
        np.testing.assert_allclose(both.activations[layer], expected.numpy(), atol=1e-5 * scale)


def assert_refused_with_its_calls(handle, layer: str) -> None:
    text = (
        'interface z {\n  model mine\n  input sample("chelsea")\n'
        f'  element e = activations(layer("{layer}").channels) | top(3) as bars\n}}\n'
    )
    with pytest.raises(InterpError) as caught:
        interp.check(text, models={"mine": handle})
    (diagnostic,) = caught.value.diagnostics
    assert re.search(rf"layer {layer!r} runs [23] times in one forward pass", diagnostic.message)
    assert "call 1 after" in diagnostic.message and "call 2 after" in diagnostic.message
    line = text.splitlines()[3]
    assert (diagnostic.span.line, diagnostic.span.column) == (4, line.index("layer(") + 1)


def test_resnet_bn2_spatial_attribution_runs_where_the_block_adds_in_place():
    """`out += identity` right after `bn2`: `.spatial` attribution (a leaf made of the
    captured output) equals activation x gradient summed over channels."""
    handle, layer = handle_of("resnet18"), "layer3.1.bn2"
    image = image_of(handle)
    ours = attribute(
        handle.module, image, Atoms(layer, "spatial"), Target(None, "classes", (TARGET,))
    )[..., 0]
    module = dict(handle.module.named_modules())[layer]
    theirs = LayerGradientXActivation(handle.module, module).attribute(image, target=TARGET)[0]
    expected = theirs.sum(0).detach().numpy()
    np.testing.assert_allclose(ours.numpy(), expected, atol=1e-4 * np.abs(expected).max())


@pytest.mark.parametrize("layer", ["conv_proj", "encoder.layers.encoder_layer_0"])
def test_a_vit_takes_its_one_input_size_and_icons_keep_their_own(layer):
    """torchvision's ViT refuses any side but 224: icons optimized at 32 px are resized to
    it before the model sees them, and come back at 32 px."""
    from interp.execute.feature_vis import Objective, visualize
    from interp.models.input_size import fixed_size

    handle = handle_of("vit_b_16")
    assert fixed_size(handle) == 224
    (icon,) = visualize(handle, [Objective(layer, "channel", channel=5)], size=32, steps=2)
    assert icon.shape == (32, 32, 3) and icon.std() > 0


def test_interp_layers_shows_each_layout(capsys):
    from types import SimpleNamespace

    import interp.commands.layers as command

    handle = handle_of("swin_t")
    command_args = SimpleNamespace(model="mine", all=False)
    from interp.check import models as check_models
    from interp.models import load

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check_models, "parse_model_ref", lambda _text: handle.spec)
        patch.setattr(load, "load_model", lambda _spec: handle)
        command.layers_command(command_args)
    lines = capsys.readouterr().out.splitlines()
    assert "layout" in lines[0]
    row = next(line for line in lines if line.startswith("features.5.1.norm1 "))
    assert "(384, 4, 4)" in row and "(H, W, C)" in row
    reused = next(line for line in lines if line.startswith("features.5.1.stochastic_depth "))
    assert "runs 2x" in reused


def test_a_resnet_page_reads_a_block_and_its_bn2_and_names_the_architecture(tmp_path):
    """Through the whole pipeline: a block and the norm inside it in one interface (the pass
    runs until the block finished), attribution at the norm the block adds to in place,
    and a header that says what `mine` is."""
    text = (
        'interface r "A ResNet block" {\n  model mine\n  input sample("chelsea")\n'
        '  let b = layer("layer3.1.bn2")\n  let p = layer("layer3.1")\n'
        "  element block = activations(p.spatial) as heatmap(over=input)\n"
        '  element norm = attribution(b.spatial -> output["class 3"]) as heatmap(over=input)\n}\n'
    )
    handle = handle_of("resnet18")
    result = interp.run(text, models={"mine": handle}, device="cpu", cache=None)
    assert result.pages[0].model == "mine (ResNet, 64x64 input)"
    assert result.array("block").shape == (256, 4, 4)
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    expected = captum_per_position(handle, "layer3.1.bn2", image)
    np.testing.assert_allclose(result.array("norm").values[..., 0], expected, rtol=1e-5, atol=1e-6)


def captum_per_position(handle, layer: str, image: torch.Tensor) -> np.ndarray:
    module = dict(handle.module.named_modules())[layer]
    values = LayerGradientXActivation(handle.module, module).attribute(image, target=TARGET)[0]
    return values.sum(0).detach().numpy()


def test_attribution_from_a_block_to_a_module_inside_it_is_refused_where_written():
    text = (
        'interface z {\n  model mine\n  input sample("chelsea")\n'
        '  element e = attribution(layer("layer3.1").channels -> layer("layer3.1.bn2").channels)\n'
        "              | select(channel=0)\n              as bars\n}\n"
    )
    with pytest.raises(InterpError) as caught:
        interp.check(text, models={"mine": handle_of("resnet18")})
    (diagnostic,) = caught.value.diagnostics
    assert (
        "'layer3.1.bn2' finishes before layer 'layer3.1' (it runs inside it)" in diagnostic.message
    )
    line = text.splitlines()[3]
    assert (diagnostic.span.line, diagnostic.span.column) == (
        4,
        line.index('layer("layer3.1.bn2")') + 1,
    )


def test_the_vit_gallery_page_checks_against_its_model_and_its_head_is_not_zero():
    """specs/vit.interp binds to torchvision's ViT with random weights, whose head
    torchvision starts at zero: random weights give it a random head, or every
    attribution to a class would be blank."""
    from gallery import spec_path

    from interp.models.load import load_model
    from interp.models.spec import ModelSpec

    program = interp.check(spec_path("vit"))
    assert program.interfaces[0].model.name == "vit_b_16"
    handle = load_model(ModelSpec("torchvision", "vit_b_16", weights="random"))
    assert handle.module.heads.head.weight.abs().sum() > 0


def test_a_vit_page_attributes_its_patch_grid_and_says_the_class_token_is_left_out():
    layer = "encoder.layers.encoder_layer_6"
    text = (
        'interface v {\n  model mine\n  input sample("chelsea")\n'
        f'  element where = attribution(layer("{layer}").spatial -> output["class 3"])\n'
        "                as heatmap(over=input)\n}\n"
    )
    handle = handle_of("vit_b_16")
    result = interp.run(text, models={"mine": handle}, device="cpu", cache=None)
    assert result.pages[0].model == (
        "mine (VisionTransformer, 224x224 input); "
        "tokens read as their patch grid, class tokens left out"
    )
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    module = dict(handle.module.named_modules())[layer]
    values = LayerGradientXActivation(handle.module, module).attribute(image, target=TARGET)[0]
    expected = values[1:].sum(1).reshape(14, 14).detach().numpy()  # patch tokens, row-major
    ours = result.array("where").values[..., 0]
    np.testing.assert_allclose(ours, expected, atol=1e-4 * np.abs(expected).max())
