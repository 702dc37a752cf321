"""The plan's dataset nodes: a dataset's one pass, and the contents, atlas and thumbnails read from it.

See `plan.nodes.node` for what a node is; `plan.reductions` for what a pass keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from interp.check.program import Content
from interp.data.datasets import DatasetSpec
from interp.models.spec import ModelSpec
from interp.plan.nodes.node import Node
from interp.plan.reductions import CorrelationSums, Reduction, SampledVectors


@dataclass(frozen=True)
class DatasetPass(Node):
    """One streamed pass over `dataset`: per chunk of `chunk` examples, each model's forward
    once (and one backward per class for attributions), every reduction updated."""

    dataset: DatasetSpec
    reductions: tuple[Reduction, ...]
    chunk: int
    judge: ModelSpec | None = None  # whose top-1 class `where(predicted=/correct=)` reads

    needs_model: ClassVar[bool] = True

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        found = [m for r in self.reductions for m in r.models]
        return tuple(dict.fromkeys([*found, *([self.judge] if self.judge else [])]))

    def describe(self) -> str:
        kept = "; ".join(r.describe() for r in self.reductions)
        models = ", ".join(m.name for m in self.models)
        return f"dataset pass over {self.dataset.describe()} in chunks of {self.chunk} ({models}): {kept}"


@dataclass(frozen=True)
class OverDataset(Node):
    """A content over a dataset, from what its pass kept: an array with an `example` axis."""

    dataset: DatasetPass
    reduction: Reduction
    content: Content

    def describe(self) -> str:
        return f"{self.content.kind} over {self.content.over.describe()}"  # type: ignore[union-attr]


@dataclass(frozen=True)
class CorrelationMatrix(Node):
    """Pearson correlation of each channel of `a` with each of `b` (flipped: the sums hold b, a)."""

    dataset: DatasetPass
    reduction: CorrelationSums
    flipped: bool = False

    def describe(self) -> str:
        return "correlation from streamed sums"


@dataclass(frozen=True)
class AtlasLayout(Node):
    """Sampled vectors laid out in 2-D (seeded), binned into `cells x cells`."""

    dataset: DatasetPass
    reduction: SampledVectors
    cells: int
    layout: str
    seed: int = 0

    needs_model: ClassVar[bool] = (
        True  # runs no model, but caches its layout in the context's cache
    )

    def describe(self) -> str:
        return f"atlas: {self.layout} layout binned into {self.cells}x{self.cells} cells"


@dataclass(frozen=True)
class ExampleImages(Node):
    """Thumbnails of the examples an element keeps, cropped to `layer`'s receptive field
    around each example's strongest position (whole when `layer` is None)."""

    array: Node
    dataset: DatasetSpec
    model: ModelSpec
    layer: str | None
    size: int

    needs_model: ClassVar[bool] = True  # crops are the model's, receptive fields its own

    def describe(self) -> str:
        return f"example thumbnails ({self.size}px)"
