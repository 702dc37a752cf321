"""Elementwise modules linearized by their diagonal: one multiply per module per product.

Batch norm in eval mode and activation modules act on each unit on its own,
so their derivative is a diagonal `d = dy/dx`. Differentiating through them
op by op is what dominates batched products after the convolutions: the
batch-norm JVP decomposition copies every tangent several times, in-place
activations clone them, and under `vmap` their backward formulas loop over
the batch. Instead we record `d` once, in a plain pass at the points where
products are taken, and give the module the derivative `t -> t * d`; the
module itself runs on its detached input, so its value is unchanged.

Modules that run more than once per pass get one diagonal per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

from interp.models.hooks import rewrite
from interp.models.linear import ACTIVATIONS

PASS_THROUGH = (nn.Identity, nn.Dropout)


def is_elementwise(module: nn.Module) -> bool:
    """Batch norm with running statistics in eval mode, an activation, or an inert module."""
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        own = not module.training and module.running_mean is not None
    elif isinstance(module, PASS_THROUGH):
        own = not module.training or isinstance(module, nn.Identity)
    else:
        own = isinstance(module, ACTIVATIONS)
    return own and all(is_elementwise(child) for child in module.children())


def elementwise_modules(model: nn.Module, exclude: Sequence[str]) -> list[str]:
    """Outermost elementwise modules (not inert ones), unrelated to the `exclude` paths."""
    chosen: list[str] = []
    for name, module in model.named_modules():
        if any(_nested(name, other) for other in [*exclude, *chosen]):
            continue
        if not isinstance(module, PASS_THROUGH) and is_elementwise(module):
            chosen.append(name)
    return chosen


def _nested(name: str, other: str) -> bool:
    """Whether one module path contains the other (or they are equal); "" is the root."""
    return (
        name == other or not other or name.startswith(other + ".") or other.startswith(name + ".")
    )


class _Diagonal(torch.autograd.Function):
    """`value`, with derivative `diagonal * dx` with respect to `x` (and none to `value`)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x, value, diagonal):
        return value.clone()

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[2])
        ctx.save_for_forward(inputs[2])

    @staticmethod
    def backward(ctx, grad):
        (diagonal,) = ctx.saved_tensors
        return grad * diagonal, None, None

    @staticmethod
    def jvp(ctx, x_tangent, value_tangent, diagonal_tangent):
        (diagonal,) = ctx.saved_tensors
        return x_tangent * diagonal


def diagonal(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """`d module(x) / dx` of an elementwise module: a VJP with ones (its hooks bypassed)."""
    with torch.enable_grad():
        leaf = x.detach().requires_grad_()
        value = module.forward(leaf.clone())  # a clone keeps in-place activations off the leaf
        (slope,) = torch.autograd.grad(value, leaf, torch.ones_like(value))
    return slope


class Diagonals:
    """The diagonals of `model`'s elementwise modules at one set of points.

    `recording(active)` computes them during a plain pass (for calls made
    while `active()`, i.e. after the source layer ran) and applies them;
    `replaying()` applies the recorded ones, e.g. inside `vmap(jvp(...))`.
    """

    def __init__(self, model: nn.Module, exclude: Sequence[str]):
        self.model = model
        self.names = elementwise_modules(model, exclude)
        self.recorded: dict[str, list[torch.Tensor | None]] = {name: [] for name in self.names}

    @contextmanager
    def recording(self, active: Callable[[], bool]) -> Iterator[None]:
        self.recorded = {name: [] for name in self.names}

        def record(name: str, call: int, module: nn.Module, x: torch.Tensor):
            slope = diagonal(module, x) if active() else None
            self.recorded[name].append(slope)
            return slope

        with self._applied(record):
            yield

    @contextmanager
    def replaying(self) -> Iterator[None]:
        def replay(name: str, call: int, module: nn.Module, x: torch.Tensor):
            calls = self.recorded[name]
            return calls[call] if call < len(calls) else None

        with self._applied(replay):
            yield

    @contextmanager
    def _applied(self, slope_for) -> Iterator[None]:
        calls = dict.fromkeys(self.names, 0)
        pending: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}

        def before(name: str):
            def hook(module: nn.Module, inputs: tuple):
                if len(inputs) != 1 or not isinstance(inputs[0], torch.Tensor):
                    return None
                call, calls[name] = calls[name], calls[name] + 1
                slope = slope_for(name, call, module, inputs[0])
                if slope is None:
                    return None
                pending[name] = (inputs[0], slope)
                return (inputs[0].detach(),)

            return hook

        def after(name: str):
            def hook(module: nn.Module, inputs: tuple, output: torch.Tensor):
                if name not in pending:
                    return None
                x, slope = pending.pop(name)
                return _Diagonal.apply(x, output, slope)

            return hook

        with rewrite(
            self.model,
            {name: after(name) for name in self.names},
            before={name: before(name) for name in self.names},
        ):
            yield
