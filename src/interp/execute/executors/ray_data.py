"""A dataset pass on Ray Data: chunks through `map_batches` on an actor pool holding the models.

The driver lists the dataset and finds the chunks already finished (in the
cache); the rest become the items of a Ray dataset (`from_items`), one chunk
index each, mapped with `map_batches` by a pool of actors, each loading the
pass's models once (`ActorPoolStrategy`). An actor runs the same chunk work as
the local executor (`execute.dataset_pass.chunk_outputs` and
`chunk_results`) and sends back the chunk's parts and rows; the driver writes
them to the cache and merges them exactly as the local kernel does, so both
executors give the same numbers.
"""

from __future__ import annotations

import logging
import pickle

import numpy as np

from interp.data.datasets import list_examples
from interp.execute.context import RunContext, Settings
from interp.execute.dataset_pass import ChunkPlan, PassValues, chunk_outputs, chunk_results
from interp.execute.progress import shown
from interp.plan import nodes


class ChunkWorker:
    """One actor of the pool: the pass's models, loaded once; one chunk per call."""

    def __init__(self, node: nodes.DatasetPass, settings: Settings, threads: int):
        import torch

        torch.set_num_threads(max(1, threads))
        self.node = node
        self.ctx = RunContext(settings)
        self.listing = list_examples(node.dataset)
        self.handles = {m: self.ctx.model(m) for m in node.models}

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        size = self.node.chunk
        chunks, payloads = [], []
        for i in batch["chunk"].tolist():
            examples = self.listing.examples[i * size : (i + 1) * size]
            found = chunk_outputs(self.node, examples, self.handles)
            result = chunk_results(self.node, found, self.listing, self.handles)
            chunks.append(i)
            payloads.append(pickle.dumps(result))
        return {"chunk": np.asarray(chunks), "payload": np.asarray(payloads, dtype=object)}


def ray_data_pass(node: nodes.DatasetPass, settings: Settings, workers: int) -> PassValues:
    """`node`'s value, its unfinished chunks computed on Ray Data by `workers` actors."""
    import ray

    ctx = RunContext(settings)
    listing = list_examples(node.dataset)
    handles = {m: ctx.model(m) for m in node.models}
    plan = ChunkPlan(node, listing, handles, ctx.cache)
    done = plan.finished()
    todo = [i for i in range(plan.count) if i not in done]
    show = shown(settings.progress)
    if todo:
        ray.data.DataContext.get_current().enable_progress_bars = bool(show)
        if not show:  # its own progress lines too
            logging.getLogger("ray.data").setLevel(logging.WARNING)
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        pool = max(1, min(workers, len(todo)))
        items = ray.data.from_items([{"chunk": i} for i in todo], override_num_blocks=len(todo))
        mapped = items.map_batches(
            ChunkWorker,
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=pool),
            fn_constructor_kwargs={
                "node": node,
                "settings": settings,
                "threads": max(1, cpus // pool),
            },
            num_cpus=1,
        )
        with plan.progress(done, f"dataset pass on Ray Data ({pool} workers)", show) as bar:
            for row in mapped.iter_rows():
                i = int(row["chunk"])
                plan.store(i, *pickle.loads(row["payload"]))
                bar.update(len(plan.chunk(i)))
    return plan.values()
