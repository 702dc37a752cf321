"""Model references in specs: another model's layer, supplied models, fine-tuned
checkpoints, paths relative to the spec file, and `interp layers` for any model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image
from tiny import tiny_model

import interp
from interp.check import check
from interp.check.models import models_of_spec, parse_model_ref
from interp.cli import main
from interp.errors import InterpError
from interp.models.spec import ModelSpec
from interp.syntax import builder, parse

LITE0 = ModelSpec("builtin", "efficientnet_lite0")
LITE1 = ModelSpec("builtin", "efficientnet_lite1")

ALIGNMENT = """\
interface lite0 "EfficientNet-Lite0" {
  model efficientnet_lite0
  input sample("chelsea")

  let mine = layer("blocks.4.2.bn1")
  let yours = layer("blocks.4.2.bn1", model=efficientnet_lite1)

  element detectors = attribution(mine.channels -> output["Egyptian cat"]) | top(6) as bars
  element twins = activations(yours.channels) | top(4) as bars
}

interface lite1 "EfficientNet-Lite1" extends lite0 {
  model efficientnet_lite1

  let yours = layer("blocks.4.2.bn1", model=efficientnet_lite0)
}
"""


def diagnose(text: str, **kwargs) -> InterpError:
    with pytest.raises(InterpError) as caught:
        check(parse(text, "spec.interp"), source=text, **kwargs)
    return caught.value


# ---- another model's layer ---------------------------------------------------------------


def test_another_models_layer_parses_prints_and_builds_back():
    spec = parse(ALIGNMENT)
    assert parse(spec.to_text()) == spec
    yours = spec.interfaces[0].body[3].value
    assert yours == builder.layer("blocks.4.2.bn1", model="efficientnet_lite1").node
    assert yours.to_text() == 'layer("blocks.4.2.bn1", model=efficientnet_lite1)'
    library = builder.layer("fc", model=builder.model.torchvision("resnet18", weights="random"))
    assert library.to_text() == 'layer("fc", model=torchvision("resnet18", weights=random))'
    assert parse(f"interface a {{\n  let x = {library.to_text()}\n}}\n").interfaces[0].body[
        0
    ].value == (library.node)


def test_another_models_layer_binds_to_that_model():
    program = check(parse(ALIGNMENT))
    lite0, lite1 = program.interfaces
    assert lite0.element("detectors").content.source.model is None
    assert lite0.element("twins").content.source.model == LITE1
    assert lite1.model == LITE1 and lite1.element("detectors").content.source.model is None
    assert lite1.element("twins").content.source.model == LITE0
    twins = lite0.element("twins").content.source
    assert twins.describe() == 'layer("blocks.4.2.bn1", model=efficientnet_lite1).channels'
    # the same layer path of two models is two coordinates, never bound to each other
    detectors = lite0.element("detectors").axes[0]
    assert detectors.origin != lite0.element("twins").axes[0].origin


def test_naming_the_interfaces_own_model_is_the_same_substrate():
    text = ALIGNMENT.replace("model=efficientnet_lite1", "model=efficientnet_lite0")
    lite0 = check(parse(text)).interfaces[0]
    assert lite0.element("twins").content.source.model is None


def test_another_models_layer_is_checked_against_that_model():
    # blocks.2.2 exists in Lite1 (deeper), not in Lite0
    ok = ALIGNMENT.replace(
        'layer("blocks.4.2.bn1", model=efficientnet_lite1)',
        'layer("blocks.2.2.bn1", model=efficientnet_lite1)',
    )
    check(parse(ok.split("interface lite1")[0]))
    own = ok.replace("model=efficientnet_lite1", "model=efficientnet_lite0")
    (diagnostic,) = diagnose(own.split("interface lite1")[0]).diagnostics
    assert diagnostic.message == "model efficientnet_lite0 has no layer 'blocks.2.2.bn1'"
    text = ALIGNMENT.replace(
        '"blocks.4.2.bn1", model=efficientnet_lite1', '"blocks.4.2.bn9", model=efficientnet_lite1'
    )
    (diagnostic,) = diagnose(text).diagnostics
    assert diagnostic.message == "model efficientnet_lite1 has no layer 'blocks.4.2.bn9'"
    assert (diagnostic.span.line, diagnostic.span.column) == (6, 15)
    assert diagnostic.hint.startswith("did you mean") and "'blocks.4.2.bn1'" in diagnostic.hint
    assert "`interp layers efficientnet_lite1`" in diagnostic.hint


def test_an_unknown_model_is_located_and_lists_the_choices():
    text = ALIGNMENT.replace("model=efficientnet_lite1", "model=efficientnet_lite7")
    (diagnostic,) = diagnose(text, bind_models=False).diagnostics
    assert diagnostic.message == "unknown model 'efficientnet_lite7'"
    assert (diagnostic.span.line, diagnostic.span.column) == (6, 45)
    assert "efficientnet_lite2" in diagnostic.hint and "supplied: none" in diagnostic.hint


# ---- supplied models ----------------------------------------------------------------------


MINE = """\
interface mine {
  model mine
  element classes = activations(output["cat", "dog"]) as bars
  element where = activations(layer("1").channels) | top(2) as bars
}
"""


@pytest.fixture(scope="module")
def mine():
    return tiny_model()


def test_a_supplied_model_binds_by_name(mine):
    program = check(parse(MINE), models={"mine": mine})
    assert program.interfaces[0].model == ModelSpec("module", "mine")
    unknown = diagnose(MINE.replace('"1"', '"7"').replace('"cat"', '"cta"'), models={"mine": mine})
    messages = [d.message for d in unknown.diagnostics]
    assert messages == ["unknown class 'cta'", "model mine has no layer '7'"]
    assert "did you mean 'cat'" in unknown.diagnostics[0].hint


def test_an_unsupplied_model_is_a_located_error_naming_both_kinds(mine):
    (diagnostic,) = diagnose(MINE, bind_models=False).diagnostics
    assert diagnostic.message == "unknown model 'mine'"
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 9)
    assert "efficientnet_lite0" in diagnostic.hint and 'models={"mine"' in diagnostic.hint
    (diagnostic,) = diagnose(MINE.replace("mine\n", "mien\n"), models={"mine": mine}).diagnostics
    assert "did you mean 'mine'" in diagnostic.hint and "supplied: mine" in diagnostic.hint
    (diagnostic,) = diagnose(
        MINE.replace("model mine", "model mine(seed=1)"), models={"mine": mine}
    ).diagnostics
    assert "takes no arguments" in diagnostic.message


# ---- fine-tuned checkpoints and paths -------------------------------------------------------


def test_fine_tuned_options_are_read_and_checked():
    text = 'interface a {\n  model torchvision("resnet18", weights=random, classes=10, labels="l.txt")\n}\n'
    model = check(parse(text), bind_models=False).interfaces[0].model
    assert model == ModelSpec("torchvision", "resnet18", "random", classes=10, labels="l.txt")
    assert parse_model_ref(model.to_text()) == model
    bad = 'interface a {\n  model efficientnet_lite0(classes=10)\n  model timm("x", classes=-1, labels=3)\n}\n'
    messages = [d.message for d in diagnose(bad, bind_models=False).diagnostics]
    assert messages == [
        "efficientnet_lite0 is an ImageNet classifier; classes= is for fine-tuned checkpoints",
        "classes= takes the number of classes of the checkpoint's head",
        "labels= takes a text file with one class name per line",
    ]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A spec beside its image, fine-tuned weights and labels; the tests run elsewhere."""
    folder = tmp_path / "project"
    folder.mkdir()
    model = torchvision.models.resnet18(weights=None)
    model.fc = torch.nn.Linear(model.fc.in_features, 10)
    torch.save(model.state_dict(), folder / "ft.pth")
    (folder / "labels.txt").write_text("\n".join(f"kind {i}" for i in range(10)), encoding="utf-8")
    pixels = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(folder / "cat.png")
    spec = folder / "ft.interp"
    spec.write_text(
        "interface ft {\n"
        '  model torchvision("resnet18", weights="ft.pth", classes=10, labels="labels.txt")\n'
        '  input "cat.png"\n\n'
        "  element classes = activations(output) | top(3) as bars\n"
        "}\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return spec


def test_paths_resolve_from_the_spec_files_folder(project, capsys):
    interface = check(interp.load(project)).interfaces[0]
    assert interface.image.value == str(project.parent / "cat.png")
    assert interface.model.weights == str(project.parent / "ft.pth")
    assert interface.model.labels == str(project.parent / "labels.txt")
    assert main(["check", str(project)]) == 0
    relative = project.relative_to(project.parents[1])
    assert main(["check", str("../" / relative)]) == 0
    capsys.readouterr()
    # text with no file keeps the working directory
    text = project.read_text(encoding="utf-8")
    (problem, *rest) = diagnose(text).diagnostics
    assert problem.message == "no such weights file: ft.pth" and len(rest) == 1


def test_layers_lists_any_model_or_the_models_of_a_spec(project, capsys):
    assert main(["layers", "efficientnet_lite1"]) == 0
    assert "(672, 15, 15)" in capsys.readouterr().out  # Lite1 sees 240 pixels
    assert main(["layers", 'torchvision("resnet18", weights=random)']) == 0
    assert any(line.startswith("layer4.1.bn2 ") for line in capsys.readouterr().out.splitlines())
    assert main(["layers", 'timm("resnet18", weights=random)', "--all"]) == 0
    assert "(1000,)" in capsys.readouterr().out
    assert main(["layers", str(project)]) == 0
    assert "layer4.1.bn2" in capsys.readouterr().out
    assert main(["layers", "torchvision(resnet18)"]) == 1
    assert "takes the architecture name" in capsys.readouterr().err


def test_the_models_of_a_spec_are_every_interfaces_and_every_layers():
    assert models_of_spec(parse(ALIGNMENT)) == [LITE0, LITE1]
    assert models_of_spec(parse("interface a {\n}\n")) == [LITE0]


def test_the_page_cache_stamps_files_beside_the_spec_and_other_models_weights(
    tmp_path, monkeypatch
):
    import os

    from interp.commands.page_cache import page_key

    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "w.pth").write_bytes(b"one")
    (tmp_path / "w.pth").write_bytes(b"the working directory's")
    monkeypatch.chdir(tmp_path)
    text = 'interface a {\n  let x = layer("fc", model=timm("resnet18", weights="w.pth"))\n}\n'
    spec = parse(text, str(folder / "a.interp"))
    ((path, *_),) = page_key(spec, folder)[2]
    assert path == str((folder / "w.pth").resolve())
    before = page_key(spec, folder)
    (folder / "w.pth").write_bytes(b"edited")
    os.utime(folder / "w.pth", ns=(1, 1))
    assert page_key(spec, folder) != before
