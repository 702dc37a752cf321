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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from interp.check.bound import Axis, Element, Groups, Method, Op, Substrate
from interp.data.images import ImageSpec
from interp.models.spec import ModelSpec
from interp.plan.reductions import (  # noqa: F401  (what a dataset pass keeps, by its nodes)
    CorrelationSums,
    Reduction,
    SampledVectors,
    TopAttributions,
    TopExamples,
)


@dataclass(frozen=True)
class Node:
    """Base of every plan node. `needs_model`: its kernel runs the model (views never do)."""

    needs_model: ClassVar[bool] = False

    @property
    def inputs(self) -> tuple[Node, ...]:
        """The nodes this node reads, in field order (its edges)."""
        found: list[Node] = []
        for field in dataclasses.fields(self):
            _collect(getattr(self, field.name), found)
        return tuple(dict.fromkeys(found))

    @property
    def kind(self) -> str:
        return type(self).__name__

    def describe(self) -> str:
        """One line for `interp plan`."""
        return self.kind


def _collect(value: Any, found: list[Node]) -> None:
    if isinstance(value, Node):
        found.append(value)
    elif isinstance(value, Restriction):
        _collect(value.atoms, found)
    elif isinstance(value, tuple):
        for item in value:
            _collect(item, found)


# ---- model passes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute(Node):
    """One attribution family: every atom of `source` to every target scalar, batched.

    `restrict` bounds the target classes or channels to what selections can
    reach: literal coordinates, or the atoms another element offers (an edge
    to its `Atoms` node); empty = all targets. `capture` / `logits`: what the
    family's first pass over the input also records, so that pass doubles as
    the interface's forward pass (see `Forward.carrier`).
    """

    model: ModelSpec
    image: ImageSpec
    source: Substrate
    target: Substrate
    method: Method
    maxpool: str
    restrict: tuple[Restriction, ...] = ()
    factors: tuple[Factorize, ...] = ()
    capture: tuple[str, ...] = ()
    logits: bool = False

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        method = self.method.describe()
        bound = " restricted to selected targets" if self.restrict else ""
        also = " (its first pass is the forward pass)" if self.capture or self.logits else ""
        return (
            f"attribute {self.source.describe()} -> {self.target.describe()} by {method},"
            f" batched{bound}{also}"
        )


@dataclass(frozen=True)
class Restriction:
    """Target coordinates an attribution must cover: `values`, or the `axis` of `atoms`' atoms."""

    values: tuple[int | str, ...] = ()
    atoms: Atoms | None = None
    axis: str = ""


@dataclass(frozen=True)
class Forward(Node):
    """One pass of `model` over `image`, recording `layers` (and the logits when `logits`).

    It stops after the deepest layer unless the logits are wanted. When
    `carrier` is set, an attribution's first pass records these instead and
    this node reads them from it: the same pass is never run twice.
    """

    model: ModelSpec
    image: ImageSpec
    layers: tuple[str, ...]
    logits: bool
    carrier: Attribute | None = None

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        captures = f"captures {len(self.layers)} layer(s)" + (
            " and the logits" if self.logits else ""
        )
        head = f"forward {self.model.name}: 1 pass"
        if self.carrier is not None:
            return f"{head}, {captures}, recorded by the attribution's first pass"
        stop = f", stopping after {self.layers[-1]}" if self.layers and not self.logits else ""
        return f"{head}, {captures}{stop}"


@dataclass(frozen=True)
class Factorize(Node):
    """NMF of one layer's (positions x channels) activations, gradient or attribution."""

    model: ModelSpec
    image: ImageSpec
    groups: Groups
    forward: Forward
    later: Factorize | None = None  # `compatible=`: the later layer's groups

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        g = self.groups
        also = f", compatible with {g.compatible.layer}'s groups" if g.compatible else ""
        return f"factorize {g.layer}: {g.k} groups by {g.factorize} of {g.of}{also}"


# ---- contents and operations (pure array work) ---------------------------------------------


@dataclass(frozen=True)
class Activations(Node):
    """`activations(S)`: a layer's cube, the logits, the input pixels or a layer's groups."""

    forward: Forward
    substrate: Substrate
    factors: Factorize | None = None

    needs_model: ClassVar[bool] = True  # input pixels are preprocessed by the model's handle

    def describe(self) -> str:
        return f"activations {self.substrate.describe()}"


@dataclass(frozen=True)
class Magnitude(Node):
    """The norm of a layer's activation vector at each position `(y, x)`."""

    forward: Forward
    layer: str

    def describe(self) -> str:
        return f"magnitude of {self.layer}'s activation vectors"


