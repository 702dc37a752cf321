"""Bind a checked spec to its models: load each interface's model and input, measure
the model into :class:`~interp.check.facts.ModelFacts`, and walk the spec again with
those facts, so layer paths, class labels, NMF signs, literal coordinates and sizes
are checked where they are written. All problems of a file are reported together.
"""

from __future__ import annotations

import shlex
from dataclasses import replace

from interp.check.facts import ModelFacts
from interp.check.interfaces import check_program
from interp.check.problems import Problems
from interp.check.program import Program
from interp.data.datasets import list_examples
from interp.data.images import ImageSpec, load_image
from interp.errors import InterpError, Span
from interp.models.flow import layer_graph
from interp.models.linear import path_problem
from interp.models.load import ModelHandle, layer_table, load_model, nonnegative_layers
from interp.models.registry import EMPTY, Models
from interp.models.spec import ModelSpec
from interp.syntax import ast


def bind_models(
    spec: ast.Spec,
    program: Program,
    device: str,
    source: str | None = None,
    models: Models = EMPTY,
) -> Program:
    """Check `spec` (already checked statically as `program`) against its models (each
    interface's, and another's in `layer(..., model=...)`); raises InterpError listing
    all problems. `models` holds the models the caller supplied by name."""
    problems = Problems()
    for interface in program.interfaces:
        try:
            load_image(interface.image, span=interface.image_span)
        except InterpError as exc:
            problems.items.extend(exc.diagnostics)
        patches = [(e.image, interface.model_span) for e in interface.model.edits if e.image]
        for element in interface.elements:  # ablation(..., to=input("other.jpg"))
            to = dict(element.content.method.arguments).get("to")
            if isinstance(to, tuple):
                patches.append((to, element.span))
        for image, span in dict.fromkeys(patches):  # a patch's image must load
            try:
                load_image(ImageSpec(*image), span=span)
            except InterpError as exc:
                problems.items.extend(exc.diagnostics)
        for over in dict.fromkeys(e.content.over for e in interface.elements if e.content.over):
            try:
                list_examples(over)  # an empty or unreadable match is located at dataset(...)
            except InterpError as exc:
                problems.items.extend(exc.diagnostics)
    loaded: dict[ModelSpec, ModelFacts | None] = {}

    def facts_of(model: ModelSpec, span: Span | None) -> ModelFacts | None:
        model = model.unedited()  # edits change values, never layers, shapes or labels
        if model not in loaded:
            try:
                handle = load_model(model, device, span=span, models=models)
                loaded[model] = model_facts(handle, model)
            except InterpError as exc:
                problems.items.extend(exc.diagnostics)
                loaded[model] = None
        return loaded[model]

    bound = check_program(spec, problems, facts_of, models)
    if problems.items:
        raise InterpError(problems.sorted(), source)
    return replace(bound, source=program.source)


def model_facts(handle: ModelHandle, spec: ModelSpec | None = None) -> ModelFacts:
    """What the checker needs of a loaded model (one forward pass, cached per model);
    `spec` is the model as the spec names it (a supplied model's name, say)."""
    spec = spec or handle.spec
    table = layer_table(handle)
    lister = (
        "the supplied module's named_modules() are its layers"
        if spec.source == "module"
        else f"`interp layers {shlex.quote(spec.to_text())}` lists them all"
    )
    return ModelFacts(
        name=spec.to_text(),
        lister=lister,
        layers=tuple(handle.layer_names()),
        shapes={info.name: info.shape for info in table},
        nonnegative=tuple(nonnegative_layers(handle)),
        labels=tuple(handle.labels),
        input_size=handle.input_size,
        flow=lambda: layer_graph(handle),
        linear_path=lambda a, b: path_problem(handle, a, b),
        reused={info.name: info.after for info in table if info.after},
        finish={info.name: info.finish for info in table},
    )
