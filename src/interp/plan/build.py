"""Bound program → plan: every node interned, so equal work is one node.

The plan is built in three steps, each reading only what the previous made:

1. per (model, input): which layers and whether the logits are read, and the
   attribution families with the targets each must cover (the union of what
   its elements' selections can reach);
2. per element: content → operations → final array → offered atoms, then the
   icons it shows (an `IconObjectives` node, read by one `Visualize` batch per
   (model, layer, side) across the whole file; `plan.sizing` picks the side
   from how large the presentation draws them) and its `View`;
3. per interface: its `Page`.

A `Forward` pass whose layers an output-targeted attribution of the same
input also sees is recorded by that attribution's first pass (its
`carrier`): no pass over an input runs twice.

Here: `build_plan` and the `Builder` that interns nodes, collects icon
requests and makes the file's dataset passes; step 2 is `plan.scope` (one
`ElementScope` per interface), the family bookkeeping `plan.families`.
"""

from __future__ import annotations

from interp.check.program import Interface, Program, Substrate
from interp.data.datasets import DatasetSpec
from interp.models.spec import ModelSpec
from interp.options import icon_preset
from interp.plan.graph import ElementNodes, Plan
from interp.plan.metrics import metric_nodes
from interp.plan.nodes import (
    DatasetPass,
    IconObjectives,
    ModelName,
    Node,
    Page,
    View,
    Visualize,
    spanless,
)
from interp.plan.optimize import fuse_forward_passes
from interp.plan.reductions import CHUNK, reduction_of
from interp.plan.scope import ElementScope
from interp.plan.sizing import IconSizing, LayerFacts

__all__ = ["CHUNK", "Builder", "ElementScope", "Plan", "build_plan"]


def build_plan(
    program: Program,
    *,
    quality: str = "standard",
    size: int | None = None,
    steps: int | None = None,
    facts: LayerFacts | None = None,
    metrics: bool | None = None,
) -> Plan:
    """The plan for every interface of `program`; icons at `quality` (size/steps override it).

    `metrics`: which interfaces get their interface metrics (`vocabulary.measures`):
    None those a `compare` names, True every one, False none.

    `size` (or the preset's) is the side of the largest icons; each element's
    icons are sized from how large its page draws them (`plan.sizing`), with
    `facts` read from the models. Without them (no models at hand) the
    planner knows neither receptive fields nor layer shapes, and icons whose
    side needs a layer's shape are optimized at the largest side.
    """
    builder = Builder(IconSizing(icon_preset(quality, size=size).size, facts))
    builder.dataset_passes([spanless(i) for i in program.interfaces])
    scopes = [builder.interface(spanless(i)) for i in program.interfaces]
    batches = builder.visualizations(quality, steps)
    elements, pages = [], []
    for interface, scope in zip(program.interfaces, scopes, strict=True):
        views = []
        for element in scope.interface.elements:
            view = builder.add(scope.view(element, batches))
            views.append(view)
            nodes = ElementNodes(scope.arrays[element.name], scope.atoms[element.name], view)
            elements.append((interface.name, element.name, nodes))
        pages.append(builder.add(_page(scope.interface, tuple(views), _named(scope, builder))))
    compared = {name for names in program.comparisons for name in names}
    measured = [
        (scope.interface.name, element.name, metric)
        for scope in scopes
        if (metrics is None and scope.interface.name in compared) or metrics
        for element in scope.interface.elements
        for metric in metric_nodes(scope, element)
    ]
    plan = Plan(tuple(builder.nodes), tuple(pages), tuple(elements), tuple(measured))
    return fuse_forward_passes(plan)


class Builder:
    """Interns nodes: adding a node equal to one already there returns the first."""

    def __init__(self, sizing: IconSizing) -> None:
        self.nodes: dict[Node, Node] = {}
        self.sizing = sizing
        self.requests: dict[tuple[ModelSpec, str, int, int], list[IconObjectives]] = {}
        self.passes: dict[DatasetSpec, DatasetPass] = {}

    def dataset_passes(self, interfaces: list[Interface]) -> None:
        """One `DatasetPass` per dataset, keeping what every element of the file reads."""
        wanted: dict[DatasetSpec, list] = {}
        judges: dict[DatasetSpec, ModelSpec] = {}
        for interface in interfaces:
            for element in interface.elements:
                found = reduction_of(element, interface.model)
                if found is not None:
                    over = element.content.over
                    wanted.setdefault(over, []).append(found[0])  # type: ignore[arg-type]
                    if over.where is not None and over.where.by_model:  # type: ignore[union-attr]
                        judges.setdefault(over, interface.model)  # type: ignore[arg-type]
        for dataset, reductions in wanted.items():
            node = DatasetPass(
                dataset, tuple(dict.fromkeys(reductions)), CHUNK, judges.get(dataset)
            )
            self.passes[dataset] = self.add(node)

    def add(self, node):
        return self.nodes.setdefault(node, node)

    def interface(self, interface: Interface) -> ElementScope:
        scope = ElementScope(self, interface)
        for element in interface.elements:
            scope.element(element)
        return scope

    def request(self, request: IconObjectives) -> None:
        for where in request.layers:
            wanted = self.requests.setdefault((*where, request.diversity), [])
            if request not in wanted:
                wanted.append(request)

    def visualizations(self, quality: str, steps: int | None) -> dict:
        """One `Visualize` per (model, layer, side, diversity), reading every element's request."""
        return {
            key: self.add(
                Visualize(key[0], key[1], tuple(requests), quality, key[2], steps, diversity=key[3])
            )
            for key, requests in self.requests.items()
        }


def _page(interface: Interface, views: tuple[View, ...], named: ModelName | None) -> Page:
    return Page(
        interface.name,
        interface.title,
        _layout(interface.layout),
        _describe_model(interface.model),
        f"{interface.image.kind}: {interface.image.value}",
        views,
        named,
    )


def _named(scope, builder) -> ModelName | None:
    """The header's model, measured for a library's or a supplied model (a built-in's
    name says it all): the class of a supplied one, and the token layers the page reads."""
    model = scope.interface.model
    if model.source not in ("module", "torchvision", "timm"):
        return None
    layers = {
        substrate.layer: None
        for element in scope.interface.elements
        for substrate in (element.content.source, element.content.target)
        if isinstance(substrate, Substrate)
        and substrate.kind == "layer"
        and scope.model_of(substrate) == model
    }
    return builder.add(ModelName(model, _describe_model(model), tuple(layers)))


def _layout(layout) -> object:
    if layout is None:
        return None
    return (layout.direction, tuple(i if isinstance(i, str) else _layout(i) for i in layout.items))


def _describe_model(model: ModelSpec) -> str:
    if model.edits:  # an edited model says its edits in words
        edits = "; ".join(edit.words() for edit in model.edits)
        return f"{_describe_model(model.unedited())}, edited: {edits}"
    if model.weights == "random":
        return f"{model.name} (weights=random, seed={model.seed})"
    return f"{model.name} (weights={model.weights})" if model.weights else model.name
