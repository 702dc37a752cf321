"""`interp.run` with the caller's own model, and with a fine-tuned checkpoint beside the spec."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from tiny import tiny_classifier

import interp
from interp.errors import InterpError
from interp.plan.nodes import Forward

SPEC = """\
interface mine "My classifier" {
  model mine
  input sample("chelsea")

  element classes = activations(output) | top(2) as bars
  element saliency = attribution(layer("1").spatial -> output["fox"]) as heatmap(over=input)
}
"""


def test_a_spec_runs_on_the_callers_own_module():
    module = tiny_classifier()
    handle = interp.from_module(
        module, labels=["cat", "dog", "fox"], mean=(0.5,) * 3, std=(0.5,) * 3, input_size=32
    )
    result = interp.run(SPEC, models={"mine": handle}, device="cpu")
    classes = result.data("classes")
    with torch.no_grad():
        expected = module(handle.preprocess(np.asarray(interp_sample())))[0]
    top = expected.topk(2)
    assert list(classes.sort_values("value", ascending=False)["class"]) == [
        ["cat", "dog", "fox"][i] for i in top.indices
    ]
    np.testing.assert_allclose(
        sorted(classes["value"], reverse=True), top.values.numpy(), rtol=1e-5
    )
    assert (result.array("saliency").sizes["x"], result.array("saliency").sizes["y"]) == (32, 32)
    assert result.pages[0].model == "mine (Sequential, 32x32 input)"  # the class it is


def interp_sample():
    from interp.data.images import ImageSpec, load_image

    return load_image(ImageSpec("sample", "chelsea"))


def test_without_the_model_the_run_stops_at_a_located_error():
    with pytest.raises(InterpError) as caught:
        interp.run(SPEC, device="cpu")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "unknown model 'mine'" and diagnostic.span.line == 2


def test_a_fine_tuned_checkpoint_runs_with_its_labels_from_another_folder(tmp_path, monkeypatch):
    model = torchvision.models.resnet18(weights=None)
    model.fc = torch.nn.Linear(model.fc.in_features, 10)
    torch.save(model.state_dict(), tmp_path / "ft.pth")
    labels = [f"kind {i}" for i in range(10)]
    (tmp_path / "labels.txt").write_text("\n".join(labels) + "\n", encoding="utf-8")
    (tmp_path / "ft.interp").write_text(
        "interface ft {\n"
        '  model torchvision("resnet18", weights="ft.pth", labels="labels.txt")\n'
        '  input sample("chelsea")\n\n'
        "  element classes = activations(output) | top(3) as bars\n"
        "}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path.parent)
    result = interp.run(str(tmp_path / "ft.interp"), device="cpu")
    classes = result.data("classes")
    assert len(classes) == 3 and set(classes["class"]) <= set(labels)


def test_another_models_layer_runs_on_that_model():
    text = (
        "interface a {\n"
        '  element twins = activations(layer("blocks.4.2.bn1", model=efficientnet_lite1).channels)\n'
        "                | top(2)\n"
        "                as bars\n"
        "}\n"
    )
    result = interp.run(text, device="cpu", progress=False)
    assert result.array("twins").sizes == {"channel": 2}
    assert {f.model.name for f in result.plan.of(Forward)} == {"efficientnet_lite1"}
