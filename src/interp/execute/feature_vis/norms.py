"""Eval-mode batch norms as the cheap affine maps they are, or not at all once folded."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F


@contextmanager
def affine_batch_norm(skip: Collection[int] = frozenset()) -> Iterator[None]:
    """Eval-mode batch norm computed as the affine map it is, ``x * scale + shift``.

    Torch's CPU kernel for a channels-last batch norm is several times slower
    than that map, forward and backward (150 ms against 28 ms for a
    16 x 96 x 64 x 64 batch), and batch norms took a third of an
    optimization step. The values are the same up to rounding; calls in
    training mode, without running statistics or on other than 4-D inputs go
    to torch's own. Norms whose running mean's ``id`` is in `skip` are
    identities (folded away) and return their input. ``F.batch_norm`` is
    restored on exit, even on error.
    """
    original = F.batch_norm

    def batch_norm(
        input, running_mean, running_var, weight=None, bias=None, training=False, *args, **kwargs
    ):
        eps = kwargs.get("eps", args[1] if len(args) > 1 else 1e-5)
        if id(running_mean) in skip and not training:
            return input
        if training or running_mean is None or running_var is None or input.ndim != 4:
            return original(
                input, running_mean, running_var, weight, bias, training, *args, **kwargs
            )
        scale = torch.rsqrt(running_var + eps)
        scale = scale * weight if weight is not None else scale
        shift = -running_mean * scale + (bias if bias is not None else 0)
        shape = (1, -1, 1, 1)
        return torch.addcmul(
            shift.view(shape).to(input.dtype), input, scale.view(shape).to(input.dtype)
        )

    F.batch_norm = batch_norm
    try:
        yield
    finally:
        F.batch_norm = original
