"""Operations on labeled arrays, against hand-computed numbers."""

import numpy as np
import pytest
import xarray as xr
from sklearn.decomposition import PCA

from interp.check.axes import content_axes
from interp.check.program import Content, Reduce, SelectAt, SelectFrom, Softmax, Substrate, Sum, Top
from interp.execute import ops

CHANNELS = Substrate("layer", "L", "channels")
SPATIAL = Substrate("layer", "L", "spatial")
OUTPUT = Substrate("output", atoms="classes")


def attribution_axes(source, target):
    return content_axes(Content("attribution", source, target))


def channel_by_class():
    values = np.array([[1.0, 5.0], [4.0, 2.0], [3.0, 3.0], [-1.0, 0.0]])
    return xr.DataArray(
        values, dims=("channel", "class"), coords={"channel": [0, 1, 2, 3], "class": ["cat", "dog"]}
    )


def test_top_per_target_keeps_k_sources_for_each_class():
    array = channel_by_class()
    kept = ops.top(array, Top(2, per="target"), attribution_axes(CHANNELS, OUTPUT))
    cat = kept.sel({"class": "cat"}).dropna("channel")
    dog = kept.sel({"class": "dog"}).dropna("channel")
    assert cat.channel.values.tolist() == [1, 2]
    assert dog.channel.values.tolist() == [0, 2]
    assert 3 not in kept.channel.values  # dropped everywhere, so the coordinate goes


def test_top_per_source_keeps_k_targets_for_each_channel():
    kept = ops.top(channel_by_class(), Top(1, per="source"), attribution_axes(CHANNELS, OUTPUT))
    best = kept.to_dataframe(name="v").dropna().reset_index()
    assert dict(zip(best["channel"], best["class"], strict=True)) == {
        0: "dog",
        1: "cat",
        2: "cat",
        3: "dog",
    }


def test_top_over_positions_ranks_x_and_y_jointly():
    values = np.arange(12.0).reshape(3, 4)  # (y, x)
    array = xr.DataArray(values, dims=("y", "x"), coords={"y": range(3), "x": range(4)})
    axes = content_axes(
        Content(
            "attribution",
            Substrate("input", atoms="spatial"),
            Substrate("output", atoms="classes", labels=("cat",)),
        )
    )
    kept = ops.top(array, Top(3), axes)
    frame = kept.to_dataframe(name="v").dropna().reset_index()
    assert sorted(frame["v"]) == [9.0, 10.0, 11.0]


def test_softmax_normalizes_over_classes():
    array = xr.DataArray([1.0, 2.0, 3.0], dims=("class",), coords={"class": ["a", "b", "c"]})
    probs = ops.softmax(array).values
    expected = np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum()
    np.testing.assert_allclose(probs, expected)


def test_select_from_stacks_one_slice_per_offered_atom():
    array = channel_by_class()
    atoms = [{"class": "dog"}, {"class": "cat"}]
    op = SelectFrom("classes", "click", (("class", "class"),))
    selected = ops.select_from(array, op, atoms, ["class"])
    assert selected.dims == ("key_classes", "channel")
    assert selected.key_classes.values.tolist() == ["dog", "cat"]
    np.testing.assert_array_equal(selected.sel(key_classes="dog").values, [5.0, 2.0, 3.0, 0.0])


def test_select_at_and_sum():
    array = channel_by_class()
    picked = ops.select_at(array, SelectAt((("channel", (1, 2)),)))
    assert picked.channel.values.tolist() == [1, 2]
    total = ops.sum_over(picked, Sum(("channel",)))
    np.testing.assert_allclose(total.values, [7.0, 5.0])


def test_reduce_pca_matches_sklearn():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(3, 4, 10))  # y, x, class
    array = xr.DataArray(
        values,
        dims=("y", "x", "class"),
        coords={"y": range(3), "x": range(4), "class": [str(i) for i in range(10)]},
    )
    reduced = ops.reduce(array, Reduce("pca", 3), attribution_axes(SPATIAL, OUTPUT))
    assert set(reduced.dims) == {"y", "x", "component"}
    expected = PCA(n_components=3, random_state=0).fit_transform(values.reshape(12, 10))
    got = reduced.transpose("y", "x", "component").values.reshape(12, 3)
    np.testing.assert_allclose(np.abs(got), np.abs(expected), rtol=1e-6, atol=1e-8)


def test_drill_axes_are_summed_before_ranking():
    cube = np.zeros((3, 2, 2))
    cube[0] = 1.0  # channel 0 totals 4
    cube[1, 0, 0] = 3.0  # channel 1 totals 3
    array = xr.DataArray(
        cube, dims=("channel", "y", "x"), coords={"channel": range(3), "y": range(2), "x": range(2)}
    )
    axes = content_axes(Content("activations", CHANNELS))
    kept = ops.apply(array, Top(1), axes)
    assert kept.dims == ("channel",)
    assert kept.dropna("channel").channel.values.tolist() == [0]


def test_offered_atoms_are_strongest_first():
    array = xr.DataArray([0.1, 0.9, 0.5], dims=("class",), coords={"class": ["a", "b", "c"]})
    assert [a["class"] for a in ops.offered_atoms(array, ["class"])] == ["b", "c", "a"]


@pytest.mark.parametrize("op", [Softmax()])
def test_softmax_ignores_masked_entries(op):
    array = xr.DataArray([1.0, np.nan, 1.0], dims=("class",), coords={"class": ["a", "b", "c"]})
    np.testing.assert_allclose(ops.softmax(array).values[[0, 2]], [0.5, 0.5])
