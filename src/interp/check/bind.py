"""Bind a checked spec to its models: load each interface's model and input, measure
the model into :class:`~interp.check.facts.ModelFacts`, and walk the spec again with
those facts, so layer paths, class labels, NMF signs, literal coordinates and sizes
are checked where they are written. All problems of a file are reported together.
"""

from __future__ import annotations

from dataclasses import replace

from interp.check.bound import Interface, Program
from interp.check.facts import ModelFacts
from interp.check.interfaces import check_program
from interp.check.problems import Problems
from interp.data.images import load_image
from interp.errors import InterpError
from interp.models.load import ModelHandle, layer_table, load_model, nonnegative_layers
from interp.syntax import ast


def bind_models(
    spec: ast.Spec, program: Program, device: str, source: str | None = None
) -> Program:
    """Check `spec` (already checked statically as `program`) against each interface's
    model; raises InterpError listing all problems."""
    problems = Problems()
    facts = {i.name: _load(i, device, problems) for i in program.interfaces}
    bound = check_program(spec, problems, facts)
    if problems.items:
        raise InterpError(problems.sorted(), source)
    return replace(bound, source=program.source)


def model_facts(handle: ModelHandle) -> ModelFacts:
    """What the checker needs of a loaded model (one forward pass, cached per model)."""
    table = layer_table(handle)
    return ModelFacts(
        name=handle.spec.name,
        layers=tuple(handle.layer_names()),
        shapes={info.name: info.shape for info in table},
        nonnegative=tuple(nonnegative_layers(handle)),
        labels=tuple(handle.labels),
        input_size=handle.input_size,
    )


def _load(interface: Interface, device: str, problems: Problems) -> ModelFacts | None:
    try:
        load_image(interface.image, span=interface.image_span)
    except InterpError as exc:
        problems.items.extend(exc.diagnostics)
    try:
        handle = load_model(interface.model, device, span=interface.model_span)
    except InterpError as exc:
        problems.items.extend(exc.diagnostics)
        return None
    return model_facts(handle)
