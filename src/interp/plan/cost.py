"""What a plan will cost before it runs: passes, icons, memory, seconds.

Costs are counted in *forward equivalents* (one forward pass of the whole
model on one image), from the layer shapes of one measured pass and the
axis bounds of `plan.bounds`; seconds come from timing that pass on this
machine. A plan whose estimate exceeds the budget is refused with the
estimate, instead of running for an hour.

This module only counts: what it reads from a model (`ModelFacts`) and from an
attribution method (its points) is measured by `interp.execute.estimate`, which
loads the models and times their forward pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from interp.check.program import Method, Substrate
from interp.errors import error
from interp.models.spec import ModelSpec
from interp.options import icon_preset, pyramid_stages
from interp.plan.bounds import Shapes, element_sizes
from interp.plan.build import Plan
from interp.plan.nodes import (
    Attribute,
    DatasetPass,
    ExampleAggregate,
    Forward,
    TopAttributions,
    Visualize,
    Weights,
)
from interp.vocabulary.methods import ABLATION

BYTES = 4  # float32
BACKWARD = 2.0  # a vector-Jacobian or Jacobian-vector product costs about two forwards
# An image's share of a batched optimizer step, on the folded and fused copy, against the
# unbatched forward and backward it stands for: 0.18-0.20 at 64-128 px, 0.36 at 32 px
# (EfficientNet-Lite0 on a 2-core CPU; benchmarks/bench_step.py). Rounded up, so that an
# estimate errs high: a budget should refuse too much rather than too little.
BATCHED_STEP = 0.3


@dataclass(frozen=True)
class ModelFacts:
    """What an estimate reads from a loaded model: its layer shapes, and its layers in
    module order (how much of the model a forward truncated at a layer runs)."""

    shapes: Shapes
    layers: tuple[str, ...]


@dataclass(frozen=True)
class Estimate:
    forward_equivalents: float
    memory_bytes: int
    seconds: float
    icons: int
    lines: tuple[str, ...]

    def describe(self) -> str:
        mib = self.memory_bytes / 2**20
        head = (
            f"  estimate: ~{self.forward_equivalents:,.0f} forward-equivalents, "
            f"≤ {self.icons} icons, ~{mib:,.0f} MiB, ~{self.seconds:,.1f} s"
        )
        return "\n".join((*self.lines, head))


def estimate(
    plan: Plan,
    models: Mapping[ModelSpec, ModelFacts],
    points: Mapping[Method, int],
    quality: str,
    per_forward: float,
) -> Estimate:
    """The cost of every node that runs a model, with one line per attribution and icon batch.

    `points`: per attribution method of the plan, the backward passes it takes per
    product (integrated gradients' steps; one for the others); `per_forward`: the
    seconds of one forward pass."""
    shapes = {spec: facts.shapes for spec, facts in models.items()}
    sizes = _element_sizes(plan, shapes)
    atoms_bound = {nodes.atoms: sizes[(i, e)]["atoms"] for i, e, nodes in plan.elements}
    requests = {
        nodes.view.objectives: (i, e) for i, e, nodes in plan.elements if nodes.view.objectives
    }
    from interp.vocabulary.presentations import PRESENTATIONS

    settings = icon_preset(quality)
    total, memory, icons_total, lines = 0.0, 0, 0, []
    for node in plan.nodes:
        if isinstance(node, Forward):
            total += 1.0 if node.carrier is None else 0.0
            memory += sum(_size(shapes[node.model].layers.get(n, ())) for n in node.layers) * BYTES
        elif isinstance(node, Attribute):
            model = shapes[node.model]
            sources = _atoms(node.source, model)
            targets = _targets(node, model, atoms_bound)
            if node.method.name == ABLATION.name:  # one suffix example per atom, no products
                total += 1 + sources  # each ≤ a forward example (bounded, not measured)
                lines.append(
                    f"    ablation {node.source.describe()} -> {node.target.describe()}: "
                    f"≤ {sources} ablated examples through the suffix"
                )
                continue
            products = min(sources, targets) * points[node.method]
            total += 1 + BACKWARD * products
            unit = _size(
                model.layers.get(node.source.layer or "", (3, model.input_size, model.input_size))
            )
            memory += min(products, 64) * unit * BYTES * 8
            lines.append(
                f"    attribution {node.source.describe()} -> {node.target.describe()}: ≤ {products} products"
            )
        elif isinstance(node, Weights):
            # expanded weights: one product per target channel (a kernel read off costs nothing)
            model = shapes[node.model]
            channels = (model.layers.get(node.target) or (1,))[0]
            reach = sum(
                len(r.values) if r.atoms is None else atoms_bound[r.atoms] for r in node.restrict
            )
            products = min(reach, channels) if node.restrict else channels
            total += 2 + BACKWARD * products
            lines.append(f"    weights {node.source} -> {node.target}: ≤ {products} products")
        elif isinstance(node, DatasetPass):
            forwards, bytes_, line = _dataset_pass(node, shapes)
            total += forwards
            memory += bytes_
            lines.append(line)
        elif isinstance(node, Visualize):
            icons = 0  # pictures: `diversity` per atom
            for request in node.requests:
                presentation = PRESENTATIONS[request.presentation]
                counts = presentation.icon_counts(request.element, sizes[requests[request]])
                icons += node.diversity * sum(
                    n
                    for (model, layer), n in counts.items()
                    if (model or request.model, layer) == (node.model, node.layer)
                )
            size = node.size
            steps = node.steps or settings.steps
            depth = _depth(models[node.model].layers, node.layer)
            scale = (size / shapes[node.model].input_size) ** 2
            stages = pyramid_stages(size, steps, settings.pyramid)
            # a coarse-to-fine step costs its share of a full-size one
            full = sum(n * (side / size) ** 2 for side, n in stages)
            total += icons * full * (1 + BACKWARD) * depth * scale * BATCHED_STEP
            icons_total += icons
            first = " then ".join(f"{n} at {side}px" for side, n in stages[:-1])
            coarse = f" (coarse to fine: the first {first})" if first else ""
            lines.append(
                f"    feature visualization {node.layer}: ≤ {icons} icons x {steps} steps at {size}px"
                f"{coarse} (≤ {icons * size * size / 1e6:,.1f} MP)"
            )
    return Estimate(total, int(memory), total * per_forward, icons_total, tuple(lines))


def enforce(budget_seconds: float | None, found: Estimate, name: str) -> None:
    if budget_seconds is not None and found.seconds > budget_seconds:
        raise error(
            f"{name} is estimated at ~{found.seconds:,.0f} s, over the budget of {budget_seconds:,.0f} s",
            hint="lower the cost (fewer atoms, top(k), --quality draft), or raise --budget",
        )


def _element_sizes(plan: Plan, shapes: dict[ModelSpec, Shapes]) -> dict[tuple[str, str], dict]:
    """(interface, element) -> the element's axis bounds (`plan.bounds`)."""
    found = {}
    for page in plan.pages:
        if page.views:
            model = shapes[page.views[0].image.model]
            elements = [v.element for v in page.views]
            for name, sizes in element_sizes(elements, model, shapes).items():
                found[(page.name, name)] = sizes
    return found


def _targets(node: Attribute, model: Shapes, atoms_bound: dict) -> int:
    if not node.restrict:
        return _atoms(node.target, model)
    reach = 0
    for restriction in node.restrict:
        reach += (
            len(restriction.values) if restriction.atoms is None else atoms_bound[restriction.atoms]
        )
    return min(reach, _atoms(node.target, model))


def _dataset_pass(node: DatasetPass, shapes: dict[ModelSpec, Shapes]) -> tuple[float, int, str]:
    """Forward equivalents, memory and a line for one dataset pass: per example, each model's
    forward, and a backward per class it attributes; memory is one chunk's activations."""
    import warnings

    from interp.data.datasets import example_count

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skipped files are reported when the pass runs
        examples = example_count(node.dataset)
    classes = {m: 0 for m in node.models}
    layers: set[tuple] = set()
    for reduction in node.reductions:
        if isinstance(reduction, TopAttributions):
            classes[reduction.model] += len(reduction.classes)
        elif isinstance(reduction, ExampleAggregate):  # a backward per class or target channel
            reached = shapes[reduction.model].layers.get(reduction.tlayer or "", (0,))
            classes[reduction.model] += len(reduction.classes) + (reached[0] if reached else 0)
        for model in reduction.models:
            layers.update((model, r) for r in _layers_of(reduction) if r)
    per_example = sum(1 + BACKWARD * n for n in classes.values())
    chunk_bytes = sum(_size(shapes[m].layers.get(layer, ())) for m, layer in layers)
    chunk_bytes *= node.chunk * BYTES
    line = (
        f"    dataset pass over {node.dataset.describe()}: {examples:,} examples x "
        f"{len(node.models)} model(s) in chunks of {node.chunk}"
    )
    return examples * per_example, chunk_bytes, line


def _layers_of(reduction) -> tuple[str, ...]:
    if hasattr(reduction, "tlayer") and reduction.tlayer:
        return (reduction.layer, reduction.tlayer)
    if hasattr(reduction, "layer"):
        return (reduction.layer,)
    return (reduction.a[1], reduction.b[1])


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape) if shape else 0


def _atoms(substrate: Substrate, model: Shapes) -> int:
    if substrate.kind == "output":
        return len(substrate.labels) or model.classes
    if substrate.groups is not None:
        return substrate.groups.k
    shape = model.layers.get(substrate.layer or "", (3, model.input_size, model.input_size))
    channels, positions = shape[0], _size(shape[1:])
    return {"spatial": positions, "channels": channels, "neurons": channels * positions}.get(
        substrate.atoms or "", 1
    )


def _depth(layers: tuple[str, ...], layer: str) -> float:
    """The share of the model a truncated forward to `layer` runs, by module order."""
    return (layers.index(layer) + 1) / len(layers) if layer in layers else 1.0
