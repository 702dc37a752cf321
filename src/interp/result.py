"""What `interp.run` returns: every element's array, table, icons and page, by name.

    result = interp.run("specs/teaser.interp")
    result                          # in Jupyter: the interactive page; else a short summary
    result.data("detectors")        # tidy DataFrame
    result.array("where")           # xarray labeled array
    result.icons("detectors")       # {"ch 222": H x W x 3 uint8, ...} (or stacked=True)
    result.chart("where")           # one element as an Altair chart, to adjust
    result.save("teaser.html")      # or .png, .json, .svg

Everything here reads values the plan already computed; nothing runs a model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from interp.check.program import Interface, Program
from interp.errors import Diagnostic, did_you_mean
from interp.execute.views import ComparisonView, PageView
from interp.plan.build import Plan

SAVE_SUFFIXES = (".html", ".png", ".json", ".svg")


@dataclass(frozen=True, repr=False)
class InterfaceResult:
    """One interface's element arrays, offered atoms, icons and page.

    `icons`: element -> atom label -> its feature visualization, ``H x W x 3``
    uint8 (``N x H x W x 3`` for ``feature_vis(diversity=N)``), strongest atom first.
    """

    interface: Interface
    arrays: dict[str, xr.DataArray]
    atoms: dict[str, tuple[dict, ...]]
    page: PageView
    forward_passes: int
    icons: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.interface.name

    def __repr__(self) -> str:
        return f"<InterfaceResult {self.name}: elements {', '.join(self.arrays)}>"


@dataclass(frozen=True, repr=False)
class Result:
    """Everything one spec computed; elements are looked up by name (and `interface=`
    when several interfaces have an element of that name)."""

    program: Program
    plan: Plan
    interfaces: tuple[InterfaceResult, ...]
    measured: tuple[tuple[str, str, str, float | None], ...] = ()  # interface, element, metric
    curves: tuple[tuple[str, str, object], ...] = ()  # interface, element, DeletionCurves
    passes: Mapping = field(default_factory=dict)  # each DatasetPass node's value

    # ---- values ---------------------------------------------------------------------------

    def array(self, element: str, interface: str | None = None) -> xr.DataArray:
        """The element's labeled array (NaN where `top` dropped a coordinate)."""
        return self._owner(element, interface).arrays[element]

    def data(
        self, element: str, interface: str | None = None, *, every_example: bool = False
    ) -> pd.DataFrame:
        """The element's content as a tidy table: one row per coordinate kept.

        `every_example=True`, for an element over a dataset: every example's row as the
        dataset pass wrote it (its Parquet files beside the cache), not only those kept.
        """
        if not isinstance(every_example, bool):
            raise TypeError(f"every_example takes True or False, not {every_example!r}")
        if every_example:
            return self._every_example(element, interface)
        frame = self.array(element, interface).to_dataframe(name="value").reset_index()
        return frame.dropna(subset=["value"])

    def _every_example(self, element: str, interface: str | None) -> pd.DataFrame:
        from interp.errors import error
        from interp.execute.dataset_pass import rows_of
        from interp.plan.nodes import AtlasLayout, ExampleAggregate, OverDataset

        owner = self._owner(element, interface)
        nodes = self.plan.element(owner.name, element)
        for node in self.plan.ancestors([nodes.array]):
            if isinstance(node, OverDataset | AtlasLayout):
                if isinstance(node.reduction, ExampleAggregate):
                    raise error(
                        f"element {element!r} aggregates its examples in the pass, which keeps "
                        "no per-example rows of it",
                        hint="drop the aggregate (| top(k) as examples) to read every example's row",
                    )
                return rows_of(self.passes[node.dataset].folders[node.reduction])
        raise error(
            f"element {element!r} is not computed over a dataset",
            hint="every_example=True reads the per-example rows of a content over=DATASET",
        )

    def icons(
        self, element: str, interface: str | None = None, *, stacked: bool = False
    ) -> dict[str, np.ndarray] | xr.DataArray:
        """The element's feature visualizations, as Lucent's `render_vis` gives them: arrays.

        A dict from atom label (``"ch 222"``, ``"group 3"``, ``"(4, 7)"``) to an
        ``H x W x 3`` uint8 picture, strongest atom first; with
        ``feature_vis(diversity=N)`` each value is ``N x H x W x 3``. ``stacked=True``
        gives one labeled array over ``(atom, [sample,] y, x, rgb)`` instead.
        """
        owner = self._owner(element, interface)
        pictures = owner.icons.get(element, {})
        if not stacked:
            return dict(pictures)
        if not pictures:
            raise _value_error(
                f"element {element!r} shows no feature visualizations",
                "icons are drawn by feature_vis, grid(...) and sankey(icons=feature_vis)",
            )
        stack = np.stack(list(pictures.values()))
        dims = ("atom", "y", "x", "rgb") if stack.ndim == 4 else ("atom", "sample", "y", "x", "rgb")
        return xr.DataArray(
            stack,
            dims=dims,
            coords={"atom": list(pictures), "rgb": ["r", "g", "b"]},
            name=f"{element} icons",
        )

    def metrics(self) -> pd.DataFrame:
        """The interface metrics of the compared interfaces: interface, element, metric, value.

        A metric that does not apply to an element is absent (no row).
        """
        rows = [
            {"interface": i, "element": e, "metric": m, "value": v}
            for i, e, m, v in self.measured
            if v is not None
        ]
        return pd.DataFrame(rows, columns=["interface", "element", "metric", "value"])

    @property
    def pages(self) -> tuple[PageView, ...]:
        return tuple(r.page for r in self.interfaces)

    def comparison(self) -> ComparisonView | None:
        from interp.compare.comparison import comparison_view

        return comparison_view(self) if self.program.comparisons else None

    # ---- drawing --------------------------------------------------------------------------

    def chart(
        self,
        element: str,
        interface: str | None = None,
        *,
        selected: Mapping[str, object] | None = None,
    ):
        """One element as an Altair chart, to adjust and save like any other.

        An element that shows another's selection (`select(E.hover)`) is drawn for
        `E`'s strongest atom, as the untouched page shows it, or for the atom named
        in ``selected={"E": key or label}`` (``{"detectors": "ch 12"}``).
        """
        from interp.render.notebook import element_chart

        owner = self._owner(element, interface)
        return element_chart(owner.page, element, dict(selected or {}))

    def save(
        self, path: str | os.PathLike, *, interface: str | None = None, scale: float = 2.0
    ) -> Path:
        """Write the page (or the comparison) as ``.html``, ``.png``, ``.json`` or ``.svg``,
        by the path's suffix, in one atomic step; returns the path.

        ``.html`` is the self-contained interactive page; ``.png``/``.svg`` a picture
        of it untouched (``scale`` multiplies the PNG's pixels); ``.json`` its Vega-Lite spec.
        """
        from interp.files import write_atomic
        from interp.render.notebook import saved_bytes

        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in SAVE_SUFFIXES:
            raise _value_error(
                f"cannot save a page as {suffix or 'a file without a suffix'!r} ({target})",
                f"name a file ending in {', '.join(SAVE_SUFFIXES)}",
            )
        write_atomic(target, saved_bytes(self._view(interface), suffix, scale=scale))
        return target

    def _view(self, interface: str | None) -> PageView | ComparisonView:
        """The page to draw: `interface`'s, else the comparison, else the only page."""
        names = [r.name for r in self.interfaces]
        if interface is not None:
            if interface not in names:
                raise _value_error(f"no interface {interface!r}", did_you_mean(interface, names))
            return self.interfaces[names.index(interface)].page
        comparison = self.comparison()
        if comparison is not None:
            return comparison
        if len(self.pages) == 1:
            return self.pages[0]
        raise _value_error(
            f"this result has {len(names)} interfaces and no `compare`: which page?",
            "name one: interface=" + " or interface=".join(repr(n) for n in names),
        )

    def _repr_html_(self) -> str:
        from interp.render.notebook import notebook_html

        comparison = self.comparison()
        if comparison is not None:
            return notebook_html(comparison)
        return "\n".join(notebook_html(page) for page in self.pages) or "<p>empty spec</p>"

    def __repr__(self) -> str:
        return summary(self)

    # ---- lookup ---------------------------------------------------------------------------

    def _owner(self, element: str, interface: str | None) -> InterfaceResult:
        known = [name for r in self.interfaces for name in r.arrays]
        if not isinstance(element, str):
            raise TypeError(
                f"element takes an element's name (a str), not {type(element).__name__}; "
                f"elements: {', '.join(map(repr, known))}"
            )
        if interface is not None and not isinstance(interface, str):
            names = ", ".join(repr(r.name) for r in self.interfaces)
            raise TypeError(
                f"interface takes an interface's name (a str) or None, not "
                f"{type(interface).__name__}; interfaces: {names}"
            )
        if interface is not None and interface not in [r.name for r in self.interfaces]:
            raise KeyError(
                f"no interface {interface!r}; "
                + did_you_mean(interface, [r.name for r in self.interfaces])
            )
        owners = [r for r in self.interfaces if interface in (None, r.name) and element in r.arrays]
        if not owners:
            where = f" in {interface!r}" if interface else ""
            raise KeyError(f"no element {element!r}{where}; {did_you_mean(element, known)}")
        return owners[0]


