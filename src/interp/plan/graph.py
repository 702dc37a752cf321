"""The plan as a whole: its nodes in topological order, its pages, where each element's results live."""

from __future__ import annotations

from dataclasses import dataclass

from interp.plan.nodes import Atoms, Collapse, Metric, Node, Page, View


@dataclass(frozen=True)
class ElementNodes:
    """The nodes that hold one element's results."""

    array: Collapse
    atoms: Atoms
    view: View


@dataclass(frozen=True)
class Plan:
    """The program as a DAG: `nodes` in topological order, each once."""

    nodes: tuple[Node, ...]
    pages: tuple[Page, ...]
    elements: tuple[tuple[str, str, ElementNodes], ...]  # (interface, element, nodes)
    metrics: tuple[tuple[str, str, Metric], ...] = ()  # (interface, element, node) of compares

    @property
    def roots(self) -> list[Node]:
        """What the plan is for: its pages and metrics (everything else feeds them)."""
        return [*self.pages, *(m for _, _, m in self.metrics)]

    def element(self, interface: str, name: str) -> ElementNodes:
        return next(n for i, e, n in self.elements if i == interface and e == name)

    def interface_elements(self, interface: str) -> dict[str, ElementNodes]:
        return {e: n for i, e, n in self.elements if i == interface}

    def models(self) -> list:
        """Every model some node runs, in plan order."""
        found = []
        for node in self.nodes:
            if node.needs_model:
                found.extend(getattr(node, "models", ()) or [getattr(node, "model", None)])
        return [m for m in dict.fromkeys(found) if m is not None]

    def count(self, kind: type) -> int:
        return sum(isinstance(n, kind) for n in self.nodes)

    def of(self, kind: type) -> list:
        return [n for n in self.nodes if isinstance(n, kind)]

    def ancestors(self, roots: list[Node]) -> list[Node]:
        """`roots` and everything they read, in plan order."""
        seen: set[Node] = set()
        stack = list(roots)
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(node.inputs)
        return [n for n in self.nodes if n in seen]

    def users(self) -> dict[Node, tuple[str, ...]]:
        """Which elements (`interface.element`) need each node."""
        found: dict[Node, list[str]] = {}
        for interface, name, nodes in self.elements:
            for node in self.ancestors([nodes.view]):
                found.setdefault(node, []).append(f"{interface}.{name}")
        return {node: tuple(names) for node, names in found.items()}
