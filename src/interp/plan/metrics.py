"""The plan's interface metrics: one `Metric` node per (element, metric that applies).

For the interfaces a `compare` names. Each metric (`compare.measures`) says
which nodes it reads; this module makes the nodes only metrics need: the same
content on another model (randomization) and deletion curves.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import TYPE_CHECKING

from interp.check.bound import Element
from interp.models.spec import ModelSpec
from interp.plan.nodes import Deletion, Forward, Metric, Node

if TYPE_CHECKING:
    from interp.plan.scope import ElementScope


def metric_nodes(scope: ElementScope, element: Element) -> list[Metric]:
    """One node per metric that applies to `element`."""
    from interp.compare.measures import MEASURES

    found = []
    for measure in MEASURES:
        reads = measure.reads(element, scope)
        if reads is not None:
            found.append(scope.builder.add(Metric(measure.name, reads)))
    return found


def on_model(scope: ElementScope, node: Node, model: ModelSpec) -> Node:
    """`node` computed on `model` instead of the interface's (targets kept as they are)."""

    def swap(value):
        if isinstance(value, ModelSpec):
            return model if value == scope.model else value
        if isinstance(value, Node):
            changes = {f.name: swap(getattr(value, f.name)) for f in fields(value)}
            if isinstance(value, Forward):
                changes["carrier"] = None
            return scope.builder.add(replace(value, **changes))
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        return value  # a Restriction: the same targets as the original

    return swap(node)


def deletion(scope: ElementScope, element: Element) -> Deletion | None:
    """The deletion curves of an attribution to a class, for atoms that can be removed."""
    content = element.content
    if content.kind != "attribution" or content.target.kind != "output":
        return None
    source = content.source
    if source.groups is not None or source.atoms not in ("spatial", "channels"):
        return None
    if source.kind == "input" and source.atoms != "spatial":
        return None
    label = content.target.labels[0] if content.target.labels else None
    node = Deletion(scope.model_of(source), scope.image, source, scope.content(element), label)
    return scope.builder.add(node)
