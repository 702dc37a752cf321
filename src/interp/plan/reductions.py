r"""What a dataset pass keeps for each element: one *reduction* per kind of summary.

A content over a dataset is never materialized: the planner compiles each
element's content and operations into the summary the element needs
(`reduction_of`), and the dataset's one `DatasetPass` node keeps every
summary its elements ask for, merged over the chunks it streams
(`execute.reductions` computes them):

| element | reduction |
|---|---|
| `activations(L.spatial \| L.channels, over=D) ... \| top(k) as examples` | `TopExamples`: per channel, the k strongest examples (with positions) |
| `attribution(L.channels -> output[...], over=D) ... \| top(k)` | `TopAttributions`: per (channel, class), the k strongest examples |
| `activations(L.spatial, over=D) as atlas(...)`, and `select(atlas.hover)` on it | `SampledVectors`: a few activation vectors per example |
| `correlation(A.channels -> B.channels, over=D)` | `CorrelationSums`: n, sums, squares and cross products |
| `... over=D) \| mean\|sum\|count\|quantile(over=example)` | `ExampleAggregate`: per atom, a running sum or count (quantile: every example's value) |

Reductions are frozen and hashable: equal ones merge, and they key the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from interp.check.program import Aggregate, Element, SelectFrom, Top
from interp.models.spec import ModelSpec
from interp.vocabulary.presentations import PRESENTATIONS

CHUNK = 32  # examples per chunk of a dataset pass: one batch, what bounds its memory
SAMPLES_PER_EXAMPLE = 8  # activation vectors an atlas samples from each example


@dataclass(frozen=True)
class TopExamples:
    """Per channel of `layer`, the `k` examples where it is strongest: by its largest value
    over positions (kept with that position) for `.spatial`, by its total for `.channels`."""

    model: ModelSpec
    layer: str
    atoms: str  # "spatial" | "channels"
    k: int

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return (self.model,)

    def describe(self) -> str:
        how = "largest value" if self.atoms == "spatial" else "total"
        return f"top {self.k} examples per channel of {self.layer} (by {how})"


@dataclass(frozen=True)
class TopAttributions:
    """Per (channel of `layer`, class), the `k` examples with the largest linear attribution."""

    model: ModelSpec
    layer: str
    classes: tuple[str, ...]
    k: int

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return (self.model,)

    def describe(self) -> str:
        return f"top {self.k} examples per channel of {self.layer} by attribution to {', '.join(self.classes)}"


@dataclass(frozen=True)
class SampledVectors:
    """`per_example` activation vectors of `layer` per example, at seeded positions."""

    model: ModelSpec
    layer: str
    per_example: int
    seed: int = 0

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return (self.model,)

    def describe(self) -> str:
        return f"{self.per_example} sampled activation vectors per example of {self.layer}"


@dataclass(frozen=True)
class CorrelationSums:
    """n, sums, sums of squares and cross products of two layers' channel totals
    (each `(model, layer)` run on its own model)."""

    a: tuple[ModelSpec, str]
    b: tuple[ModelSpec, str]

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return tuple(dict.fromkeys((self.a[0], self.b[0])))

    def describe(self) -> str:
        return f"streamed sums to correlate {self.a[1]} ({self.a[0].name}) with {self.b[1]} ({self.b[0].name})"


@dataclass(frozen=True)
class ExampleAggregate:
    """A content aggregated over the examples as they stream: activations of `layer`'s
    `atoms`, or its channels' linear attribution to `classes` or to `tlayer`'s channels;
    `how` mean | sum (running float64 sums), count (how often each source atom is among
    an example's `top` strongest, per target), quantile `q` (every example's value per
    atom: N x atoms floats, the one aggregate that grows with the dataset)."""

    model: ModelSpec
    kind: str  # "activations" | "attribution"
    layer: str
    atoms: str  # "spatial" | "channels"
    how: str
    classes: tuple[str, ...] = ()
    tlayer: str | None = None
    q: float | None = None
    top: int | None = None

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return (self.model,)

    @property
    def graph(self) -> bool:
        """Whether it attributes between two layers (channels -> channels)."""
        return self.tlayer is not None

    def describe(self) -> str:
        what = (
            f"attribution of {self.layer} channels to {self.tlayer or ', '.join(self.classes)}"
            if self.kind == "attribution"
            else f"activations of {self.layer} {self.atoms}"
        )
        how = {"count": f"count in the top {self.top}", "quantile": f"quantile {self.q}"}
        return f"{how.get(self.how, self.how)} over examples of the {what}"


Reduction = TopExamples | TopAttributions | SampledVectors | CorrelationSums | ExampleAggregate


def aggregate_of(element: Element) -> Aggregate | None:
    """The element's aggregate over its dataset's examples (computed by the pass), if any."""
    return next((op for op in element.ops if isinstance(op, Aggregate) and op.over_examples), None)


def reduction_of(element: Element, model: ModelSpec) -> tuple[Reduction, bool] | None:
    """What a pass over the element's dataset keeps for it (and, for a correlation, whether
    the sums hold its sides swapped: both orders of one pair share one reduction)."""
    content = element.content
    if content.over is None:
        return None
    source = content.source
    own = source.model or model
    if content.kind == "correlation":
        a = (own, source.layer)
        b = (content.target.model or model, content.target.layer)  # type: ignore[union-attr]
        flipped = (b[0].to_text(), b[1]) < (a[0].to_text(), a[1])
        return CorrelationSums(*((b, a) if flipped else (a, b))), flipped  # type: ignore[arg-type]
    aggregate = aggregate_of(element)
    if aggregate is not None:
        target = content.target
        tlayer = target.layer if target is not None and target.kind == "layer" else None
        classes = target.labels if target is not None and target.kind == "output" else ()
        found = ExampleAggregate(
            own,  # type: ignore[arg-type]
            content.kind,
            source.layer,  # type: ignore[arg-type]
            source.atoms,  # type: ignore[arg-type]
            aggregate.how,
            classes,
            tlayer,
            aggregate.q,
            aggregate.top,
        )
        return found, False
    members = any(isinstance(op, SelectFrom) and op.how == "members" for op in element.ops)
    if PRESENTATIONS[element.presentation.kind].lays_out_vectors or members:
        return SampledVectors(own, source.layer, SAMPLES_PER_EXAMPLE), False  # type: ignore[arg-type]
    k = max(op.k for op in element.ops if isinstance(op, Top))
    if content.kind == "attribution":
        classes = content.target.labels  # type: ignore[union-attr]
        return TopAttributions(own, source.layer, classes, k), False  # type: ignore[arg-type]
    return TopExamples(own, source.layer, source.atoms, k), False  # type: ignore[arg-type]
