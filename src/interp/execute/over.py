"""Contents over a dataset, from what its pass kept: labeled arrays with an `example` axis.

The pass keeps, per channel (and class), the k strongest examples; the
content is the array over those examples only, NaN elsewhere (as `top`
masks), so `select` and `top` work on it by axis name. A `.spatial` content
carries each kept example's strongest position as coordinates `x`, `y` (the
thumbnail centres there). Every value is what the same content gives with
that example as the input.

`top(k)` over an `example` axis keeps the k strongest examples, each ranked by
its strongest remaining value; since every example of a channel's top k is
kept, that ranking is exact for k up to the pass's k.

Selecting an atlas's cells: `members` keeps, per cell, the examples whose
sampled vectors fall in it (valued by the best projection onto the cell's
mean direction, at that vector's position); `project` projects a single
image's activation vectors onto each cell's mean direction. Both measure
from the atlas's centre (the mean of all its vectors, `AtlasCells.project`).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from interp.check.program import SelectFrom, Top
from interp.errors import error
from interp.keys import atom_key, is_key_column, key_column
from interp.plan import nodes

POSITIONS = ("x", "y")
CONSTANT = 1e-9  # a channel's relative variance below this is rounding noise, not signal


def over_dataset(node: nodes.OverDataset, inputs) -> xr.DataArray:
    values = inputs[node.dataset]
    found = values.results[node.reduction]
    reduction = node.reduction
    if isinstance(reduction, nodes.SampledVectors):
        return sampled_array(found, values.labels)
    if isinstance(reduction, nodes.ExampleAggregate):
        from interp.execute.aggregates import aggregated_array

        return aggregated_array(found, reduction, node.dataset.dataset)
    lead = ("channel", "class") if isinstance(reduction, nodes.TopAttributions) else ("channel",)
    kept = np.unique(found["index"])
    column = {e: i for i, e in enumerate(kept.tolist())}
    shape = (*found["value"].shape[:-1], len(kept))
    dense = np.full(shape, np.nan, dtype=np.float32)
    where = {name: np.full(shape, np.nan) for name in POSITIONS if name in found}
    for lead_index in np.ndindex(*found["value"].shape[:-1]):
        for j, example in enumerate(found["index"][lead_index].tolist()):
            dense[(*lead_index, column[example])] = found["value"][(*lead_index, j)]
            for name in where:
                where[name][(*lead_index, column[example])] = found[name][(*lead_index, j)]
    coords = {"example": kept, "label": ("example", [values.labels[i] for i in kept.tolist()])}
    coords["channel"] = np.arange(shape[0])
    if "class" in lead:
        coords["class"] = list(reduction.classes)  # type: ignore[union-attr]
    dims = (*lead, "example")
    coords.update({name: (dims, array) for name, array in where.items()})
    return xr.DataArray(dense, dims=dims, coords=coords)


def sampled_array(found: dict, labels: list[str]) -> xr.DataArray:
    """The sampled activation vectors `(sample, channel)`, each with its example and position."""
    count, channels = found["vectors"].shape
    return xr.DataArray(
        found["vectors"],
        dims=("sample", "channel"),
        coords={
            "sample": np.arange(count),
            "channel": np.arange(channels),
            "example": ("sample", found["example"]),
            "label": ("sample", [labels[i] for i in found["example"].tolist()]),
            "x": ("sample", found["x"]),
            "y": ("sample", found["y"]),
        },
    )


def correlation(node: nodes.CorrelationMatrix, inputs) -> xr.DataArray:
    """Pearson's r of channel totals over the examples, from the streamed sums.

    A channel constant over the examples (within rounding: `CONSTANT`) has no r: NaN, which
    views leave out. Fewer than two examples, or no pair of channels that varies, leave
    nothing to show: a located error at the `dataset(...)`, not an empty view."""
    sums = inputs[node.dataset].results[node.reduction]
    dataset = node.dataset.dataset
    n = float(sums["n"])
    if n < 2:
        raise error(
            f"correlation is undefined over {n:.0f} example{'s' if n != 1 else ''}: "
            f"{dataset.describe()} gave fewer than 2 readable examples",
            dataset.span,
            hint="Pearson's r needs at least two examples: widen the glob, raise limit=, "
            "or draw crops: dataset(samples(), crops=256, seed=0)",
        )
    covariance = n * sums["sab"] - np.outer(sums["sa"], sums["sb"])
    varies_a, spread_a = _spread(n, sums["sa"], sums["saa"])
    varies_b, spread_b = _spread(n, sums["sb"], sums["sbb"])
    if not varies_a.any() or not varies_b.any():
        raise error(
            f"correlation is undefined over {dataset.describe()}: every channel of "
            f"{'one layer' if varies_a.any() or varies_b.any() else 'both layers'} is constant "
            f"over its {n:.0f} examples (e.g. identical or blank images)",
            dataset.span,
            hint="correlate over examples that differ: dataset(samples(), crops=256, seed=0)",
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        r = covariance / np.sqrt(np.outer(spread_a, spread_b))
    r = np.where(np.outer(varies_a, varies_b), np.clip(r, -1.0, 1.0), np.nan)
    constant = [int((~varies).sum()) for varies in (varies_a, varies_b)]
    if node.flipped:
        r = r.T
        constant.reverse()
    rows, columns = r.shape
    return xr.DataArray(
        r.astype(np.float64),
        dims=("channel", "tchannel"),
        coords={"channel": np.arange(rows), "tchannel": np.arange(columns)},
        attrs={"note": _constant_note(constant, n)} if any(constant) else {},
    )


def _constant_note(constant: list[int], n: float) -> str:
    """What the page says of channels with no r (constant over the examples): left out."""
    sides = [
        f"{count} {side} channel{'s' if count != 1 else ''}"
        for count, side in zip(constant, ("source", "target"), strict=True)
        if count
    ]
    return f"r undefined for {' and '.join(sides)} constant over the {n:.0f} examples: left out"


def _spread(n: float, total: np.ndarray, squares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which channels vary, and n² times each channel's variance. A constant channel's
    streamed spread is rounding noise (float32 activations summed in float64), which would
    read as an arbitrary r: below `CONSTANT` of its scale it counts as zero."""
    spread = n * squares - total**2
    return spread > CONSTANT * n * np.abs(squares), spread


