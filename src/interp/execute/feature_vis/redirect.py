"""Redirected ReLU gradients, so an objective on a dead channel can still wake it.

A post-ReLU channel that is zero at every position of the starting image has
zero gradient, and its visualization would stay grey forever (a quarter of
the channels of a ReLU6 layer can start that way). Lucid's fix, used here:
when nothing of an image's gradient gets through a ReLU, pass the gradient
through anyway, except where it would push an input further into the flat
region. Values are unchanged; only gradients that would otherwise be zero
are redirected.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


class _RedirectedClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, upper: float) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.upper = upper
        return x.clamp(0, upper) if math.isfinite(upper) else x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (x,) = ctx.saved_tensors
        upper = ctx.upper
        relu_grad = torch.ops.aten.hardtanh_backward(grad, x, 0.0, upper)
        alive = relu_grad.flatten(1).ne(0).any(dim=1)
        # After the first steps every image's gradient gets through: nothing to redirect. (Asking
        # is a device sync, so only on the CPU, where the redirection is what costs.)
        if grad.device.type == "cpu" and bool(alive.all()):
            return relu_grad, None
        # Descent moves x by -grad: a positive grad lowers x, a negative one raises it.
        stuck = ((x <= 0) & (grad > 0)) | ((x >= upper) & (grad < 0))
        redirected = grad.masked_fill(stuck, 0)
        alive = alive.view(-1, *([1] * (grad.ndim - 1)))
        return torch.where(alive, relu_grad, redirected), None


def _redirected_forward(upper: float):
    def forward(x: torch.Tensor) -> torch.Tensor:
        return _RedirectedClamp.apply(x, upper)

    return forward


def redirect_scope(module: nn.Module, layer: str) -> str:
    """Where an objective on `layer` redirects its ReLUs: the layer itself, or, for a layer
    with no convolution of its own (a batch norm and its activation), the block around it.

    A depthwise stage's channel reads one channel of the activation before it in the
    block: when that one is dead on the starting image, the objective's gradient is zero
    unless that activation is redirected too (EfficientNet's `bn2` layers)."""
    found = dict(module.named_modules()).get(layer)
    if found is None or "." not in layer:
        return layer
    if any(isinstance(m, nn.Conv2d) for m in found.modules()):
        return layer
    return layer.rpartition(".")[0]


@contextmanager
def redirected_relus(module: nn.Module, layer: str | None) -> Iterator[int]:
    """Redirect the gradients of the ReLU / ReLU6 modules in `layer`'s `redirect_scope`.

    Those are the activations that can zero an objective's gradient; the ones
    earlier in the network only matter if they kill a whole image (None:
    none). The
    modules get back their own ``forward`` on exit. Yields how many were
    redirected.
    """
    scope = redirect_scope(module, layer) if layer else None
    root = dict(module.named_modules()).get(scope) if scope else None
    targets = []
    if root is not None:
        for candidate in root.modules():
            if type(candidate) is nn.ReLU6:
                targets.append((candidate, 6.0))
            elif type(candidate) is nn.ReLU:
                targets.append((candidate, math.inf))
    try:
        for candidate, upper in targets:
            candidate.forward = _redirected_forward(upper)
        yield len(targets)
    finally:
        for candidate, _ in targets:
            candidate.__dict__.pop("forward", None)
