"""parse → check → plan → execute: the whole pipeline behind `interp.run`.

`run(spec)` returns a :class:`~interp.result.Result`: per interface, the
element arrays (`Result.array`), tidy tables (`Result.data`), icons
(`Result.icons`) and the page views the renderer draws, all read from the
values of the executed plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from interp.check import check
from interp.check.program import Program
from interp.execute.context import Settings
from interp.execute.executors import executor
from interp.models.registry import Models
from interp.options import Options, resolve_options
from interp.plan.build import Plan, build_plan
from interp.plan.nodes import DatasetPass, Deletion, Forward, Node
from interp.plan.sizing import LayerFacts
from interp.result import InterfaceResult, Result, element_icons
from interp.syntax import ast
from interp.syntax.resolve import resolve_spec

__all__ = ["InterfaceResult", "Result", "execute", "run"]


def run(
    spec: ast.Spec | str | Path,
    options: Options | None = None,
    *,
    models: Models | Mapping[str, Any] | None = None,
    **kwargs,
) -> Result:
    """Check, plan and execute a spec (an AST, `.interp` text, or a path).

    `models` supplies models by name for the spec's `model NAME`
    (`{"mine": interp.from_module(module, ...)}`). Options as keywords or an
    `Options`; the on-disk cache is on unless `cache=None`.
    """
    models = Models.of(models)
    options = resolve_options(options, **kwargs)
    spec = resolve_spec(spec)
    program = check(spec, device=options.torch_device, models=models)
    plan = build_plan(
        program,
        quality=options.quality,
        size=options.icon_size,
        steps=options.icon_steps,
        facts=LayerFacts.of_models(options.torch_device, models),
        metrics=options.metrics,
    )
    if options.budget is not None:
        from interp.execute.estimate import check_budget

        check_budget(plan, options.quality, options.budget, options.torch_device, models)
    return execute(program, plan, options, models)


def execute(program: Program, plan: Plan, options: Options, models: Models | None = None) -> Result:
    """Run `plan` on the chosen executor and gather what a `Result` holds."""
    wanted: list[Node] = [*plan.pages, *(m for _, _, m in plan.metrics), *plan.of(DatasetPass)]
    for _, _, element in plan.elements:
        wanted += [element.array, element.atoms]
        if element.view.objectives is not None:  # computed for the page anyway
            wanted += [element.view.objectives, *element.view.icons]
    deletions = [(i, e, r) for i, e, m in plan.metrics for r in m.reads if isinstance(r, Deletion)]
    wanted += [r for _, _, r in deletions]
    settings = Settings(
        device=options.torch_device,
        cache_root=str(options.cache.root) if options.cache and options.cache.enabled else None,
        progress=options.progress,
        models=Models.of(models),
    )
    values = executor(options.executor, address=options.ray_address).run(plan, settings, wanted)
    results = []
    for interface, page in zip(program.interfaces, plan.pages, strict=True):
        elements = plan.interface_elements(interface.name)
        forwards = [n for n in plan.ancestors([page]) if isinstance(n, Forward)]
        page_view = values[page]
        results.append(
            InterfaceResult(
                interface,
                {name: values[nodes.array] for name, nodes in elements.items()},
                {name: values[nodes.atoms] for name, nodes in elements.items()},
                page_view,
                len(forwards),
                _icons(elements, values, page_view),
            )
        )
    measured = tuple((i, e, m.name, values[m]) for i, e, m in plan.metrics)
    results = [_with_metrics(r, measured) for r in results]
    curves = tuple(
        (i, e, values[r]) for i, e, r in dict.fromkeys(deletions) if values[r] is not None
    )
    passes = {n: values[n] for n in plan.of(DatasetPass)}
    return Result(program, plan, tuple(results), measured, curves, passes)


def _icons(elements: dict, values: dict, page) -> dict:
    """Element -> atom label -> picture, for the elements that show icons."""
    shown = {view.name: view.table.get("atom", ()) for view in page.elements}
    icons = {}
    for name, nodes in elements.items():
        view = nodes.view
        if view.objectives is None:
            continue
        pictures: dict = {}
        for batch in view.icons:
            pictures.update(values[batch])
        icons[name] = element_icons(values[view.objectives], pictures, list(shown.get(name, ())))
    return icons


def _with_metrics(result: InterfaceResult, measured: tuple) -> InterfaceResult:
    """`result` whose page carries its own interface metrics (shown in a panel), if measured."""
    import pandas as pd

    rows = [
        {"element": e, "metric": m, "value": v}
        for i, e, m, v in measured
        if i == result.interface.name and v is not None
    ]
    if not rows:
        return result
    page = replace(result.page, metrics=pd.DataFrame(rows, columns=["element", "metric", "value"]))
    return replace(result, page=page)
