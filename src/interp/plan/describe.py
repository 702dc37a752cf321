"""A plan for people (`interp plan FILE`) and for programs (`interp plan --json FILE`)."""

from __future__ import annotations

from interp.plan.build import Plan
from interp.plan.nodes import (
    Attribute,
    DatasetPass,
    Factorize,
    Forward,
    Node,
    Visualize,
    Weights,
)

SHOWN = (
    Forward,
    Factorize,
    Attribute,
    Weights,
    DatasetPass,
    Visualize,
)  # the nodes that run a model


def describe(plan: Plan) -> str:
    """Per interface, one line per job that runs the model, with the elements that read it."""
    users = plan.users()
    lines = []
    for page in plan.pages:
        first = page.views[0] if page.views else None
        where = f"model {page.model}, input {page.input.split(': ', 1)[-1]}"
        lines.append(f"interface {page.name}: {where}" if first else f"interface {page.name}")
        jobs = [n for n in plan.ancestors([page]) if isinstance(n, SHOWN)]
        for node in jobs:
            readers = [
                u.split(".", 1)[1] for u in users.get(node, ()) if u.startswith(f"{page.name}.")
            ]
            lines.append(f"  {node.describe()}  [{', '.join(readers)}]")
        forwards = sum(isinstance(n, Forward) for n in jobs)
        attributions = sum(isinstance(n, Attribute) for n in jobs)
        batches = sum(isinstance(n, Visualize) for n in jobs)
        passes = sum(isinstance(n, DatasetPass) for n in jobs)
        over = f", {passes} dataset pass(es)" if passes else ""
        lines.append(
            f"  total: {forwards} forward pass, {attributions} attribution job(s){over}, "
            f"{batches} feature-visualization batch(es)"
        )
    return "\n".join(lines)


def as_json(plan: Plan) -> dict:
    """The DAG: every node with its id, kind, description and the ids of its inputs."""
    ids: dict[Node, int] = {node: i for i, node in enumerate(plan.nodes)}
    return {
        "nodes": [
            {
                "id": ids[node],
                "kind": node.kind,
                "describe": node.describe(),
                "inputs": [ids[i] for i in node.inputs],
                "runs_model": node.needs_model,
            }
            for node in plan.nodes
        ],
        "pages": [ids[p] for p in plan.pages],
        "elements": [
            {"interface": i, "element": e, "array": ids[n.array], "view": ids[n.view]}
            for i, e, n in plan.elements
        ],
    }
