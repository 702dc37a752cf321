"""The plan's nodes: frozen, span-free, hashable; a node's fields that are nodes are its edges.

A plan is a DAG of these. Equal nodes are the same work, so building a plan
interns every node (`plan.build`): two elements that need the same forward
pass, attribution family or feature-visualization batch share one node.
Nothing here runs anything; `interp.execute` maps each node type to the
kernel that computes its value.

Values, by node type (what the executor stores for the node):

| node | value |
|---|---|
| `Forward` | `Captured`: layer activations `(C, H, W)` and logits, numpy |
| `Attribute` | `Attributed`: the attribution array (+ what its first pass captured) |
| `Factorize` | `GroupFactors`: footprints `(k, H, W)`, directions `(k, C)` |
| `Activations`, `Magnitude`, `Operation`, `Collapse` | `xarray.DataArray` |
| `Atoms` | tuple of atom coordinate dicts, strongest first |
| `IconObjectives` | dict: atom key -> (model, feature-visualization `Objective`) |
| `Visualize` | dict: (model, `Objective`) -> `H x W x 3` uint8 image (`N x H x W x 3` with `diversity` N) |
| `InputImage` | the `S x S x 3` uint8 image the model sees |
| `View` | `render.views.ElementView`; `Page`: `render.views.PageView` |
| `DatasetPass` | `execute.datasets.PassValues`: each reduction's merged result over the dataset |
| `OverDataset`, `CorrelationMatrix` | `xarray.DataArray` with an `example` axis / `channel x tchannel` |
| `AtlasLayout` | `execute.atlas.AtlasCells`: cells, counts, mean directions, each sample's cell |
| `ExampleImages` | dict: `(example, x, y)` -> thumbnail data URL |
| `Weights` | `xarray.DataArray` `channel x tchannel x ky x kx` (its kind in `attrs`) |

This package is the one name to import (`from interp.plan import nodes`;
`nodes.Forward`); its modules hold the base and its edges (`node`), the model
passes (`passes`), array work (`arrays`), feature visualization (`icons`),
pages (`pages`), interface metrics (`metrics`) and dataset nodes
(`datasets`). What a dataset pass keeps (`plan.reductions`) is re-exported
too, as the dataset nodes' fields.
"""

from interp.plan.nodes.arrays import Activations, Atoms, Collapse, Magnitude, Operation
from interp.plan.nodes.datasets import (
    AtlasLayout,
    CorrelationMatrix,
    DatasetPass,
    ExampleImages,
    OverDataset,
)
from interp.plan.nodes.icons import IconObjectives, Visualize
from interp.plan.nodes.metrics import Deletion, Metric
from interp.plan.nodes.node import Node, Restriction, spanless
from interp.plan.nodes.pages import InputImage, ModelName, Page, View
from interp.plan.nodes.passes import Attribute, Factorize, Forward
from interp.plan.nodes.weights import Weights
from interp.plan.reductions import (
    CorrelationSums,
    ExampleAggregate,
    Reduction,
    SampledVectors,
    TopAttributions,
    TopExamples,
)

__all__ = [
    "Activations",
    "AtlasLayout",
    "Atoms",
    "Attribute",
    "Collapse",
    "CorrelationMatrix",
    "CorrelationSums",
    "DatasetPass",
    "Deletion",
    "ExampleImages",
    "Factorize",
    "Forward",
    "IconObjectives",
    "InputImage",
    "Magnitude",
    "Metric",
    "Node",
    "Operation",
    "OverDataset",
    "ModelName",
    "Page",
    "ExampleAggregate",
    "Reduction",
    "Restriction",
    "SampledVectors",
    "TopAttributions",
    "TopExamples",
    "View",
    "Visualize",
    "Weights",
    "spanless",
]
