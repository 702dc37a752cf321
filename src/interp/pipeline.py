"""parse → check → plan → execute: the whole pipeline behind `interp.run`.

`run(spec)` returns a :class:`Result`: per interface, the element arrays
(`Result.array`), tidy tables (`Result.data`) and the page views the renderer
draws, all read from the values of the executed plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from interp.check import check
from interp.check.bound import Interface, Program
from interp.execute.context import Settings
from interp.execute.executors import executor
from interp.models.registry import Models
from interp.options import Options, resolve_options, resolve_spec
from interp.plan.build import Plan, build_plan
from interp.plan.nodes import DatasetPass, Forward, Node
from interp.render.views import ComparisonView, PageView
from interp.syntax import ast


@dataclass(frozen=True)
class InterfaceResult:
    """One interface's element arrays, offered atoms and page."""

    interface: Interface
    arrays: dict[str, xr.DataArray]
    atoms: dict[str, tuple[dict, ...]]
    page: PageView
    forward_passes: int


@dataclass(frozen=True)
class Result:
    """Everything one spec computed; `data`/`array` look elements up by name."""

    program: Program
    plan: Plan
    interfaces: tuple[InterfaceResult, ...]
    passes: dict[Node, Any] = field(default_factory=dict)  # each DatasetPass's value

    def _find(self, element: str, interface: str | None) -> xr.DataArray:
        for result in self.interfaces:
            if interface in (None, result.interface.name) and element in result.arrays:
                return result.arrays[element]
        raise KeyError(f"no element {element!r}" + (f" in {interface!r}" if interface else ""))

    def array(self, element: str, interface: str | None = None) -> xr.DataArray:
        """The element's labeled array (NaN where `top` dropped a coordinate)."""
        return self._find(element, interface)

    def data(
        self, element: str, interface: str | None = None, *, every_example: bool = False
    ) -> pd.DataFrame:
        """The element's content as a tidy table: one row per coordinate kept.

        `every_example=True`, for an element over a dataset: every example's row as the
        dataset pass wrote it (its Parquet files beside the cache), not only those kept.
        """
        if every_example:
            return self._every_example(element, interface)
        frame = self._find(element, interface).to_dataframe(name="value").reset_index()
        return frame.dropna(subset=["value"])

    def _every_example(self, element: str, interface: str | None) -> pd.DataFrame:
        from interp.errors import error
        from interp.execute.dataset_pass import rows_of
        from interp.plan.nodes import AtlasLayout, OverDataset

        self._find(element, interface)  # a KeyError for an unknown element
        name = next(
            i.interface.name
            for i in self.interfaces
            if interface in (None, i.interface.name) and element in i.arrays
        )
        nodes = self.plan.element(name, element)
        for node in self.plan.ancestors([nodes.array]):
            if isinstance(node, OverDataset | AtlasLayout):
                return rows_of(self.passes[node.dataset].folders[node.reduction])
        raise error(
            f"element {element!r} is not computed over a dataset",
            hint="every_example=True reads the per-example rows of a content over=DATASET",
        )

    @property
    def pages(self) -> tuple[PageView, ...]:
        return tuple(r.page for r in self.interfaces)

    def comparison(self) -> ComparisonView | None:
        from interp.compare.comparison import comparison_view

        return comparison_view(self) if self.program.comparisons else None

    def __repr__(self) -> str:
        lines = ["Result("]
        for result in self.interfaces:
            lines.append(f"  {result.interface.name}:")
            for name, array in result.arrays.items():
                shape = ", ".join(f"{d}={n}" for d, n in array.sizes.items())
                lines.append(f"    {name}: ({shape})")
        return "\n".join([*lines, ")"])

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
    options = resolve_options(options, **kwargs)
    spec = resolve_spec(spec)
    program = check(spec, device=options.torch_device, models=models)
    plan = build_plan(
        program, quality=options.quality, size=options.icon_size, steps=options.icon_steps
    )
    if options.budget is not None:
        from interp.plan.cost import check_budget

        check_budget(plan, options.quality, options.budget, options.torch_device, models)
    return execute(program, plan, options, models)


def execute(program: Program, plan: Plan, options: Options, models: Models | None = None) -> Result:
    """Run `plan` on the chosen executor and gather what a `Result` holds."""
    wanted: list[Node] = [*plan.pages, *plan.of(DatasetPass)]
    for _, _, element in plan.elements:
        wanted += [element.array, element.atoms]
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
        results.append(
            InterfaceResult(
                interface,
                {name: values[nodes.array] for name, nodes in elements.items()},
                {name: values[nodes.atoms] for name, nodes in elements.items()},
                values[page],
                len(forwards),
            )
        )
    return Result(program, plan, tuple(results), {n: values[n] for n in plan.of(DatasetPass)})
