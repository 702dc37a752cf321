"""The plan's metric nodes: deletion curves (the one that runs the model) and metric values."""

from __future__ import annotations

import numpy as np

from interp.compare.metrics import DeletionCurves
from interp.execute.attribution.core import Atoms
from interp.execute.context import RunContext
from interp.execute.deletion import deletion
from interp.execute.forward import Inputs
from interp.execute.ops import content_array
from interp.plan import nodes


def deletion_curves(node: nodes.Deletion, inputs: Inputs, ctx: RunContext) -> DeletionCurves | None:
    handle = ctx.model(node.model)
    image = ctx.input_tensor(node.model, node.image)
    scores = content_array(inputs[node.scores])
    label = node.label
    if label is None:  # the model's top class for this input
        import torch

        with torch.no_grad():
            label = handle.labels[int(handle.module(image)[0].argmax())]
    if "class" in scores.dims:
        if label not in scores.coords["class"].values.tolist():
            return None
        scores = scores.sel({"class": label})
    if any(d not in ("x", "y", "channel") for d in scores.dims):
        return None  # still sliced by a selection: no single score per atom
    source = node.source
    atoms = Atoms(source.layer if source.kind == "layer" else None, source.atoms)
    values = np.nan_to_num(scores.values)
    scores = scores.copy(data=values)
    return deletion(
        handle.module, image, atoms, scores, handle.labels.index(label), steps=node.steps
    )


def metric(node: nodes.Metric, inputs: Inputs) -> float | None:
    from interp.compare.measures import BY_NAME

    value = BY_NAME[node.name].value(*(inputs[r] for r in node.reads))
    return None if value is None else float(value)
