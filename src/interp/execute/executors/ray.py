"""The Ray executor: the same DAG as Ray tasks, on a local or remote cluster.

A dataset pass (a source node) runs first, on Ray Data: its chunks are mapped
by an actor pool holding its models (`executors.ray_data`). Other nodes run
on a small pool of actors (one per CPU), each holding its own
`RunContext`, so a model is loaded once per worker: nodes that run the model
are dealt round-robin, pure nodes (operations, views) go to the worker that
holds the data they read. Every node is submitted in plan order with its
inputs as object references, so Ray moves arrays through its object store
and starts a node as soon as its inputs exist; results equal the local
executor's (same kernels, same seeds).

`ray.init()` starts a local cluster when no address is given; `address`
(or `RAY_ADDRESS`) joins an existing one, with bounded waits and clear errors
(`executors.ray_connect`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from interp.errors import error
from interp.execute.context import RunContext, Settings
from interp.execute.kernels import run_node
from interp.plan.build import Plan
from interp.plan.nodes import DatasetPass, Node


def _ray(joining: bool = False):
    """Ray, imported; `joining` an address bounds its connection waits first."""
    if joining and "ray" not in sys.modules:
        from interp.execute.executors.ray_connect import bound_join_waits

        bound_join_waits()
    try:
        import ray
    except ImportError:
        raise error(
            "the ray executor needs Ray, which is not installed",
            hint="pip install -e '.[ray]' (or pip install 'ray[data]'), or use --executor local",
        ) from None
    return ray


class _Worker:
    """One process's context: the models it loaded stay loaded for its next nodes."""

    def __init__(self, settings: Settings, threads: int):
        import torch

        torch.set_num_threads(max(1, threads))
        self.ctx = RunContext(settings)

    def run(self, node: Node, *values: Any) -> Any:
        return run_node(node, dict(zip(node.inputs, values, strict=True)), self.ctx)


class RayExecutor:
    def __init__(self, address: str | None = None, workers: int | None = None):
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.origin = "" if address else "$RAY_ADDRESS"  # where the address was given
        self.workers = workers

    def run(
        self, plan: Plan, settings: Settings, wanted: Sequence[Node] | None = None
    ) -> dict[Node, Any]:
        ray = _ray(joining=self.address is not None)
        if not ray.is_initialized():
            from interp.execute.executors.ray_connect import join

            join(ray, self.address, self.origin)
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        count = self.workers or cpus
        todo = plan.ancestors(list(wanted)) if wanted is not None else list(plan.nodes)
        refs: dict[Node, Any] = {}
        for node in todo:  # sources: each on Ray Data, before the pool takes the CPUs
            if isinstance(node, DatasetPass):
                from interp.execute.executors.ray_data import ray_data_pass

                refs[node] = ray.put(ray_data_pass(node, settings, count))
        worker = ray.remote(num_cpus=1)(_Worker)
        pool = [worker.remote(settings, max(1, cpus // count)) for _ in range(count)]
        placed: dict[Node, int] = {}
        turn = 0
        for node in todo:
            if node in refs:
                continue
            if node.needs_model or node.inputs[:1] == () or node.inputs[0] not in placed:
                placed[node], turn = turn % count, turn + 1
            else:
                placed[node] = placed[node.inputs[0]]  # beside the data it reads
            args = [refs[i] for i in node.inputs]
            refs[node] = pool[placed[node]].run.remote(node, *args)
        keep = list(wanted) if wanted is not None else todo
        values = ray.get([refs[n] for n in keep])
        for actor in pool:
            ray.kill(actor)
        return dict(zip(keep, values, strict=True))
