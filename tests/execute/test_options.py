"""The Python API refuses what it cannot use, naming the argument and what it accepts."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
import torch

import interp
from interp.cache import Cache
from interp.errors import InterpError
from interp.execute.feature_vis.api import PRESETS
from interp.options import (
    QUALITIES,
    Options,
    available_devices,
    check_device,
    resolve_options,
)
from interp.syntax import builder
from interp.syntax.resolve import resolve_spec

SPEC = """interface one {
  model efficientnet_lite0
  input sample("chelsea")
  element classes = activations(output) | top(3) as bars
}
"""


@pytest.mark.parametrize(
    ("keywords", "error", "named", "accepts"),
    [
        ({"quality": "best"}, ValueError, "quality 'best'", "'draft', 'standard', 'high'"),
        ({"quality": 3}, TypeError, "quality must be a string", "'draft'"),
        ({"cache": "str"}, TypeError, "cache must be an interp Cache or None", "Cache("),
        ({"icon_size": -3}, ValueError, "icon_size must be a positive integer", "None"),
        ({"icon_size": 2.5}, TypeError, "icon_size must be a positive integer", "None"),
        ({"icon_steps": 0}, ValueError, "icon_steps must be a positive integer", "None"),
        ({"icon_size": True}, TypeError, "icon_size", "None"),
        ({"progress": "yes"}, TypeError, "progress must be True, False or None", "terminal"),
        ({"budget": math.nan}, ValueError, "budget must be a positive number", "None (or inf)"),
        ({"budget": -1}, ValueError, "budget must be a positive number", "None (or inf)"),
        ({"budget": 0}, ValueError, "budget must be a positive number", "None (or inf)"),
        ({"budget": "1h"}, TypeError, "budget must be a number of seconds", "positive"),
        ({"device": "foo"}, ValueError, "unknown device 'foo'", "devices here: cpu"),
        ({"device": 0}, TypeError, "device must be a string", "devices here: cpu"),
        ({"qualty": "draft"}, TypeError, "unknown option 'qualty'", "did you mean 'quality'"),
    ],
)
def test_a_wrong_option_names_the_argument_and_what_it_accepts(keywords, error, named, accepts):
    with pytest.raises(error) as caught:
        resolve_options(None, **keywords)
    assert isinstance(caught.value, InterpError)  # the CLI prints it as a diagnostic
    (diagnostic,) = caught.value.diagnostics
    assert named in diagnostic.message
    assert accepts in diagnostic.hint


def test_options_checks_at_construction_too():
    with pytest.raises(ValueError, match="quality"):
        Options(quality="best")
    with pytest.raises(TypeError, match="cache"):
        Options(cache="~/.cache/interp")


def test_good_options_pass_and_are_normalized(tmp_path):
    options = Options(device=torch.device("cpu"), budget=10, cache=Cache(tmp_path), icon_size=8)
    assert options.device == "cpu" and isinstance(options.device, str)
    assert options.budget == 10.0 and isinstance(options.budget, float)
    assert Options(budget=math.inf).budget == math.inf
    assert Options(device="cpu:0").torch_device == "cpu:0"


def test_runs_cache_by_default_as_the_cli_does(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path))
    assert Options().cache == Cache(tmp_path) == resolve_options().cache
    assert Options(cache=None).cache is None
    assert Options() == Options()


def test_the_suite_never_caches_in_the_home_folder():
    assert Options().cache.root != Path.home() / ".cache" / "interp"


def test_the_qualities_are_the_feature_visualization_presets():
    assert set(QUALITIES) == set(PRESETS)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_lists_the_devices_there_are():
    assert "cuda" not in available_devices()
    with pytest.raises(ValueError) as caught:
        check_device("cuda")
    (diagnostic,) = caught.value.diagnostics
    assert "device 'cuda' is not available on this machine" in diagnostic.message
    assert diagnostic.hint.startswith("devices here: cpu")
    assert Options().torch_device == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_is_the_default_where_there_is_one():
    assert Options().torch_device == "cuda"
    assert check_device("cuda:0") == "cuda:0"
    with pytest.raises(ValueError, match="CUDA device"):
        check_device(f"cuda:{torch.cuda.device_count()}")


def test_options_and_keywords_together_are_refused():
    with pytest.raises(TypeError) as caught:
        resolve_options(Options(quality="draft"), quality="high", icon_size=8)
    message = str(caught.value)
    assert "quality=" in message and "icon_size=" in message
    assert "dataclasses.replace(options" in message
    with pytest.raises(TypeError, match="options must be an interp.Options"):
        resolve_options({"quality": "draft"})
    same = Options(quality="draft")
    assert resolve_options(same) is same
    assert resolve_options(None, quality="draft") == same


@pytest.mark.parametrize("spec", [None, 42, b"interface a {}", ["a.interp"]])
def test_a_spec_of_the_wrong_type_is_a_type_error(spec):
    with pytest.raises(TypeError) as caught:
        interp.run(spec)
    assert "spec must be an interp AST" in str(caught.value)
    assert "path" in str(caught.value)


def test_run_refuses_bad_options_before_any_work(monkeypatch):
    import interp.pipeline as pipeline

    def never(*_args, **_kwargs):
        raise AssertionError("checked the spec before the options")

    monkeypatch.setattr(pipeline, "check", never)
    with pytest.raises(ValueError, match="quality"):
        interp.run(SPEC, quality="best")
    with pytest.raises(TypeError, match="both an Options and the keywords"):
        interp.run(SPEC, Options(), quality="draft")
    with pytest.raises(TypeError, match="cache"):
        interp.run(SPEC, cache="str")


def test_spec_forms_give_one_ast(tmp_path):
    path = tmp_path / "one.interp"
    path.write_text(SPEC)
    parsed = interp.parse(SPEC)
    assert resolve_spec(parsed) is parsed
    assert resolve_spec(SPEC) == parsed
    assert resolve_spec(path).to_text() == parsed.to_text()
    assert resolve_spec(str(path)).to_text() == parsed.to_text()
    with pytest.raises(InterpError, match="no such file"):
        resolve_spec(str(tmp_path / "missing.interp"))
    interface = parsed.interfaces[0]
    assert resolve_spec(interface).interfaces == (interface,)


def test_the_builder_output_runs_through_resolve_spec():
    made = builder.spec(interp.parse(SPEC).interfaces[0])
    assert resolve_spec(made) is made


def test_dataclasses_replace_is_the_way_to_change_options():
    assert dataclasses.replace(Options(quality="draft"), icon_size=8).icon_size == 8
    with pytest.raises(ValueError):
        dataclasses.replace(Options(), icon_size=-1)
