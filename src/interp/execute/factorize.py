"""Neuron groups: non-negative matrix factorization of a layer's cube.

docs/semantics.md, "Factorization semantics": a `(positions x channels)` matrix is
factorized into `k` groups, each a spatial footprint (a column of
`footprints`, `(positions, k)`) and a channel direction (a row of
`directions`, `(k, channels)`), so `matrix ~= footprints @ directions`.
Signed matrices (gradients, attributions) are split into their positive and
negative parts side by side, `[max(M, 0), max(-M, 0)]`
`(positions x 2*channels)`, factorized, and each direction is folded back as
positive minus negative part, which keeps `M ~= footprints @ directions`.

Each direction is scaled to unit length (its footprint takes the scale), so a
footprint is the group's strength at each position; groups are ordered by
total footprint, strongest first. The result is deterministic for a seed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

MAX_ITER = 1000


@dataclass(frozen=True)
class Groups:
    """`footprints` `(positions, k)`, `directions` `(k, channels)`, float32, strongest group first."""

    footprints: np.ndarray
    directions: np.ndarray


def factorize(matrix: np.ndarray, k: int, *, signed: bool, seed: int = 0) -> Groups:
    """Factorize a `(positions, channels)` matrix into `k` groups (see the module docstring).

    Raises ValueError when `signed` is False and the matrix has negative
    entries (NMF needs non-negative data), or when `k` does not fit the matrix.
    """
    data = np.asarray(matrix, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"expected a (positions, channels) matrix, got shape {data.shape}")
    if not np.isfinite(data).all():
        raise ValueError("cannot factorize a matrix with NaN or infinite entries")
    if not signed and data.min() < 0:
        raise ValueError(
            f"non-negative matrix factorization needs non-negative data; the minimum is {data.min():.4g}"
        )
    positions, channels = data.shape
    split = np.concatenate([np.maximum(data, 0), np.maximum(-data, 0)], axis=1) if signed else data
    if not 1 <= k <= min(split.shape):
        raise ValueError(f"cannot find {k} groups in a {positions} x {channels} matrix")
    from sklearn.decomposition import NMF  # scikit-learn loads in a second: only when asked
    from sklearn.exceptions import ConvergenceWarning

    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        footprints = nmf.fit_transform(split)
    directions = nmf.components_
    if signed:
        directions = directions[:, :channels] - directions[:, channels:]
    norms = np.linalg.norm(directions, axis=1)
    scale = np.where(norms > 0, norms, 1.0)
    directions = directions / scale[:, None]
    footprints = footprints * scale[None, :]
    order = np.argsort(-footprints.sum(axis=0), kind="stable")
    return Groups(
        footprints=np.ascontiguousarray(footprints[:, order], dtype=np.float32),
        directions=np.ascontiguousarray(directions[order], dtype=np.float32),
    )
