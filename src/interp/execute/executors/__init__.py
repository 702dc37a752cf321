"""Executors walk a plan's DAG and nothing else: `local` (in process) or `ray` (a cluster).

    values = executor("local").run(plan, settings)      # node -> value

Both compute every node from its inputs with the same kernels
(`execute.kernels`), so their results are equal; `ray` is imported only when
chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from interp.errors import error
from interp.execute.context import Settings
from interp.options import EXECUTORS
from interp.plan.build import Plan
from interp.plan.nodes import Node


class Executor(Protocol):
    def run(
        self, plan: Plan, settings: Settings, wanted: Sequence[Node] | None = None
    ) -> dict[Node, Any]:
        """The values of `wanted` nodes (default: every node), computed from the plan."""
        ...


def executor(name: str = "local", *, address: str | None = None) -> Executor:
    """The executor called `name`; `address` joins an existing Ray cluster."""
    if name == "local":
        from interp.execute.executors.local import LocalExecutor

        return LocalExecutor()
    if name == "ray":
        from interp.execute.executors.ray import RayExecutor

        return RayExecutor(address=address)
    raise error(f"unknown executor {name!r}", hint=f"choose one of: {', '.join(EXECUTORS)}")
