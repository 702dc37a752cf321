"""Interface metrics (docs/semantics.md §7): numbers that say how far an element can be trusted.

Each metric is a pure function of contents as the executor produces them:
xarray DataArrays with named axes (an attribution over `("y", "x", "class")`
or `("channel", "class")`, a group flow over `("group", "tgroup")`), or plain
numpy arrays of equal shape. A metric that does not apply to its inputs (too
few shared coordinates, a constant content, an all-zero matrix) returns None:
absent, never a made-up 0 or 1. Wrong shapes or axes are programming errors
and raise.

The one metric that needs the model, `deletion`, runs in
`interp.execute.deletion`; its pure parts (the removal order, the masks, the
area under a curve, the result) live here. The metrics are declared in
`interp.vocabulary.measures`; `interp.execute.measure` computes each from the
nodes it reads with these functions, and `interp.compare.metrics` offers them
under the name docs/metrics.md gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

Content = xr.DataArray | np.ndarray


def randomization(trained: Content, randomized: Content, *, absolute: bool = False) -> float | None:
    """Spearman rank correlation of an element's content on the trained and the randomized model.

    Adebayo et al. 2018 ("Sanity Checks for Saliency Maps"): an attribution
    that explains the model must change when the model's weights are
    re-initialized; one that survives randomization mostly reflects the input
    (edges, contrast). A trustworthy attribution scores *low* (near 0).
    Both contents are the same element evaluated on the two models, aligned by
    their coordinates (only coordinates present in both count). Pass the
    content before `top(k)`: the two models keep different atoms, so shown
    atoms barely overlap. `absolute` ranks magnitudes instead of signed
    values, as Adebayo et al. also report (sign flips then do not count as
    change). None when fewer than three coordinates are shared or either side
    is constant there.
    """
    a, b = _aligned(trained, randomized)
    if absolute:
        a, b = np.abs(a), np.abs(b)
    return _spearman(a, b)


def path_dependence(linear: Content, integrated: Content) -> float | None:
    """1 − Spearman rank correlation of linear attribution with integrated gradients.

    Olah et al. 2018 ask "how path-dependent is the attribution?": linear
    attribution (activation × gradient) takes the gradient at the activation
    only, integrated gradients average it along the path from a zero
    baseline. Where the model is close to linear along that path the two rank
    the atoms alike (score near 0); a high score (up to 2, for reversed
    rankings) says the linear picture depends on where the gradient was taken
    and should be read with care. Both contents are the same (source, target)
    pair, aligned by coordinates. None when the correlation is undefined.
    """
    rho = _spearman(*_aligned(linear, integrated))
    return None if rho is None else 1.0 - rho


def ablation_agreement(attribution: Content, ablation: Content) -> float | None:
    """Spearman rank correlation of an attribution with the ablation effects of the same
    atoms on the same target (original − ablated, each atom alone set to zero).

    Attribution is a first-order prediction of what removing an atom does; ablation
    is what it does. Near 1: the atoms the picture ranks high are the ones the
    model needs; near 0 or below: the picture's ranking is not what an intervention
    finds. Both contents are aligned by coordinates. None when undefined.
    """
    return _spearman(*_aligned(attribution, ablation))


def nmf_explained(
    matrix: np.ndarray, footprints: np.ndarray, directions: np.ndarray
) -> float | None:
    """The fraction `1 − ‖A − WH‖² / ‖A‖²` of the factorized matrix that the groups explain.

    Lee & Seung's NMF finds `W ≥ 0` (footprints) and `H` (directions) with
    `A ≈ WH`; this is the share of the matrix's energy the `k` groups
    reconstruct, so it tells how much of the layer a neuron-groups element
    leaves out (it rises with `k`). Shapes follow `execute.factorize`:
    `matrix` `(positions, channels)`, `footprints` `(positions, k)`,
    `directions` `(k, channels)`; or the engine's cube form, `matrix`
    `(channels, H, W)` with `footprints` `(k, H, W)`. At a least-squares
    stationary point `‖A − WH‖² = ‖A‖² − ‖WH‖²`, so the value lies in
    [0, 1]; it is reported as computed, not clipped (a negative value would
    mean a reconstruction worse than zero). None for an all-zero matrix.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    footprints = np.asarray(footprints, dtype=np.float64)
    directions = np.asarray(directions, dtype=np.float64)
    if matrix.ndim == 3:
        channels = matrix.shape[0]
        matrix = matrix.reshape(channels, -1).T
        footprints = footprints.reshape(footprints.shape[0], -1).T
    if matrix.shape != (footprints.shape[0], directions.shape[1]) or (
        footprints.shape[1] != directions.shape[0]
    ):
        raise ValueError(
            f"cannot reconstruct a {matrix.shape} matrix from footprints {footprints.shape} "
            f"and directions {directions.shape}"
        )
    energy = float(np.sum(matrix**2))
    if energy == 0:
        return None
    return 1.0 - float(np.sum((matrix - footprints @ directions) ** 2)) / energy


