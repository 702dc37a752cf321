"""The `DatasetPass` node: a dataset streamed through its models chunk by chunk.

Per chunk of examples, each model runs one batched forward pass recording the
layers its reductions read (stopping after the deepest unless an attribution
needs the logits, then one backward pass per class); every reduction keeps
its part of the chunk (`execute.reductions`) and the activations are
dropped, so memory is bounded by the chunk, never the dataset.

With a cache, each (chunk, reduction) part is one content-addressed entry
(keyed by the models' fingerprints, the dataset's stamp, the chunk, the
reduction), written atomically once the chunk is done, after the chunk's
per-example rows are written as a Parquet file beside the cache
(``<cache>/datasets/<reduction>/chunk-00003.parquet``, readable with pandas
or DuckDB; `rows_of` reads them back). An interrupted pass therefore
resumes from its finished chunks, and a finished pass is served from them.

`chunk_outputs` is the whole of one chunk's model work; the local kernel
here and the Ray Data pass (`execute.executors.ray_data`) both call it, so
both give the same numbers.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from interp.cache import digest
from interp.data.datasets import DatasetWarning, Example, Listing, list_examples, load_example
from interp.errors import InterpError, error
from interp.execute.aggregates import graph_values
from interp.execute.context import RunContext
from interp.execute.progress import progress_bar
from interp.execute.reductions import (
    ChunkOutputs,
    Part,
    chunk_part,
    empty_part,
    graphs_of,
    in_order,
    merge,
    needs,
)
from interp.files import write_atomic
from interp.models.hooks import capture, run_until
from interp.models.load import ModelHandle, layer_table
from interp.models.spec import ModelSpec
from interp.plan import nodes

CACHE_VERSION = 1


@dataclass(frozen=True)
class PassValues:
    """A dataset pass's value: the examples, each reduction's merged result, the examples
    that failed to load, and where each reduction's Parquet rows are (None without a cache)."""

    examples: tuple[Example, ...]
    results: dict[nodes.Reduction, Part]
    failed: tuple[int, ...]
    folders: dict[nodes.Reduction, str | None]

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.examples]


def dataset_pass(node: nodes.DatasetPass, inputs, ctx: RunContext) -> PassValues:
    listing = list_examples(node.dataset)
    handles = {m: ctx.model(m) for m in node.models}
    plan = ChunkPlan(node, listing, handles, ctx.cache)
    done = plan.finished()
    todo = [i for i in range(plan.count) if i not in done]
    with plan.progress(done, f"dataset pass ({len(listing)} examples)", ctx.progress) as bar:
        for i in todo:
            outputs = chunk_outputs(node, plan.chunk(i), handles)
            plan.store(i, *chunk_results(node, outputs, listing, handles))
            bar.update(len(plan.chunk(i)))
    return plan.values()


