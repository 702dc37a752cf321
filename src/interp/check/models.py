"""Model references → ModelSpec: built-ins, supplied models, torchvision and timm.

A model reference is what follows `model` (and `layer(..., model=...)`):

    efficientnet_lite1                                  a built-in
    efficientnet_lite0(weights=random, seed=0)          a built-in, re-initialized
    mine                                                a model supplied as models={"mine": ...}
    torchvision("resnet18", weights="ft.pth", classes=10, labels="labels.txt")
    timm("resnet18", weights=random)

Paths resolve from the spec file's folder. Static: no torch, no files read.
"""

from __future__ import annotations

from interp.check.keywords import once
from interp.check.problems import Problems
from interp.data.paths import resolve_path
from interp.errors import Diagnostic, InterpError, Span, did_you_mean
from interp.models.registry import EMPTY, Models, unknown_model
from interp.models.spec import BUILTIN_MODELS, LIBRARIES, MAX_CLASSES, ModelSpec
from interp.syntax import ast, parse
from interp.vocabulary.families import BUILTIN_SOURCE
from interp.vocabulary.families import DEFAULT_MODEL as DEFAULT

DEFAULT_MODEL = ModelSpec(source=BUILTIN_SOURCE[DEFAULT], name=DEFAULT)  # when a spec names none
_EXAMPLES = 'e.g. efficientnet_lite0, efficientnet_lite0(weights=random, seed=0), torchvision("googlenet", weights="g.pth")'
SEEDS = 2**64  # seeds are unsigned 64-bit integers, as torch takes them
_BUILTIN_OPTIONS = ("weights", "seed")
_LIBRARY_OPTIONS = ("weights", "seed", "classes", "labels")


def model_spec(ref: ast.Value, problems: Problems, models: Models = EMPTY) -> ModelSpec | None:
    """The model `ref` names; None (with a located problem) when it names none."""
    if isinstance(ref, ast.Name):
        if ref.name in models:
            return models.spec(ref.name)
        if ref.name in BUILTIN_MODELS:
            return ModelSpec(source=BUILTIN_SOURCE[ref.name], name=ref.name)
        _unknown(ref.name, ref.span, problems, models)
        return None
    if not isinstance(ref, ast.Call):
        problems.add("expected a model", ref.span, _EXAMPLES)
        return None
    library = ref.name in LIBRARIES
    if not library and ref.name not in BUILTIN_MODELS:
        if ref.name in models:
            problems.add(
                f"supplied model {ref.name!r} takes no arguments",
                ref.span,
                f"write {ref.name}; it runs as supplied",
            )
        else:
            _unknown(ref.name, ref.span, problems, models)
        return None
    allowed = _LIBRARY_OPTIONS if library else _BUILTIN_OPTIONS
    for arg in ref.args:
        if arg.name in _LIBRARY_OPTIONS and arg.name not in allowed:
            problems.add(
                f"{ref.name} is an ImageNet classifier; {arg.name}= is for fine-tuned checkpoints",
                arg.span,
                f'e.g. torchvision("resnet18", weights="ft.pth", {arg.name}=...) or timm(...)',
            )
        elif arg.name and arg.name not in allowed:
            problems.add(
                f"model: unknown argument {arg.name!r}",
                arg.span,
                did_you_mean(arg.name, allowed),
            )
    unique = once(ref.args, ref.name, problems)
    options = _options(ref, problems)
    if not unique:
        return None
    if library:
        first = ref.positional[0].value if ref.positional else None
        if not isinstance(first, ast.Str):
            problems.add(
                f"{ref.name}(...) takes the architecture name as a string first",
                ref.span,
                f'e.g. {ref.name}("resnet18", weights="resnet18.pth")',
            )
            return None
        return ModelSpec(source=ref.name, name=first.value, **options)  # type: ignore[arg-type]
    if ref.positional:
        problems.add(f"model {ref.name}(...) takes only keyword arguments", ref.span, _EXAMPLES)
    options.pop("classes", None)
    options.pop("labels", None)
    return ModelSpec(source=BUILTIN_SOURCE[ref.name], name=ref.name, **options)


def _options(ref: ast.Call, problems: Problems) -> dict:
    """weights=, seed=, classes=, labels= of a model call, checked and paths resolved."""
    options: dict = {}
    for name, (read, message, hint) in _READERS.items():
        arg = ref.kwarg(name)
        if arg is None:
            continue
        found = read(arg.value)
        if found is None:
            problems.add(message, arg.value.span, hint)
        else:
            options[name] = found
    return options


