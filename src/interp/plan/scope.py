"""Building one interface's nodes: its forward passes, attribution families and elements.

`ElementScope` is what presentations and metrics ask for the nodes they read
(`activations`, `factors`, `magnitude`, ...), so every node comes from one
place and is interned by the file's `Builder` (`plan.build`): equal work
merges across elements and interfaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from interp.check.axes import apply_op, content_axes
from interp.check.program import Content, Element, Interface, Reduce, SelectFrom, Substrate, Top
from interp.data.images import ImageSpec
from interp.models.spec import ModelSpec
from interp.plan.families import Need, family_of, need_of
from interp.plan.nodes import (
    Activations,
    AtlasLayout,
    Atoms,
    Attribute,
    Collapse,
    CorrelationMatrix,
    ExampleImages,
    Factorize,
    Forward,
    IconObjectives,
    InputImage,
    Magnitude,
    Node,
    Operation,
    OverDataset,
    Restriction,
    View,
    Weights,
)
from interp.plan.reductions import aggregate_of, reduction_of
from interp.vocabulary.presentations import PRESENTATIONS, Presentation

if TYPE_CHECKING:
    from interp.plan.build import Builder


@dataclass
class ElementScope:
    """Building one interface: its forward pass, families, and the nodes of its elements.

    Presentations ask it for the nodes they read (`activations`, `factors`,
    `magnitude`), so every node comes from one place and merges.
    """

    builder: Builder
    interface: Interface
    arrays: dict[str, Collapse] = field(default_factory=dict)
    atoms: dict[str, Atoms] = field(default_factory=dict)
    contents: dict[str, Node] = field(default_factory=dict)
    objectives: dict[str, IconObjectives] = field(default_factory=dict)
    before_top: dict[str, Node] = field(default_factory=dict)
    families: dict[tuple, list[Need | None]] = field(default_factory=dict)
    forwards: dict[ModelSpec, Forward] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.model: ModelSpec = self.interface.model
        self.image: ImageSpec = self.interface.image
        self._collect_families()

    def model_of(self, substrate: Substrate) -> ModelSpec:
        """The model a substrate belongs to: its own (`layer(..., model=M)`) or the interface's."""
        return substrate.model or self.model

    def pass_(self, model: ModelSpec) -> Forward:
        """`model`'s forward pass over the input, made when a node first reads it."""
        if model not in self.forwards:
            self.forwards[model] = self._forward(model)
        return self.forwards[model]

    # ---- step 1: what the interface reads ---------------------------------------------------

    def _collect_families(self) -> None:
        """Each attribution family's target restrictions; None: some element needs all targets."""
        for element in self.interface.elements:
            if element.content.kind == "attribution" and element.content.over is None:
                needs = self.families.setdefault(family_of(element.content), [])
                needs.append(need_of(element))

    def _forward(self, model: ModelSpec) -> Forward:
        """One pass recording every layer of `model` the interface reads (and the logits when
        an element shows them or a factorization needs the top class)."""
        layers: list[str] = []
        logits = False
        for element in self.interface.elements:
            content = element.content
            if content.over is not None or content.kind == "weights":
                continue  # read by its dataset pass, or from the parameters: not on the input
            shown = _presentation(element).substrates(element.presentation)
            for substrate in (content.source, content.target, *shown):
                if not isinstance(substrate, Substrate) or self.model_of(substrate) != model:
                    continue
                if substrate.kind == "layer":
                    layers.append(substrate.layer)
                if substrate.kind == "output" and content.kind == "activations":
                    logits = True
                groups = substrate.groups
                if groups is not None and groups.of != "activations" and groups.target is None:
                    logits = True  # the gradient is taken for the top class
                if groups is not None and groups.compatible is not None:
                    layers.append(groups.compatible.layer)
        layers = list(dict.fromkeys(layers))
        return self.builder.add(Forward(model, self.image, tuple(layers), logits))

    def _restrictions(self, family: tuple, own: Need | None = None) -> tuple[Restriction, ...]:
        """The family's targets: the union of its elements' needs (empty: all targets).

        A need on an element not built yet (a selector that comes later) cannot be
        an edge now; then this element's own need stands alone (`own`).
        """
        needs = self.families[family]
        if any(n is None for n in needs):
            return ()
        if own is not None and any(n.element and n.element not in self.atoms for n in needs):
            needs = [own]
        return tuple(dict.fromkeys(self._resolve(n) for n in needs))  # type: ignore[arg-type]

    def _resolve(self, need: Need) -> Restriction:
        if need.element:
            return Restriction(atoms=self.atoms[need.element], axis=need.axis)
        return Restriction(values=need.values)

    def _attribute(self, family: tuple, own: Need | None = None) -> Attribute:
        content: Content = family[0]
        restrict = self._restrictions(family, own)
        factors = tuple(self.factors(s) for s in (content.source, content.target) if s.groups)
        return Attribute(
            self.model_of(content.source),
            self.image,
            content.source,
            content.target,
            content.method,
            content.maxpool,
            restrict,
            factors,
        )

    # ---- step 2: elements -----------------------------------------------------------------

    def factors(self, substrate: Substrate) -> Factorize:
        """The factorization of a substrate's `.groups(k)` on its model."""
        model = self.model_of(substrate)
        groups = substrate.groups
        later = None
        if groups.compatible is not None:
            layer = groups.compatible.layer
            later = self.factors(replace(substrate, layer=layer, groups=groups.compatible))
        forward = self.pass_(model)
        return self.builder.add(Factorize(model, self.image, groups, forward, later))

    def activations(self, substrate: Substrate) -> Activations:
        factors = self.factors(substrate) if substrate.groups else None
        forward = self.pass_(self.model_of(substrate))
        return self.builder.add(Activations(forward, substrate, factors))

    def magnitude(self, substrate: Substrate) -> Magnitude:
        """The norm of the activation vector at each position of a layer substrate."""
        forward = self.pass_(self.model_of(substrate))
        return self.builder.add(Magnitude(forward, substrate.layer))

    def weights(self, element: Element) -> Weights:
        """`weights(A -> B)`: the parameters alone (no pass over the input), its target
        channels bounded by what the element's selections reach."""
        content = element.content
        need = need_of(element)
        restrict = () if need is None else (self._resolve(need),)
        model = self.model_of(content.source)
        node = Weights(model, content.source.layer, content.target.layer, restrict)  # type: ignore[arg-type]
        return self.builder.add(node)

    def over_dataset(self, element: Element) -> Node:
        """A content over a dataset: read from the dataset's pass (`reduction_of`)."""
        content = element.content
        reduction, flipped = reduction_of(element, self.model)  # type: ignore[misc]
        pass_ = self.builder.passes[content.over]  # type: ignore[index]
        if content.kind == "correlation":
            return self.builder.add(CorrelationMatrix(pass_, reduction, flipped))
        return self.builder.add(OverDataset(pass_, reduction, content))

    def atlas_layout(self, element: Element, cells: int, layout: str) -> AtlasLayout:
        reduction, _ = reduction_of(element, self.model)  # type: ignore[misc]
        pass_ = self.builder.passes[element.content.over]  # type: ignore[index]
        return self.builder.add(AtlasLayout(pass_, reduction, cells, layout))

    def example_images(self, element: Element, size: int) -> ExampleImages:
        """Thumbnails of what `element` keeps; crops by the layer's receptive field for `.spatial`."""
        source = element.content.source
        layer = source.layer if source.atoms == "spatial" else None
        model = self.model_of(source)
        return self.builder.add(
            ExampleImages(self.arrays[element.name], element.content.over, model, layer, size)  # type: ignore[arg-type]
        )

    def before_reduce(self, element: Element) -> Node | None:
        """The node of the element's content just before its `reduce` (None without one):
        what a reduced view's legend compares the components with."""
        node = getattr(self.arrays[element.name], "input", None)
        while node is not None:
            if isinstance(getattr(node, "op", None), Reduce):
                return node.input
            node = getattr(node, "input", None)
        return None

    def content(self, element: Element) -> Node:
        content = element.content
        own = _presentation(element).content_node(element, self)
        if own is not None:
            return own
        if content.over is not None:
            return self.over_dataset(element)
        if content.kind == "activations":
            return self.activations(content.source)
        if content.kind == "attribution":
            return self.builder.add(self._attribute(family_of(content), need_of(element)))
        if content.kind == "weights":
            return self.weights(element)
        raise ValueError(f"{element.name}: no plan node computes a {content.kind} content")

    def element(self, element: Element) -> None:
        node = self.content(element)
        self.contents[element.name] = node
        axes = content_axes(element.content)
        for op in element.ops:
            if element.content.over is not None and aggregate_of(element) is op:
                axes = apply_op(op, axes)  # the dataset pass aggregated the examples
                continue
            selector = self.atoms[op.element] if isinstance(op, SelectFrom) else None
            if isinstance(op, Top):
                self.before_top[element.name] = node
            cells = (
                self.contents[op.element]
                if isinstance(op, SelectFrom) and op.how != "bind"
                else None
            )
            node = self.builder.add(Operation(node, op, axes, selector, cells))
            axes = apply_op(op, axes)
        drill = tuple(a.name for a in axes if a.role == "drill")
        final = self.builder.add(Collapse(node, drill))
        self.arrays[element.name] = final
        self.atoms[element.name] = self.builder.add(
            Atoms(final, tuple(a.name for a in element.atom_axes))
        )
        presentation = _presentation(element)
        layers = self._icon_sides(element, presentation)
        if layers:
            reads = presentation.icon_reads(element, self)
            kind = element.presentation.kind
            diversity = presentation.icon_diversity(element)
            request = self.builder.add(
                IconObjectives(kind, element, (final, *reads), self.model, layers, diversity)
            )
            self.objectives[element.name] = request
            self.builder.request(request)

    def _icon_sides(self, element: Element, presentation) -> tuple[tuple[ModelSpec, str, int], ...]:
        """(model, layer, side in pixels) of each layer the element draws icons of."""
        sizing = self.builder.sizing
        layers = [(m or self.model, layer) for m, layer in presentation.icon_layers(element)]
        if not layers:
            return ()
        shown = presentation.icon_side(element, lambda m, name: sizing.shape(m or self.model, name))
        return tuple((m, layer, sizing.side(m, layer, shown)) for m, layer in layers)

    def view(self, element: Element, batches: dict) -> View:
        request = self.objectives.get(element.name)
        icons = (
            tuple(batches[(*where, request.diversity)] for where in request.layers)
            if request
            else ()
        )
        extras = _presentation(element).view_reads(element, self)
        return View(
            element,
            self.arrays[element.name],
            self.atoms[element.name],
            self.builder.add(InputImage(self.model, self.image)),
            _offers(self.interface, element.name),
            request,
            icons,
            extras,
        )


def _presentation(element: Element) -> Presentation:
    """The declaration of the element's presentation."""
    return PRESENTATIONS[element.presentation.kind]


def _offers(interface: Interface, name: str) -> tuple[str, ...]:
    """The events (hover, click) other elements select on `name` with."""
    events: list[str] = []
    for element in interface.elements:
        for selection in element.selections:
            if selection.element == name and selection.event not in events:
                events.append(selection.event)
    return tuple(events)
