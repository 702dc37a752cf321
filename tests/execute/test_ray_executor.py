"""The Ray executor runs the same DAG on a local cluster (two CPUs) and gives the golden numbers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from gallery import spec_path

ray = pytest.importorskip("ray")

sys.path.insert(0, str(Path(__file__).parents[1] / "golden_arrays"))
import record  # noqa: E402

import interp  # noqa: E402

OPTIONS = dict(
    quality="draft", progress=False, icon_size=32, icon_steps=2, device="cpu", executor="ray"
)


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize("name", ["teaser", "neuron_groups"])
def test_ray_gives_the_local_executors_arrays_and_views(cluster, name):
    result = interp.run(spec_path(name), **OPTIONS)
    golden = record.load(name)
    actual = record.arrays_of(result)
    assert sorted(actual) == sorted(golden)
    for key, expected in golden.items():
        array = actual[key].transpose(*expected.dims)
        for dim in expected.dims:
            assert array.coords[dim].values.tolist() == expected.coords[dim].values.tolist()
        np.testing.assert_allclose(array.values, expected.values, rtol=2e-5, atol=1e-5, err_msg=key)
    tables = record.load_tables(name)
    assert sorted(record.tables_of(result)) == sorted(tables)


def test_a_missing_ray_is_a_clear_error(monkeypatch):
    from interp.errors import InterpError
    from interp.execute.context import Settings
    from interp.execute.executors import executor
    from interp.plan.build import build_plan

    monkeypatch.setitem(sys.modules, "ray", None)
    plan = build_plan(interp.check(interp.load(spec_path("saliency")), bind_models=False))
    with pytest.raises(InterpError, match="needs Ray"):
        executor("ray").run(plan, Settings(device="cpu"))


DATASET_SPEC = """
interface tiny {
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops=80, seed=0)
  element picker = activations(layer("1").channels) as bars
  element fires = activations(layer("1").spatial, over=pics) | select(picker.hover) | top(5) as examples
  element supports = attribution(layer("1").channels -> output["fox"], over=pics) | select(picker.hover) | top(3) as examples
  element twins = correlation(layer("1").channels -> layer("0", model=other).channels, over=pics) | top(2, per=source) as bars
}
"""


def test_a_dataset_pass_on_ray_data_equals_the_local_pass(cluster, tmp_path):
    from tiny import tiny_model

    from interp.cache import Cache
    from interp.plan.nodes import DatasetPass

    def handle(seed):
        return tiny_model(seed=seed)

    models = {"tiny": handle(0), "other": handle(1)}
    options = {**OPTIONS, "executor": "local"}
    local = interp.run(DATASET_SPEC, models=models, **options)
    on_ray = interp.run(DATASET_SPEC, models=models, cache=Cache(tmp_path), **OPTIONS)
    for name in ("fires", "supports", "twins"):
        a, b = on_ray.array(name), local.array(name)
        assert a.dims == b.dims and a.coords["key_picker" if name != "twins" else "channel"].equals(
            b.coords["key_picker" if name != "twins" else "channel"]
        )
        np.testing.assert_allclose(a.values, b.values, rtol=1e-5, atol=1e-6, err_msg=name)
    (node,) = on_ray.plan.of(DatasetPass)
    rows = on_ray.data("fires", every_example=True)  # the driver wrote each chunk's rows
    assert len(rows) == 80 * 4 and len(list(tmp_path.rglob("chunk-*.parquet"))) == 3 * 2
    again = interp.run(DATASET_SPEC, models=models, cache=Cache(tmp_path), **OPTIONS)
    np.testing.assert_array_equal(again.array("twins").values, on_ray.array("twins").values)
    assert node.chunk == 32


CLASS_SPEC = """
interface tiny {
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops=80, seed=0)
  let some = pics.where(label=["rocket", "coins"])
  element mean = activations(layer("1").channels, over=some) | mean(over=example) as bars
  element high = activations(layer("1").channels, over=pics) | quantile(0.9, over=example) as bars
  element graph = attribution(layer("0").channels -> layer("1").channels, over=some) | mean(over=example) | top(2, per=target) as sankey(icons=none)
}
"""


def test_aggregates_over_examples_on_ray_data_equal_the_local_pass(cluster):
    from tiny import tiny_model

    tiny = tiny_model()
    local = interp.run(CLASS_SPEC, models={"tiny": tiny}, **{**OPTIONS, "executor": "local"})
    on_ray = interp.run(CLASS_SPEC, models={"tiny": tiny}, **OPTIONS)
    for name in ("mean", "high", "graph"):
        a, b = on_ray.array(name), local.array(name)
        assert a.dims == b.dims and a.attrs == b.attrs
        np.testing.assert_allclose(a.values, b.values, rtol=1e-6, atol=1e-6, err_msg=name)