@dataclass(frozen=True)
class Operation(Node):
    """One operation on a content; `axes` are the content's axes before it.

    A `select(E.hover)` reads `selector`, the atoms `E` offers: the page
    can show any of them, so the result holds one slice per atom.
    """

    input: Node
    op: Op
    axes: tuple[Axis, ...]
    selector: Atoms | None = None
    cells: Node | None = None  # an atlas's layout, for a selection of its cells

    def describe(self) -> str:
        return f"{type(self.op).__name__.lower()} {_op_text(self.op)}".rstrip()


@dataclass(frozen=True)
class Collapse(Node):
    """An element's final array: unbound drill-down axes summed away."""

    input: Node
    drill: tuple[str, ...]


@dataclass(frozen=True)
class Atoms(Node):
    """The atoms an element offers to selections, strongest first."""

    array: Collapse
    axes: tuple[str, ...]

    def describe(self) -> str:
        return f"atoms over {', '.join(self.axes) or '-'}"


# ---- feature visualization ----------------------------------------------------------------


@dataclass(frozen=True)
class IconObjectives(Node):
    """Which feature visualizations an element shows: its presentation reads `inputs`.

    `diversity`: how many different pictures each atom gets (`feature_vis(diversity=N)`).
    """

    presentation: str
    element: Element
    reads: tuple[Node, ...]
    model: ModelSpec  # the interface's: icons on "the model" are drawn on it
    # (model, layer, side in pixels) of its icons: one `Visualize` each (`plan.sizing`)
    layers: tuple[tuple[ModelSpec, str, int], ...]
    diversity: int = 1


@dataclass(frozen=True)
class Visualize(Node):
    """One batched optimization for every icon of one layer of one model at one side (pixels).

    With `diversity` N, each objective gets N pictures pushed apart by Lucid's
    diversity term; requests of different diversities are different batches.
    """

    model: ModelSpec
    layer: str
    requests: tuple[IconObjectives, ...]
    quality: str
    size: int
    steps: int | None = None
    diversity: int = 1

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        each = f", {self.diversity} diverse pictures per atom" if self.diversity > 1 else ""
        return f"visualize {self.layer} at {self.size}px: one batch at quality {self.quality}{each}"


# ---- pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputImage(Node):
    """The input as the model sees it (cropped and resized), for heatmaps to overlay."""

    model: ModelSpec
    image: ImageSpec

    needs_model: ClassVar[bool] = True  # the crop is the model's


@dataclass(frozen=True)
class View(Node):
    """An element's table for the renderer: a pure function of its inputs."""

    element: Element
    array: Collapse
    atoms: Atoms
    image: InputImage
    offers: tuple[str, ...]
    objectives: IconObjectives | None = None
    icons: tuple[Visualize, ...] = ()
    extras: tuple[Node, ...] = ()

    def describe(self) -> str:
        return f"view {self.element.name} as {self.element.presentation.kind}"


@dataclass(frozen=True)
class Page(Node):
    """One interface's page."""

    name: str
    title: str
    layout: Any
    model: str
    input: str
    views: tuple[View, ...]

    def describe(self) -> str:
        return f"page {self.name}"


def _op_text(op: Op) -> str:
    fields = dataclasses.asdict(op)
    return ", ".join(f"{k}={v}" for k, v in fields.items())


def spanless(value: Any) -> Any:
    """`value` with every `span` field cleared: plan nodes never depend on where text was written."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            if field.name.endswith("span"):
                if current is not None:
                    changes[field.name] = None
            else:
                cleaned = spanless(current)
                if cleaned is not current:
                    changes[field.name] = cleaned
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        cleaned = tuple(spanless(v) for v in value)
        return cleaned if any(a is not b for a, b in zip(cleaned, value, strict=True)) else value
    return value


# ---- interface metrics (compare pages) -------------------------------------------------------


@dataclass(frozen=True)
class Deletion(Node):
    """The target's logit as an attribution's atoms are removed, strongest first and at random.

    `scores` is the attribution content; `label` the class whose logit falls
    (None: the model's top class for the input).
    """

    model: ModelSpec
    image: ImageSpec
    source: Substrate
    scores: Node
    label: str | None
    steps: int = 10

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        return f"deletion of {self.source.describe()} ({self.steps} steps, and at random)"


@dataclass(frozen=True)
class Metric(Node):
    """One interface metric of one element (`compare.measures`), from the nodes it reads."""

    name: str
    reads: tuple[Node, ...]

    def describe(self) -> str:
        return f"metric {self.name}"


# the dataset nodes live in their own module; they are plan nodes like these
from interp.plan.dataset_nodes import (  # noqa: E402, F401
    AtlasLayout,
    CorrelationMatrix,
    DatasetPass,
    ExampleImages,
    OverDataset,
)
