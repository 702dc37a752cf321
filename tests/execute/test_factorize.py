"""NMF neuron groups: reconstruction, signed folding, determinism, order, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import NMF

from interp.execute.factorize import MAX_ITER, Groups, factorize


def low_rank(positions: int, channels: int, rank: int, *, signed: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    footprints = rng.random((positions, rank))
    directions = rng.standard_normal((rank, channels)) if signed else rng.random((rank, channels))
    return footprints @ directions


def relative_error(matrix: np.ndarray, groups: Groups) -> float:
    return np.linalg.norm(matrix - groups.footprints @ groups.directions) / np.linalg.norm(matrix)


def test_nonnegative_factorization_reconstructs_a_low_rank_matrix():
    matrix = low_rank(49, 24, 3, signed=False)
    groups = factorize(matrix, 3, signed=False)
    assert groups.footprints.shape == (49, 3) and groups.directions.shape == (3, 24)
    assert groups.footprints.dtype == np.float32 and groups.directions.dtype == np.float32
    assert (groups.footprints >= 0).all() and (groups.directions >= 0).all()
    assert relative_error(matrix, groups) < 1e-3


def test_signed_matrix_is_split_and_folded_back():
    matrix = low_rank(64, 16, 2, signed=True)
    groups = factorize(matrix, 4, signed=True)
    assert groups.directions.shape == (4, 16)
    assert (groups.directions < 0).any(), "folded directions carry the negative part"
    assert (groups.footprints >= 0).all()
    assert relative_error(matrix, groups) < 0.15


def test_signed_factorization_is_nmf_of_the_split_matrix_folded():
    matrix = low_rank(30, 10, 2, signed=True, seed=3)
    split = np.concatenate([np.maximum(matrix, 0), np.maximum(-matrix, 0)], axis=1)
    nmf = NMF(n_components=3, init="nndsvda", random_state=0, max_iter=MAX_ITER)
    footprints = nmf.fit_transform(split)
    directions = nmf.components_[:, :10] - nmf.components_[:, 10:]
    norms = np.linalg.norm(directions, axis=1)
    footprints, directions = footprints * norms, directions / norms[:, None]
    order = np.argsort(-footprints.sum(axis=0))
    groups = factorize(matrix, 3, signed=True)
    np.testing.assert_allclose(groups.directions, directions[order], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(groups.footprints, footprints[:, order], rtol=1e-5, atol=1e-6)


def test_factorization_is_deterministic():
    matrix = low_rank(36, 20, 4, signed=True, seed=1)
    first, second = factorize(matrix, 3, signed=True), factorize(matrix.copy(), 3, signed=True)
    assert np.array_equal(first.footprints, second.footprints)
    assert np.array_equal(first.directions, second.directions)


def test_groups_are_ordered_strongest_first_with_unit_directions():
    rng = np.random.default_rng(2)
    strengths = np.array([1.0, 10.0, 3.0])
    footprints = rng.random((40, 3)) * strengths
    directions = np.eye(3, 12) + 0.01
    groups = factorize(footprints @ directions, 3, signed=False)
    totals = groups.footprints.sum(axis=0)
    assert (np.diff(totals) <= 0).all()
    np.testing.assert_allclose(np.linalg.norm(groups.directions, axis=1), 1.0, rtol=1e-5)
    assert groups.directions[0].argmax() == 1, "the strongest planted group comes first"


def test_negative_data_without_signed_is_an_error():
    matrix = low_rank(10, 5, 2, signed=True)
    with pytest.raises(ValueError, match="non-negative"):
        factorize(matrix, 2, signed=False)


@pytest.mark.parametrize("k", [0, 11])
def test_group_count_must_fit_the_matrix(k):
    with pytest.raises(ValueError, match="groups"):
        factorize(np.ones((10, 12)), k, signed=False)
