"""Which interface metrics apply to an element, what they read from the plan, and their value.

Each metric is a small class: `reads(element, scope)` names the plan nodes it
needs (None when it does not apply, so the metric is absent, never a fake 0
or 1) and `value(*values)` computes it from their values with the pure
functions of `compare.metrics`. `definition` is the one line a page shows on
hover. The planner adds one `Metric` node per (element, metric) for the
interfaces a `compare` names.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

from interp.check.bound import Element, Method, Top
from interp.compare import metrics
from interp.models.spec import ModelSpec
from interp.plan.metrics import deletion, on_model

if TYPE_CHECKING:
    from interp.plan.nodes import Node
    from interp.plan.scope import ElementScope

RANDOM_SEED = 0
PATH_STEPS = 16  # Gauss-Legendre points: integrated gradients to well under 1% on these models


class Measure:
    name: ClassVar[str]
    definition: ClassVar[str]

    def reads(self, element: Element, scope: ElementScope) -> tuple[Node, ...] | None:
        raise NotImplementedError

    def value(self, *values: Any) -> float | None:
        raise NotImplementedError


def _array(value):
    return getattr(value, "array", value)


class Randomization(Measure):
    name = "randomization"
    definition = (
        "Spearman rank correlation of this content with the same content on the model with "
        "re-initialized weights (Adebayo et al. 2018); trustworthy attributions score low"
    )

    def reads(self, element, scope):
        model = scope.model
        if element.content.kind == "substrate" or model.weights == "random":
            return None
        if model.source not in ("builtin", "torchvision", "timm"):
            return None
        trained = scope.content(element)
        random = dataclasses.replace(model, weights="random", seed=RANDOM_SEED)
        return (trained, on_model(scope, trained, random))

    def value(self, trained, randomized):
        return metrics.randomization(_array(trained), _array(randomized))


class DeletionAUC(Measure):
    name = "deletion"
    definition = (
        "area under the target logit as the strongest atoms are removed first (to the layer's "
        "mean, or blurred pixels); faithful attributions fall faster than the random order"
    )

    def reads(self, element, scope):
        node = deletion(scope, element)
        return None if node is None else (node,)

    def value(self, curves):
        return None if curves is None else curves.auc


class DeletionRandom(DeletionAUC):
    name = "deletion_random"
    definition = "the same area when the atoms are removed in a seeded random order: the baseline"

    def value(self, curves):
        return None if curves is None else curves.random_auc


class NMFExplained(Measure):
    name = "nmf_explained"
    definition = "fraction 1 − ‖A − WH‖² / ‖A‖² of the factorized matrix that the k groups explain"

    def reads(self, element, scope):
        content = element.content
        grouped = [s for s in (content.source, content.target) if s is not None and s.groups]
        return (scope.factors(grouped[0]),) if grouped else None

    def value(self, factors):
        return factors.explained


class Coverage(Measure):
    name = "coverage"
    definition = "share of the element's total absolute content carried by the atoms it shows"

    def reads(self, element, scope):
        if not any(isinstance(op, Top) for op in element.ops):
            return None
        return (scope.before_top[element.name], scope.arrays[element.name])

    def value(self, full, shown):
        return metrics.coverage(_array(full), _array(shown))


class PathDependence(Measure):
    name = "path_dependence"
    definition = (
        "1 − Spearman rank correlation of linear attribution with integrated gradients "
        "on the same pair: how much the picture depends on where the gradient is taken"
    )

    def reads(self, element, scope):
        content = element.content
        if content.kind != "attribution" or content.method.name != "linear":
            return None
        linear = scope.content(element)
        integrated = Method("integrated_gradients", (("steps", PATH_STEPS),))
        return (linear, scope.builder.add(dataclasses.replace(linear, method=integrated)))

    def value(self, linear, integrated):
        return metrics.path_dependence(_array(linear), _array(integrated))


class FlowEntropy(Measure):
    name = "flow_entropy"
    definition = (
        "entropy (bits) of the normalized flow between two layers' groups: lower means each "
        "group feeds few others (compatible groups should concentrate their flow)"
    )

    def reads(self, element, scope):
        content = element.content
        if content.kind != "attribution" or not (content.source.groups and content.target.groups):
            return None
        return (scope.arrays[element.name],)

    def value(self, flow):
        return metrics.flow_entropy(_array(flow))


MEASURES: tuple[Measure, ...] = (
    Randomization(),
    DeletionAUC(),
    DeletionRandom(),
    NMFExplained(),
    Coverage(),
    PathDependence(),
    FlowEntropy(),
)
BY_NAME = {m.name: m for m in MEASURES}
DEFINITIONS = {m.name: m.definition for m in MEASURES}

__all__ = ["BY_NAME", "DEFINITIONS", "MEASURES", "ModelSpec"]
