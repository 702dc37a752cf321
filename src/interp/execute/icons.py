"""The plan's feature-visualization nodes: which icons an element shows, and one batch per layer.

`IconObjectives` asks the element's table (`execute.tables`) which objectives its atoms
need (pure: it reads arrays only). `Visualize` optimizes every objective of
one layer that any element of the file asked for, in batches on the model
truncated after that layer, cached by content (`feature_vis.visualize`).
"""

from __future__ import annotations

import numpy as np

from interp.execute.context import RunContext
from interp.execute.feature_vis import visualize
from interp.execute.forward import Inputs
from interp.execute.ops import content_array
from interp.execute.tables import table_of
from interp.plan import nodes


def objectives(node: nodes.IconObjectives, inputs: Inputs) -> dict:
    array, *reads = (inputs[n] for n in node.reads)
    icons = table_of(node.presentation).objectives(node.element, content_array(array), *reads)
    return {key: (model or node.model, objective) for key, (model, objective) in icons.items()}


def batch(node: nodes.Visualize, inputs: Inputs, ctx: RunContext) -> dict[tuple, np.ndarray]:
    """(model, objective) -> picture (a stack of `node.diversity` pictures when above one),
    for every icon of this batch's model and layer."""
    wanted = list(
        dict.fromkeys(
            objective
            for request in node.requests
            for model, objective in inputs[request].values()
            if model == node.model and objective.layer == node.layer
        )
    )
    if not wanted:
        return {}
    images = visualize(
        ctx.model(node.model),
        wanted,
        quality=node.quality,
        size=node.size,
        steps=node.steps,
        device=ctx.device,
        cache=ctx.cache,
        progress=ctx.progress,
        diversity=node.diversity,
    )
    return {(node.model, o): image for o, image in zip(wanted, images, strict=True)}
