"""The one place forward hooks are registered: always removed, even on error.

`capture` records (or replaces) the outputs of named modules for one forward
pass and can stop the pass after the deepest module it needs, so callers never
run layers whose results nobody reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn


class StopForward(Exception):
    """Raised by a hook to end a forward pass early; caught by `run_until`."""


@dataclass
class Capture:
    """Outputs of the hooked modules from the last forward pass, by module path."""

    outputs: dict[str, torch.Tensor] = field(default_factory=dict)

    def __getitem__(self, name: str) -> torch.Tensor:
        return self.outputs[name]


Edit = Callable[[torch.Tensor], torch.Tensor]


@contextmanager
def capture(
    model: nn.Module,
    names: Sequence[str],
    *,
    edits: Mapping[str, Edit] | None = None,
    stop_after: str | None = None,
    first_only: bool = False,
) -> Iterator[Capture]:
    """Hook `names` of `model` for the body of the `with` block.

    `edits[name]` replaces that module's output (e.g. to insert a tensor that
    requires grad, or a forward-mode dual tensor); the edited output is what is
    captured. `stop_after` raises :class:`StopForward` once that module ran;
    use :func:`run_until` to call the model so it is caught. `first_only`
    keeps the output of the first pass only (to reuse a pass someone else runs).
    The name "" is the model itself: its output.
    """
    modules = dict(model.named_modules())
    missing = [
        n
        for n in [*names, *(edits or {}), *([stop_after] if stop_after else [])]
        if n not in modules
    ]
    if missing:
        raise KeyError(f"no such modules: {missing}")
    record = Capture()
    edits = dict(edits or {})
    handles = []

    def make_hook(name: str):
        def hook(_module, _inputs, output):
            if name in edits:
                output = edits[name](output)
            if not (first_only and name in record.outputs):
                record.outputs[name] = output
            if name == stop_after:
                raise StopForward
            return output

        return hook

    try:
        for name in dict.fromkeys([*names, *edits, *([stop_after] if stop_after else [])]):
            handles.append(modules[name].register_forward_hook(make_hook(name)))
        yield record
    finally:
        for handle in handles:
            handle.remove()


def run_until(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor | None:
    """Call `model`, returning its output, or None when a hook stopped it early."""
    try:
        return model(inputs)
    except StopForward:
        return None


Rewrite = Callable[[nn.Module, tuple, torch.Tensor], torch.Tensor]
InputRewrite = Callable[[nn.Module, tuple], "tuple | None"]


@contextmanager
def rewrite(
    model: nn.Module,
    rewrites: Mapping[str, Rewrite],
    *,
    before: Mapping[str, InputRewrite] | None = None,
) -> Iterator[None]:
    """Replace the outputs of named modules by `rewrites[name](module, inputs, output)`.

    Unlike `capture`'s edits, a rewrite sees the module and its inputs, so it
    can change how derivatives flow through a module (relaxed max-pooling,
    elementwise modules linearized by their diagonal) while keeping its value.
    `before[name](module, inputs)` may replace a module's inputs (return a new
    tuple) or leave them (return None). Hooks are removed on exit, even on error.
    """
    before = dict(before or {})
    modules = dict(model.named_modules())
    missing = [n for n in [*rewrites, *before] if n not in modules]
    if missing:
        raise KeyError(f"no such modules: {missing}")
    handles = []
    try:
        for name, fn in before.items():
            handles.append(modules[name].register_forward_pre_hook(fn))
        for name, fn in rewrites.items():
            handles.append(modules[name].register_forward_hook(fn))
        yield
    finally:
        for handle in handles:
            handle.remove()
