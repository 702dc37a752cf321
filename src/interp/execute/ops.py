"""Operations on labeled arrays (xarray): select, top, reduce, softmax, sum.

Arrays keep their axes' names from `interp.check.axes`. `top` keeps arrays
rectangular by masking what it drops with NaN (and dropping coordinates
that no row keeps), so every later operation still works by axis name.
A selection on another element stacks the dependent content along a new
axis `key_<E>` (`interp.keys`), one slice per atom `E` offers; later
operations treat such axes as batch axes.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from interp.check.axes import top_axes
from interp.check.program import Aggregate, Axis, Reduce, SelectAt, SelectFrom, Softmax, Sum, Top
from interp.keys import atom_key, key_column
from interp.plan import nodes
from interp.vocabulary.contents import KERNEL_AXES


def offered_atoms(array: xr.DataArray, atom_axes: list[str]) -> list[dict[str, object]]:
    """The atoms an element offers to selections: coordinates on its atom axes
    where any value survives (strongest first)."""
    kernel = [d for d in array.dims if d in KERNEL_AXES and d not in atom_axes]
    if kernel:  # a kernel's strength is its signed sum, as `top` ranks it
        array = array.sum(dim=kernel, skipna=True, min_count=1)
    others = [d for d in array.dims if d not in atom_axes]
    score = np.abs(array).max(dim=others, skipna=True) if others else np.abs(array)
    score = score.transpose(*atom_axes)
    values = score.values.ravel()
    ranked = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")
    order = np.asarray([i for i in ranked if not np.isnan(values[i])], dtype=np.intp)
    positions = np.unravel_index(order, score.shape)
    coords = [score.coords[a].values[p].tolist() for a, p in zip(atom_axes, positions, strict=True)]
    return [dict(zip(atom_axes, atom, strict=True)) for atom in zip(*coords, strict=True)]


def select_from(
    array: xr.DataArray, op: SelectFrom, atoms: list[dict[str, object]], selector_axes: list[str]
) -> xr.DataArray:
    """One slice per offered atom of the selector, stacked along `key_<E>`
    (one vectorized lookup, not a loop over atoms)."""
    key = key_column(op.element)
    array = _with_missing(array, op, atoms)
    index = {
        ours: xr.DataArray([atom[theirs] for atom in atoms], dims=key)
        for theirs, ours in op.bindings
    }
    selected = array.sel(index)
    selected = selected.drop_vars([c for c in selected.coords if c in index])
    selected = selected.assign_coords({key: [atom_key(atom, selector_axes) for atom in atoms]})
    return selected.transpose(key, ...)


def _with_missing(
    array: xr.DataArray, op: SelectFrom, atoms: list[dict[str, object]]
) -> xr.DataArray:
    """`array` with a NaN slice for each value the selector offers that it lacks (a class
    its target does not compute): that selection shows nothing rather than failing."""
    for theirs, ours in op.bindings:
        have = array.coords[ours].values.tolist()
        missing = [v for v in dict.fromkeys(atom[theirs] for atom in atoms) if v not in have]
        if missing:
            array = array.reindex({ours: [*have, *missing]})
    return array


def select_at(array: xr.DataArray, op: SelectAt) -> xr.DataArray:
    for name, values in op.coords:
        array = array.sel({name: list(values)})
        if len(values) == 1:
            array = array.squeeze(name, drop=True)
    return array


def collapse_drill(array: xr.DataArray, drill: list[str]) -> xr.DataArray:
    present = [d for d in drill if d in array.dims]
    return array.sum(dim=present, skipna=True, min_count=1) if present else array


def top(array: xr.DataArray, op: Top, axes: tuple[Axis, ...]) -> xr.DataArray:
    """Keep the k strongest (largest value) coordinates of the ranked atom axes
    (over a dataset: the k strongest examples, `execute.over.top_examples`)."""
    if "example" in array.dims:
        from interp.execute.over import top_examples

        return top_examples(array, op)
    ranked, vectors = top_axes(op, axes, array.dims)
    kernel = [v for v in vectors if v in KERNEL_AXES]  # a kernel ranks by its signed sum
    vectors = [v for v in vectors if v not in kernel]
    score = array.sum(dim=kernel, skipna=True, min_count=1) if kernel else array
    score = np.sqrt((score**2).sum(dim=vectors)) if vectors else score
    stacked = score.stack(_ranked=ranked)
    values = stacked.transpose(..., "_ranked").values
    order = np.argsort(np.where(np.isnan(values), np.inf, -values), axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(values.shape[-1]), axis=-1)
    keep = (ranks < op.k) & ~np.isnan(values)
    mask = stacked.transpose(..., "_ranked").copy(data=keep).unstack("_ranked")
    kept = array.where(mask)
    for name in ranked:
        kept = kept.dropna(dim=name, how="all")
    return kept


def softmax(array: xr.DataArray) -> xr.DataArray:
    shifted = array - array.max(dim="class", skipna=True)
    exp = np.exp(shifted)
    return exp / exp.sum(dim="class", skipna=True)


def reduce(array: xr.DataArray, op: Reduce, axes: tuple[Axis, ...]) -> xr.DataArray:
    """Replace the target atom axes by `op.n` components (PCA, or NMF on the
    positive and negative parts side by side)."""
    targets = [
        a.name for a in axes if a.role == "atom" and a.side == "target" and a.name in array.dims
    ]
    rows = [d for d in array.dims if d not in targets]
    matrix = array.stack(_row=rows, _col=targets).transpose("_row", "_col")
    data = np.nan_to_num(matrix.values)
    from sklearn.decomposition import NMF, PCA  # scikit-learn loads in a second: only when asked

    if op.method == "pca":
        components = PCA(n_components=op.n, random_state=0).fit_transform(data)
    else:
        split = np.concatenate([np.maximum(data, 0), np.maximum(-data, 0)], axis=1)
        components = NMF(
            n_components=op.n, init="nndsvda", random_state=0, max_iter=500
        ).fit_transform(split)
    reduced = xr.DataArray(
        components,
        dims=("_row", "component"),
        coords={"_row": matrix.indexes["_row"], "component": np.arange(op.n)},
    )
    return reduced.unstack("_row")


def sum_over(array: xr.DataArray, op: Sum) -> xr.DataArray:
    return array.sum(dim=list(op.over), skipna=True, min_count=1)


def apply(array: xr.DataArray, op, axes: tuple[Axis, ...]) -> xr.DataArray:
    """Apply a non-selection operation; `axes` are the content's axes before it."""
    drill = [a.name for a in axes if a.role == "drill"]
    array = collapse_drill(array, drill)
    if isinstance(op, Top):
        return top(array, op, axes)
    if isinstance(op, Softmax):
        return softmax(array)
    if isinstance(op, Reduce):
        return reduce(array, op, axes)
    if isinstance(op, Sum):
        return sum_over(array, op)
    if isinstance(op, Aggregate):
        return aggregate(array, op, axes)
    raise TypeError(op)


