"""The interface metrics are declared once (`interp.vocabulary.measures`): the plan answers
what each asks for, execution computes each by its declared name."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import numpy as np
import xarray as xr

from interp.execute import measure
from interp.models.spec import ModelSpec
from interp.plan import metrics as plan_metrics
from interp.plan.nodes import Metric
from interp.vocabulary import measures


def test_every_declared_measure_has_one_value_and_a_definition():
    assert list(measure.VALUES) == [m.name for m in measures.MEASURES]
    assert set(measures.DEFINITIONS) == set(measures.BY_NAME) == set(measure.VALUES)
    assert all(d.strip() for d in measures.DEFINITIONS.values())


def test_the_plan_answers_everything_a_measure_asks():
    asked = {
        name for name, _ in inspect.getmembers(measures.MeasureScope) if not name.startswith("_")
    } | set(measures.MeasureScope.__annotations__)
    assert asked >= {"model", "content", "shown", "before_top", "on_model", "deletion"}
    assert all(hasattr(plan_metrics.MeasureScope, name) for name in asked)


class Asked:
    """A scope that names what it is asked for."""

    def __init__(self, model: ModelSpec):
        self.model = model

    def content(self, element):
        return ("content", element.name)

    def on_model(self, node, model):
        return ("on", node, model)


def _attribution(name: str = "saliency"):
    content = SimpleNamespace(kind="attribution")
    return SimpleNamespace(name=name, content=content)


def test_randomization_applies_to_the_families_models_only():
    randomization = measures.BY_NAME["randomization"]
    trained = ModelSpec("builtin", "efficientnet_lite0")
    reads = randomization.reads(_attribution(), Asked(trained))
    random = ModelSpec("builtin", "efficientnet_lite0", weights="random", seed=0)
    assert reads == (("content", "saliency"), ("on", ("content", "saliency"), random))
    for model in (
        ModelSpec("module", "mine"),  # supplied: nothing to re-initialize
        ModelSpec("timm", "resnet18", weights="random"),  # already random
    ):
        assert randomization.reads(_attribution(), Asked(model)) is None


def test_values_are_computed_by_declared_name():
    full = xr.DataArray(np.array([3.0, -1.0, 0.0, 4.0]), dims=("channel",))
    shown = full.where(np.array([True, False, False, True]))
    node = Metric("coverage", ("full", "shown"))  # type: ignore[arg-type]
    assert measure.metric(node, {"full": full, "shown": shown}) == 7 / 8
    assert measure.metric(Metric("deletion", ("curves",)), {"curves": None}) is None  # type: ignore[arg-type]
