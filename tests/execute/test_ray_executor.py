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
        np.testing.assert_allclose(array.values, expected.values, rtol=1e-6, atol=1e-6, err_msg=key)
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