def aggregate(array: xr.DataArray, op: Aggregate, axes: tuple[Axis, ...]) -> xr.DataArray:
    """`mean`, `sum`, `quantile` or `count` (top-k membership) over `op.over` of an array
    at hand (over a dataset's examples the pass computes them: `execute.aggregates`)."""
    over = [d for d in op.over if d in array.dims]
    if op.how == "mean":
        return array.mean(dim=over, skipna=True)
    if op.how == "sum":
        return array.sum(dim=over, skipna=True, min_count=1)
    if op.how == "quantile":
        return array.quantile(op.q, dim=over, skipna=True).drop_vars("quantile")
    from interp.execute.aggregates import hits

    ranked = [
        a.name for a in axes if a.role == "atom" and a.name in array.dims and a.name not in over
    ]
    sources = [n for n in ranked if next(a for a in axes if a.name == n).side == "source"] or ranked
    rest = [d for d in array.dims if d not in over and d not in sources]
    stacked = array.stack(_over=over, _atoms=sources).transpose("_over", "_atoms", *rest)
    counted = hits(np.nan_to_num(stacked.values, nan=-np.inf), op.top or 1)
    template = stacked.isel(_over=0, drop=True)
    return template.copy(data=counted).unstack("_atoms")


# ---- the plan's array nodes (pure: no model) ---------------------------------------------------


def content_array(value) -> xr.DataArray:
    """A content node's labeled array (an attribution's value also holds what its pass recorded)."""
    return value if isinstance(value, xr.DataArray) else value.array


def operation(node: nodes.Operation, inputs) -> xr.DataArray:
    array = content_array(inputs[node.input])
    op = node.op
    if isinstance(op, SelectFrom) and op.how != "bind":
        from interp.execute.over import select_cells

        assert node.selector is not None and node.cells is not None
        return select_cells(array, op, list(inputs[node.selector]), inputs[node.cells])
    if isinstance(op, SelectFrom):
        assert node.selector is not None
        return select_from(array, op, list(inputs[node.selector]), list(node.selector.axes))
    if isinstance(op, SelectAt):
        return select_at(array, op)
    return apply(array, op, node.axes)


def collapse(node: nodes.Collapse, inputs) -> xr.DataArray:
    return collapse_drill(content_array(inputs[node.input]), list(node.drill))


def atoms(node: nodes.Atoms, inputs) -> tuple[dict, ...]:
    return tuple(offered_atoms(inputs[node.array], list(node.axes)))
