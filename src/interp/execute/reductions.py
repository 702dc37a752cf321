"""What a dataset pass keeps, reduction by reduction: one chunk's part, its rows, the merge.

A chunk's models have run (`ChunkOutputs`: each (model, layer)'s activations
``(N, C, H, W)`` and each attribution ``(N, C)``); every reduction of the
pass then keeps its *part* of the chunk, a dict of numpy arrays small enough
to cache (per channel, the chunk's top k examples; sampled vectors; sums),
and the chunk's per-example rows for Parquet. Parts of all chunks merge into
the reduction's result, the same whatever the chunking: top-k merges are
exact (ties broken by example index), sums are float64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from interp.execute import aggregates
from interp.plan.nodes import (
    CorrelationSums,
    ExampleAggregate,
    Reduction,
    SampledVectors,
    TopAttributions,
    TopExamples,
)

Part = dict[str, np.ndarray]


@dataclass
class ChunkOutputs:
    """What one chunk's forward (and backward) passes recorded, on the CPU.

    `index`: the examples' indices in the dataset, in batch order (failed ones left out).
    """

    index: np.ndarray
    activations: dict[tuple, np.ndarray]  # (model, layer) -> (N, C, H, W)
    attributions: dict[tuple, np.ndarray]  # (model, layer, class) -> (N, C)
    graphs: dict[tuple, np.ndarray] = field(default_factory=dict)  # (model, a, b) -> (N, Ca, Cb)


def needs(reduction: Reduction) -> tuple[list[tuple], list[tuple]]:
    """((model, layer) activations, (model, layer, class) attributions) the reduction reads."""
    if isinstance(reduction, CorrelationSums):
        return [reduction.a, reduction.b], []
    if isinstance(reduction, TopAttributions) or (
        isinstance(reduction, ExampleAggregate) and reduction.classes
    ):
        wanted = [(reduction.model, reduction.layer, c) for c in reduction.classes]
        return [(reduction.model, reduction.layer)], wanted
    if isinstance(reduction, ExampleAggregate) and reduction.graph:
        return [], []  # the graph's own pass (`graphs_of`)
    return [(reduction.model, reduction.layer)], []


def graphs_of(reduction: Reduction) -> list[tuple]:
    """(model, source layer, target layer) graphs the reduction reads."""
    if isinstance(reduction, ExampleAggregate) and reduction.graph:
        return [(reduction.model, reduction.layer, reduction.tlayer)]
    return []


# ---- one chunk ----------------------------------------------------------------------------


def chunk_part(reduction: Reduction, out: ChunkOutputs, labels: list[str]):
    """The reduction's part of one chunk, and its per-example rows (None: it keeps none)."""
    if isinstance(reduction, TopExamples):
        return _top_examples(reduction, out, labels)
    if isinstance(reduction, TopAttributions):
        return _top_attributions(reduction, out, labels)
    if isinstance(reduction, SampledVectors):
        return _sampled(reduction, out, labels)
    if isinstance(reduction, ExampleAggregate):
        return aggregates.chunk_part(reduction, out), None
    return _sums(reduction, out), None


def _strongest(cube: np.ndarray, atoms: str):
    """Per (example, channel): the value ranked (largest over positions, or the total) and
    where (x, y; -1 for a total)."""
    n, c, h, w = cube.shape
    flat = cube.reshape(n, c, h * w)
    if atoms == "channels":
        blank = np.full((n, c), -1, dtype=np.int64)
        return flat.sum(-1, dtype=np.float64).astype(np.float32), blank, blank
    where = flat.argmax(-1)
    return np.take_along_axis(flat, where[..., None], -1)[..., 0], where % w, where // w


def _top_examples(reduction: TopExamples, out: ChunkOutputs, labels):
    cube = out.activations[(reduction.model, reduction.layer)]
    value, x, y = _strongest(cube, reduction.atoms)  # (N, C) each
    where = {"x": x, "y": y} if reduction.atoms == "spatial" else {}
    part = _top_k(value.T, out.index, reduction.k, **{n: a.T for n, a in where.items()})
    return part, _long(out.index, labels, value, where)


def _top_attributions(reduction: TopAttributions, out: ChunkOutputs, labels):
    keys = [(reduction.model, reduction.layer, c) for c in reduction.classes]
    values = np.stack([out.attributions[k] for k in keys], axis=-1)  # (N, C, L)
    part = _top_k(values.transpose(1, 2, 0), out.index, reduction.k)
    frames = []
    for i, name in enumerate(reduction.classes):
        frame = _long(out.index, labels, values[..., i], {})
        frames.append(frame.assign(**{"class": name}))
    return part, pd.concat(frames, ignore_index=True) if frames else None


