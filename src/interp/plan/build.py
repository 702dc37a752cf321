"""Bound interface → plan: a DAG of span-free, hashable jobs, merged by equality.

Equal nodes are one node: every element reading the same (model, input)
shares one forward pass, every attribution of the same family one batched
backward (or forward-mode) job, every layer's feature visualizations one
optimization batch. `describe` prints the plan with a cost estimate before
anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from interp.check.bound import Content, Groups, Interface
from interp.data.images import ImageSpec
from interp.models.spec import ModelSpec


@dataclass(frozen=True)
class Forward:
    model: ModelSpec
    image: ImageSpec
    layers: tuple[str, ...]
    logits: bool


@dataclass(frozen=True)
class Factorize:
    model: ModelSpec
    image: ImageSpec
    groups: Groups


@dataclass(frozen=True)
class Attribute:
    model: ModelSpec
    image: ImageSpec
    content: Content  # spans do not take part in equality


@dataclass(frozen=True)
class Visualize:
    model: ModelSpec
    layer: str
    kind: str  # channel | direction | group


Node = Forward | Factorize | Attribute | Visualize


@dataclass(frozen=True)
class Plan:
    nodes: tuple[Node, ...]
    uses: tuple[tuple[Node, tuple[str, ...]], ...]  # node -> elements that read it

    @property
    def layers(self) -> tuple[str, ...]:
        forward = next((n for n in self.nodes if isinstance(n, Forward)), None)
        return forward.layers if forward else ()

    @property
    def logits(self) -> bool:
        """Whether any element reads the output; if not, the forward pass stops early."""
        return any(isinstance(n, Forward) and n.logits for n in self.nodes)

    def count(self, kind: type) -> int:
        return sum(isinstance(n, kind) for n in self.nodes)


def plan_interface(interface: Interface) -> Plan:
    model, image = interface.model, interface.image
    uses: dict[Node, list[str]] = {}
    layers: list[str] = []
    logits = False

    def use(node: Node, element: str) -> None:
        uses.setdefault(node, [])
        if element not in uses[node]:
            uses[node].append(element)

    for element in interface.elements:
        content = element.content
        substrates = [content.source, content.target, element.presentation.option("grid")]
        for substrate in substrates:
            if substrate is None or not hasattr(substrate, "kind"):
                continue
            if substrate.kind == "layer":
                layers.append(substrate.layer)
            if substrate.kind == "output" and content.kind == "activations":
                logits = True
            if substrate.groups is not None:
                use(Factorize(model, image, substrate.groups), element.name)
        if content.kind == "attribution":
            use(Attribute(model, image, content), element.name)
        kind = element.presentation.kind
        if kind in ("feature_vis", "sankey", "grid"):
            for substrate in (content.source, content.target):
                if substrate is not None and substrate.kind == "layer":
                    icon = (
                        "group"
                        if substrate.groups
                        else "direction"
                        if kind == "grid"
                        else "channel"
                    )
                    use(Visualize(model, substrate.layer, icon), element.name)
                    if kind == "grid":
                        break
    forward = Forward(model, image, tuple(dict.fromkeys(layers)), logits)
    names = [e.name for e in interface.elements]
    ordered: dict[Node, list[str]] = {forward: names, **uses}
    return Plan(tuple(ordered), tuple((n, tuple(e)) for n, e in ordered.items()))


def describe(interface: Interface, plan: Plan) -> str:
    """A readable plan: one line per merged job, and what it will cost."""
    lines = [
        f"interface {interface.name}: model {interface.model.name}, input {interface.image.value}"
    ]
    for node, elements in plan.uses:
        by = ", ".join(elements)
        if isinstance(node, Forward):
            stop = (
                "through the logits"
                if node.logits
                else f"stopping after {node.layers[-1] if node.layers else '-'}"
            )
            lines.append(
                f"  forward   1 pass, captures {len(node.layers)} layer(s), {stop}  [{by}]"
            )
        elif isinstance(node, Factorize):
            g = node.groups
            lines.append(f"  factorize {g.layer}: {g.k} groups by {g.factorize} of {g.of}  [{by}]")
        elif isinstance(node, Attribute):
            c = node.content
            method = c.method.name + (
                f"(steps={c.method.steps})" if c.method.name == "integrated_gradients" else ""
            )
            lines.append(
                f"  attribute {c.source.describe()} -> {c.target.describe()} by {method}, batched  [{by}]"
            )
        else:
            lines.append(f"  visualize {node.layer}: {node.kind} objectives, one batch  [{by}]")
    passes = plan.count(Forward) + plan.count(Attribute)
    lines.append(
        f"  total: {plan.count(Forward)} forward pass, {plan.count(Attribute)} attribution job(s), "
        f"{plan.count(Visualize)} feature-visualization batch(es); ~{passes} model passes before icons"
    )
    return "\n".join(lines)