def coverage(full: xr.DataArray, shown: xr.DataArray) -> float | None:
    """Share of the element's total absolute content carried by the atoms it shows.

    An element that keeps `top(k)` atoms hides the rest; coverage says how
    much of the content (by `Σ|value|`) survives. Near 1: the picture is the
    whole story; small: most of the attribution lies in atoms not drawn.
    `full` is the content just before `top(k)` (after any `select`), `shown`
    the content after it: kept cells hold values, dropped ones are missing
    (NaN) or absent, as `execute.ops.top` leaves them. The shown cells' values
    are read from `full`, so later operations on `shown` do not matter.
    None when the full content is all zero (or all missing).
    """
    extra = [d for d in shown.dims if d not in full.dims]
    if extra:
        raise ValueError(f"shown content has axes {extra} that the full content lacks")
    magnitude = np.abs(full)
    total = float(magnitude.sum(skipna=True))
    if total == 0:
        return None
    kept = shown.notnull().reindex_like(full, fill_value=False)
    return float(magnitude.where(kept).sum(skipna=True)) / total


def flow_entropy(flow: Content) -> float | None:
    """Entropy, in bits, of a group-flow matrix read as a distribution: `p = |F| / Σ|F|`.

    Flows between the groups of two layers (`("group", "tgroup")`) are easy
    to read when each lower group feeds few upper groups. Low entropy: a few
    strong flows carry the attribution; high entropy (up to `log2` of the
    number of flows, when all are equal): it spreads evenly. Compare a
    factorization made `compatible=` with the later layer against independent
    ones of the same sizes: compatibility should lower it. Missing (NaN)
    flows are ignored. None when every flow is zero.
    """
    magnitude = np.abs(np.asarray(flow, dtype=np.float64))
    magnitude = magnitude[~np.isnan(magnitude)]
    total = magnitude.sum()
    if total == 0:
        return None
    p = magnitude[magnitude > 0] / total
    return float(-(p * np.log2(p)).sum()) + 0.0


# Deletion: the pure parts ------------------------------------------------------


@dataclass(frozen=True)
class DeletionCurves:
    """The target's logit as atoms are removed, in the attribution's order and at random.

    `fractions` `(points,)` run from 0 to 1; `curve[i]` is the logit with the
    strongest `fractions[i]` share of atoms removed, `random_curve[i]` with
    the same number removed in a seeded random order. `auc` and `random_auc`
    are their areas (trapezoid rule over the fraction removed): a faithful
    attribution makes the logit fall faster than random, `auc < random_auc`.
    """

    fractions: np.ndarray
    curve: np.ndarray
    random_curve: np.ndarray

    @property
    def auc(self) -> float:
        return area_under(self.fractions, self.curve)

    @property
    def random_auc(self) -> float:
        return area_under(self.fractions, self.random_curve)

    def to_xarray(self) -> xr.DataArray:
        """Both curves as one labeled array over `("order", "fraction")`."""
        return xr.DataArray(
            np.stack([self.curve, self.random_curve]),
            dims=("order", "fraction"),
            coords={"order": ["attribution", "random"], "fraction": self.fractions},
            name="logit",
        )


def area_under(fractions: np.ndarray, values: np.ndarray) -> float:
    """The trapezoid-rule area under `values` over `fractions`."""
    return float(np.trapezoid(np.asarray(values, dtype=np.float64), np.asarray(fractions)))


def deletion_fractions(steps: int) -> np.ndarray:
    """`steps + 1` evenly spaced fractions removed, 0 to 1."""
    if steps < 1:
        raise ValueError(f"a deletion curve needs at least one step, not {steps}")
    return np.linspace(0.0, 1.0, steps + 1)


def deletion_orders(scores: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat atom indices strongest first (largest signed score; ties by index), and a seeded shuffle.

    Signed, because removing atoms that raise the target (positive
    attribution) first is what should make the logit fall fastest.
    """
    flat = np.asarray(scores, dtype=np.float64).reshape(-1)
    if np.isnan(flat).any():
        raise ValueError("deletion needs a score for every atom; the content has missing values")
    strongest = np.argsort(-flat, kind="stable")
    return strongest, np.random.default_rng(seed).permutation(flat.size)


def deletion_masks(order: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """`(points, atoms)` booleans: which atoms are removed at each fraction, following `order`."""
    atoms = order.size
    counts = np.rint(np.asarray(fractions) * atoms).astype(int)
    ranks = np.empty(atoms, dtype=int)
    ranks[order] = np.arange(atoms)
    return ranks[None, :] < counts[:, None]


# Helpers -----------------------------------------------------------------------


def _aligned(a: Content, b: Content) -> tuple[np.ndarray, np.ndarray]:
    """Flat values of `a` and `b` at the coordinates both have, NaN pairs dropped."""
    if isinstance(a, xr.DataArray) and isinstance(b, xr.DataArray):
        if set(a.dims) != set(b.dims):
            raise ValueError(f"cannot compare contents over axes {a.dims} and {b.dims}")
        a, b = xr.align(a, b.transpose(*a.dims), join="inner")
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare contents of shapes {a.shape} and {b.shape}")
    a, b = a.reshape(-1), b.reshape(-1)
    both = ~(np.isnan(a) | np.isnan(b))
    return a[both], b[both]


def _spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rho, or None when it is undefined (under three pairs, or a constant side)."""
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    from scipy.stats import spearmanr  # scipy.stats takes a second to import: only when asked

    return float(spearmanr(a, b).statistic)