def summary(result: Result) -> str:
    """A few lines a person reads: the interfaces, then per element its presentation,
    shape, what it keeps and selects on, and its content."""
    comparisons = result.program.comparisons
    lines = [
        f"interp.Result: {_plural(len(result.interfaces), 'interface')}"
        + (f"; compare {', '.join(comparisons[0])}" if comparisons else "")
    ]
    for owner in result.interfaces:
        page = owner.page
        title = f' "{page.title}"' if page.title and page.title != owner.name else ""
        where = ", ".join(part for part in (page.model, page.input) if part)
        lines.append(f"{owner.name}{title}" + (f" ({where})" if where else ""))
        rows = [_element_row(owner, element) for element in owner.interface.elements]
        widths = [max(len(row[i]) for row in rows) for i in range(3)] if rows else []
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            lines.append(("  " + "  ".join([*cells, row[3]])).rstrip())
            lines.append(" " * (4 + widths[0]) + row[4])
    return "\n".join(lines)


def _element_row(owner: InterfaceResult, element) -> tuple[str, str, str, str, str]:
    """(name, presentation, shape, notes, content) of one element."""
    array = owner.arrays[element.name]
    shape = "(" + ", ".join(f"{d}: {n}" for d, n in array.sizes.items()) + ")"
    kept = int(array.count())
    notes = [_plural(kept, "value") + (" kept" if kept < array.size else "")]
    icons = owner.icons.get(element.name)
    if icons:
        notes.append(_plural(len(icons), "icon"))
    notes += [f"by {s.element}.{s.event}" for s in element.selections]
    content = element.content
    sides = [s for s in (content.source, content.target) if s is not None]
    described = " -> ".join(_short(s.describe()) for s in sides)
    what = described if content.kind == "substrate" else f"{content.kind}({described})"
    return element.name, element.presentation.kind, shape, ", ".join(notes), what