class ChunkPlan:
    """The chunks of one pass: which are finished (in the cache), storing one, merging all."""

    def __init__(self, node: nodes.DatasetPass, listing: Listing, handles: dict, cache):
        self.node, self.listing, self.cache = node, listing, cache
        self.count = -(-len(listing) // node.chunk)
        self.prints = {m: h.fingerprint for m, h in handles.items()}
        self.merged: dict[nodes.Reduction, Part] = {}  # merged as chunks finish: memory stays flat
        # chunks finished out of order (on Ray), held until those before them are merged:
        # floating-point sums in one order, whichever chunks a cache served
        self.pending: dict[int, dict[nodes.Reduction, Part]] = {}
        self.next = 0
        self.failed: dict[int, list[int]] = {}

    def progress(self, done: set[int], title: str, wanted: bool | None) -> tqdm:
        """A bar over the examples (examples/s, ETA), from those already done; shown on a
        terminal unless `wanted` says otherwise."""
        return progress_bar(
            wanted,
            total=len(self.listing),
            initial=sum(len(self.chunk(i)) for i in done),
            desc=title,
            unit="example",
            leave=False,
        )

    def chunk(self, i: int) -> tuple[Example, ...]:
        size = self.node.chunk
        return self.listing.examples[i * size : (i + 1) * size]

    def key(self, i: int | None, reduction: nodes.Reduction) -> tuple:
        prints = tuple(self.prints[m] for m in reduction.models)
        if self.node.judge is not None:  # which examples a chunk keeps depends on the judge
            prints += (self.prints[self.node.judge],)
        return ("dataset", CACHE_VERSION, self.listing.stamp, self.node.chunk, i, reduction, prints)

    def folder(self, reduction: nodes.Reduction) -> Path | None:
        """Where the reduction's per-example Parquet files go: beside the cache."""
        if self.cache is None or self.cache.root is None:
            return None
        return self.cache.root / "datasets" / digest(self.key(None, reduction))[:32]

    def rows_file(self, i: int, reduction: nodes.Reduction) -> Path | None:
        """Chunk `i`'s Parquet file of `reduction` (None: no cache, or no per-example rows)."""
        folder = self.folder(reduction)
        if folder is None or isinstance(reduction, nodes.CorrelationSums | nodes.ExampleAggregate):
            return None
        return folder / f"chunk-{i:05d}.parquet"

    def finished(self) -> set[int]:
        """Chunks whose every part is cached, with their rows (served, not recomputed)."""
        done = set()
        for i in range(self.count if self.cache is not None else 0):
            found = {r: self.cache.get(self.key(i, r)) for r in self.node.reductions}
            files = [self.rows_file(i, r) for r in self.node.reductions]
            if all(isinstance(p, dict) for p in found.values()) and all(
                f is None or f.is_file() for f in files
            ):
                for part in found.values():
                    self.failed[i] = part.pop("failed").tolist()
                self.add(i, found)
                done.add(i)
        return done

    def add(self, i: int, parts: dict[nodes.Reduction, Part]) -> None:
        """Merge chunk `i`'s parts, in chunk order (a later chunk waits for earlier ones)."""
        self.pending[i] = parts
        while self.next in self.pending:
            for reduction, part in self.pending.pop(self.next).items():
                before = self.merged.get(reduction)
                self.merged[reduction] = (
                    part if before is None else merge(reduction, [before, part])
                )
            self.next += 1

    def store(self, i: int, parts: dict, rows: dict, failed: list[int]) -> None:
        """Keep chunk `i`: its Parquet rows first, then its cache entries (the chunk is finished
        once every entry is written; each write is atomic)."""
        self.failed[i] = failed
        for reduction in parts:
            path = self.rows_file(i, reduction)
            if path is not None and rows.get(reduction) is not None:
                write_atomic(path, parquet_bytes(rows[reduction]))
        if self.cache is not None:
            for reduction, part in parts.items():
                entry = {**part, "failed": np.asarray(failed, dtype=np.int64)}
                self.cache.put(self.key(i, reduction), entry)
        self.add(i, parts)

    def values(self) -> PassValues:
        failed = tuple(sorted(i for found in self.failed.values() for i in found))
        if failed:
            names = ", ".join(self.listing.examples[i].label for i in failed[:3])
            warnings.warn(
                f"{self.node.dataset.describe()}: skipped {len(failed)} example(s) that could "
                f"not be read: {names}{', ...' if len(failed) > 3 else ''}",
                DatasetWarning,
                stacklevel=2,
            )
        for i in sorted(self.pending):  # none, unless a chunk never came: merge what did
            self.next = i
            self.add(i, self.pending.pop(i))
        results = {r: in_order(r, self.merged[r]) for r in self.node.reductions}
        folders = {r: _text(self.folder(r)) for r in self.node.reductions}
        return PassValues(self.listing.examples, results, failed, folders)


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


# ---- one chunk ---------------------------------------------------------------------------------


def chunk_outputs(
    node: nodes.DatasetPass, examples: tuple[Example, ...], handles: dict[ModelSpec, ModelHandle]
) -> tuple[ChunkOutputs, list[int]]:
    """Each model's passes over one chunk: the activations and attributions its reductions read.

    With `where(predicted=...)` or `where(correct=...)`, the judging model's pass runs to
    the logits and the examples it does not select leave the chunk (`_judged`): one pass."""
    pixels, failed = [], []
    for example in examples:
        try:
            pixels.append((example.index, load_example(example), example.category))
        except InterpError:
            failed.append(example.index)
    index = np.asarray([i for i, _, _ in pixels], dtype=np.int64)
    activations: dict[tuple, np.ndarray] = {}
    attributions: dict[tuple, np.ndarray] = {}
    graphs: dict[tuple, np.ndarray] = {}
    wanted_layers: dict[ModelSpec, list[str]] = {m: [] for m in node.models}
    wanted_classes: dict[ModelSpec, dict[str, list[str]]] = {}
    wanted_graphs: dict[ModelSpec, list[tuple[str, str]]] = {}
    for reduction in node.reductions:
        layers, attributed = needs(reduction)
        for model, layer in layers:
            wanted_layers[model].append(layer)
        for model, layer, name in attributed:
            wanted_classes.setdefault(model, {}).setdefault(layer, []).append(name)
        for model, source, target in graphs_of(reduction):
            wanted_graphs.setdefault(model, []).append((source, target))
    logits = None
    if len(index):
        for model, layers in wanted_layers.items():
            handle = handles[model]
            batch = torch.cat([handle.preprocess(image) for _, image, _ in pixels])
            judge = model == node.judge
            acts, attrs, out = {}, {}, None
            if layers or judge or model in wanted_classes:
                acts, attrs, out = _run(
                    handle, batch, list(dict.fromkeys(layers)), wanted_classes.get(model, {}), judge
                )
            logits = out if judge else logits
            activations.update({(model, n): a for n, a in acts.items()})
            attributions.update({(model, *k): a for k, a in attrs.items()})
            for source, target in dict.fromkeys(wanted_graphs.get(model, [])):
                values = graph_values(handle.module, batch, source, target)
                graphs[(model, source, target)] = values
    found = ChunkOutputs(index, activations, attributions, graphs)
    if logits is not None:
        found = _judged(node, found, logits, [c for _, _, c in pixels], handles)
    return found, failed


def _judged(
    node, found: ChunkOutputs, logits: np.ndarray, categories: list, handles
) -> ChunkOutputs:
    """The chunk's examples the dataset's `where` keeps by the judging model's top-1 class."""
    where = node.dataset.where
    names = handles[node.judge].labels
    predicted = [names[i] for i in logits.argmax(axis=1).tolist()]
    keep = np.asarray(
        [where.keeps(c, p) for c, p in zip(categories, predicted, strict=True)], dtype=bool
    )

    def rows(values: dict) -> dict:
        return {k: v[keep] for k, v in values.items()}

    return ChunkOutputs(
        found.index[keep], rows(found.activations), rows(found.attributions), rows(found.graphs)
    )


def _run(
    handle: ModelHandle,
    batch: torch.Tensor,
    layers: list[str],
    classes: dict[str, list[str]],
    logits: bool = False,
) -> tuple[dict[str, np.ndarray], dict[tuple, np.ndarray], np.ndarray | None]:
    """One forward pass recording `layers`; with `classes` (layer -> class names), it runs to
    the logits and one backward pass per class gives `activation x gradient` per channel;
    with `logits`, it runs to the logits and returns them."""
    module = handle.module
    if not classes:
        stop = None if logits or not layers else layers  # after the last of them finishes
        with torch.no_grad(), capture(module, layers, stop_after=stop) as recorded:
            out = run_until(module, batch)
        found = out.detach().cpu().numpy() if logits and out is not None else None
        return {n: recorded[n].detach().cpu().numpy() for n in layers}, {}, found
    leaves: dict[str, torch.Tensor] = {}

    def leaf(name: str):
        def edit(output: torch.Tensor) -> torch.Tensor:
            leaves[name] = output.detach().requires_grad_(True)
            return leaves[name]

        return edit

    sources = list(classes)
    with torch.enable_grad(), capture(module, layers, edits={n: leaf(n) for n in sources}) as rec:
        outputs = module(batch)
    acts = {n: rec[n].detach().cpu().numpy() for n in layers}
    names = list(dict.fromkeys(c for wanted in classes.values() for c in wanted))
    attributions = {}
    for i, name in enumerate(names):
        scalar = outputs[
            :, handle.labels.index(name)
        ].sum()  # examples are independent in eval mode
        grads = torch.autograd.grad(
            scalar, [leaves[n] for n in sources], retain_graph=i < len(names) - 1
        )
        for layer, grad in zip(sources, grads, strict=True):
            if name in classes[layer]:
                value = (leaves[layer].detach() * grad).sum(dim=(2, 3))
                attributions[(layer, name)] = value.cpu().numpy()
    return acts, attributions, outputs.detach().cpu().numpy() if logits else None


def chunk_results(
    node: nodes.DatasetPass,
    found: tuple[ChunkOutputs, list[int]],
    listing: Listing,
    handles: dict[ModelSpec, ModelHandle],
) -> tuple[dict, dict, list[int]]:
    """Every reduction's part of one chunk and its per-example rows."""
    outputs, failed = found
    labels = [e.label for e in listing.examples]
    parts, rows = {}, {}
    for reduction in node.reductions:
        if len(outputs.index) == 0:
            parts[reduction], rows[reduction] = empty_part(reduction, _shapes(handles)), None
        else:
            parts[reduction], rows[reduction] = chunk_part(reduction, outputs, labels)
    return parts, rows, failed


def _shapes(handles: dict[ModelSpec, ModelHandle]) -> dict[tuple, tuple]:
    return {(m, info.name): info.shape for m, h in handles.items() for info in layer_table(h)}


# ---- Parquet --------------------------------------------------------------------------------


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


def rows_of(folder: str | Path | None) -> pd.DataFrame:
    """Every per-example row a pass wrote for one reduction (its chunks' Parquet files)."""
    if folder is None:
        raise error(
            "a dataset pass writes its per-example rows beside the cache, and this run had none",
            hint="run with a cache: interp.run(spec, cache=interp.Cache())",
        )
    files = sorted(Path(folder).glob("chunk-*.parquet"))
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
