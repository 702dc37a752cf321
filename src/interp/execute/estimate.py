"""The cost of a plan on this machine: its models loaded and measured, a forward pass timed.

`plan.cost` counts what a plan costs from facts about its models (layer
shapes, module order) and its attribution methods (points per product); this
module gathers those facts, which takes running the models, and times one
forward pass to turn forward equivalents into seconds.
"""

from __future__ import annotations

import time

import torch

from interp.execute.attribution.methods import method_of
from interp.models.load import ModelHandle, layer_table, load_model
from interp.models.spec import ModelSpec
from interp.plan.bounds import Shapes
from interp.plan.build import Plan
from interp.plan.cost import Estimate, ModelFacts, enforce
from interp.plan.cost import estimate as count
from interp.plan.nodes import Attribute


def shapes_of(handle: ModelHandle) -> Shapes:
    layers = {info.name: info.shape for info in layer_table(handle)}
    return Shapes(layers, len(handle.labels), handle.input_size)


def facts_of(handle: ModelHandle) -> ModelFacts:
    return ModelFacts(shapes_of(handle), tuple(handle.layer_names()))


def seconds_per_forward(handle: ModelHandle, passes: int = 3) -> float:
    """The fastest of a few timed forward passes of `handle` on a noise image (after a warm-up;
    an all-zero image hits slow denormals): one pass on a busy machine can take twice as long."""
    size = handle.input_size
    x = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0)).to(handle.device)
    times = []
    with torch.no_grad():
        handle.module(x)
        for _ in range(passes):
            start = time.perf_counter()
            handle.module(x)
            times.append(time.perf_counter() - start)
    return min(times)


def estimate(
    plan: Plan, handles: dict[ModelSpec, ModelHandle], quality: str, per_forward: float
) -> Estimate:
    """`plan.cost.estimate` with the facts read from the loaded models in `handles`."""
    models = {spec: facts_of(handle) for spec, handle in handles.items()}
    points = {
        node.method: getattr(method_of(node.method.name, node.method.arguments), "steps", 1)
        for node in plan.of(Attribute)
    }
    return count(plan, models, points, quality, per_forward)


def plan_estimate(plan: Plan, quality: str, device: str = "cpu", models=None) -> Estimate:
    """`estimate` with the plan's models loaded and a forward pass timed on this machine."""
    handles = {m: load_model(m, device, models=models) for m in plan.models()}
    per_forward = max((seconds_per_forward(h) for h in handles.values()), default=0.0)
    return estimate(plan, handles, quality, per_forward)


def check_budget(
    plan: Plan, quality: str, budget: float | None, device: str, models=None
) -> Estimate:
    """The estimate for `plan`; raises InterpError when it is over `budget` seconds."""
    found = plan_estimate(plan, quality, device, models)
    names = ", ".join(page.name for page in plan.pages)
    enforce(budget, found, f"the plan of {names}")
    return found
