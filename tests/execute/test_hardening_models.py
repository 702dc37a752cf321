"""Values a careless user can give a model, refused before torch sees them (issue 25)."""

from __future__ import annotations

import pytest
import torch
from tiny import tiny_classifier

import interp
from interp.check import check
from interp.errors import InterpError
from interp.models.load import from_module
from interp.models.weights import read_labels
from interp.syntax import parse

GOOD = dict(labels=["a", "b"], mean=(0.5,) * 3, std=(0.25,) * 3, input_size=32)


def test_a_head_too_wide_for_memory_is_refused_where_it_is_written():
    text = 'interface a {\n  model torchvision("resnet18", weights=random, classes=1000000000)\n}\n'
    with pytest.raises(InterpError) as caught:
        check(parse(text), bind_models=False)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "classes= takes the number of classes of the checkpoint's head"
    column = text.splitlines()[1].index("1000000000") + 1
    assert (diagnostic.span.line, diagnostic.span.column) == (2, column)
    assert "100,000" in diagnostic.hint and "memory" in diagnostic.hint
    fine = text.replace("1000000000", "100000")
    assert check(parse(fine), bind_models=False).interfaces[0].model.classes == 100_000


@pytest.mark.parametrize(
    "arguments, error, words",
    [
        (dict(classes=10**9), ValueError, "classes must be a whole number from 1 to 100,000"),
        (dict(classes=0), ValueError, "classes must be"),
        (dict(classes=2.5), ValueError, "classes must be"),
        (dict(classes=True), ValueError, "classes must be"),
        (dict(seed="1"), TypeError, "seed must be a whole number"),
        (dict(weights=3), TypeError, "weights must be a path or None"),
        (dict(source="hub"), ValueError, "source must be one of"),
        (dict(name=""), TypeError, "name must be a non-empty string"),
    ],
)
def test_a_model_spec_built_in_python_refuses_what_the_checker_would(arguments, error, words):
    from interp.models.spec import ModelSpec

    fields = {"source": "torchvision", "name": "resnet18", "weights": "random", **arguments}
    with pytest.raises(error, match=words):
        ModelSpec(**fields)


def test_a_labels_file_naming_a_class_twice_names_the_lines(tmp_path):
    path = tmp_path / "labels.txt"
    path.write_text("cat\ndog\n\nfox\ndog\n", encoding="utf-8")
    with pytest.raises(InterpError) as caught:
        read_labels(path)
    (diagnostic,) = caught.value.diagnostics
    assert str(path) in diagnostic.message
    assert "'dog' twice: lines 2 and 5" in diagnostic.message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(labels="ab"), "labels takes a list or tuple of class names"),
        (dict(labels=None), "labels takes a list or tuple of class names"),
        (dict(labels=3), "labels takes a list or tuple of class names"),
        (dict(labels=["a", "a"]), "labels name class 'a' twice"),
        (dict(labels=[]), "labels name the classes"),
        (dict(device="bogus"), "device 'bogus' is not a device name"),
        (dict(device="cuda:99"), "device 'cuda:99' is not available on this machine"),
        (dict(input_size=10**6), "input_size"),
        (dict(input_size=0), "input_size"),
        (dict(input_size=-3), "input_size"),
        (dict(input_size=32.0), "input_size"),
        (dict(input_size=True), "input_size"),
    ],
)
def test_from_module_names_the_argument_and_what_it_accepts(changes, message):
    with pytest.raises(InterpError, match=message) as caught:
        from_module(tiny_classifier(2), **{**GOOD, **changes})
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.hint


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_from_module_on_cuda_without_cuda_lists_the_devices():
    with pytest.raises(InterpError, match="'cuda' is not available") as caught:
        from_module(tiny_classifier(2), **{**GOOD, "device": "cuda"})
    assert "devices on this machine: cpu" in caught.value.diagnostics[0].hint


def test_input_size_names_its_range():
    with pytest.raises(InterpError) as caught:
        from_module(tiny_classifier(2), **{**GOOD, "input_size": 10**6})
    assert "from 1 to 4096" in caught.value.diagnostics[0].hint


class _NaNOnImages(torch.nn.Module):
    """A classifier that is finite on the blank check image and NaN on real ones."""

    def __init__(self, layer: bool):
        super().__init__()
        self.net = tiny_classifier(3)
        self.layer = layer

    def forward(self, x):
        poison = float("nan") if x.std() > 0.01 else 1.0
        if self.layer:
            return self.net[2:](self.net[1](self.net[0](x) * poison))
        return self.net(x) * poison


SPEC = """\
interface mine "Mine" {
  model mine
  input sample("chelsea")

  element classes = activations(output) | top(2) as bars
}
"""


@pytest.mark.parametrize(
    ("layer", "spec", "message"),
    [
        (False, SPEC, "model 'mine': its outputs (logits) are NaN or infinite"),
        (
            True,
            SPEC.replace("output", 'layer("net.1").channels'),
            "model 'mine': the output of layer 'net.1' is NaN or infinite",
        ),
    ],
)
def test_a_module_with_nan_outputs_is_named_not_ranked(layer, spec, message):
    handle = interp.from_module(
        _NaNOnImages(layer),
        labels=["cat", "dog", "fox"],
        **{k: v for k, v in GOOD.items() if k != "labels"},
    )
    with pytest.raises(InterpError) as caught:
        interp.run(spec, models={"mine": handle}, device="cpu", cache=None)
    assert [d.message for d in caught.value.diagnostics] == [message]
