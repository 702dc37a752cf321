"""The plan's `Factorize` node: a layer's neuron groups for one input.

`groups(k, of=activations)` factorizes the activation cube; `of=gradient` and
`of=attribution` take the gradient of the target class (the top class unless
`target=` names one) at the layer, alone or times the activation, and split
it into positive and negative parts (`factorize`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interp.compare.metrics import nmf_explained
from interp.execute.attribution.core import Target, gradient
from interp.execute.context import RunContext
from interp.execute.factorize import factorize
from interp.execute.forward import Inputs
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
    found = factorize(flat, spec.k, signed=signed, seed=0)
    return GroupFactors(
        np.asarray(found.footprints).T.reshape(spec.k, height, width),
        np.asarray(found.directions),
        nmf_explained(flat, found.footprints, found.directions),
    )
