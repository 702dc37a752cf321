"""Which layers feed which, traced on one forward pass: works for any module.

Two facts, both measured, never read off the module tree:

- *direct*: module B reads module A's output unchanged. Every module's tensor
  inputs and outputs are recorded by identity and version (an in-place
  ReLU bumps the version, so a convolution after `bn → relu(inplace)` reads
  the ReLU's output, not the batch norm's);
- *upstream*: A's output flows into B's (through any path: residual adds,
  functional calls, concatenations). The pass runs with the input requiring
  grad, so every output carries its autograd node; A is upstream of B when
  A's node is reachable from B's.

`interp layers` prints the direct connections; `weights(A -> B)` is checked
against both (`interp.check.facts`) and takes a convolution's kernel when B
reads A directly. Traced once per loaded model (`layer_graph`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class LayerGraph:
    """Layers in the order their outputs appeared, what each reads directly, and what
    lies upstream of each (a bit mask over `order`)."""

    order: tuple[str, ...]
    reads: Mapping[str, tuple[str, ...]]  # module -> modules whose output it reads unchanged
    above: Mapping[str, int]  # module -> bit mask of modules strictly upstream of it
    same: Mapping[str, int]  # module -> bit mask of modules with the very same output

    def _bit(self, name: str) -> int:
        return 1 << self.order.index(name) if name in self.order else 0

    def upstream(self, a: str, b: str) -> bool:
        """Whether `a`'s output flows into `b`'s (and they are not the same activation)."""
        return bool(self.above.get(b, 0) & self._bit(a)) and not self.same_output(a, b)

    def same_output(self, a: str, b: str) -> bool:
        """Whether `a` and `b` return the very same tensor (a container and its last child)."""
        return bool(self.same.get(b, 0) & self._bit(a))

    def direct(self, a: str, b: str) -> bool:
        """Whether `b` reads `a`'s output unchanged (nothing in between, not even in place)."""
        return a in self.reads.get(b, ())

    def between(self, a: str, b: str) -> tuple[str, ...]:
        """Modules downstream of `a` and upstream of `b` (or `b` itself), in order."""
        reach = self.above.get(b, 0) | self.same.get(b, 0)
        return tuple(
            name for i, name in enumerate(self.order) if reach >> i & 1 and self.upstream(a, name)
        )


def feeders(graph: LayerGraph, name: str) -> tuple[str, ...]:
    """The layers `name` reads directly, each named once: a container that returns its last
    child's output stands for both (`blocks.5.3.bn1`, not also `blocks.5.3.bn1.act`)."""
    found = graph.reads.get(name, ())
    return tuple(p for p in found if not any(p.startswith(q + ".") for q in found))


def layer_graph(handle) -> LayerGraph:
    """`handle`'s model traced once on a blank input of its size (cached per handle)."""
    return _traced(handle)


@functools.lru_cache(maxsize=8)
def _traced(handle) -> LayerGraph:
    size = handle.input_size
    example = torch.zeros(1, 3, size, size, device=handle.device)
    return trace(handle.module, example)


def trace(model: nn.Module, example: torch.Tensor) -> LayerGraph:
    """One pass of `model` over `example`, recording every module's inputs and output."""
    modules = [(name, module) for name, module in model.named_modules() if name]
    order: list[str] = []
    reads: dict[str, list[tuple[int, int]]] = {}
    made: dict[tuple[int, int], list[str]] = {}
    nodes: dict[str, object] = {}
    alive: list[torch.Tensor] = []  # held, so no tensor's id is reused during the pass

    def before(name: str):
        def hook(_module, inputs):
            if name not in reads:
                tensors = [t for t in inputs if isinstance(t, torch.Tensor)]
                alive.extend(tensors)
                reads[name] = [(id(t), t._version) for t in tensors]

        return hook

    def after(name: str):
        def hook(_module, _inputs, output):
            if name in nodes or not isinstance(output, torch.Tensor):
                return
            alive.append(output)
            key = (id(output), output._version)
            if key not in reads.get(name, ()):  # a pass-through (Identity) makes nothing
                made.setdefault(key, []).append(name)
            nodes[name] = output.grad_fn
            order.append(name)

        return hook

    handles = []
    try:
        for name, module in modules:
            handles.append(module.register_forward_pre_hook(before(name)))
            handles.append(module.register_forward_hook(after(name)))
        with torch.enable_grad():
            model(example.detach().clone().requires_grad_(True))
    finally:
        for handle in handles:
            handle.remove()
    direct = {
        name: tuple(dict.fromkeys(p for key in keys for p in made.get(key, ()) if p != name))
        for name, keys in reads.items()
        if name in nodes
    }
    above, same = _ancestry(order, nodes)
    return LayerGraph(tuple(order), direct, above, same)


def _ancestry(order: list[str], nodes: dict[str, object]) -> tuple[dict, dict]:
    """For each module, the bit masks of the modules strictly upstream of its output's
    autograd node, and of those whose output has the very same node."""
    owners: dict[object, int] = {}
    for i, name in enumerate(order):
        node = nodes[name]
        if node is not None:
            owners[node] = owners.get(node, 0) | 1 << i
    memo: dict[object, int] = {}  # node -> modules at or upstream of it

    def reach(root) -> int:
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if node in memo:
                continue
            children = [n for n, _ in node.next_functions if n is not None]
            if done:
                mask = owners.get(node, 0)
                for child in children:
                    mask |= memo[child]
                memo[node] = mask
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in children if c not in memo)
        return memo[root]

    above, same = {}, {}
    for name in order:
        node = nodes[name]
        if node is None:
            above[name], same[name] = 0, 0
            continue
        reach(node)
        mask = 0
        for child, _ in node.next_functions:
            if child is not None:
                mask |= memo[child]
        above[name], same[name] = mask, owners[node]
    return above, same
