"""Convolutions that apply the ReLU / ReLU6 after them in the same pass (CPU, oneDNN).

Once its batch norm is folded away, a convolution's output goes straight into
its activation, and the clamp is a full extra read and write of the largest
tensors of the network: a tenth of an optimization step on
EfficientNet-Lite0. oneDNN applies it as the convolution writes its output
(``torch.ops.mkldnn._convolution_pointwise``, the kernel torch's own
compiler fuses to); `ConvClamp` gives that kernel its backward: the
gradient masked where the output is clamped, then the convolution's input
gradient only (no weight gradient is ever asked for).

TensorFlow-style "same" convolutions (timm's ``Conv2dSame``: the stride-2
ones of the ``tf_`` models) pad their input with ``F.pad`` first, which
fills the whole padded tensor, copies the input in, and copies the
gradient back out: on EfficientNet-Lite0 about a tenth of a step's CPU time,
spent on the largest tensor of the network. Fused, the padded input is written once
(only its border zeroed) and the input's gradient is a view of the padded
one's.

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
    from .redirect import redirect_scope

    found, calls = readings(module, probe, _fusable_conv, lambda m: _upper(m) is not None)
    starts = [conv for conv, _, _ in found]
    scopes = [redirect_scope(module, k) for k in keep]
    return [
        (conv, act, between)
        for conv, act, between in found
        if starts.count(conv) == 1
        and calls.count(act) == 1
        and not {conv, act, *between} & set(keep)
        and not any(act.startswith(f"{k}.") for k in [*keep, *scopes])
    ]


def fuse(module: nn.Module, chain: Chain) -> None:
    """Make the chain's convolution apply its activation, and the activation the identity."""
    names = dict(module.named_modules())
    conv, act = names[chain[0]], names[chain[1]]
    upper, shape = _upper(act), _Conv.of(conv)
    conv.forward = lambda x: ConvClamp.apply(x, conv, upper, shape)
    act.forward = lambda x: x


def _fusable_conv(m: nn.Module) -> bool:
    """A convolution `ConvClamp` computes exactly: a plain one, or a "same"-padded one."""
    plain = type(m) is nn.Conv2d or _pads_same(m)
    return plain and m.padding_mode == "zeros" and isinstance(m.padding, tuple)


def _pads_same(m: nn.Module) -> bool:
    try:
        from timm.layers import Conv2dSame
    except ImportError:  # pragma: no cover - timm is a dependency
        return False
    return type(m) is Conv2dSame


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
    kernel: tuple[int, ...]
    same: bool  # pad the input as TensorFlow's "same" does first (`padding` is then 0)

    @classmethod
    def of(cls, conv: nn.Conv2d) -> _Conv:
        return cls(
            conv.stride,
            conv.padding,
            conv.dilation,
            conv.groups,
            conv.kernel_size,
            _pads_same(conv),
        )

    def pads(self, x: torch.Tensor) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) zeros around `x` for "same" (all 0 otherwise)."""
        if not self.same:
            return (0, 0, 0, 0)
        sides = []
        for size, k, s, d in zip(
            x.shape[-2:], self.kernel, self.stride, self.dilation, strict=True
        ):
            total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
            sides += [total // 2, total - total // 2]
        return tuple(sides)


def _padded(x: torch.Tensor, pads: tuple[int, int, int, int]) -> torch.Tensor:
    """`x` inside a border of zeros: written once, only the border zeroed (``F.pad`` fills all)."""
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    last = x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()
    layout = torch.channels_last if last else torch.contiguous_format
    out = torch.empty(
        (n, c, h + top + bottom, w + left + right),
        dtype=x.dtype,
        device=x.device,
        memory_format=layout,
    )
    out[:, :, :top].zero_()
    out[:, :, top + h :].zero_()
    out[:, :, top : top + h, :left].zero_()
    out[:, :, top : top + h, left + w :].zero_()
    out[:, :, top : top + h, left : left + w].copy_(x)
    return out


class ConvClamp(torch.autograd.Function):
    """``clamp(conv(x), 0, upper)`` in one oneDNN pass; the backward gives ``x``'s gradient."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, conv: nn.Conv2d, upper: float, shape: _Conv) -> torch.Tensor:
        pads = shape.pads(x)
        if any(pads):
            x = _padded(x, pads)
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
        ctx.shape, ctx.upper, ctx.pads = shape, upper, pads
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
        top, bottom, left, right = ctx.pads
        if top or bottom or left or right:  # the input's gradient: a view of the padded one's
            x_grad = x_grad[:, :, top : x_grad.shape[2] - bottom, left : x_grad.shape[3] - right]
        return x_grad, None, None, None