# ---- operations on an example axis ------------------------------------------------------------


def top_examples(array: xr.DataArray, op: Top) -> xr.DataArray:
    """The `op.k` strongest examples per slice of the key axes, each by its largest value."""
    others = [d for d in array.dims if d != "example" and not is_key_column(d)]
    score = array.max(dim=others, skipna=True) if others else array
    keys = [d for d in score.dims if d != "example"]
    values = score.transpose(*keys, "example").values
    order = np.argsort(np.where(np.isnan(values), np.inf, -values), axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(values.shape[-1]), axis=-1)
    keep = (ranks < op.k) & ~np.isnan(values)
    mask = xr.DataArray(keep, dims=(*keys, "example"), coords={d: score.coords[d] for d in keys})
    kept = array.where(mask)
    return kept.dropna(dim="example", how="all")


def select_cells(array: xr.DataArray, op: SelectFrom, atoms, cells) -> xr.DataArray:
    """`select(atlas.hover)`: one slice per offered cell, stacked along `key_<atlas>`."""
    key = key_column(op.element)
    wanted = [atom["cell"] for atom in atoms]
    labels = [atom_key(atom, ["cell"]) for atom in atoms]
    if op.how == "project":
        cube = array.transpose("channel", "y", "x").values
        channels, height, width = cube.shape
        maps = cells.project(cube.reshape(channels, -1).T, wanted).reshape(-1, height, width)
        return xr.DataArray(
            maps,
            dims=(key, "y", "x"),
            coords={key: labels, "y": array.coords["y"].values, "x": array.coords["x"].values},
        )
    return _members(array, key, wanted, labels, cells)


def _members(array, key, wanted, labels, cells) -> xr.DataArray:
    """Per cell, each member example's best projection onto the cell's direction (NaN elsewhere),
    and the position of that vector."""
    vectors = array.transpose("sample", "channel").values
    examples = array.coords["example"].values
    sample_cell = cells.sample_cell
    rows = {}
    for row, cell in enumerate(wanted):
        members = np.flatnonzero(sample_cell == cell)
        projection = cells.project(vectors[members], [cell])[0]
        best: dict[int, tuple[float, int]] = {}
        for sample, value in zip(members.tolist(), projection.tolist(), strict=True):
            example = int(examples[sample])
            if example not in best or value > best[example][0]:
                best[example] = (value, sample)
        rows[row] = best
    kept = sorted({e for best in rows.values() for e in best})
    column = {e: i for i, e in enumerate(kept)}
    shape = (len(wanted), len(kept))
    value, x, y = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    xs, ys = array.coords["x"].values, array.coords["y"].values
    for row, best in rows.items():
        for example, (projected, sample) in best.items():
            value[row, column[example]] = projected
            x[row, column[example]], y[row, column[example]] = xs[sample], ys[sample]
    label_of = dict(zip(examples.tolist(), array.coords["label"].values.tolist(), strict=True))
    return xr.DataArray(
        value,
        dims=(key, "example"),
        coords={
            key: labels,
            "example": np.asarray(kept, dtype=np.int64),
            "label": ("example", [label_of[e] for e in kept]),
            "x": ((key, "example"), x),
            "y": ((key, "example"), y),
        },
    )
