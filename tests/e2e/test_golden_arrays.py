"""Every contract spec's element arrays and view tables equal the recorded golden data.

The golden files (tests/golden_arrays/, made by its record.py) pin what the
pages show; a change of meaning shows up here as a numeric difference.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gallery import CONTRACT, spec_path

sys.path.insert(0, str(Path(__file__).parents[1] / "golden_arrays"))
import record  # noqa: E402

from interp.pipeline import run  # noqa: E402

OPTIONS = dict(quality="draft", progress=False, icon_size=32, icon_steps=2, device="cpu")


@cache
def result(name: str):
    with record.one_thread():  # float sums depend on the thread count; goldens use one
        return run(spec_path(name), **OPTIONS)


@pytest.mark.parametrize("name", CONTRACT)
def test_element_arrays_equal_the_golden_arrays(name):
    golden = record.load(name)
    actual = record.arrays_of(result(name))
    assert sorted(actual) == sorted(golden)
    for key, expected in golden.items():
        array = actual[key].transpose(*expected.dims)
        for dim in expected.dims:
            assert array.coords[dim].values.tolist() == expected.coords[dim].values.tolist(), key
        np.testing.assert_allclose(array.values, expected.values, rtol=1e-6, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("name", CONTRACT)
def test_view_tables_equal_the_golden_tables(name):
    golden = record.load_tables(name)
    actual = record.tables_of(result(name))
    assert sorted(actual) == sorted(golden)
    for key, rows in golden.items():
        expected = pd.DataFrame(rows)
        table = pd.DataFrame(actual[key])
        assert sorted(table.columns) == sorted(expected.columns), key
        table = table[expected.columns]
        pd.testing.assert_frame_equal(
            table, expected, check_dtype=False, rtol=1e-6, atol=1e-6, obj=key
        )
