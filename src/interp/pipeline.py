"""parse → check → plan → execute → views: the whole pipeline behind `interp.pipeline`.

`run(spec)` returns a :class:`Result`: per interface, the evaluated labeled
arrays (`Result.array`), tidy tables (`Result.data`) and the page views the
renderer draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from interp.check import check
from interp.check.bound import Interface, Program
from interp.data.images import load_image, to_data_url
from interp.errors import error
from interp.execute.engine import Engine
from interp.execute.evaluate import Evaluated, evaluate
from interp.execute.feature_vis import visualize
from interp.models.load import load_model
from interp.models.registry import EMPTY, Models
from interp.options import Options
from interp.plan.build import plan_interface
from interp.plan.cost import check_budget
from interp.render.tables import element_view, objectives
from interp.render.views import ComparisonView, PageView
from interp.syntax import ast, load, parse


@dataclass(frozen=True)
class InterfaceResult:
    interface: Interface
    evaluated: dict[str, Evaluated]
    page: PageView
    forward_passes: int


@dataclass(frozen=True)
class Result:
    """Everything one spec computed; `data`/`array` look elements up by name."""

    program: Program
    interfaces: tuple[InterfaceResult, ...]

    def _find(self, element: str, interface: str | None) -> Evaluated:
        for result in self.interfaces:
            if interface in (None, result.interface.name) and element in result.evaluated:
                return result.evaluated[element]
        raise KeyError(f"no element {element!r}" + (f" in {interface!r}" if interface else ""))

    def array(self, element: str, interface: str | None = None) -> xr.DataArray:
        """The element's labeled array (NaN where `top` dropped a coordinate)."""
        return self._find(element, interface).array

    def data(self, element: str, interface: str | None = None) -> pd.DataFrame:
        """The element's content as a tidy table: one row per coordinate kept."""
        return (
            self._find(element, interface)
            .array.to_dataframe(name="value")
            .reset_index()
            .dropna(subset=["value"])
        )

    @property
    def pages(self) -> tuple[PageView, ...]:
        return tuple(r.page for r in self.interfaces)

    def comparison(self) -> ComparisonView | None:
        from interp.compare.comparison import comparison_view

        return comparison_view(self) if self.program.comparisons else None

    def _repr_html_(self) -> str:
        from interp.render import render_page

        return render_page(self.pages[0]) if self.pages else "<p>empty spec</p>"


def run(
    spec: ast.Spec | str | Path,
    options: Options | None = None,
    *,
    models: Models | Mapping[str, Any] | None = None,
    **kwargs,
) -> Result:
    """Check, plan and execute a spec (an AST, `.interp` text, or a path).

    `models` supplies models by name for the spec's `model NAME`
    (`{"mine": interp.from_module(module, ...)}`).
    """
    models = Models.of(models)
    options = options or Options(**kwargs)
    if isinstance(spec, Path) or (
        isinstance(spec, str) and spec.endswith(".interp") and "\n" not in spec
    ):
        spec = load(spec)
    elif isinstance(spec, str):
        spec = parse(spec)
    program = check(spec, device=options.torch_device, models=models)
    return Result(program, tuple(run_interface(i, options, models) for i in program.interfaces))


def run_interface(
    interface: Interface, options: Options, models: Models = EMPTY
) -> InterfaceResult:
    _refuse_other_models(interface)
    handle = load_model(interface.model, options.torch_device, models=models)
    image = load_image(interface.image)
    plan = plan_interface(interface)
    if options.budget is not None:
        check_budget(interface, plan, handle, options.quality, options.budget)
    engine = Engine(
        handle, image, layers_needed=plan.layers, logits_needed=plan.logits, cache=options.cache
    )
    evaluated = evaluate(interface.elements, engine)
    icons = _icons(evaluated, engine, options)
    offers = _offers(interface)
    image_url = to_data_url(handle.crop(image))
    views = tuple(
        element_view(
            evaluated[e.name], offers.get(e.name, ()), icons.get(e.name, {}), image_url, engine
        )
        for e in interface.elements
    )
    page = PageView(
        name=interface.name,
        title=interface.title,
        elements=views,
        layout=_layout(interface.layout),
        model=_describe_model(interface),
        input=f"{interface.image.kind}: {interface.image.value}",
    )
    return InterfaceResult(interface, evaluated, page, engine.forward_passes)


def _refuse_other_models(interface: Interface) -> None:
    """This executor runs one model per interface: never compute another model's layer
    on this one's (the checker accepts `layer(..., model=...)`; executing it is to come)."""
    for element in interface.elements:
        content = element.content
        for substrate in (content.source, content.target, element.presentation.option("grid")):
            if getattr(substrate, "model", None) is not None:
                raise error(
                    f"element {element.name!r} uses a layer of another model "
                    f"({substrate.describe()}), which this executor cannot run yet",
                    element.span,
                    "use layers of the interface's own model for now",
                )


def _icons(evaluated: dict[str, Evaluated], engine: Engine, options: Options) -> dict[str, dict]:
    """Every feature visualization the page shows, optimized in one batched call."""
    wanted = {name: objectives(result, engine) for name, result in evaluated.items()}
    unique = list(dict.fromkeys(o for per in wanted.values() for o in per.values()))
    if not unique:
        return {}
    images = visualize(
        engine.handle,
        unique,
        quality=options.quality,
        size=options.icon_size,
        steps=options.icon_steps,
        device=options.torch_device,
        cache=options.cache,
        progress=options.progress,
    )
    urls = {
        objective: to_data_url(picture) for objective, picture in zip(unique, images, strict=True)
    }
    return {name: {key: urls[o] for key, o in per.items()} for name, per in wanted.items()}


def _offers(interface: Interface) -> dict[str, tuple[str, ...]]:
    offers: dict[str, tuple[str, ...]] = {}
    for element in interface.elements:
        for selection in element.selections:
            events = offers.get(selection.element, ())
            if selection.event not in events:
                offers[selection.element] = (*events, selection.event)
    return offers


def _layout(layout) -> object:
    if layout is None:
        return None
    return (layout.direction, [i if isinstance(i, str) else _layout(i) for i in layout.items])


def _describe_model(interface: Interface) -> str:
    model = interface.model
    extra = (
        f" (weights={model.weights}, seed={model.seed})"
        if model.weights == "random"
        else (f" (weights={model.weights})" if model.weights else "")
    )
    return f"{model.name}{extra}"
