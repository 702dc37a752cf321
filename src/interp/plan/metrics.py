"""The plan's interface metrics: one `Metric` node per (element, metric that applies).

For the interfaces a `compare` names. Each metric (`interp.vocabulary.measures`)
says which nodes it reads by asking a `MeasureScope`; this module is that scope:
it hands out the element's own nodes and makes the nodes only metrics need (the
same content on another model or by another method, and deletion curves).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from interp.check.program import Element, Method, Substrate
from interp.models.spec import ModelSpec
from interp.plan.nodes import Deletion, Forward, Metric, Node
from interp.vocabulary.measures import MEASURES

if TYPE_CHECKING:
    from interp.plan.scope import ElementScope


def metric_nodes(scope: ElementScope, element: Element) -> list[Metric]:
    """One node per metric that applies to `element` (after `scope.element(element)`)."""
    asked = MeasureScope(scope)
    found = []
    for measure in MEASURES:
        reads = measure.reads(element, asked)
        if reads is not None:
            found.append(scope.builder.add(Metric(measure.name, reads)))
    return found


@dataclass(frozen=True)
class MeasureScope:
    """What a measure asks of one interface's `ElementScope` (see `vocabulary.measures`)."""

    scope: ElementScope

    @property
    def model(self) -> ModelSpec:
        return self.scope.model

    def content(self, element: Element) -> Node:
        return self.scope.content(element)

    def shown(self, element: Element) -> Node:
        """The element's content as it is drawn, after its operations."""
        return self.scope.arrays[element.name]

    def before_top(self, element: Element) -> Node | None:
        """The content just before its `top(k)`; None when it keeps every atom."""
        return self.scope.before_top.get(element.name)

    def factors(self, substrate: Substrate) -> Node:
        return self.scope.factors(substrate)

    def with_method(self, node: Node, name: str, arguments: tuple) -> Node:
        """An attribution `node` by the method `name` with `arguments` instead of its own."""
        return self.scope.builder.add(replace(node, method=Method(name, arguments)))  # type: ignore[type-var]

    def on_model(self, node: Node, model: ModelSpec) -> Node:
        """`node` computed on `model` instead of the interface's (targets kept as they are)."""
        scope = self.scope

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

    def deletion(self, element: Element) -> Deletion | None:
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
        scope = self.scope
        node = Deletion(scope.model_of(source), scope.image, source, scope.content(element), label)
        return scope.builder.add(node)
