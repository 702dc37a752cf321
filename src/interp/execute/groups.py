"""The plan's `Factorize` node: a layer's neuron groups for one input.

`groups(k, of=activations)` factorizes the activation cube; `of=gradient` and
`of=attribution` take the gradient of the target class (the top class unless
`target=` names one) at the layer, alone or times the activation, and split
it into positive and negative parts (`factorize`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from interp.execute.attribution.core import Atoms, Target, attribute, gradient
from interp.execute.context import RunContext
from interp.execute.factorize import factorize
from interp.execute.forward import Inputs
from interp.execute.metrics import nmf_explained
from interp.plan import nodes


@dataclass(frozen=True)
class GroupFactors:
    """NMF groups of one layer: footprints `(k, H, W)` and channel directions `(k, C)`."""

    footprints: np.ndarray
    directions: np.ndarray
    explained: float | None = None  # 1 - |A - WH|^2 / |A|^2 of the factorized matrix


def groups(node: nodes.Factorize, inputs: Inputs, ctx: RunContext) -> GroupFactors:
    spec = node.groups
    captured = inputs[node.forward]
    cube = captured.activations[spec.layer]
    if spec.of == "activations":
        matrix, signed = cube, False
    else:
        handle = ctx.model(node.model)
        label = spec.target or handle.labels[int(np.argmax(captured.logits))]
        index = handle.labels.index(label)
        image = ctx.input_tensor(node.model, node.image)
        grad = gradient(handle.module, image, spec.layer, Target(None, "classes", (index,)))
        grad = grad[0].detach().cpu().numpy()
        matrix, signed = (grad if spec.of == "gradient" else grad * cube), True
    channels, height, width = matrix.shape
    flat = matrix.reshape(channels, height * width).T
    if node.later is not None:
        footprints, directions = _compatible(node, flat, inputs[node.later], ctx)
    else:
        found = factorize(flat, spec.k, signed=signed, seed=0)
        footprints, directions = np.asarray(found.footprints), np.asarray(found.directions)
    return GroupFactors(
        footprints.T.reshape(spec.k, height, width),
        directions,
        nmf_explained(flat, footprints, directions),
    )


def _compatible(
    node: nodes.Factorize, flat: np.ndarray, later: GroupFactors, ctx: RunContext
) -> tuple[np.ndarray, np.ndarray]:
    """Groups of `flat` `(positions, C)` made compatible with a later layer's N groups.

    Each entry is split into N entries on the channel axis, in proportion to
    the absolute attribution of that unit to each later group (units that
    attribute nothing are split evenly); the widened `(positions, C*N)` matrix
    is factorized and its duplicated columns collapsed back (docs/semantics.md §1).
    """
    spec = node.groups
    handle = ctx.model(node.model)
    image = ctx.input_tensor(node.model, node.image)
    directions = torch.as_tensor(later.directions, dtype=torch.float32)
    later_layer = spec.compatible.layer  # type: ignore[union-attr]
    units = attribute(
        handle.module,
        image,
        Atoms(spec.layer, "neurons"),
        Target(later_layer, "groups", directions=directions),
    )  # (C, H, W, N)
    share = units.abs().detach().cpu().numpy()
    channels, groups = share.shape[0], share.shape[-1]
    share = share.reshape(channels, -1, groups).transpose(1, 0, 2)  # (positions, C, N)
    total = share.sum(-1, keepdims=True)
    share = np.where(total > 0, share / np.where(total > 0, total, 1), 1.0 / groups)
    wide = (flat[:, :, None] * share).reshape(flat.shape[0], channels * groups)
    found = factorize(wide, spec.k, signed=False, seed=0)
    collapsed = np.asarray(found.directions).reshape(spec.k, channels, groups).sum(-1)
    norms = np.linalg.norm(collapsed, axis=1, keepdims=True)
    norms = np.where(norms > 0, norms, 1.0)
    return np.asarray(found.footprints) * norms.T, collapsed / norms
