"""The `AtlasLayout` node: an activation atlas's cells (Carter et al. 2019).

The vectors a dataset pass sampled (a few positions of every example) are
laid out in 2-D by UMAP (cosine metric) or t-SNE, both seeded, scaled to the
unit square and binned into an ``N x N`` grid. Each cell holding at least
`MIN_COUNT` vectors is kept, with its count and its mean vector (the
direction its feature visualization draws and selections project onto);
sparser cells and zero vectors (no direction) belong to no cell. The layout
is cached by content (the vectors, the method, the seed): a warm atlas is
binned, not laid out again.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from interp.cache import digest
from interp.execute.context import RunContext
from interp.plan import nodes

CACHE_VERSION = 2
MIN_COUNT = 3  # a cell with fewer vectors is noise, not an idea
UMAP_EPOCHS = 200


@dataclass(frozen=True)
class AtlasCells:
    """The atlas: `array` counts vectors per kept cell (coordinates `gx`, `gy` in the grid);
    `directions[i]` is cell `array.cell[i]`'s mean vector; `sample_cell[s]` is the kept cell
    of sampled vector `s` (-1: none); `points` the layout in the unit square; `center` the
    mean of every placed vector."""

    array: xr.DataArray
    directions: np.ndarray
    sample_cell: np.ndarray
    points: np.ndarray
    grid: int
    center: np.ndarray

    def unit_directions(self, cells: list) -> np.ndarray:
        """Where `cells` lie from the atlas's centre: each cell's mean vector minus the mean
        of all vectors, of unit length, `(len(cells), C)`.

        Every vector of a post-ReLU layer shares a large common part; measured from the
        centre, a projection says how much of *this* cell's idea a vector holds, not how
        strongly the layer fires overall.
        """
        row = {int(c): i for i, c in enumerate(self.array.coords["cell"].values.tolist())}
        chosen = self.directions[[row[int(c)] for c in cells]] - self.center
        norms = np.linalg.norm(chosen, axis=1, keepdims=True)
        return chosen / np.where(norms > 0, norms, 1.0)

    def project(self, vectors: np.ndarray, cells: list) -> np.ndarray:
        """`(cells, vectors)`: each vector's projection, from the centre, on each cell's direction."""
        return self.unit_directions(cells) @ (vectors - self.center).T


def atlas_layout(node: nodes.AtlasLayout, inputs, ctx: RunContext) -> AtlasCells:
    vectors = inputs[node.dataset].results[node.reduction]["vectors"].astype(np.float32)
    alive = np.linalg.norm(vectors, axis=1) > 0
    points = np.full((len(vectors), 2), np.nan)
    if alive.sum() >= 3:
        points[alive] = _layout_cached(vectors[alive], node.layout, node.seed, ctx)
    return bin_cells(vectors, points, node.cells)


def _layout_cached(vectors: np.ndarray, method: str, seed: int, ctx: RunContext) -> np.ndarray:
    key = ("atlas-layout", CACHE_VERSION, digest(vectors), method, seed)
    cache = ctx.cache
    found = cache.get(key) if cache is not None else None
    if isinstance(found, np.ndarray) and found.shape == (len(vectors), 2):
        return found
    points = layout(vectors, method, seed)
    if cache is not None:
        cache.put(key, points)
    return points


def layout(vectors: np.ndarray, method: str, seed: int) -> np.ndarray:
    """2-D coordinates of `vectors` (rows), seeded, scaled to the unit square."""
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, max(2.0, (len(vectors) - 1) / 3)))
        found = TSNE(
            n_components=2, perplexity=perplexity, init="pca", metric="cosine", random_state=seed
        ).fit_transform(vectors)
    else:
        from sklearn.neighbors import NearestNeighbors

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # umap's notes on seeding and parallelism
            import umap

            neighbours = int(min(15, len(vectors) - 1))
            # exact neighbours, found once here: umap's approximate search costs more to
            # compile than to run at these sizes
            knn = NearestNeighbors(n_neighbors=neighbours, metric="cosine", algorithm="brute")
            distances, indices = knn.fit(vectors).kneighbors(vectors)
            found = umap.UMAP(
                n_components=2,
                n_neighbors=neighbours,
                min_dist=0.01,
                metric="cosine",
                n_epochs=UMAP_EPOCHS,
                random_state=seed,
                precomputed_knn=(indices, distances, None),
                init="spectral" if len(vectors) > neighbours + 2 else "random",
            ).fit_transform(vectors)
    low, high = found.min(axis=0), found.max(axis=0)
    return (found - low) / np.where(high > low, high - low, 1.0)


def bin_cells(vectors: np.ndarray, points: np.ndarray, grid: int) -> AtlasCells:
    """Cells of `grid x grid` over the unit square: counts, mean vectors, each vector's cell."""
    placed = ~np.isnan(points).any(axis=1)
    column = np.clip(np.floor(np.nan_to_num(points) * grid), 0, grid - 1).astype(np.int64)
    cell = np.where(placed, column[:, 1] * grid + column[:, 0], -1)
    ids, counts = np.unique(cell[placed], return_counts=True)
    kept = ids[counts >= MIN_COUNT] if (counts >= MIN_COUNT).any() else ids
    sample_cell = np.where(np.isin(cell, kept), cell, -1)
    directions = (
        np.stack([vectors[sample_cell == c].mean(axis=0) for c in kept])
        if len(kept)
        else (np.zeros((0, vectors.shape[1]), np.float32))
    )
    count = np.asarray([int((sample_cell == c).sum()) for c in kept])
    array = xr.DataArray(
        count.astype(np.float64),
        dims=("cell",),
        coords={
            "cell": kept.astype(np.int64),
            "gx": ("cell", kept % grid),
            "gy": ("cell", kept // grid),
        },
    )
    center = vectors[placed].mean(axis=0) if placed.any() else np.zeros(vectors.shape[1])
    return AtlasCells(
        array, directions.astype(np.float32), sample_cell, points, grid, center.astype(np.float32)
    )
