"""What a plan will cost before it runs: passes, memory, seconds.

Costs are counted in *forward equivalents* (one forward pass of the whole
model on one image), from the layer shapes of one measured pass; seconds
come from timing that pass on this machine. A plan whose estimate exceeds the
budget is refused with the estimate, instead of running for an hour.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from interp.check.bound import Interface, Substrate, Top
from interp.errors import error
from interp.execute.feature_vis import settings_for
from interp.models.load import ModelHandle, layer_table
from interp.plan.build import Attribute, Plan, Visualize

BYTES = 4  # float32
BACKWARD = 2.0  # a vector-Jacobian or Jacobian-vector product costs about two forwards


@dataclass(frozen=True)
class Estimate:
    forward_equivalents: float
    memory_bytes: int
    seconds: float
    lines: tuple[str, ...]

    def describe(self) -> str:
        mib = self.memory_bytes / 2**20
        head = f"  estimate: ~{self.forward_equivalents:,.0f} forward-equivalents, ~{mib:,.0f} MiB, ~{self.seconds:,.1f} s"
        return "\n".join((*self.lines, head))


def seconds_per_forward(handle: ModelHandle) -> float:
    """One timed forward pass of `handle` on a noise image (after a warm-up; an all-zero image hits slow denormals)."""
    x = torch.rand(
        1, 3, handle.input_size, handle.input_size, generator=torch.Generator().manual_seed(0)
    ).to(handle.device)
    with torch.no_grad():
        handle.module(x)
        start = time.perf_counter()
        handle.module(x)
    return time.perf_counter() - start


def estimate(
    interface: Interface, plan: Plan, handle: ModelHandle, quality: str, per_forward: float
) -> Estimate:
    shapes = {info.name: info.shape for info in layer_table(handle)}
    lines = []
    total = 1.0  # the shared forward pass
    memory = sum(_size(shapes.get(layer, ())) for layer in plan.layers) * BYTES
    for node in plan.nodes:
        if isinstance(node, Attribute):
            content = node.content
            sources = _atoms(content.source, shapes, handle)
            targets = _atoms(content.target, shapes, handle)
            steps = content.method.steps if content.method.name == "integrated_gradients" else 1
            products = min(sources, targets) * steps
            total += 1 + BACKWARD * products
            unit = _size(
                shapes.get(content.source.layer or "", (3, handle.input_size, handle.input_size))
            )
            memory += min(products, 64) * unit * BYTES * 8
            lines.append(
                f"    attribution {content.source.describe()} -> {content.target.describe()}: {products} products"
            )
        elif isinstance(node, Visualize):
            settings = settings_for(quality)
            icons = _icons(interface, node, shapes)
            depth = _depth(handle, node.layer)
            scale = (settings.size / handle.input_size) ** 2
            cost = icons * settings.steps * (1 + BACKWARD) * depth * scale
            total += cost
            lines.append(
                f"    feature visualization {node.layer}: ~{icons} icons x {settings.steps} steps at {settings.size}px"
            )
    return Estimate(total, int(memory), total * per_forward, tuple(lines))


def enforce(budget_seconds: float | None, found: Estimate, name: str) -> None:
    if budget_seconds is not None and found.seconds > budget_seconds:
        raise error(
            f"interface {name!r} is estimated at ~{found.seconds:,.0f} s, over the budget of {budget_seconds:,.0f} s",
            hint="lower the cost (fewer atoms, top(k), --quality draft), or raise --budget",
        )


def _size(shape: tuple[int, ...]) -> int:
    size = 1
    for n in shape:
        size *= n
    return size


def _atoms(substrate: Substrate | None, shapes: dict, handle: ModelHandle) -> int:
    if substrate is None:
        return 1
    if substrate.kind == "output":
        return len(substrate.labels) or len(handle.labels)
    if substrate.groups is not None:
        return substrate.groups.k
    shape = shapes.get(substrate.layer or "", (3, handle.input_size, handle.input_size))
    channels, positions = shape[0], _size(shape[1:])
    return {"spatial": positions, "channels": channels, "neurons": channels * positions}.get(
        substrate.atoms or "", 1
    )


def _icons(interface: Interface, node: Visualize, shapes: dict) -> int:
    """How many icons a layer's batch draws: positions for grids, else the atoms kept by `top`."""
    if node.kind == "direction":
        return _size(shapes.get(node.layer, (1, 1, 1))[1:])
    count = 0
    for element in interface.elements:
        if node.layer not in (
            element.content.source.layer,
            getattr(element.content.target, "layer", None),
        ):
            continue
        tops = [op.k for op in element.ops if isinstance(op, Top)]
        count += (
            tops[-1] * 4 if tops else 16
        )  # top(k) per selector atom; a handful of selector atoms
    return max(count, 1)


def _depth(handle: ModelHandle, layer: str) -> float:
    """The share of the model a truncated forward to `layer` runs, by module order."""
    names = handle.layer_names()
    return (names.index(layer) + 1) / len(names) if layer in names else 1.0


def check_budget(
    interface: Interface, plan: Plan, handle: ModelHandle, quality: str, budget: float | None
) -> Estimate:
    """The estimate for `interface`; raises InterpError when it is over `budget` seconds."""
    found = estimate(interface, plan, handle, quality, seconds_per_forward(handle))
    enforce(budget, found, interface.name)
    return found
