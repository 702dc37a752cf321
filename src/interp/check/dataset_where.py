"""`where(predicted=...)` and `where(correct=...)` checked against the model's classes."""

from __future__ import annotations

from interp.check.facts import ModelFacts
from interp.check.problems import Problems
from interp.data.datasets import DatasetSpec, list_examples
from interp.errors import InterpError


def model_selection(spec: DatasetSpec, facts: ModelFacts, problems: Problems) -> DatasetSpec | None:
    """`spec` when its selection by prediction names the model's classes; else None (reported)."""
    where = spec.where
    assert where is not None
    for label in where.predicted:
        problem = facts.unknown_class(label)
        if problem is not None:
            problems.add(f"where: predicted= names {problem[0]}", where.span, problem[1])
            return None
    if where.correct is None:
        return spec
    try:
        present = list(list_examples(spec.whole).categories())
    except InterpError:
        return spec  # the listing's own error is reported where models are bound
    if present and not any(label in facts.labels for label in present):
        shown = ", ".join(repr(x) for x in present[:6])
        problems.add(
            f"where: correct= compares each example's label with the model's top class, and no "
            f"label of {spec.whole.describe()} ({shown}) is a class of {facts.name}",
            where.span,
            "label the examples by the model's class names (folders or labels.csv), "
            'e.g. photos/"Egyptian cat"/1.jpg',
        )
        return None
    return spec
