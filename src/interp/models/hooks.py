"""The one place forward hooks are registered: always removed, even on error.

`capture` records (or replaces) the outputs of named modules for one forward
pass and can stop the pass once every module it needs has finished, so callers
never run layers whose results nobody reads. It is also the one place a
layer's layout is converted (`interp.models.layouts`): what it records, and
what edits see and return, is channels-first `(N, C, H, W)` for every layer
with a grid (channels-last cubes and token sequences included).

What it records is never changed by the modules that run after it: a
downstream in-place operation (ResNet's `out += identity` after `bn2`, an
in-place activation) acts on a copy, and an edit's value (a leaf that
requires grad, say) is never itself handed downstream.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from interp.models.layouts import Layout, layout_of


class StopForward(Exception):
    """Raised by a hook to end a forward pass early; caught by `run_until`."""


@dataclass
class Capture:
    """Outputs of the hooked modules from the last forward pass, by module path
    (channels-first for layers with a grid), how often each ran, and their layouts."""

    outputs: dict[str, torch.Tensor] = field(default_factory=dict)
    calls: Counter = field(default_factory=Counter)
    layouts: dict[str, Layout] = field(default_factory=dict)
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # the model's own, no batch
    finished: list[str] = field(default_factory=list)  # hooked modules as they finished

    def __getitem__(self, name: str) -> torch.Tensor:
        return self.outputs[name]


Edit = Callable[[torch.Tensor], torch.Tensor]


@contextmanager
def capture(
    model: nn.Module,
    names: Sequence[str],
    *,
    edits: Mapping[str, Edit] | None = None,
    stop_after: str | Collection[str] | None = None,
    first_only: bool = False,
) -> Iterator[Capture]:
    """Hook `names` of `model` for the body of the `with` block.

    `edits[name]` replaces that module's output (e.g. to insert a tensor that
    requires grad, or a forward-mode dual tensor); it receives and returns the
    channels-first view, and the edited value is what is captured. `stop_after`
    (one module or several) raises :class:`StopForward` once every one of them
    has finished -- a parent finishes after its children, whatever the module
    order says; use :func:`run_until` to call the model so it is caught.
    `first_only` keeps the output of the first pass only (to reuse a pass
    someone else runs). The name "" is the model itself: its output.
    """
    stops = {stop_after} if isinstance(stop_after, str) else set(stop_after or ())
    modules = dict(model.named_modules())
    missing = [n for n in [*names, *(edits or {}), *sorted(stops)] if n not in modules]
    if missing:
        raise KeyError(f"no such modules: {missing}")
    record = Capture()
    edits = dict(edits or {})
    handles = []
    pending = set(stops)

    def make_hook(name: str):
        def hook(module, _inputs, output):
            record.calls[name] += 1
            record.finished.append(name)
            keep = not (first_only and name in record.outputs)
            if not keep and name not in edits:
                pass  # nothing to record or change: the output goes on as it is
            elif isinstance(output, torch.Tensor) and output.ndim >= 1:
                output, seen = _through(module, name, output, edits.get(name), record)
            else:
                seen = edits[name](output) if name in edits else output
                output = seen
            if keep:
                record.outputs[name] = seen
            pending.discard(name)
            if stops and not pending:
                raise StopForward
            return output

        return hook

    try:
        for name in dict.fromkeys([*names, *edits, *sorted(stops)]):
            handles.append(modules[name].register_forward_hook(make_hook(name)))
        yield record
    finally:
        for handle in handles:
            handle.remove()


def _through(
    module: nn.Module, name: str, output: torch.Tensor, edit: Edit | None, record: Capture
) -> tuple[torch.Tensor, torch.Tensor]:
    """(what goes downstream, what is recorded) for one tensor output.

    Downstream gets a tensor of its own, so in-place operations after the module
    change neither the recorded value nor an edit's leaf.
    """
    shape = tuple(output.shape[1:])
    layout = layout_of(module, shape)
    record.layouts.setdefault(name, layout)
    record.shapes.setdefault(name, shape)
    cube = layout.to_chw(output)
    if edit is None:
        return output, cube.clone()
    edited = edit(cube)
    downstream = layout.from_chw(edited, output)
    if layout.kind != "tokens":
        downstream = downstream.clone()
    return downstream, edited


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
