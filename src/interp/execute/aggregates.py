"""Aggregates over a dataset's examples, streamed: each chunk's part, the merge, the array.

`| mean(over=example)` and `| sum(over=example)` keep, per atom, a float64
running sum and the number of examples; `| count(over=example, top=k)` keeps,
per atom, how many examples rank it among their k strongest (source atoms are
ranked per target coordinate, as `top(k, per=target)` ranks them);
`| quantile(q, over=example)` keeps every example's value per atom (N x atoms
float32: the one aggregate whose memory grows with the dataset; refused above
`QUANTILE_VALUES`). Nothing else of a chunk outlives it.

The attribution graph between two layers of one example (`graph_values`) is
linear attribution, channel to channel: `sum_pos a * d(sum_pos b_t)/d a` for
every target channel `t`, from one forward pass with the source as a leaf and
batched VJPs (one per target channel, `is_grads_batched`), the chunk's
examples on the batch axis (independent in eval mode).
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from interp.data.datasets import DatasetSpec
from interp.errors import error
from interp.keys import TARGET_PREFIX
from interp.models.hooks import capture, run_until
from interp.plan.reductions import ExampleAggregate
from interp.vocabulary.operations import QUANTILE_VALUES

Part = dict[str, np.ndarray]

#: Elements of one batched gradient tensor (target channels x a chunk's source activations).
GRAD_ELEMENTS = 2**24


def example_values(reduction: ExampleAggregate, out) -> np.ndarray:
    """Each example's value of the content: `(N, *atoms)`."""
    model, layer = reduction.model, reduction.layer
    if reduction.kind == "activations":
        cube = out.activations[(model, layer)]
        if reduction.atoms == "channels":
            return cube.sum(axis=(2, 3), dtype=np.float64)
        return cube.astype(np.float64)
    if reduction.graph:
        return out.graphs[(model, layer, reduction.tlayer)].astype(np.float64)
    return np.stack([out.attributions[(model, layer, c)] for c in reduction.classes], axis=-1)


def chunk_part(reduction: ExampleAggregate, out) -> Part:
    """One chunk's part of the aggregate."""
    values = example_values(reduction, out)
    n = np.asarray(float(len(values)))
    if reduction.how in ("mean", "sum"):
        return {"n": n, "sum": values.sum(axis=0, dtype=np.float64)}
    if reduction.how == "count":
        return {"n": n, "hits": hits(values, reduction.top or 1)}
    return {"n": n, "values": values.astype(np.float32)}


def hits(values: np.ndarray, k: int) -> np.ndarray:
    """Per atom, how many examples (axis 0) rank it among their `k` strongest along axis 1
    (the source atoms; other axes are the coordinates they are ranked per)."""
    keep = min(k, values.shape[1])
    order = np.argsort(-values, axis=1, kind="stable")[:, :keep]
    chosen = np.zeros(values.shape, dtype=bool)
    np.put_along_axis(chosen, order, True, axis=1)
    return chosen.sum(axis=0).astype(np.float64)


def merge(parts: list[Part]) -> Part:
    """Parts of several chunks as one (chunks with no readable example add nothing)."""
    found = [p for p in parts if float(p["n"]) > 0] or parts[:1]
    merged: Part = {"n": np.asarray(sum(float(p["n"]) for p in found))}
    for name in found[0]:
        if name == "values":
            merged[name] = np.concatenate([p[name] for p in found])
        elif name != "n":
            merged[name] = sum(p[name] for p in found)
    if "values" in merged and merged["values"].size > QUANTILE_VALUES:
        raise error(
            f"quantile over the examples keeps every example's value per atom, and this "
            f"dataset's {merged['values'].size:,} values are more than {QUANTILE_VALUES:,}",
            hint="take a quantile over fewer examples (limit=, where(...)) or fewer atoms, "
            "or aggregate with mean(over=example)",
        )
    return merged


def empty_part() -> Part:
    return {"n": np.asarray(0.0)}


def aggregated_array(
    found: Part, reduction: ExampleAggregate, dataset: DatasetSpec
) -> xr.DataArray:
    """The aggregate as a labeled array: the content's axes without `example`."""
    n = float(found["n"])
    if n == 0:
        where = dataset.where.span if dataset.where is not None else None
        raise error(
            f"{dataset.describe()} kept no example to aggregate over",
            where or dataset.span,
            hint="the model selected none of its examples: widen where(...) or the dataset",
        )
    how = reduction.how
    if how == "mean":
        values = found["sum"] / n
    elif how == "sum":
        values = found["sum"]
    elif how == "count":
        values = found["hits"]
    else:
        values = np.quantile(found["values"].astype(np.float64), reduction.q, axis=0)
    dims = _dims(reduction)
    array = xr.DataArray(np.asarray(values, dtype=np.float64), dims=dims)
    array = array.assign_coords({d: np.arange(array.sizes[d]) for d in dims})
    if reduction.classes:
        array = array.assign_coords({"class": list(reduction.classes)})
    return array.assign_attrs(examples=int(n))


def _dims(reduction: ExampleAggregate) -> tuple[str, ...]:
    if reduction.kind == "activations":
        return ("channel", "y", "x") if reduction.atoms == "spatial" else ("channel",)
    if reduction.graph:
        return ("channel", TARGET_PREFIX + "channel")
    return ("channel", "class")


# ---- the graph between two layers, per example -------------------------------------------------


def graph_values(
    module: torch.nn.Module, batch: torch.Tensor, source: str, target: str
) -> np.ndarray:
    """`(N, C_source, C_target)`: each example's linear attribution of every source channel
    to every target channel (the target channel's sum over positions)."""
    leaves: dict[str, torch.Tensor] = {}

    def leaf(output: torch.Tensor) -> torch.Tensor:
        leaves["a"] = output.detach().requires_grad_(True)
        return leaves["a"]

    with (
        torch.enable_grad(),
        capture(module, [target], edits={source: leaf}, stop_after=target) as recorded,
    ):
        run_until(module, batch)
    a, b = leaves["a"], recorded[target]
    totals = b.sum(dim=tuple(range(2, b.dim())))  # (N, C_target)
    channels = totals.shape[1]
    per_product = max(1, a.numel())
    step = max(1, min(channels, GRAD_ELEMENTS // per_product))
    found = []
    for start in range(0, channels, step):
        stop = min(channels, start + step)
        eye = torch.zeros(stop - start, *totals.shape, dtype=totals.dtype, device=totals.device)
        eye[torch.arange(stop - start), :, torch.arange(start, stop)] = 1.0
        grads = _vjps(totals, a, eye)
        found.append((a.detach().unsqueeze(0) * grads).sum(dim=tuple(range(3, grads.dim()))))
    values = torch.cat(found).permute(1, 2, 0)  # (N, C_source, C_target)
    return values.detach().cpu().numpy()


def _vjps(totals: torch.Tensor, a: torch.Tensor, eye: torch.Tensor) -> torch.Tensor:
    """`eye.shape[0]` VJPs of `totals` w.r.t. `a` at once (`is_grads_batched`); one by one
    where an operation of the model has no batching rule."""
    try:
        return torch.autograd.grad(totals, a, eye, retain_graph=True, is_grads_batched=True)[0]
    except RuntimeError:
        rows = [torch.autograd.grad(totals, a, g, retain_graph=True)[0] for g in eye]
        return torch.stack(rows)
