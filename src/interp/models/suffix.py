"""Running a network from one of its layers: the *suffix* after layer L, for a batch of
replacement activations of L, without computing anything before L again.

It works on any `nn.Module` graph by **module replay**. A reference forward pass
(batch of one) records, in call order, the output of every module call that
completes before L starts and is not an ancestor of L (only the outermost such
calls: their children run inside them). The suffix pass then calls the model on the
input expanded to the batch size with each recorded module's `forward` replaced by
a stub that returns its recorded output expanded to the batch (a view, no copy),
and L's `forward` replaced by one that returns the batch of replacement
activations (its first call only: a module called again runs as itself, as
`capture` records the first call). The glue code of L's ancestors (residual adds, reshapes) runs on the
expanded values; no module before L runs. A module called again after L starts
(a shared activation, say) runs normally from its first unrecorded call on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from interp.models.hooks import rewrite


@dataclass(frozen=True)
class Prefix:
    """What a suffix pass replays: the reference input, the recorded outputs of the
    modules that complete before `layer` starts (outermost first, by name, in call
    order), `layer`'s own output and the model's output, all for one example."""

    layer: str
    inputs: torch.Tensor
    recorded: dict[str, tuple[Any, ...]]
    activation: torch.Tensor
    output: torch.Tensor


def record_prefix(model: nn.Module, inputs: torch.Tensor, layer: str) -> Prefix:
    """One reference forward pass of `model` on `inputs` (batch of one), recording what
    a suffix pass from `layer` replays. Raises KeyError when `layer` is not a module."""
    names = [name for name, _ in model.named_modules() if name]
    if layer not in names:
        raise KeyError(f"no such module: {layer!r}")
    events: list[tuple[str, str, Any]] = []  # ("start" | "end", name, output)

    def started(name: str):
        def hook(_module, _inputs):
            events.append(("start", name, None))

        return hook

    def ended(name: str):
        def hook(_module, _inputs, output):
            events.append(("end", name, output))
            return output

        return hook

    with (
        torch.no_grad(),
        rewrite(
            model,
            {name: ended(name) for name in names},
            before={name: started(name) for name in names},
        ),
    ):
        output = model(inputs)
    start = next(i for i, (kind, name, _) in enumerate(events) if kind == "start" and name == layer)
    activation = next(out for kind, name, out in events[start:] if kind == "end" and name == layer)
    ancestors = {layer.rsplit(".", depth)[0] for depth in range(1, layer.count(".") + 1)}
    done = [(name, out) for kind, name, out in events[:start] if kind == "end"]
    finished = {name for name, _ in done}
    outermost = [
        (name, out)
        for name, out in done
        if name not in ancestors and not any(p in finished for p in _parents(name))
    ]
    recorded: dict[str, list[Any]] = {}
    for name, out in outermost:
        recorded.setdefault(name, []).append(out)
    return Prefix(
        layer,
        inputs.detach(),
        {name: tuple(outs) for name, outs in recorded.items()},
        activation.detach(),
        output.detach(),
    )


def run_suffix(model: nn.Module, prefix: Prefix, activations: torch.Tensor) -> torch.Tensor:
    """The model's output when `prefix.layer` outputs `activations` (a batch of N
    replacements, each shaped like `prefix.activation[0]`): one pass of the suffix."""
    batch = activations.shape[0]
    with _replayed(model, prefix, activations):
        return model(_expand(prefix.inputs, batch))


@contextmanager
def _replayed(model: nn.Module, prefix: Prefix, activations: torch.Tensor) -> Iterator[None]:
    """Stub the recorded modules' and the layer's `forward` for one pass; always restored."""
    modules = dict(model.named_modules())
    batch = activations.shape[0]
    stubbed: list[nn.Module] = []
    try:
        for name, outputs in prefix.recorded.items():
            module = modules[name]
            module.forward = _stub(module, outputs, batch)  # type: ignore[method-assign]
            stubbed.append(module)
        target = modules[prefix.layer]
        target.forward = _stub(target, (activations,), 1)  # type: ignore[method-assign]
        stubbed.append(target)
        yield
    finally:
        for module in stubbed:
            del module.forward  # the class's forward again


def _stub(module: nn.Module, outputs: tuple[Any, ...], batch: int):
    """`forward` returning the recorded outputs in order, then the module's own forward."""
    original = type(module).forward
    calls = iter(outputs)

    def forward(*args, **kwargs):
        recorded = next(calls, _DONE)
        if recorded is _DONE:
            return original(module, *args, **kwargs)
        return _expand(recorded, batch)

    return forward


_DONE = object()


def _expand(value: Any, batch: int) -> Any:
    """A recorded value for one example as a batch: tensors expanded (views) along axis 0."""
    if isinstance(value, torch.Tensor):
        if value.ndim and value.shape[0] == 1:
            return value.expand(batch, *value.shape[1:])
        return value
    if isinstance(value, tuple | list):
        return type(value)(_expand(v, batch) for v in value)
    if isinstance(value, dict):
        return {k: _expand(v, batch) for k, v in value.items()}
    return value


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]