def _weights(value: ast.Value) -> str | None:
    if isinstance(value, ast.Name) and value.name == "random":
        return "random"
    return _path(value)


def _path(value: ast.Value) -> str | None:
    return resolve_path(value.value, value.span) if isinstance(value, ast.Str) else None


def _integer(
    value: ast.Value, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    if (
        isinstance(value, ast.Num)
        and isinstance(value.value, int)
        and not isinstance(value.value, bool)
    ):
        low = minimum is None or value.value >= minimum
        high = maximum is None or value.value <= maximum
        return value.value if low and high else None
    return None


# option -> (read its value: None when it is wrong, the message then, a hint)
_READERS = {
    "weights": (
        _weights,
        "weights= takes random or a file path string",
        'e.g. weights="model.pth"',
    ),
    "seed": (
        lambda value: _integer(value, minimum=0, maximum=SEEDS - 1),
        "seed= takes an integer from 0 to 2**64 - 1",
        "seeds are unsigned 64-bit integers; e.g. seed=0",
    ),
    "classes": (
        lambda value: _integer(value, minimum=1, maximum=MAX_CLASSES),
        "classes= takes the number of classes of the checkpoint's head",
        f"a whole number from 1 to {MAX_CLASSES:,} (a wider head would not fit in memory); e.g. classes=10",
    ),
    "labels": (
        _path,
        "labels= takes a text file with one class name per line",
        'e.g. labels="labels.txt"',
    ),
}


def _unknown(name: str, span: Span | None, problems: Problems, models: Models) -> None:
    (diagnostic,) = unknown_model(name, models).diagnostics
    problems.add(diagnostic.message, span, diagnostic.hint)


# ---- a model reference on its own: `interp layers 'torchvision("resnet18", weights=random)'`


_PREFIX = "interface layers { model "


def parse_model_ref(text: str, models: Models = EMPTY) -> ModelSpec:
    """The model a reference written on its own names (paths from the working directory)."""
    file = "<model>"
    try:
        spec = parse(f"{_PREFIX}{text}\n}}", file)
    except InterpError as exc:
        raise InterpError([_unshift(d) for d in exc.diagnostics], text) from None
    body = spec.interfaces[0].body if len(spec.interfaces) == 1 and not spec.comparisons else ()
    if len(body) != 1 or not isinstance(body[0], ast.ModelStmt):
        raise InterpError(Diagnostic(f"expected a model reference, not {text!r}", hint=_EXAMPLES))
    problems = Problems()
    found = model_spec(body[0].ref, problems, models)
    if problems.items or found is None:
        raise InterpError([_unshift(d) for d in problems.sorted()], text)
    return found


def _unshift(diagnostic: Diagnostic) -> Diagnostic:
    """A diagnostic in the wrapped text, moved back onto the reference as written."""
    span = diagnostic.span
    if span is None or span.line != 1:
        return Diagnostic(diagnostic.message, None, diagnostic.hint)
    shift = len(_PREFIX)
    end = span.end_column - shift if span.end_line == 1 else span.end_column
    moved = Span(span.file, 1, max(1, span.column - shift), span.end_line, max(1, end))
    return Diagnostic(diagnostic.message, moved, diagnostic.hint)


# ---- the models a spec file uses: `interp layers specs/teaser.interp` -------------------------


def models_of_spec(spec: ast.Spec, source: str = "", models: Models = EMPTY) -> list[ModelSpec]:
    """Every model `spec` uses, in order of appearance: each interface's own (the default
    when it names none and extends nothing) and those of `layer(..., model=...)`.

    Only model references are checked, so a spec with other mistakes still lists them.
    """
    problems = Problems()
    found: list[ModelSpec] = []
    for interface in spec.interfaces:
        refs = [stmt.ref for stmt in interface.body if isinstance(stmt, ast.ModelStmt)]
        if not refs and interface.extends is None:
            found.append(DEFAULT_MODEL)
        refs += [layer.model for layer in layer_refs(interface) if layer.model is not None]
        found.extend(spec for ref in refs if (spec := model_spec(ref, problems, models)))
    if problems.items:
        raise InterpError(problems.sorted(), source)
    return list(dict.fromkeys(found))


def layer_refs(node: object) -> list[ast.LayerRef]:
    """Every `layer(...)` inside an AST node (those with `model=` name another model)."""
    if isinstance(node, ast.LayerRef):
        return [node]
    if isinstance(node, tuple):
        return [ref for item in node for ref in layer_refs(item)]
    if isinstance(node, ast.Node):
        return [ref for name in type(node).model_fields for ref in layer_refs(getattr(node, name))]
    return []
