"""Watching one forward pass of a probe: who reads which tensor, and every module's output.

`fold` and `fuse` find what they may rewrite by watching the model run, not by
knowing its classes, and keep a rewrite only if every module's output on the
probe stays the model's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import torch
from torch import nn

from ...models.hooks import run_until

#: rewritten values differ from the model's by float rounding only; a wrong rewrite by O(1)
TOLERANCE = 1e-3

Outputs = dict[str, torch.Tensor]
Reading = tuple[str, str, tuple[str, ...]]  # writer, reader, modules between
Accepts = Callable[[nn.Module], bool]


def readings(
    module: nn.Module, probe: torch.Tensor, writes: Accepts, reads: Accepts
) -> tuple[list[Reading], list[str]]:
    """Each call of a module `reads` accepts whose input is the very tensor a module `writes`
    accepts wrote, unchanged in place since (``x += y``), perhaps handed on by modules
    between that returned it as it was (a folded batch norm, an eval-mode dropout); and
    the names of the `reads` modules in the order they were called."""
    names = dict(module.named_modules())
    made: dict[int, tuple[str, torch.Tensor, int]] = {}  # output id -> writer, tensor, version
    passed: dict[str, list[str]] = {}  # writer -> modules that returned its output
    found: list[Reading] = []
    calls: list[str] = []

    def after(name):
        def hook(_module, _inputs, output):
            source = made.get(id(output))
            if source is not None and source[1] is output:
                passed[source[0]].append(name)
            elif writes(names[name]):
                made[id(output)] = (name, output, output._version)  # kept: its id stays unique
                passed[name] = []

        return hook

    def before(name):
        def hook(_module, inputs):
            calls.append(name)
            source = made.get(id(inputs[0])) if inputs else None
            if source is not None and source[1] is inputs[0] and source[2] == inputs[0]._version:
                found.append((source[0], name, tuple(passed[source[0]])))

        return hook

    watch(
        module,
        probe,
        after={n: after(n) for n in names if n},
        before={n: before(n) for n, m in names.items() if reads(m)},
    )
    return found, calls


def watch(module: nn.Module, probe: torch.Tensor, *, after=None, before=None) -> None:
    """Run `probe` through `module` with forward hooks `after[name]` and pre-hooks `before[name]`."""
    names = dict(module.named_modules())
    handles = [names[n].register_forward_hook(h) for n, h in (after or {}).items()]
    handles += [names[n].register_forward_pre_hook(h) for n, h in (before or {}).items()]
    try:
        run_until(module, probe)
    finally:
        for handle in handles:
            handle.remove()


def outputs(module: nn.Module, probe: torch.Tensor) -> Outputs:
    """Every module's tensor output on `probe` (the first call of each); "" is the model's."""
    recorded: Outputs = {}

    def record(name):
        def hook(_module, _inputs, output):
            if isinstance(output, torch.Tensor):
                recorded.setdefault(name, output.detach().clone())

        return hook

    watch(module, probe, after={n: record(n) for n, _ in module.named_modules()})
    return recorded


def same(expected: Outputs, actual: Outputs, ignore: Collection[str]) -> bool:
    if expected.keys() != actual.keys():
        return False
    for name, value in expected.items():
        if name in ignore:
            continue
        bound = TOLERANCE * (1.0 + float(value.abs().max())) if value.numel() else 0.0
        if value.shape != actual[name].shape or float((value - actual[name]).abs().max()) > bound:
            return False
    return True