def _short(substrate: str) -> str:
    """`layer("blocks.4.2.bn1").channels` -> `blocks.4.2.bn1.channels` (another model's layer kept)."""
    if substrate.startswith('layer("') and '", model=' not in substrate:
        name, _, rest = substrate[len('layer("') :].partition('")')
        return name + rest
    return substrate


def _plural(count: int, noun: str, suffix: str = "s") -> str:
    return f"{count} {noun}{suffix if count != 1 else ''}"


def _value_error(message: str, hint: str):
    from interp.options import OptionValueError

    return OptionValueError(Diagnostic(message, hint=hint))


def icon_label(key: tuple) -> str:
    """How an icon's atom key reads: as the page labels that atom."""
    from interp.execute.tables.base import label

    if key and key[0] == "pos":
        return f"({key[1]}, {key[2]})"
    return label(key[0], key[1]) if len(key) == 2 else ", ".join(map(str, key))


def element_icons(objectives: dict, pictures: dict, shown: list[str]) -> dict[str, np.ndarray]:
    """Atom label -> picture, in the order the element shows its atoms (`shown` labels).

    `objectives` is an `IconObjectives` value (key -> (model, objective)), `pictures`
    the merged `Visualize` values ((model, objective) -> picture)."""
    labelled: dict[str, np.ndarray] = {}
    for key, icon in objectives.items():
        name = icon_label(key)
        if name in labelled and key[0].startswith("t"):
            name = "→ " + name  # a target-side atom named like a source atom (sankey)
        labelled[name] = pictures[icon]
    rank = {name: i for i, name in enumerate(dict.fromkeys(shown))}
    order = sorted(labelled, key=lambda name: rank.get(name, len(rank)))
    return {name: labelled[name] for name in order}
