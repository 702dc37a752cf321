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
convolutions as much slower.)
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import partial

import torch
from torch import nn

from ..hooks import run_until
from . import fuse
from .fuse import Chain
from .norms import affine_batch_norm

#: folded values differ from the model's by float rounding only; a wrong fold differs by O(1)
TOLERANCE = 1e-3

Outputs = dict[str, torch.Tensor]


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
            reference = _outputs(trial, probe)
            pairs = [(c, n) for c, n in _pairs(trial, probe) if c not in keep]
            names = dict(trial.named_modules())
            for conv, norm in pairs:
                _fold(names[conv], names[norm])
            if pairs and not _same(reference, _outputs(trial, probe), ignore={c for c, _ in pairs}):
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
            found = fuse.chains(module, partial(_watch, module, probe), keep)
            for chain in found:
                fuse.fuse(module, chain)
            changed = {c for c, _ in folded.pairs} | {n for c, _, b in found for n in (c, *b)}
            if not found or _same(reference, _outputs(module, probe), ignore=changed):
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
    """(convolution, batch norm) names where the norm's input is the convolution's output,
    and no other norm's."""
    made: dict[int, tuple[str, torch.Tensor, int]] = {}
    found: list[tuple[str, str]] = []

    def after_conv(name):
        def hook(_module, _inputs, output):
            made[id(output)] = (name, output, output._version)  # kept: its id stays unique

        return hook

    def before_norm(name):
        def hook(_module, inputs):
            source = made.get(id(inputs[0])) if inputs else None
            # the very tensor the convolution wrote, not changed in place since
            if source is not None and source[1] is inputs[0] and source[2] == inputs[0]._version:
                found.append((source[0], name))

        return hook

    hooks = {name: after_conv(name) for name, m in module.named_modules() if _conv(m)}
    pre = {name: before_norm(name) for name, m in module.named_modules() if _norm(m)}
    _watch(module, probe, after=hooks, before=pre)
    convs = [conv for conv, _ in found]
    return [(conv, norm) for conv, norm in found if convs.count(conv) == 1]


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


# ---- watching a forward pass ---------------------------------------------------------


def _watch(module: nn.Module, probe: torch.Tensor, *, after=None, before=None) -> None:
    """Run `probe` through `module` with forward hooks `after[name]` and pre-hooks `before[name]`."""
    names = dict(module.named_modules())
    handles = [names[n].register_forward_hook(h) for n, h in (after or {}).items()]
    handles += [names[n].register_forward_pre_hook(h) for n, h in (before or {}).items()]
    try:
        run_until(module, probe)
    finally:
        for handle in handles:
            handle.remove()


def _outputs(module: nn.Module, probe: torch.Tensor) -> Outputs:
    """Every module's tensor output on `probe` (the first call of each); "" is the model's."""
    outputs: Outputs = {}

    def record(name):
        def hook(_module, _inputs, output):
            if isinstance(output, torch.Tensor):
                outputs.setdefault(name, output.detach().clone())

        return hook

    _watch(module, probe, after={n: record(n) for n, _ in module.named_modules()})
    return outputs


def _same(expected: Outputs, actual: Outputs, ignore: Collection[str]) -> bool:
    if expected.keys() != actual.keys():
        return False
    for name, value in expected.items():
        if name in ignore:
            continue
        bound = TOLERANCE * (1.0 + float(value.abs().max())) if value.numel() else 0.0
        if value.shape != actual[name].shape or float((value - actual[name]).abs().max()) > bound:
            return False
    return True
