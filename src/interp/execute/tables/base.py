"""What a presentation's table is: the executed array → the rows its drawing reads.

One class per presentation, keyed by the declared name (`interp.vocabulary.presentations`):

- `objectives`: atom key → the icon that draws it (its model and feature-visualization
  objective), for the atoms the page shows;
- `table`: the tidy rows (see `interp.execute.views` for the columns each drawing reads);
- `describe` / `reading` / `meta`: what the view says in words, and what the drawing
  needs besides its rows.

All pure functions of executed values: a table never touches a model. A presentation
without a table of its own gets `Table`'s: one row per atom, labelled.
Subclassing `Table` with a `name` registers it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd
import xarray as xr

from interp.check.program import Element
from interp.keys import is_key_column, source_name
from interp.models.spec import ModelSpec
from interp.named import Named
from interp.vocabulary.presentations.base import layer_atom_axes

REGISTRY: dict[str, Table] = {}


class Icon(NamedTuple):
    """One feature visualization: on `model` (None: the interface's), maximizing `objective`."""

    model: ModelSpec | None
    objective: Any  # execute.feature_vis.Objective


class Table(Named):
    """Base table: one labelled row per atom, no icons, no extra reads."""

    registry = REGISTRY
    kind = "table of presentation"

    def objectives(self, element: Element, array: xr.DataArray, *reads: Any) -> dict[Any, Icon]:
        """Atom key -> the icon that draws it: its model (None: the interface's) and objective."""
        return {}

    def table(
        self, element: Element, array: xr.DataArray, atoms: tuple[dict, ...], icons: dict, *reads
    ) -> pd.DataFrame:
        return atom_columns(tidy(array), element, prefer_layer=False)

    def describe(self, element: Element) -> str:
        """What the element shows, in words: the view's first subtitle line."""
        from interp.execute.words import sentence

        return sentence(element)

    def reading(self, element: Element) -> str:
        """How to read this presentation's marks ("bars: attribution to the logit"); or ""."""
        return ""

    def meta(self, element: Element, array: xr.DataArray, table: pd.DataFrame, *reads) -> dict:
        """What the renderer needs besides the table: the grid of positions, when there is one."""
        spatial = [d for d in ("y", "x", "ty", "tx") if d in array.dims]
        if "y" in table and "x" in table and spatial:
            if table["y"].notna().any():
                return {"grid": (int(table["y"].max()) + 1, int(table["x"].max()) + 1)}
            ys, xs = ([d for d in axes if d in array.dims] for axes in (("y", "ty"), ("x", "tx")))
            return {"grid": (array.sizes[ys[0]], array.sizes[xs[0]])} if ys and xs else {}
        return {}


# ---- what several tables share -------------------------------------------------------------


def label(axis: str, value: object) -> str:
    """How an atom coordinate reads on the page."""
    name = source_name(axis)
    if name == "channel":
        return f"ch {value}"
    if name == "group":
        return f"group {value}"
    return str(value)


def tidy(array: xr.DataArray) -> pd.DataFrame:
    """Tidy rows, strongest first: the renderer's initial selection is the first row."""
    frame = array.to_dataframe(name="value").reset_index().dropna(subset=["value"])
    return frame.sort_values("value", ascending=False, kind="stable")


def atom_columns(frame: pd.DataFrame, element: Element, prefer_layer: bool) -> pd.DataFrame:
    """`atom` labels the primary atom axis; another free atom axis becomes `series`."""
    atoms = [a.name for a in element.atom_axes if a.name in frame]
    if prefer_layer:
        atoms.sort(key=lambda a: source_name(a) not in ("channel", "group"))
    else:
        atoms = atoms[::-1]
    if atoms:
        frame["atom"] = [label(atoms[0], v) for v in frame[atoms[0]]]
    if len(atoms) > 1:
        frame["series"] = [
            ", ".join(label(a, v) for a, v in zip(atoms[1:], values, strict=True))
            for values in frame[atoms[1:]].itertuples(index=False)
        ]
    return frame


def other_axes(array: xr.DataArray, skip: tuple[str, ...]) -> list[str]:
    return [d for d in array.dims if d not in skip and not is_key_column(d)]


def layer_objectives(element: Element, array: xr.DataArray, factors: dict) -> dict[Any, Icon]:
    """Channel or group icons for every layer atom `array` still holds.

    `factors` maps a `Groups` to its factorization (directions per group).
    """
    from interp.execute.feature_vis import Objective

    wanted: dict[tuple, Icon] = {}
    for axis, substrate in layer_atom_axes(element):
        if axis not in array.dims:
            continue
        for value in array.coords[axis].values.tolist():
            if substrate.groups is not None:
                direction = factors[substrate.groups].directions[value]
                objective = Objective(
                    substrate.layer, "group", direction=tuple(float(v) for v in direction)
                )
            else:
                objective = Objective(substrate.layer, "channel", channel=int(value))
            wanted[(axis, value)] = Icon(substrate.model, objective)
    return wanted


def factors_by_groups(element: Element, reads: tuple) -> dict:
    grouped = [s.groups for _, s in layer_atom_axes(element) if s.groups]
    return dict(zip(grouped, reads, strict=True))
