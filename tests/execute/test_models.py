"""Model loading: the builtin's accuracy, random weights, local files, clear errors, layer tables."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from tiny import tiny_classifier

from interp.data.images import ImageSpec, load_image
from interp.errors import InterpError, Span
from interp.models import load as models
from interp.models.load import (
    LayerInfo,
    ModelSpec,
    from_module,
    imagenet_labels,
    layer_table,
    load_model,
    nonnegative_layers,
)

LITE0 = ModelSpec("builtin", "efficientnet_lite0")


@pytest.fixture(scope="module")
def lite0():
    return load_model(LITE0)


@pytest.fixture(scope="module")
def chelsea():
    return load_image(ImageSpec("sample", "chelsea"))


def logits(handle, image):
    with torch.no_grad():
        return handle.module(handle.preprocess(image))[0]


def test_builtin_sees_an_egyptian_cat_in_chelsea(lite0, chelsea):
    probabilities = logits(lite0, chelsea).softmax(-1)
    top = int(probabilities.argmax())
    assert lite0.labels[top] == "Egyptian cat"
    assert 0.75 <= float(probabilities[top]) <= 0.85


def test_handle_is_frozen_and_describes_its_input(lite0, chelsea):
    assert not lite0.module.training
    assert not any(p.requires_grad for p in lite0.module.parameters())
    assert len(lite0.labels) == 1000 and lite0.labels == imagenet_labels()
    assert lite0.input_size == 224 and lite0.device == "cpu"
    assert lite0.crop(chelsea).shape == (224, 224, 3)
    assert lite0.crop(chelsea).dtype == np.uint8
    assert lite0.preprocess(chelsea).shape == (1, 3, 224, 224)
    x01 = torch.rand(2, 3, 8, 8)
    torch.testing.assert_close(lite0.normalize(x01), x01 * 2 - 1)
    assert "blocks.4.2.bn1" in lite0.layer_names() and "" not in lite0.layer_names()


def test_loads_are_cached_per_spec_and_device(lite0):
    assert load_model(LITE0) is lite0
    assert load_model(LITE0, device=torch.device("cpu")) is lite0


def test_random_weights_are_deterministic_per_seed_and_leave_global_rng_alone(lite0):
    build = models._load_cached.__wrapped__  # bypass the process cache to really rebuild
    state = torch.random.get_rng_state()
    first = build(ModelSpec("builtin", "efficientnet_lite0", "random", seed=0), "cpu", None)
    assert torch.equal(torch.random.get_rng_state(), state)
    again = build(ModelSpec("builtin", "efficientnet_lite0", "random", seed=0), "cpu", None)
    other = build(ModelSpec("builtin", "efficientnet_lite0", "random", seed=1), "cpu", None)
    assert first.fingerprint == again.fingerprint != other.fingerprint
    assert first.fingerprint != lite0.fingerprint
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        outputs = [handle.module(x)[0] for handle in (first, again, other, lite0)]
    torch.testing.assert_close(outputs[0], outputs[1])
    assert not torch.allclose(outputs[0], outputs[2])
    assert not torch.allclose(outputs[0], outputs[3])


def test_missing_weights_file_names_the_path(tmp_path):
    path = tmp_path / "missing.pth"
    for source, name in [("builtin", "efficientnet_lite0"), ("torchvision", "googlenet")]:
        with pytest.raises(InterpError) as caught:
            load_model(ModelSpec(source, name, str(path)))
        assert str(path) in caught.value.diagnostics[0].message
        assert "nothing is downloaded" in caught.value.diagnostics[0].hint


def test_errors_carry_the_callers_span(tmp_path):
    span = Span("spec.interp", 3, 9, 3, 20)
    with pytest.raises(InterpError) as caught:
        load_model(ModelSpec("torchvision", "googlenett", "random"), span=span)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span == span
    assert "'googlenet'" in diagnostic.hint


def test_unknown_names_suggest_close_ones():
    with pytest.raises(InterpError) as caught:
        load_model(ModelSpec("builtin", "efficientnet_lite"))
    assert "'efficientnet_lite0'" in caught.value.diagnostics[0].hint
    with pytest.raises(InterpError) as caught:
        load_model(ModelSpec("timm", "resnet181", "random"))
    assert "'resnet18'" in caught.value.diagnostics[0].hint


def test_torchvision_and_timm_need_explicit_weights():
    with pytest.raises(InterpError, match="needs weights"):
        load_model(ModelSpec("torchvision", "resnet18"))


def test_torchvision_googlenet_from_a_local_file(tmp_path, chelsea):
    trained = torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=False)
    path = tmp_path / "googlenet.pth"
    torch.save(trained.state_dict(), path)  # includes aux heads; the loader drops them
    handle = load_model(ModelSpec("torchvision", "googlenet", str(path)))
    assert handle.fit == "crop" and handle.mean == models.IMAGENET_MEAN
    assert handle.module.conv1.conv.weight.data_ptr() != trained.conv1.conv.weight.data_ptr()
    torch.testing.assert_close(handle.module.conv1.conv.weight, trained.conv1.conv.weight)
    table = {info.name: info for info in layer_table(handle, handle.preprocess(chelsea))}
    assert table["inception4d"].shape == (528, 14, 14) and table["inception4d"].nonnegative
    assert table["fc"].shape == (1000,)


def test_timm_file_round_trips_and_misfits_are_user_errors(tmp_path):
    random = load_model(ModelSpec("timm", "resnet18", "random", seed=3))
    path = tmp_path / "resnet18.pth"
    torch.save(random.module.state_dict(), path)
    loaded = load_model(ModelSpec("timm", "resnet18", str(path)))
    assert loaded.fingerprint == random.fingerprint
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(loaded.module(x), random.module(x))

    bad = tmp_path / "bad.pth"
    torch.save({"fc.weight": torch.zeros(3, 3)}, bad)
    with pytest.raises(InterpError, match="does not fit") as caught:
        load_model(ModelSpec("timm", "resnet18", str(bad)))
    assert "fc.weight" in caught.value.diagnostics[0].hint
    with pytest.raises(InterpError, match="has 1 tensors"):
        load_model(ModelSpec("builtin", "efficientnet_lite0", str(bad)))

    pickled = tmp_path / "module.pth"
    torch.save(torch.nn.Linear(2, 2), pickled)
    with pytest.raises(InterpError, match="cannot read weights file"):
        load_model(ModelSpec("timm", "resnet18", str(pickled)))


def test_layer_table_of_the_builtin(lite0):
    table = {info.name: info for info in layer_table(lite0)}
    assert table["blocks.4.2.bn1"] == LayerInfo("blocks.4.2.bn1", (672, 14, 14), True)
    assert table["blocks.4.2.bn2"] == LayerInfo("blocks.4.2.bn2", (672, 14, 14), True)
    assert table["blocks.4.2"] == LayerInfo("blocks.4.2", (112, 14, 14), False)
    assert table["blocks.3.0.bn1"].shape == (240, 28, 28)
    assert table["classifier"] == LayerInfo("classifier", (1000,), False)
    assert "blocks.4.2.se" not in table  # identities are aliases, not layers
    nonnegative = nonnegative_layers(lite0)
    assert "blocks.4.2.bn1" in nonnegative and "bn2" in nonnegative
    assert "blocks.4.2" not in nonnegative and "global_pool" not in nonnegative


def test_layer_table_leaves_no_hooks_behind(lite0):
    table = layer_table(lite0, torch.zeros(1, 3, 64, 64))
    assert {info.name: info.shape for info in table}["blocks.4.2.bn1"] == (672, 4, 4)
    for module in lite0.module.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks


def test_from_module_wraps_any_classifier(chelsea):
    module = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.ReLU(inplace=True),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 2),
    )
    handle = from_module(module, labels=["a", "b"], mean=(0.5,) * 3, std=(0.25,) * 3, input_size=32)
    assert handle.spec.source == "module" and handle.labels == ("a", "b")
    assert not module[1].inplace  # captured outputs are never overwritten in place
    assert logits(handle, chelsea).shape == (2,)
    assert [info.name for info in layer_table(handle)] == ["0", "1", "2", "3", "4"]
    assert nonnegative_layers(handle) == ["1", "2"]
    assert len(handle.fingerprint) == 64


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_builtin_on_cuda_matches_cpu(lite0, chelsea):
    gpu = load_model(LITE0, device="cuda")
    assert gpu.fingerprint == lite0.fingerprint
    assert gpu.preprocess(chelsea).device.type == "cuda"
    torch.testing.assert_close(
        logits(gpu, chelsea).cpu(), logits(lite0, chelsea), atol=1e-3, rtol=1e-3
    )


def test_builtin_accepts_its_weights_under_timm_key_names(lite0, tmp_path):
    path = tmp_path / "lite0_timm_keys.pth"
    torch.save(lite0.module.state_dict(), path)
    assert load_model(ModelSpec("builtin", "efficientnet_lite0", str(path))).fingerprint == (
        lite0.fingerprint
    )


# ---- the builtin family --------------------------------------------------------------


@pytest.mark.parametrize("name, size", [("efficientnet_lite1", 240), ("efficientnet_lite2", 260)])
def test_lite1_and_lite2_see_an_egyptian_cat_in_chelsea(name, size, chelsea):
    import timm

    handle = load_model(ModelSpec("builtin", name))
    config = timm.models.get_pretrained_cfg("tf_" + name)
    assert handle.input_size == size == config.input_size[-1]
    assert (handle.mean, handle.std) == (tuple(config.mean), tuple(config.std))
    assert handle.preprocess(chelsea).shape == (1, 3, size, size)
    probabilities = logits(handle, chelsea).softmax(-1)
    assert handle.labels[int(probabilities.argmax())] == "Egyptian cat"
    assert float(probabilities.max()) > 0.6
    assert "blocks.4.2.bn1" in handle.layer_names()


def test_family_members_differ_and_random_ones_are_seeded():
    build = models._load_cached.__wrapped__
    lite1 = build(ModelSpec("builtin", "efficientnet_lite1", "random"), "cpu", None)
    again = build(ModelSpec("builtin", "efficientnet_lite1", "random"), "cpu", None)
    lite2 = build(ModelSpec("builtin", "efficientnet_lite2", "random"), "cpu", None)
    assert lite1.fingerprint == again.fingerprint != lite2.fingerprint


# ---- fine-tuned checkpoints ------------------------------------------------------------


def _ten_class_resnet18(tmp_path):
    """A real torchvision resnet18 whose head is replaced by 10 classes, saved as a state dict."""
    model = torchvision.models.resnet18(weights=None)
    model.fc = torch.nn.Linear(model.fc.in_features, 10)
    path = tmp_path / "ft.pth"
    torch.save(model.state_dict(), path)
    return model, path


def test_a_fine_tuned_torchvision_head_takes_its_size_from_the_checkpoint(tmp_path, chelsea):
    model, path = _ten_class_resnet18(tmp_path)
    handle = load_model(ModelSpec("torchvision", "resnet18", str(path)))
    assert handle.labels == tuple(f"class {i}" for i in range(10))
    model.eval()
    x = handle.preprocess(chelsea)
    with torch.no_grad():
        torch.testing.assert_close(handle.module(x), model(x))
    assert len(load_model(ModelSpec("torchvision", "resnet18", str(path), classes=10)).labels) == 10


def test_a_fine_tuned_head_with_labels_from_a_file(tmp_path):
    _, path = _ten_class_resnet18(tmp_path)
    labels = tmp_path / "labels.txt"
    labels.write_text("\n".join(f"kind {i}" for i in range(10)) + "\n\n", encoding="utf-8")
    spec = ModelSpec("torchvision", "resnet18", str(path), classes=10, labels=str(labels))
    handle = load_model(spec)
    assert handle.labels == tuple(f"kind {i}" for i in range(10))

    labels.write_text("cat\ndog\n", encoding="utf-8")  # edited: reloaded, and refused
    with pytest.raises(InterpError, match="names 2 classes, but the model has 10"):
        load_model(spec)
    with pytest.raises(InterpError, match="no such labels file"):
        load_model(ModelSpec("torchvision", "resnet18", str(path), labels=str(tmp_path / "no")))


def test_a_head_of_the_wrong_size_names_the_misfit(tmp_path):
    _, path = _ten_class_resnet18(tmp_path)
    with pytest.raises(InterpError, match="does not fit") as caught:
        load_model(ModelSpec("torchvision", "resnet18", str(path), classes=12))
    hint = caught.value.diagnostics[0].hint
    assert "fc.weight is (10, 512), needs (12, 512)" in hint and "classes=" in hint


def test_a_fine_tuned_timm_model(tmp_path, chelsea):
    import timm

    model = timm.create_model("resnet18", pretrained=False, num_classes=7)
    path = tmp_path / "timm_ft.pth"
    torch.save(model.state_dict(), path)
    labels = tmp_path / "labels.txt"
    labels.write_text("\n".join("abcdefg"), encoding="utf-8")
    handle = load_model(ModelSpec("timm", "resnet18", str(path), labels=str(labels)))
    assert handle.labels == tuple("abcdefg")
    assert logits(handle, chelsea).shape == (7,)
    random = load_model(ModelSpec("timm", "resnet18", "random", classes=5))
    assert random.labels == tuple(f"class {i}" for i in range(5))


# ---- weights files that are not state dicts --------------------------------------------


@pytest.mark.parametrize(
    "payload, message",
    [
        ({1: torch.zeros(2)}, "keys that are not parameter names: 1"),
        ({"fc.weight": torch.tensor([1.0, float("nan")])}, "NaN or infinite values in fc.weight"),
        ({"fc.bias": torch.tensor([float("inf")])}, "NaN or infinite values in fc.bias"),
        ({"fc.weight": [1, 2]}, "values that are not tensors: fc.weight"),
        ([torch.zeros(2)], "holds a list, not a state dict"),
    ],
)
def test_malformed_weights_files_are_located_user_errors(tmp_path, payload, message):
    path = tmp_path / "bad.pth"
    torch.save(payload, path)
    span = Span("spec.interp", 2, 9, 2, 40)
    with pytest.raises(InterpError, match=message) as caught:
        load_model(ModelSpec("timm", "resnet18", str(path)), span=span)
    assert caught.value.diagnostics[0].span == span


def test_a_pickled_payload_is_never_run(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"fc.weight": torch.zeros(2), "extra": _Pickled()}, path)
    with pytest.raises(InterpError, match="cannot read weights file"):
        load_model(ModelSpec("torchvision", "resnet18", str(path)))
    assert not _Pickled.unpickled


class _Pickled:
    unpickled = False

    def __reduce__(self):
        return (_Pickled._mark, ())

    @staticmethod
    def _mark():
        _Pickled.unpickled = True
        return _Pickled()


# ---- supplied models ---------------------------------------------------------------------


def test_from_module_refuses_what_cannot_work():
    good = dict(labels=["a", "b"], mean=(0.5,) * 3, std=(0.25,) * 3, input_size=32)
    for changes, message in [
        (dict(labels=["a", "b", "c"]), r"gives \(1, 2\) for one image; 3 labels"),
        (dict(mean=(0.5, 0.5)), "mean takes three finite numbers"),
        (dict(std=(0.0, 1.0, 1.0)), "std must be positive"),
        (dict(input_size=0), "input_size"),
    ]:
        with pytest.raises(InterpError, match=message):
            from_module(tiny_classifier(2), **{**good, **changes})
    with pytest.raises(InterpError, match="takes a torch.nn.Module"):
        from_module("model.pth", **good)


def test_a_supplied_model_loads_by_name_and_unknown_names_list_the_choices():
    from interp.models.registry import Models

    handle = from_module(tiny_classifier(2), labels=["a", "b"], mean=(0.5,) * 3, std=(0.5,) * 3)
    registry = Models.of({"mine": handle})
    assert load_model(ModelSpec("module", "mine"), models=registry) is handle
    assert load_model(ModelSpec("module", "mine"), models={"mine": handle}) is handle
    span = Span("spec.interp", 2, 9, 2, 13)
    with pytest.raises(InterpError) as caught:
        load_model(ModelSpec("module", "yours"), span=span, models=registry)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span == span and "unknown model 'yours'" in diagnostic.message
    assert "efficientnet_lite1" in diagnostic.hint and "mine" in diagnostic.hint
    for bad, message in [
        ({"efficientnet_lite0": handle}, "taken by the language"),
        ({"my model": handle}, "cannot be written in a spec"),
        ({"mine": tiny_classifier(2)}, "not a wrapped model"),
    ]:
        with pytest.raises(InterpError, match=message):
            Models.of(bad)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_supplied_model_runs_on_another_device_as_a_copy():
    handle = from_module(tiny_classifier(2), labels=["a", "b"], mean=(0.5,) * 3, std=(0.5,) * 3)
    gpu = load_model(ModelSpec("module", "mine"), device="cuda", models={"mine": handle})
    assert gpu.device.startswith("cuda") and gpu.fingerprint == handle.fingerprint
    assert next(handle.module.parameters()).device.type == "cpu"
    assert load_model(ModelSpec("module", "mine"), device="cuda", models={"mine": handle}) is gpu
