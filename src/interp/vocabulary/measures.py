"""Every interface metric a comparison computes, declared once: its name, the definition a
page shows on hover, and which elements it applies to.

A measure's `reads(element, scope)` names the plan nodes its value needs, or None
when it does not apply (the metric is then absent, never a fake 0 or 1). It asks
`scope` for them (`MeasureScope`, which `interp.plan.metrics` provides), so this
module knows no plan and no torch. The values are computed by
`interp.execute.measure`, keyed by `name`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar, Protocol

from interp.vocabulary.families import SOURCES
from interp.vocabulary.methods import ABLATION, INTEGRATED_GRADIENTS, LINEAR

if TYPE_CHECKING:
    from interp.check.program import Element, Substrate
    from interp.models.spec import ModelSpec
    from interp.plan.nodes import Node

RANDOM_SEED = 0  # the re-initialized model of `randomization`
PATH_STEPS = 16  # Gauss-Legendre points: integrated gradients to well under 1% on these models


class MeasureScope(Protocol):
    """What a measure asks the plan for, all interned nodes of one interface."""

    model: ModelSpec  # the interface's model

    def content(self, element: Element) -> Node: ...
    def shown(self, element: Element) -> Node: ...
    def before_top(self, element: Element) -> Node | None: ...
    def factors(self, substrate: Substrate) -> Node: ...
    def on_model(self, node: Node, model: ModelSpec) -> Node: ...
    def with_method(self, node: Node, name: str, arguments: tuple) -> Node: ...
    def deletion(self, element: Element) -> Node | None: ...


class Measure:
    name: ClassVar[str]
    definition: ClassVar[str]

    def reads(self, element: Element, scope: MeasureScope) -> tuple[Node, ...] | None:
        raise NotImplementedError

    def reading(self, value: float) -> str:
        """What one value says, in a line (shown when the pointer rests on it)."""
        return ""


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
        if model.source not in SOURCES:  # a supplied module: no weights to re-initialize
            return None
        trained = scope.content(element)
        random = dataclasses.replace(model, weights="random", seed=RANDOM_SEED)
        return (trained, scope.on_model(trained, random))

    def reading(self, value):
        if abs(value) < 0.3:
            return f"ρ = {value:.2f}: re-initializing the weights changes the picture: it shows what the model learned"
        return f"ρ = {value:.2f}: the picture survives random weights: it may show the input more than the model"


class DeletionAUC(Measure):
    name = "deletion"
    definition = (
        "area under the target logit as the strongest atoms are removed first (to the layer's "
        "mean, or blurred pixels); faithful attributions fall faster than the random order"
    )

    def reads(self, element, scope):
        node = scope.deletion(element)
        return None if node is None else (node,)

    def reading(self, value):
        return f"area {value:.3g}: compare with deletion_random; lower than it means faithful"


class DeletionRandom(DeletionAUC):
    name = "deletion_random"
    definition = "the same area when the atoms are removed in a seeded random order: the baseline"

    def reading(self, value):
        return f"area {value:.3g} removing atoms at random: deletion should be lower"


class NMFExplained(Measure):
    name = "nmf_explained"
    definition = "fraction 1 − ‖A − WH‖² / ‖A‖² of the factorized matrix that the k groups explain"

    def reads(self, element, scope):
        content = element.content
        grouped = [s for s in (content.source, content.target) if s is not None and s.groups]
        return (scope.factors(grouped[0]),) if grouped else None

    def reading(self, value):
        return f"the groups explain {100 * value:.0f}% of the layer's activations"


class Coverage(Measure):
    name = "coverage"
    definition = "share of the element's total absolute content carried by the atoms it shows"

    def reads(self, element, scope):
        full = scope.before_top(element)
        return None if full is None else (full, scope.shown(element))

    def reading(self, value):
        return f"the atoms shown carry {100 * value:.0f}% of the element's content; the rest is left out"


class PathDependence(Measure):
    name = "path_dependence"
    definition = (
        "1 − Spearman rank correlation of linear attribution with integrated gradients "
        "on the same pair: how much the picture depends on where the gradient is taken"
    )

    def reads(self, element, scope):
        content = element.content
        if content.kind != "attribution" or content.method.name != LINEAR.name:
            return None
        if content.over is not None:  # over a dataset: one path per example, not measured
            return None
        linear = scope.content(element)
        steps = ((INTEGRATED_GRADIENTS.points, PATH_STEPS),)
        return (linear, scope.with_method(linear, INTEGRATED_GRADIENTS.name, steps))

    def reading(self, value):
        if value < 0.2:
            return f"{value:.2f}: integrated gradients rank the atoms alike: the picture is robust"
        if value <= 1:
            return (
                f"{value:.2f}: integrated gradients reorder the atoms: read the ranking with care"
            )
        return f"{value:.2f}: integrated gradients rank the atoms in an opposing order"


class AblationAgreement(Measure):
    name = "ablation_agreement"
    definition = (
        "Spearman rank correlation of the element's attribution with the ablation effect of "
        "the same atoms on the same target (each atom alone set to zero): do the atoms the "
        "picture ranks high matter when removed?"
    )

    def reads(self, element, scope):
        content = element.content
        source = content.source
        if (
            content.kind != "attribution"
            or content.method.name == ABLATION.name
            or content.over is not None
            or content.target is None
            or content.target.kind != "output"
            or source.kind != "layer"
            or source.groups is not None
            or source.atoms != "channels"  # positions of an early layer: thousands of passes
            or source.model is not None
        ):
            return None
        attribution = scope.content(element)
        return (attribution, scope.with_method(attribution, ABLATION.name, (("to", "zero"),)))

    def reading(self, value):
        if value >= 0.5:
            return f"ρ = {value:.2f}: the atoms ranked high are the ones whose removal hurts most"
        return f"ρ = {value:.2f}: removing the atoms ranked high does not hurt most: be careful"


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
        return (scope.shown(element),)

    def reading(self, value):
        return f"{value:.2f} bits: the flow is spread as over {2**value:.1f} equal pairs of groups"


MEASURES: tuple[Measure, ...] = (
    Randomization(),
    DeletionAUC(),
    DeletionRandom(),
    NMFExplained(),
    Coverage(),
    PathDependence(),
    AblationAgreement(),
    FlowEntropy(),
)
BY_NAME = {m.name: m for m in MEASURES}
DEFINITIONS = {m.name: m.definition for m in MEASURES}
