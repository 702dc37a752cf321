"""Which function computes each plan node: the executor's one table.

A kernel takes the node and its inputs' values (by node); kernels of nodes
that run the model also take the `RunContext`. Pure kernels never see it, so
views and operations cannot touch a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from interp.plan import nodes


def _table() -> dict[type, Callable]:
    from interp.execute import (
        atlas,
        dataset_pass,
        example_images,
        forward,
        groups,
        icons,
        measure,
        ops,
        over,
        pages,
        weights,
    )
    from interp.execute.attribution import kernel as attribution

    return {
        nodes.DatasetPass: dataset_pass.dataset_pass,
        nodes.OverDataset: over.over_dataset,
        nodes.CorrelationMatrix: over.correlation,
        nodes.AtlasLayout: atlas.atlas_layout,
        nodes.ExampleImages: example_images.example_images,
        nodes.Forward: forward.forward,
        nodes.Activations: forward.activations,
        nodes.Magnitude: forward.magnitude,
        nodes.InputImage: forward.input_image,
        nodes.Attribute: attribution.attribution,
        nodes.Factorize: groups.groups,
        nodes.Operation: ops.operation,
        nodes.Collapse: ops.collapse,
        nodes.Atoms: ops.atoms,
        nodes.IconObjectives: icons.objectives,
        nodes.Visualize: icons.batch,
        nodes.View: pages.element_view,
        nodes.Page: pages.page,
        nodes.ModelName: pages.model_name,
        nodes.Deletion: measure.deletion_curves,
        nodes.Metric: measure.metric,
        nodes.Weights: weights.weights,
    }


def run_node(node: nodes.Node, inputs: Mapping[nodes.Node, Any], ctx) -> Any:
    """The value of `node`, given its inputs' values."""
    kernel = _table()[type(node)]
    return kernel(node, inputs, ctx) if node.needs_model else kernel(node, inputs)
