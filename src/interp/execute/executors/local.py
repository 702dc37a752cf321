"""The local executor: every node in plan order, in this process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from interp.execute.context import RunContext, Settings
from interp.execute.kernels import run_node
from interp.execute.progress import progress_bar
from interp.plan.build import Plan
from interp.plan.nodes import Node


class LocalExecutor:
    """Runs `plan.nodes` in order (a topological order), each exactly once.

    `on_node` is told each node before it runs (tests record the order);
    `context` makes the per-process context (tests wrap it to watch model use).
    """

    def __init__(
        self,
        on_node: Callable[[Node], None] | None = None,
        context: Callable[[Settings], RunContext] = RunContext,
    ):
        self.on_node = on_node
        self.context = context

    def run(
        self, plan: Plan, settings: Settings, wanted: Sequence[Node] | None = None
    ) -> dict[Node, Any]:
        ctx = self.context(settings)
        todo = plan.ancestors(list(wanted)) if wanted is not None else list(plan.nodes)
        values: dict[Node, Any] = {}
        with progress_bar(
            settings.progress, total=len(todo), desc="interp", unit="node", leave=False
        ) as bar:
            for node in todo:
                bar.set_postfix_str(node.kind, refresh=False)
                if self.on_node is not None:
                    self.on_node(node)
                values[node] = run_node(node, {i: values[i] for i in node.inputs}, ctx)
                bar.update()
        return values if wanted is None else {n: values[n] for n in wanted}
