"""What a presentation is: one class per module in `render/`, found through `render.registry`.

A presentation declares, in one place, everything the pipeline asks of it:

- `signature`: its arguments (the checker binds calls through it);
- `fit`: whether it can show a content with given free axes, and the hint when not;
- `icon_layers` / `icon_reads` / `objectives` / `icon_side`: which feature
  visualizations it draws, on which layers, from which plan nodes, and how
  large (the planner batches and sizes them);
- `view_reads` / `table`: the plan nodes its table needs and the table itself,
  a pure function of executed values (views never touch the model);
- `chart`: how it draws (Altair / Vega-Lite).

Adding a presentation is one new module with one subclass, plus its entry in
`render.registry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from interp.check.axes import free_atoms, names
from interp.check.bound import Axis, Content, Element, Substrate
from interp.check.bound import Presentation as Call
from interp.check.signatures import Signature
from interp.keys import is_key_column, source_name
from interp.models.spec import ModelSpec

if TYPE_CHECKING:
    from interp.plan.nodes import Node
    from interp.plan.scope import ElementScope
    from interp.render.common import Built, Context
    from interp.render.views import ElementView

Problem = tuple[str, str]  # (message, hint)


class Icon(NamedTuple):
    """One feature visualization: on `model` (None: the interface's), maximizing `objective`."""

    model: ModelSpec | None
    objective: Any  # execute.feature_vis.Objective


class Presentation:
    """Base class: defaults for a presentation that draws no icons and needs nothing extra."""

    name: ClassVar[str]
    signature: ClassVar[Signature]

    # ---- check ------------------------------------------------------------------------

    def fit(self, call: Call, content: Content, axes: tuple[Axis, ...]) -> Problem | None:
        """Why this presentation cannot show `content` with free `axes`; None when it can."""
        if content.kind == "substrate":
            return (
                f"a bare substrate can only be shown as image(...), not {self.name}",
                "use activations(...) or attribution(...) as content",
            )
        return None

    def element_axes(self, call: Call, axes: tuple[Axis, ...]) -> tuple[Axis, ...]:
        """The element's free axes as this presentation shows them (its atoms)."""
        return axes

    # ---- plan ---------------------------------------------------------------------------

    def content_node(self, element: Element, scope: ElementScope) -> Node | None:
        """The plan node of the element's content when this presentation computes its own
        (an atlas's cells); None: the content's usual node."""
        return None

    def icon_layers(self, element: Element) -> tuple[tuple[ModelSpec | None, str], ...]:
        """(model, layer) of the feature visualizations this element shows (none by default);
        model None is the interface's."""
        return ()

    def icon_diversity(self, element: Element) -> int:
        """How many different pictures each icon of this element gets (one by default)."""
        return 1

    def icon_reads(self, element: Element, scope: ElementScope) -> tuple[Node, ...]:
        """The plan nodes `objectives` reads after the element's final array."""
        return ()

    def view_reads(self, element: Element, scope: ElementScope) -> tuple[Node, ...]:
        """The plan nodes `table` reads besides the element's array, atoms and icons."""
        return ()

    def icon_side(self, element: Element, shape) -> float | None:
        """The side, in CSS pixels, at which this element draws its icons (the planner
        optimizes them for that, `plan.sizing`); None: unknown, drawn at the preset's size.
        `shape(model, layer)` is a layer's output shape `(C, H, W)`, or None when unknown."""
        return None

    def icon_counts(self, element: Element, sizes: dict[str, int]) -> dict[tuple, int]:
        """(model, layer) -> at most how many icons this element shows there (`plan.bounds`)."""
        return {}

    # ---- execute (pure) -------------------------------------------------------------------

    def objectives(self, element: Element, array: xr.DataArray, *reads: Any) -> dict[Any, Icon]:
        """Atom key -> the icon that draws it: its model (None: the interface's) and objective."""
        return {}

    def table(
        self,
        element: Element,
        array: xr.DataArray,
        atoms: tuple[dict, ...],
        icons: dict,
        *reads: Any,
    ) -> pd.DataFrame:
        raise NotImplementedError

    def describe(self, element: Element) -> str:
        """What the element shows, in words (`render.describe`): the view's first subtitle line."""
        from interp.render.describe import sentence

        return sentence(element)

    def reading(self, element: Element) -> str:
        """How to read this presentation's marks ("bars: attribution to the logit"); or ""."""
        return ""

    def meta(self, element: Element, array: xr.DataArray, table: pd.DataFrame, *reads: Any) -> dict:
        """What the renderer needs besides the table: the grid of positions, when there is one."""
        spatial = [d for d in ("y", "x", "ty", "tx") if d in array.dims]
        if "y" in table and "x" in table and spatial:
            return {"grid": (int(table["y"].max()) + 1, int(table["x"].max()) + 1)}
        return {}

    # ---- draw ------------------------------------------------------------------------------

    #: whether the table itself carries the element's own key column when others select on it
    keyed_rows: ClassVar[bool] = True

    def rows(self, view: ElementView) -> pd.DataFrame:
        """The view's rows as selections see them (its first row is the initial selection)."""
        from interp.render import frames

        return frames.tidy(view)

    def colored_labels(self, view: ElementView) -> set[str]:
        """Atom labels this view tells apart by colour (the page gives each one colour)."""
        return set()

    def chart(self, view: ElementView, ctx: Context) -> Built:
        raise NotImplementedError


# ---- shared table helpers ---------------------------------------------------------------------


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


def layer_atom_axes(element: Element) -> list[tuple[str, Substrate]]:
    """(axis name, substrate) for each side of the content whose atoms are a layer's
    channels or groups: the atoms a feature visualization can draw."""
    sides = (("", element.content.source), ("t", element.content.target))
    found = []
    for prefix, substrate in sides:
        if substrate is not None and substrate.kind == "layer":
            found.append((prefix + ("group" if substrate.groups else "channel"), substrate))
    return found


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


def layer_icon_reads(element: Element, scope: ElementScope) -> tuple[Node, ...]:
    """The factorizations `layer_objectives` reads (one per grouped side)."""
    return tuple(scope.factors(s) for _, s in layer_atom_axes(element) if s.groups)


def layer_icon_counts(element: Element, sizes: dict[str, int]) -> dict[tuple, int]:
    """Icons per (model, layer) for presentations that draw layer atoms: one per coordinate kept."""
    counts: dict[tuple, int] = {}
    for axis, substrate in layer_atom_axes(element):
        where = (substrate.model, substrate.layer)
        counts[where] = counts.get(where, 0) + sizes.get(axis, 0)
    return counts


def factors_by_groups(element: Element, reads: tuple) -> dict:
    grouped = [s.groups for _, s in layer_atom_axes(element) if s.groups]
    return dict(zip(grouped, reads, strict=True))


def free_layer_atoms(axes: tuple[Axis, ...]) -> list[Axis]:
    return [a for a in free_atoms(axes) if a.origin[0] not in (None, "output", "input")]


def spatial_atoms(axes: tuple[Axis, ...]) -> list[Axis]:
    return [a for a in free_atoms(axes) if a.name in ("x", "y", "tx", "ty")]


def axes_text(axes: tuple[Axis, ...]) -> str:
    return names(axes)


def norm_map(cube: np.ndarray) -> np.ndarray:
    """`(C, H, W)` -> the activation vector's norm at each position `(H, W)`."""
    return np.sqrt((cube**2).sum(0))
