"""The interface-metric nodes of compare pages: a deletion curve, and one metric of one element.

They sit beside the page's nodes and read them; `vocabulary.measures` says which
metric applies to which element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from interp.check.program import Substrate
from interp.data.images import ImageSpec
from interp.models.spec import ModelSpec
from interp.plan.nodes.node import Node


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
    """One interface metric of one element (`vocabulary.measures`), from the nodes it reads."""

    name: str
    reads: tuple[Node, ...]

    def describe(self) -> str:
        return f"metric {self.name}"
