"""`dataset(...)` as written in a spec: resolve a dataset reference to a `DatasetSpec`.

`over=` takes a dataset: a `let` naming a `dataset(...)` call, or the call
itself. The call takes a glob of image files or `samples()`, and the options
in :data:`DATASET_OPTIONS`; each problem is reported where it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from interp.check.keywords import once
from interp.check.problems import Problems
from interp.data.datasets import DatasetSpec, too_many_crops
from interp.data.labels import Selection
from interp.data.paths import resolve_path
from interp.errors import did_you_mean
from interp.syntax import ast

DATASET_OPTIONS = ("limit", "seed", "crops", "labels")
WHERE_OPTIONS = ("label", "predicted", "correct")
WHERE_EXAMPLE = 'pics.where(label="cat"), where(label=["cat", "dog"]), where(predicted="tabby") or where(correct=false)'
DATASET_EXAMPLE = 'dataset("photos/**/*.jpg", limit=100) or dataset(samples(), crops=256, seed=0)'


def is_dataset(value: ast.Value) -> bool:
    """Whether `value` is a `dataset(...)` call or a `D.where(...)` of one (what a `let` may
    name besides a substrate)."""
    if isinstance(value, ast.Member) and value.name == "where" and value.args is not None:
        return True
    return isinstance(value, ast.Call) and value.name == "dataset"


def resolve_dataset(
    value: ast.Value, lets: Mapping[str, ast.LetStmt], problems: Problems, what: str = "over="
) -> DatasetSpec | None:
    """Resolve `over=`'s value: a let naming `dataset(...)`, or the call itself."""
    add = problems.add
    datasets = [n for n, let in lets.items() if is_dataset(let.value)]
    if datasets:
        hint = f"the datasets here: {', '.join(datasets)} (e.g. {what}{datasets[0]})"
    else:
        hint = f"name a dataset with let: let pics = {DATASET_EXAMPLE.split(' or ')[0]}; then {what}pics"
    if isinstance(value, ast.Member) and value.name == "where" and value.args is not None:
        base = resolve_dataset(value.base, lets, problems, what)
        if base is None:
            return None
        return _where(base, value, problems)
    if isinstance(value, ast.Name) and value.name in lets:
        let = lets[value.name]
        if is_dataset(let.value):
            return resolve_dataset(let.value, lets, problems, what)
        add(f"{what} takes a dataset, and {value.name!r} is a substrate", value.span, hint)
        return None
    if not is_dataset(value):
        if datasets and isinstance(value, ast.Name):
            hint = did_you_mean(value.name, datasets) + f" the datasets here: {', '.join(datasets)}"
        add(f"{what} takes a dataset, not {value.to_text()!r}", value.span, hint)
        return None
    return _dataset_call(value, problems)  # type: ignore[arg-type]


def _dataset_call(call: ast.Call, problems: Problems) -> DatasetSpec | None:
    add = problems.add
    positional = call.positional
    options: dict[str, int] = {}
    ok = once(call.args, "dataset", problems)
    labels: tuple[str, str] | None = None
    for arg in call.args:
        if arg.name is None:
            continue
        number = arg.value.value if isinstance(arg.value, ast.Num) else None
        if arg.name == "labels":
            if isinstance(arg.value, ast.Str) and arg.value.value:
                labels = (resolve_path(arg.value.value, arg.value.span), arg.value.value)
            else:
                add(
                    f"dataset: labels= takes the path of a CSV of path,label rows, not {arg.value.to_text()}",
                    arg.value.span,
                    'e.g. dataset("photos/**/*.jpg", labels="labels.csv")',
                )
                ok = False
            continue
        if arg.name not in DATASET_OPTIONS:
            add(
                f"dataset: unknown argument {arg.name!r}",
                arg.span,
                did_you_mean(arg.name, DATASET_OPTIONS) + f" e.g. {DATASET_EXAMPLE}",
            )
            ok = False
        elif (
            not isinstance(number, int)
            or isinstance(number, bool)
            or number < (0 if arg.name == "seed" else 1)
        ):
            kind = "a non-negative" if arg.name == "seed" else "a positive"
            add(
                f"dataset: {arg.name} must be {kind} integer, not {arg.value.to_text()}",
                arg.value.span,
                f"e.g. {DATASET_EXAMPLE}",
            )
            ok = False
        elif arg.name == "crops" and too_many_crops(number) is not None:
            message, hint = too_many_crops(number)  # type: ignore[misc]
            add(message, arg.value.span, hint)
            ok = False
        else:
            options[arg.name] = number
    source = positional[0].value if len(positional) == 1 else None
    if isinstance(source, ast.Str):
        pattern = resolve_path(source.value, source.span)
        spec = DatasetSpec("files", pattern, written=source.value, span=call.span)
    elif isinstance(source, ast.Call) and source.name == "samples" and not source.args:
        spec = DatasetSpec("samples", span=call.span)
    else:
        add(
            "dataset takes a glob of image files, or samples()",
            source.span if source is not None and source.span else call.span,
            f"e.g. {DATASET_EXAMPLE}",
        )
        return None
    if not ok:
        return None
    if labels is not None:
        spec = replace(spec, labels=labels[0], labels_written=labels[1])
    return replace(spec, **options)


def _where(base: DatasetSpec, member: ast.Member, problems: Problems) -> DatasetSpec | None:
    """`D.where(label=..., predicted=..., correct=...)`: a selection of `base`'s examples
    (selections of a selection combine)."""
    add = problems.add
    args = member.args or ()
    if not args or not once(args, "where", problems):
        if not args:
            add("where needs a condition", member.span, f"e.g. {WHERE_EXAMPLE}")
        return None
    found: dict[str, object] = {}
    for arg in args:
        if arg.name not in WHERE_OPTIONS:
            hint = did_you_mean(arg.name, WHERE_OPTIONS) if arg.name else "name the condition"
            add(
                f"where: unknown condition {arg.to_text()!r}",
                arg.name_span or arg.span,
                f"{hint} e.g. {WHERE_EXAMPLE}",
            )
            return None
        value = arg.value
        if arg.name == "correct":
            if not isinstance(value, ast.Bool):
                add(f"where: correct= takes true or false, not {value.to_text()}", value.span)
                return None
            found["correct"] = value.value
            continue
        items = value.items if isinstance(value, ast.ListValue) else (value,)
        if not items or not all(isinstance(i, ast.Str) and i.value for i in items):
            add(
                f"where: {arg.name}= takes a label or a list of labels, not {value.to_text()}",
                value.span,
                f'e.g. where({arg.name}="cat") or where({arg.name}=["cat", "dog"])',
            )
            return None
        found[arg.name] = tuple(dict.fromkeys(i.value for i in items))  # type: ignore[union-attr]
    before = base.where or Selection()
    where = Selection(
        _both(before.labels, found.get("label", ())),  # type: ignore[arg-type]
        _both(before.predicted, found.get("predicted", ())),  # type: ignore[arg-type]
        found.get("correct", before.correct),  # type: ignore[arg-type]
        span=member.span,
    )
    return replace(base, where=where)


def _both(before: tuple[str, ...], now: tuple[str, ...]) -> tuple[str, ...]:
    """Two selections of labels in a row keep the labels both name."""
    if not before or not now:
        return before or now
    return tuple(x for x in now if x in before) or ("",)
