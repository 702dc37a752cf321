"""Rewrites of a built plan, each a pure function `Plan -> Plan` (Vega-Lite's optimizers are the model).

- `prune`: nodes no page reads are dropped.
- `fuse_forward_passes`: an interface's forward pass is recorded by the first
  pass of an attribution over the same input that runs to the logits and reads
  no other node, so the same pass never runs twice (`Forward.carrier`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from interp.plan.graph import ElementNodes, Plan
from interp.plan.nodes import Attribute, Forward, Node, Restriction


def prune(plan: Plan) -> Plan:
    """Only the nodes some page needs, in the same order."""
    kept = plan.ancestors(plan.roots)
    return dataclasses.replace(plan, nodes=tuple(kept))


def fuse_forward_passes(plan: Plan) -> Plan:
    plan = prune(plan)
    mapping: dict[Node, Node] = {}
    for forward in plan.of(Forward):
        carrier = next((a for a in plan.of(Attribute) if _can_carry(a, forward, mapping)), None)
        if carrier is None:
            continue
        recording = dataclasses.replace(carrier, capture=forward.layers, logits=forward.logits)
        mapping[carrier] = recording
        mapping[forward] = dataclasses.replace(forward, carrier=recording)
    return rewrite(plan, mapping) if mapping else plan


def _can_carry(attribute: Attribute, forward: Forward, taken: dict) -> bool:
    """An attribution whose first pass sees everything `forward` records, and reads nothing."""
    return (
        attribute not in taken
        and (attribute.model, attribute.image) == (forward.model, forward.image)
        and attribute.target.kind == "output"
        and not attribute.inputs
    )


def rewrite(plan: Plan, mapping: dict[Node, Node]) -> Plan:
    """`plan` with each node of `mapping` replaced, and every node reading one rebuilt."""
    done: dict[Node, Node] = {}
    for node in plan.nodes:
        if node in mapping:
            done[node] = mapping[node]
            continue
        changes = {}
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            new = _substitute(value, done)
            if new is not value:
                changes[field.name] = new
        done[node] = dataclasses.replace(node, **changes) if changes else node
    order = list(dict.fromkeys(done[n] for n in plan.nodes))
    # a replacement may read nodes that came after the node it replaces (a carrier
    # feeding a forward pass): order by dependencies again
    return Plan(
        tuple(_topological(order)),
        tuple(done[p] for p in plan.pages),
        tuple(
            (i, e, ElementNodes(done[n.array], done[n.atoms], done[n.view]))
            for i, e, n in plan.elements
        ),
        tuple((i, e, done[m]) for i, e, m in plan.metrics),
    )


def _substitute(value: Any, done: dict[Node, Node]) -> Any:
    if isinstance(value, Node):
        return done.get(value, value)
    if isinstance(value, Restriction) and value.atoms is not None:
        atoms = done.get(value.atoms, value.atoms)
        return value if atoms is value.atoms else dataclasses.replace(value, atoms=atoms)
    if isinstance(value, tuple):
        items = tuple(_substitute(v, done) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _topological(nodes: list[Node]) -> list[Node]:
    """`nodes` reordered so every node comes after its inputs (stable otherwise)."""
    placed: dict[Node, None] = {}

    def place(node: Node) -> None:
        if node in placed:
            return
        for parent in node.inputs:
            place(parent)
        placed[node] = None

    for node in nodes:
        place(node)
    return list(placed)
