"""The plan's metric nodes: deletion curves (the one that runs the model) and metric values.

Each metric declared in `interp.vocabulary.measures` has its value here, by its
name: a function of the values of the nodes it reads, with the math of
`interp.execute.metrics`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from interp.execute import metrics
from interp.execute.attribution.core import Atoms
from interp.execute.context import RunContext
from interp.execute.deletion import deletion
from interp.execute.forward import Inputs
from interp.execute.metrics import DeletionCurves
from interp.execute.ops import content_array
from interp.plan import nodes
from interp.vocabulary import measures


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
    value = VALUES[node.name](*(inputs[r] for r in node.reads))
    return None if value is None else float(value)


def _array(value):
    return getattr(value, "array", value)


# Each declared metric's value from the values of the nodes its declaration reads.
VALUES: dict[str, Callable[..., float | None]] = {
    measures.Randomization.name: lambda trained, randomized: metrics.randomization(
        _array(trained), _array(randomized)
    ),
    measures.DeletionAUC.name: lambda curves: None if curves is None else curves.auc,
    measures.DeletionRandom.name: lambda curves: None if curves is None else curves.random_auc,
    measures.NMFExplained.name: lambda factors: factors.explained,
    measures.Coverage.name: lambda full, shown: metrics.coverage(_array(full), _array(shown)),
    measures.PathDependence.name: lambda linear, integrated: metrics.path_dependence(
        _array(linear), _array(integrated)
    ),
    measures.AblationAgreement.name: lambda attribution, ablation: metrics.ablation_agreement(
        _array(attribution), _array(ablation)
    ),
    measures.FlowEntropy.name: lambda flow: metrics.flow_entropy(_array(flow)),
}
