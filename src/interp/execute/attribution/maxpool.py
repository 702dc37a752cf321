"""Relaxed max-pooling: gradients spread over each pooling window by activation.

A max-pool routes its whole gradient to the one input that won, so attribution
maps of max-pooling networks (GoogLeNet) come out speckled. The Building Blocks
article relaxes this: each output's gradient is shared by its window's inputs
in proportion to their activation. We keep every forward value and change only
the linearization, so reverse mode (VJPs) and forward mode (JVPs) agree:

    y = maxpool(x)                                       (value, unchanged)
    dy[o] = sum_{i in window(o)} x[i] / S[o] * dx[i]     (linearization)
    S[o]  = sum_{j in window(o)} |x[j]|

For the non-negative (post-ReLU) inputs the rule is meant for, the weights are
exactly the activations' shares of the window and sum to one. (Lucid's
notebooks differentiate the surrogate `avgpool(x**2) / (0.01 + avgpool(|x|))`
instead, which also differentiates the denominator; we use the proportional
rule itself.) Windows whose inputs are all zero pass no gradient.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from interp.models.hooks import rewrite


def _window_sum(module: nn.MaxPool2d, x: torch.Tensor) -> torch.Tensor:
    """Sum over each pooling window of `module` (zero padding, same output grid)."""
    if module.dilation not in (1, (1, 1)):
        raise NotImplementedError("relaxed max-pooling supports dilation 1 only")
    return F.avg_pool2d(
        x,
        module.kernel_size,
        module.stride,
        module.padding,
        ceil_mode=module.ceil_mode,
        count_include_pad=True,
        divisor_override=1,
    )


def _relaxed_output(module: nn.Module, inputs: tuple, output: torch.Tensor) -> torch.Tensor:
    """`output`'s value, with the proportional linearization described above."""
    if getattr(module, "return_indices", False):
        raise NotImplementedError("relaxed max-pooling does not support return_indices")
    (x,) = inputs
    x0 = x.detach()
    share = _window_sum(module, x0.abs())
    share = torch.where(share > 0, share, torch.ones_like(share))
    linear = _window_sum(module, x0 * x) / share
    return output.detach() + (linear - linear.detach())


@contextmanager
def relaxed_maxpool(model: nn.Module) -> Iterator[None]:
    """Relax every `nn.MaxPool2d` module of `model` for the body of the block.

    Max-pools written as `F.max_pool2d` calls inside a `forward` are not
    modules and stay exact.
    """
    names = [name for name, mod in model.named_modules() if isinstance(mod, nn.MaxPool2d)]
    with rewrite(model, dict.fromkeys(names, _relaxed_output)):
        yield
