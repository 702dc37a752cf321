"""The nodes a page is assembled from: the input as shown, each element's view, the page.

Views are pure functions of executed results: nothing here runs the model
except cropping the input the way the model sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from interp.check.program import Element
from interp.data.images import ImageSpec
from interp.models.spec import ModelSpec
from interp.plan.nodes.arrays import Atoms, Collapse
from interp.plan.nodes.icons import IconObjectives, Visualize
from interp.plan.nodes.node import Node


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
class ModelName(Node):
    """What a library's or a supplied model is, for its page's header: a supplied model's
    class and input size (`mine` alone says nothing of the architecture), and how the
    token layers among `layers` (those the page reads) are read."""

    model: ModelSpec
    described: str
    layers: tuple[str, ...] = ()

    needs_model: ClassVar[bool] = True

    def describe(self) -> str:
        return f"describe model {self.model.name} for the page header"


@dataclass(frozen=True)
class Page(Node):
    """One interface's page; `named` says what a supplied model is."""

    name: str
    title: str
    layout: Any
    model: str
    input: str
    views: tuple[View, ...]
    named: ModelName | None = None

    def describe(self) -> str:
        return f"page {self.name}"