def _sampled(reduction: SampledVectors, out: ChunkOutputs, labels):
    cube = out.activations[(reduction.model, reduction.layer)]
    n, c, h, w = cube.shape
    examples, xs, ys, vectors = [], [], [], []
    for row, index in enumerate(out.index.tolist()):
        positions = sample_positions(index, h * w, reduction.per_example, reduction.seed)
        examples.extend([index] * len(positions))
        xs.extend((positions % w).tolist())
        ys.extend((positions // w).tolist())
        vectors.append(cube[row].reshape(c, h * w)[:, positions].T)
    part = {
        "example": np.asarray(examples, dtype=np.int64),
        "x": np.asarray(xs, dtype=np.int64),
        "y": np.asarray(ys, dtype=np.int64),
        "vectors": np.concatenate(vectors).astype(np.float32)
        if vectors
        else np.zeros((0, c), np.float32),
    }
    rows = pd.DataFrame(
        {
            "example": part["example"],
            "label": [labels[i] for i in part["example"]],
            "x": part["x"],
            "y": part["y"],
            "vector": list(part["vectors"]),
        }
    )
    return part, rows


def sample_positions(example: int, positions: int, count: int, seed: int) -> np.ndarray:
    """`count` distinct positions (flat indices) of one example, seeded by the example alone."""
    rng = np.random.default_rng([seed, example])
    return np.sort(rng.choice(positions, size=min(count, positions), replace=False))


def _sums(reduction: CorrelationSums, out: ChunkOutputs) -> Part:
    a = out.activations[reduction.a].sum(axis=(2, 3), dtype=np.float64)  # (N, Ca)
    b = out.activations[reduction.b].sum(axis=(2, 3), dtype=np.float64)
    return {
        "n": np.asarray(len(a), dtype=np.float64),
        "sa": a.sum(0),
        "sb": b.sum(0),
        "saa": (a * a).sum(0),
        "sbb": (b * b).sum(0),
        "sab": a.T @ b,
    }


def _top_k(values: np.ndarray, index: np.ndarray, k: int, **extra: np.ndarray) -> Part:
    """Along the last axis (examples), the `k` largest values and their examples (and `extra`)."""
    keep = min(k, values.shape[-1])
    order = _ranked(values, np.broadcast_to(index, values.shape))[..., :keep]
    part = {
        "value": np.take_along_axis(values, order, -1).astype(np.float32),
        "index": np.take_along_axis(np.broadcast_to(index, values.shape), order, -1),
    }
    for name, array in extra.items():
        part[name] = np.take_along_axis(array, order, -1).astype(np.int64)
    return part


def _ranked(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Positions along the last axis, largest value first, then smallest example index."""
    return np.lexsort((index, -values.astype(np.float64)), axis=-1)


def _long(index, labels, values: np.ndarray, where: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per (example, channel)."""
    n, c = values.shape
    frame = {
        "example": np.repeat(index, c),
        "label": np.repeat(np.asarray([labels[i] for i in index], dtype=object), c),
        "channel": np.tile(np.arange(c), n),
        "value": values.reshape(-1).astype(np.float32),
    }
    frame.update({name: array.reshape(-1) for name, array in where.items()})
    return pd.DataFrame(frame)


# ---- all chunks -----------------------------------------------------------------------------


def merge(reduction: Reduction, parts: list[Part]) -> Part:
    """The parts of several chunks as one (associative: chunks merge as they finish)."""
    if isinstance(reduction, CorrelationSums):
        return {name: sum(p[name] for p in parts) for name in parts[0]}
    if isinstance(reduction, ExampleAggregate):
        return aggregates.merge(parts)
    if isinstance(reduction, SampledVectors):
        return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    joined = {name: np.concatenate([p[name] for p in parts], axis=-1) for name in parts[0]}
    order = _ranked(joined["value"], joined["index"])[..., : reduction.k]
    return {name: np.take_along_axis(array, order, -1) for name, array in joined.items()}


def in_order(reduction: Reduction, merged: Part) -> Part:
    """A merged result that does not depend on the order chunks finished in: sampled vectors
    by example (each example's positions are already in order)."""
    if not isinstance(reduction, SampledVectors):
        return merged
    order = np.argsort(merged["example"], kind="stable")
    return {name: array[order] for name, array in merged.items()}


def empty_part(reduction: Reduction, shapes: dict[tuple, tuple]) -> Part:
    """A part for a chunk whose every example failed to load (merges as nothing)."""
    if isinstance(reduction, ExampleAggregate):
        return aggregates.empty_part()
    if isinstance(reduction, CorrelationSums):
        ca, cb = shapes[reduction.a][0], shapes[reduction.b][0]
        zeros = np.zeros
        return {
            "n": np.asarray(0.0),
            "sa": zeros(ca),
            "sb": zeros(cb),
            "saa": zeros(ca),
            "sbb": zeros(cb),
            "sab": zeros((ca, cb)),
        }
    if isinstance(reduction, SampledVectors):
        c = shapes[(reduction.model, reduction.layer)][0]
        none = np.zeros(0, np.int64)
        return {"example": none, "x": none, "y": none, "vectors": np.zeros((0, c), np.float32)}
    c = shapes[(reduction.model, reduction.layer)][0]
    lead = (c, len(reduction.classes)) if isinstance(reduction, TopAttributions) else (c,)
    part = {"value": np.zeros((*lead, 0), np.float32), "index": np.zeros((*lead, 0), np.int64)}
    if isinstance(reduction, TopExamples) and reduction.atoms == "spatial":
        part.update(x=np.zeros((*lead, 0), np.int64), y=np.zeros((*lead, 0), np.int64))
    return part
