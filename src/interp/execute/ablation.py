"""`ablation(L.atoms -> output[...])`: the change in each target logit when one atom of
L alone is ablated, exact and batched.

Value (docs/semantics.md, "Ablation"): ``effect = target(original) − target(ablated)``,
so an atom that supports a class has a positive effect on it, as its attribution
would be. An atom is a channel (every position of it) or a position (every channel
there). Ablated means replaced by: zero; ``mean``, the channel's mean over the
input's positions; or ``input``, the activations of another image at the same place
(activation patching).

Each batch of ablated activations goes through the network's *suffix* only
(`interp.models.suffix`: module replay from the cached activation of L), one pass per
batch, never a full forward per atom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch
from torch import nn

from interp.models.edits import patch_activation, position_mean
from interp.models.layouts import layout_of
from interp.models.suffix import Prefix, record_prefix, run_suffix

BATCH = 64  # ablations per suffix pass: bounded memory (64 × a layer's activation)


def replacement(
    activation: torch.Tensor, to: str, patch: torch.Tensor | None = None
) -> torch.Tensor:
    """What an ablated unit becomes, shaped like `activation` ``(1, C, ...)``."""
    if to == "mean":
        return position_mean(activation).expand_as(activation)
    if to == "input":
        assert patch is not None
        return patch.to(activation.dtype).expand_as(activation)
    return torch.zeros_like(activation)


def atom_count(shape: Sequence[int], atoms: Literal["channels", "spatial"]) -> int:
    """How many atoms a ``(C, *S)`` activation has: its channels, or its positions."""
    channels, *space = shape
    return channels if atoms == "channels" else math.prod(space)


def atom_masks(
    shape: Sequence[int],
    atoms: Literal["channels", "spatial"],
    start: int = 0,
    stop: int | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """One bool mask per atom `start` to `stop` over a ``(C, *S)`` activation:
    `(n, C, *S)` (broadcast views, never n × C × S bools), atoms in the order of the
    content's axes (channels; or positions row-major, y then x)."""
    channels, *space = shape
    stop = atom_count(shape, atoms) if stop is None else stop
    index = torch.arange(start, stop, device=device)
    if atoms == "channels":
        hit = index[:, None] == torch.arange(channels, device=device)[None]
        return hit.view(len(index), channels, *([1] * len(space))).expand(len(index), *shape)
    hit = index[:, None] == torch.arange(math.prod(space), device=device)[None]
    return hit.view(len(index), 1, *space).expand(len(index), *shape)


def ablation_effects(
    model: nn.Module,
    inputs: torch.Tensor,
    layer: str,
    atoms: Literal["channels", "spatial"],
    classes: Sequence[int] | None = None,
    to: str = "zero",
    patch: torch.Tensor | None = None,
    batch: int = BATCH,
    prefix: Prefix | None = None,
) -> torch.Tensor:
    """Effects ``(*atom_shape, n_classes)``: logit(original) − logit(atom ablated), for
    `classes` (None: every class). Channels' atom shape is ``(C,)``; positions' ``(*S)``."""
    with torch.no_grad():
        prefix = prefix or record_prefix(model, inputs, layer)
        raw = prefix.activation  # as the model lays it out: (H, W, C) and tokens too
        layout = layout_of(dict(model.named_modules())[layer], tuple(raw.shape[1:]))
        activation = layout.to_chw(raw)  # atoms are read channels-first, as everywhere
        new = replacement(activation, to, patch)[0]
        shape = activation.shape[1:]
        count = atom_count(shape, atoms)
        pick = slice(None) if classes is None else list(classes)
        original = prefix.output[0, pick]
        effects = []
        for start in range(0, count, batch):
            stop = min(start + batch, count)
            mask = atom_masks(shape, atoms, start, stop, activation.device)
            ablated = layout.from_chw(torch.where(mask, new, activation[0]), raw)
            effects.append(original - run_suffix(model, prefix, ablated)[:, pick])
        found = torch.cat(effects)
    atom_shape = (activation.shape[1],) if atoms == "channels" else tuple(activation.shape[2:])
    return found.reshape(*atom_shape, found.shape[-1])


def ablation_values(
    handle, image: torch.Tensor, source, classes: Sequence[int] | None, arguments: tuple
) -> np.ndarray:
    """An `ablation(S -> output[...])` family's values, ``(*atoms, n_classes)``, for the
    attribution kernel: `source` is the bound substrate, `arguments` the method's (`to`)."""
    to = dict(arguments).get("to", "zero")
    patch = None
    if isinstance(to, tuple):  # to=input(IMAGE): that image's activations at the layer
        patch, to = patch_activation(handle, source.layer, to), "input"
    effects = ablation_effects(
        handle.module, image, source.layer, source.atoms, classes, to=to, patch=patch
    )
    return effects.detach().cpu().numpy()
