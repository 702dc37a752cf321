"""Batch norms folded into the convolutions that feed them, for the optimizer's many passes.

In eval mode a batch norm is a per-channel affine map. When it reads a
convolution's output, the convolution can compute that map itself (weights
scaled, bias shifted), and one pass over the activation is saved forward and
backward: an optimization step on EfficientNet-Lite0 (a batch norm after
every convolution) is about a sixth cheaper on a CPU.

Pairs are found by watching one forward pass, not by knowing the
architecture's classes: a batch norm whose input tensor is a convolution's
output. The folded copy must then give every module's output of the model
on that pass (a folded convolution's own output now includes its batch
norm, so convolutions an objective reads are never folded); if anything
differs, say because a convolution's output also feeds something else,
nothing is folded.

Then, on the CPU, each ReLU / ReLU6 that now reads a convolution's output
directly is applied by that convolution as it writes (`fuse`), checked the
same way; together the two make a step about a quarter cheaper.

(Also measured, and not worth its code: folding timm's hand-made "same"
padding into a wider kernel removed the padding copies but made the
convolutions as much slower. `fuse` pads such an input once instead.)
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, replace

import torch
from torch import nn

from . import fuse
from .fuse import Chain
from .norms import affine_batch_norm
from .watch import Outputs, outputs, readings, same


@dataclass(frozen=True)
class Folded:
    """A copy of a model with batch norms folded (`pairs`: convolution, norm) and
    activations fused into the convolutions before them (`fused`: `fuse.Chain`).
    The folded norms are identities now (their parameters say so too); run the
    copy under `norms.affine_batch_norm(skip=folded.skipped())`."""

    module: nn.Module
    pairs: tuple[tuple[str, str], ...] = ()
    fused: tuple[Chain, ...] = ()

    def skipped(self) -> frozenset[int]:
        """The ``id`` of each folded norm's running mean, for `norms.affine_batch_norm`
        to pass their inputs through without computing anything (read it after the
        module last moved: a move may replace buffers)."""
        names = dict(self.module.named_modules())
        return frozenset(id(names[norm].running_mean) for _, norm in self.pairs)


def folded_copy(module: nn.Module, probe: torch.Tensor, keep: Collection[str] = ()) -> Folded:
    """A copy of `module` (eval mode, where `probe` lives), batch norms folded, activations fused.

    `probe` is an input batch the model accepts; convolutions named in `keep`
    are not folded (an objective reads their own output), nor activations in
    or named in `keep` fused (their gradients are redirected). The caller's module
    is not changed. A model the probe cannot run is copied as it is.
    """

    def fresh() -> nn.Module:
        return copy.deepcopy(module).eval().to(probe.device)

    with torch.no_grad():
        try:
            trial = fresh()
            reference = outputs(trial, probe)
            pairs = [(c, n) for c, n in _pairs(trial, probe) if c not in keep]
            names = dict(trial.named_modules())
            for conv, norm in pairs:
                _fold(names[conv], names[norm])
            if pairs and not same(reference, outputs(trial, probe), ignore={c for c, _ in pairs}):
                return Folded(fresh())
            folded = Folded(trial, tuple(pairs))
            return replace(folded, fused=_fused(folded, probe, keep, reference))
        except (RuntimeError, ValueError, TypeError):
            return Folded(fresh())


def _fused(folded: Folded, probe: torch.Tensor, keep, reference: Outputs) -> tuple[Chain, ...]:
    """Fuse what `fuse.chains` finds in `folded.module`, if every other output stays."""
    if not fuse.available(probe.device):
        return ()
    module = folded.module
    found = []
    try:
        with affine_batch_norm(skip=folded.skipped()):  # folded norms hand their input on
            found = fuse.chains(module, probe, keep)
            for chain in found:
                fuse.fuse(module, chain)
            changed = {c for c, _ in folded.pairs} | {n for c, _, b in found for n in (c, *b)}
            if not found or same(reference, outputs(module, probe), ignore=changed):
                return tuple(found)
    except (RuntimeError, ValueError, TypeError):
        pass  # a kernel this build lacks: unfused
    names = dict(module.named_modules())
    for conv, act, _ in found:  # undone: both get their class's forward back
        names[conv].__dict__.pop("forward", None)
        names[act].__dict__.pop("forward", None)
    return ()


# ---- batch norms ---------------------------------------------------------------------


def _pairs(module: nn.Module, probe: torch.Tensor) -> list[tuple[str, str]]:
    """(convolution, batch norm) names where the norm reads the convolution's output tensor
    itself, and no other norm does."""
    found, _ = readings(module, probe, _conv, _norm)
    pairs = [(conv, norm) for conv, norm, between in found if not between]
    convs = [conv for conv, _ in pairs]
    return [(conv, norm) for conv, norm in pairs if convs.count(conv) == 1]


def _conv(m: nn.Module) -> bool:
    return isinstance(m, nn.Conv2d)


def _norm(m: nn.Module) -> bool:
    return (
        isinstance(m, nn.BatchNorm2d) and m.running_mean is not None and m.running_var is not None
    )


def _fold(conv: nn.Conv2d, norm: nn.BatchNorm2d) -> None:
    """Move `norm`'s affine map into `conv`, and make `norm` the identity."""
    scale = torch.rsqrt(norm.running_var + norm.eps)
    if norm.weight is not None:
        scale = scale * norm.weight
    shift = (norm.bias if norm.bias is not None else 0) - norm.running_mean * scale
    bias = conv.bias if conv.bias is not None else torch.zeros_like(shift)
    conv.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1).to(conv.weight.dtype))
    conv.bias = nn.Parameter(
        (bias * scale + shift).to(conv.weight.dtype), requires_grad=conv.weight.requires_grad
    )
    norm.running_mean.zero_()
    norm.running_var.fill_(1.0 - norm.eps)
    if norm.weight is not None:
        norm.weight.fill_(1.0)
    if norm.bias is not None:
        norm.bias.zero_()
