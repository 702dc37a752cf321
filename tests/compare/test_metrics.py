"""Interface metrics over plain arrays: each against a case computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from interp.compare.metrics import (
    DeletionCurves,
    area_under,
    coverage,
    deletion_fractions,
    deletion_masks,
    deletion_orders,
    flow_entropy,
    nmf_explained,
    path_dependence,
    randomization,
)
from interp.execute.factorize import factorize


def channels(values, coords=None) -> xr.DataArray:
    coords = list(range(len(values))) if coords is None else coords
    return xr.DataArray(
        np.asarray(values, dtype=float), dims=("channel",), coords={"channel": coords}
    )


# randomization / path_dependence ---------------------------------------------------


def test_randomization_is_spearman_by_hand():
    # ranks 1..5 against 2,1,4,3,5: d^2 sums to 4, rho = 1 - 6*4 / (5*24) = 0.8
    assert randomization([1, 2, 3, 4, 5], [20, 10, 40, 30, 50]) == pytest.approx(0.8)
    assert randomization([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_randomization_aligns_by_coordinates():
    trained = channels([1, 2, 3, 4, 5], [10, 11, 12, 13, 14])
    shuffled = channels([50, 30, 10, 40, 20], [14, 12, 10, 13, 11])  # same values, other order
    assert randomization(trained, shuffled) == pytest.approx(1.0)
    partial = channels([3, 1, 2, 99], [12, 10, 11, 77])  # only 10, 11, 12 are shared
    assert randomization(trained, partial) == pytest.approx(1.0)


def test_randomization_aligns_axes_by_name():
    values = np.arange(6.0).reshape(2, 3)
    a = xr.DataArray(values, dims=("y", "x"), coords={"y": [0, 1], "x": [0, 1, 2]})
    assert randomization(a, a.transpose("x", "y")) == pytest.approx(1.0)


def test_randomization_absolute_ranks_magnitudes():
    # signed: 1,-2,3,-4 ranks 3,2,4,1 against 1,2,3,4: sum d^2 = 14, rho = 1 - 6*14 / (4*15)
    assert randomization([1, -2, 3, -4], [1, 2, 3, 4]) == pytest.approx(1 - 6 * 14 / 60)
    assert randomization([1, -2, 3, -4], [1, 2, 3, 4], absolute=True) == pytest.approx(1.0)


def test_randomization_absent_when_undefined():
    assert (
        randomization(channels([1, 2, 3]), channels([1, 2, 3], [5, 6, 7])) is None
    )  # nothing shared
    assert randomization([1, 2], [2, 1]) is None  # too few pairs
    assert randomization([1, 2, 3], [7, 7, 7]) is None  # constant
    assert randomization([1, np.nan, 2, 3, np.nan], [3, 1, 2, 1, 0]) == pytest.approx(-1.0)


def test_randomization_rejects_different_contents():
    with pytest.raises(ValueError, match="axes"):
        randomization(channels([1, 2, 3]), xr.DataArray([1.0, 2, 3], dims=("class",)))
    with pytest.raises(ValueError, match="shapes"):
        randomization(np.zeros(3), np.zeros(4))


def test_path_dependence_is_one_minus_rank_correlation():
    assert path_dependence([1, 2, 3, 4, 5], [20, 10, 40, 30, 50]) == pytest.approx(0.2)
    assert path_dependence([1, 2, 3], [10, 20, 300]) == pytest.approx(0.0)  # same ranking
    assert path_dependence([1, 2, 3], [3, 2, 1]) == pytest.approx(2.0)
    assert path_dependence([1, 1, 1], [3, 2, 1]) is None


# nmf_explained ----------------------------------------------------------------------


def test_nmf_explained_by_hand():
    identity = np.eye(2)
    # one group reconstructs the first row only: residual energy 1 of 2
    assert nmf_explained(identity, [[1.0], [0.0]], [[1.0, 0.0]]) == pytest.approx(0.5)
    assert nmf_explained(identity, identity, identity) == pytest.approx(1.0)
    assert nmf_explained(identity, np.zeros((2, 1)), np.zeros((1, 2))) == pytest.approx(0.0)
    assert nmf_explained(np.zeros((2, 2)), identity, identity) is None


def test_nmf_explained_takes_the_engines_cube_form():
    rng = np.random.default_rng(0)
    cube = rng.random((6, 3, 4))  # channels, H, W
    matrix = cube.reshape(6, 12).T
    groups = factorize(matrix, 2, signed=False)
    flat = nmf_explained(matrix, groups.footprints, groups.directions)
    footprints = groups.footprints.T.reshape(2, 3, 4)
    assert nmf_explained(cube, footprints, groups.directions) == pytest.approx(flat)
    with pytest.raises(ValueError, match="reconstruct"):
        nmf_explained(matrix, groups.footprints, groups.directions[:, :5])


def test_nmf_explained_rises_with_k_on_random_data():
    matrix = np.random.default_rng(1).random((49, 64))
    explained = [
        nmf_explained(matrix, *vars(factorize(matrix, k, signed=False)).values()) for k in (2, 4, 8)
    ]
    assert all(0 <= value <= 1 for value in explained)
    assert explained[0] < explained[1] < explained[2]


def test_nmf_explained_of_a_signed_factorization_is_measured_on_the_signed_matrix():
    matrix = np.random.default_rng(2).standard_normal((30, 10))
    explained = [
        nmf_explained(matrix, *vars(factorize(matrix, k, signed=True)).values()) for k in (2, 8)
    ]
    assert explained[0] < explained[1] <= 1


# coverage -----------------------------------------------------------------------------


def test_coverage_by_hand():
    full = channels([4, -3, 2, 1])
    shown = full.sel(channel=[0, 2])  # top(2) keeps 4 and 2: (4 + 2) / (4 + 3 + 2 + 1)
    assert coverage(full, shown) == pytest.approx(0.6)
    assert coverage(full, full) == pytest.approx(1.0)
    assert coverage(full, shown * 100) == pytest.approx(0.6)  # values are read from `full`
    assert coverage(channels([0, 0]), channels([0])) is None


def test_coverage_counts_cells_kept_per_target():
    # top(1, per=target) on (channel, class): each class keeps its own channel; others are NaN
    full = xr.DataArray(
        [[5.0, 1.0], [2.0, 3.0], [1.0, 0.0]],
        dims=("channel", "class"),
        coords={"channel": [0, 1, 2], "class": ["cat", "dog"]},
    )
    shown = full.where(full == full.max("channel")).dropna("channel", how="all")
    assert coverage(full, shown) == pytest.approx((5 + 3) / 12)


def test_coverage_needs_the_shown_axes():
    with pytest.raises(ValueError, match="lacks"):
        coverage(channels([1, 2]), xr.DataArray([1.0], dims=("class",)))


# flow_entropy ---------------------------------------------------------------------------


def test_flow_entropy_by_hand():
    assert flow_entropy(np.ones((2, 2))) == pytest.approx(2.0)  # four equal flows: log2 4
    assert flow_entropy([[0.0, 7.0], [0.0, 0.0]]) == 0.0  # one flow carries everything
    assert flow_entropy([[1.0, -1.0], [0.0, 2.0]]) == pytest.approx(1.5)  # p = 1/4, 1/4, 1/2
    assert flow_entropy([[1.0, np.nan], [1.0, np.nan]]) == pytest.approx(1.0)
    assert flow_entropy(np.zeros((3, 3))) is None


def test_flow_entropy_is_lower_for_concentrated_flows():
    flow = xr.DataArray(np.eye(5) * 10 + 1, dims=("group", "tgroup"))
    assert flow_entropy(flow) < flow_entropy(np.ones((5, 5))) == pytest.approx(math.log2(25))


# deletion: the pure parts --------------------------------------------------------------


def test_deletion_orders_strongest_first_and_seeded():
    strongest, shuffled = deletion_orders(np.array([[0.5, -2.0], [3.0, 0.5]]), seed=0)
    assert strongest.tolist() == [2, 0, 3, 1]  # signed, ties by index
    assert sorted(shuffled.tolist()) == [0, 1, 2, 3]
    assert deletion_orders(np.arange(10.0), seed=3)[1].tolist() == (
        deletion_orders(np.arange(10.0), seed=3)[1].tolist()
    )
    with pytest.raises(ValueError, match="missing"):
        deletion_orders(np.array([1.0, np.nan]), seed=0)


def test_deletion_masks_follow_the_order():
    masks = deletion_masks(np.array([2, 0, 3, 1]), deletion_fractions(2))
    assert masks.tolist() == [
        [False, False, False, False],
        [True, False, True, False],
        [True, True, True, True],
    ]


def test_deletion_curves_area_and_labels():
    curves = DeletionCurves(deletion_fractions(4), np.array([56.0, 18, -4, -10, 0]), np.zeros(5))
    assert curves.auc == pytest.approx(0.25 * (56 / 2 + 18 - 4 - 10 + 0 / 2))
    assert curves.random_auc == 0.0
    array = curves.to_xarray()
    assert array.dims == ("order", "fraction")
    assert array.sel(order="attribution", fraction=0.25).item() == 18.0
    assert area_under([0, 1], [1, 3]) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="step"):
        deletion_fractions(0)
