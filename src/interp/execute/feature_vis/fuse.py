"""Convolutions that apply the ReLU / ReLU6 after them in the same pass (CPU, oneDNN).

Once its batch norm is folded away, a convolution's output goes straight into
its activation, and the clamp is a full extra read and write of the largest
tensors of the network: a tenth of an optimization step on
EfficientNet-Lite0. oneDNN applies it as the convolution writes its output
(``torch.ops.mkldnn._convolution_pointwise``, the kernel torch's own
compiler fuses to); `ConvClamp` gives that kernel its backward: the
gradient masked where the output is clamped, then the convolution's input
gradient only (no weight gradient is ever asked for).

`chains` finds, on one watched forward pass (`watch.readings`), each
activation module whose input is a plain convolution's output tensor,
possibly handed on unchanged by modules in between (a folded batch norm, a
dropout in eval mode); `fold.folded_copy` fuses them and checks every other
module's output.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import torch
from torch import nn

from .watch import readings

Chain = tuple[str, str, tuple[str, ...]]  # convolution, activation, modules between


def available(device: torch.device) -> bool:
    """Fusion runs on oneDNN, on the CPU."""
    return (
        device.type == "cpu"
        and torch.backends.mkldnn.is_available()
        and hasattr(torch.ops.mkldnn, "_convolution_pointwise")
    )


def chains(module: nn.Module, probe: torch.Tensor, keep: Collection[str]) -> list[Chain]:
    """(convolution, activation, modules between) chains seen on `probe`; none touching a
    name in `keep`, nor an activation inside a kept module (its gradient is redirected
    there), nor one called twice (ResNet's shared ReLU: its other call reads something else)."""
    found, calls = readings(module, probe, _plain_conv, lambda m: _upper(m) is not None)
    starts = [conv for conv, _, _ in found]
    return [
        (conv, act, between)
        for conv, act, between in found
        if starts.count(conv) == 1
        and calls.count(act) == 1
        and not {conv, act, *between} & set(keep)
        and not any(act.startswith(f"{k}.") for k in keep)
    ]


def fuse(module: nn.Module, chain: Chain) -> None:
    """Make the chain's convolution apply its activation, and the activation the identity."""
    names = dict(module.named_modules())
    conv, act = names[chain[0]], names[chain[1]]
    upper = _upper(act)
    conv.forward = lambda x: ConvClamp.apply(x, conv, upper)
    act.forward = lambda x: x


def _plain_conv(m: nn.Module) -> bool:
    return type(m) is nn.Conv2d and m.padding_mode == "zeros" and isinstance(m.padding, tuple)


def _upper(m: nn.Module) -> float | None:
    """The clamp's upper bound of a ReLU-like module (inf for ReLU); None for anything else."""
    if type(m) is nn.ReLU:
        return math.inf
    if type(m) is nn.ReLU6:
        return 6.0
    return None


@dataclass(frozen=True)
class _Conv:
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int


class ConvClamp(torch.autograd.Function):
    """``clamp(conv(x), 0, upper)`` in one oneDNN pass; the backward gives ``x``'s gradient."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, conv: nn.Conv2d, upper: float) -> torch.Tensor:
        shape = _Conv(conv.stride, conv.padding, conv.dilation, conv.groups)
        if math.isinf(upper):
            attr, scalars = "relu", []
        else:
            attr, scalars = "hardtanh", [0.0, upper]
        y = torch.ops.mkldnn._convolution_pointwise(
            x,
            conv.weight,
            conv.bias,
            list(shape.padding),
            list(shape.stride),
            list(shape.dilation),
            shape.groups,
            attr,
            scalars,
            "",
        )
        ctx.save_for_backward(x, conv.weight, y)
        ctx.shape, ctx.upper = shape, upper
        return y

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, weight, y = ctx.saved_tensors
        if math.isinf(ctx.upper):
            masked = torch.ops.aten.threshold_backward(grad, y, 0.0)
        else:
            masked = torch.ops.aten.hardtanh_backward(grad, y, 0.0, ctx.upper)
        shape = ctx.shape
        (x_grad, _, _) = torch.ops.aten.convolution_backward(
            masked,
            x,
            weight,
            None,
            list(shape.stride),
            list(shape.padding),
            list(shape.dilation),
            False,
            [0] * len(shape.stride),
            shape.groups,
            [True, False, False],
        )
        return x_grad, None, None
