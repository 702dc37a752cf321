"""Evaluated arrays → the renderer's tidy tables (`interp.render.views`).

One function per presentation turns an element's labeled array into rows:
labels for atoms, key columns for selections, icons (feature
visualizations) and the input image where the presentation shows them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import xarray as xr

from interp.check.bound import Element
from interp.execute.evaluate import Evaluated
from interp.execute.feature_vis import Objective
from interp.execute.ops import KEY_PREFIX
from interp.render.views import ElementView, Selection

MAX_HEATMAP_CELLS = 56  # pixel-level maps are sum-pooled to at most this many cells a side

IconLookup = Callable[[Objective], str]  # objective -> PNG data URL


def label(axis: str, value: object) -> str:
    """How an atom coordinate reads on the page."""
    name = axis.removeprefix("t") if axis in ("tchannel", "tgroup") else axis
    if name == "channel":
        return f"ch {value}"
    if name == "group":
        return f"group {value}"
    return str(value)


def objectives(evaluated: Evaluated, engine) -> dict[tuple, Objective]:
    """The feature visualizations an element shows, by the atom coordinates they draw."""
    element = evaluated.element
    kind = element.presentation.kind
    wanted: dict[tuple, Objective] = {}
    if kind == "grid":
        layer = element.content.source.layer
        cube = engine.activation(layer).cpu().numpy()
        for y in range(cube.shape[1]):
            for x in range(cube.shape[2]):
                wanted[("pos", x, y)] = Objective(
                    layer,
                    "direction",
                    position=(x, y),
                    direction=tuple(float(v) for v in cube[:, y, x]),
                )
        return wanted
    if kind not in ("feature_vis", "sankey"):
        return wanted
    array = evaluated.array
    for side, substrate in (("", element.content.source), ("t", element.content.target)):
        if substrate is None or substrate.kind != "layer":
            continue
        layer = substrate.layer
        axis = side + ("group" if substrate.groups else "channel")
        if axis not in array.dims:
            continue
        for value in array.coords[axis].values.tolist():
            if substrate.groups is not None:
                direction = engine.groups(substrate.groups).directions[value]
                wanted[(axis, value)] = Objective(
                    layer, "group", direction=tuple(float(v) for v in direction)
                )
            else:
                wanted[(axis, value)] = Objective(layer, "channel", channel=int(value))
    return wanted


def element_view(
    evaluated: Evaluated, offers: tuple[str, ...], icons: dict[tuple, str], image_url: str, engine
) -> ElementView:
    element = evaluated.element
    kind = element.presentation.kind
    table = _TABLES[kind](evaluated, icons, engine)
    if offers:
        table[KEY_PREFIX + element.name] = _keys(table, evaluated.atom_axes)
    for column in [c for c in table.columns if c.startswith(KEY_PREFIX)]:
        table[column] = table[column].astype(str)
    meta: dict = {"image": image_url}
    spatial = [d for d in ("y", "x") if d in evaluated.array.dims] or [
        d for d in ("ty", "tx") if d in evaluated.array.dims
    ]
    if kind == "image":
        grid = element.presentation.option("grid")
        cube = engine.activation(grid.layer)
        meta["grid"] = (int(cube.shape[1]), int(cube.shape[2]))
    elif "y" in table and "x" in table and spatial:
        meta["grid"] = (int(table["y"].max()) + 1, int(table["x"].max()) + 1)
    options = {
        k: (v.describe() if hasattr(v, "describe") else v) for k, v in element.presentation.options
    }
    return ElementView(
        name=element.name,
        presentation=kind,
        options=options,
        table=table.reset_index(drop=True),
        depends_on=tuple(Selection(s.element, s.event) for s in element.selections),
        offers=offers,
        meta=meta,
    )


def _keys(table: pd.DataFrame, axes: list[str]) -> pd.Series:
    """Each row's atom identity, as `ops.atom_key` spells it for selections."""
    columns = [table[a].astype(str) for a in axes]
    keys = columns[0]
    for column in columns[1:]:
        keys = keys + "," + column
    return keys


# ---- tables by presentation ---------------------------------------------------------------


def _frame(array: xr.DataArray) -> pd.DataFrame:
    """Tidy rows, strongest first: the renderer's initial selection is the first row."""
    frame = array.to_dataframe(name="value").reset_index().dropna(subset=["value"])
    return frame.sort_values("value", ascending=False, kind="stable")


def _atom_columns(frame: pd.DataFrame, element: Element, prefer_layer: bool) -> pd.DataFrame:
    """`atom` labels the primary atom axis; another free atom axis becomes `series`."""
    atoms = [a.name for a in element.atom_axes if a.name in frame]
    if prefer_layer:
        atoms.sort(key=lambda a: a.removeprefix("t") not in ("channel", "group"))
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


def _bars(evaluated: Evaluated, icons, engine) -> pd.DataFrame:
    return _atom_columns(_frame(evaluated.array), evaluated.element, prefer_layer=False)


def _feature_vis(evaluated: Evaluated, icons, engine) -> pd.DataFrame:
    frame = _atom_columns(_frame(evaluated.array), evaluated.element, prefer_layer=True)
    axis = next(a for a in ("channel", "group", "tchannel", "tgroup") if a in frame)
    frame["icon"] = [icons.get((axis, v), "") for v in frame[axis]]
    return frame


def _heatmap(evaluated: Evaluated, icons, engine) -> pd.DataFrame:
    array = evaluated.array
    if "tx" in array.dims and "x" not in array.dims:
        array = array.rename({"tx": "x", "ty": "y"})
    height, width = array.sizes["y"], array.sizes["x"]
    factor = max(1, int(np.ceil(max(height, width) / MAX_HEATMAP_CELLS)))
    if factor > 1:
        array = array.coarsen(y=factor, x=factor, boundary="trim").sum()
        array = array.assign_coords(y=np.arange(array.sizes["y"]), x=np.arange(array.sizes["x"]))
    others = [d for d in array.dims if d not in ("x", "y") and not str(d).startswith(KEY_PREFIX)]
    frame = _frame(array)
    if others:
        frame["atom"] = [
            ", ".join(label(d, v) for d, v in zip(others, values, strict=True))
            for values in frame[others].itertuples(index=False)
        ]
    else:
        frame["atom"] = frame["x"].astype(str) + "," + frame["y"].astype(str)
    return frame


def _grid(evaluated: Evaluated, icons, engine) -> pd.DataFrame:
    element = evaluated.element
    layer = element.content.source.layer
    cube = engine.activation(layer).cpu().numpy()
    magnitude = np.sqrt((cube**2).sum(0))
    rows = []
    colors = _colors(evaluated.array) if "component" in evaluated.array.dims else None
    for y in range(cube.shape[1]):
        for x in range(cube.shape[2]):
            row = {
                "x": x,
                "y": y,
                "atom": f"({x}, {y})",
                "value": float(magnitude[y, x]),
                "magnitude": float(magnitude[y, x] / magnitude.max()),
                "icon": icons.get(("pos", x, y), ""),
            }
            if colors is not None:
                row["color"] = colors[(x, y)]
            rows.append(row)
    # the element's strongest atom first, in the order it offers atoms to selections
    rank = {(atom["x"], atom["y"]): i for i, atom in enumerate(evaluated.atoms)}
    frame = pd.DataFrame(rows)
    return frame.iloc[
        sorted(range(len(frame)), key=lambda i: rank.get((rows[i]["x"], rows[i]["y"]), len(rows)))
    ]


def _colors(array: xr.DataArray) -> dict[tuple[int, int], str]:
    """Three components → an RGB hex per position (each component scaled to [0, 1])."""
    values = array.transpose("y", "x", "component").values[..., :3]
    low, high = values.min(axis=(0, 1)), values.max(axis=(0, 1))
    scaled = (values - low) / np.where(high > low, high - low, 1)
    out = {}
    for y in range(values.shape[0]):
        for x in range(values.shape[1]):
            r, g, b = (int(round(255 * c)) for c in scaled[y, x])
            out[(x, y)] = f"#{r:02x}{g:02x}{b:02x}"
    return out


def _image(evaluated: Evaluated, icons, engine) -> pd.DataFrame:
    frame = _frame(evaluated.array)
    frame["atom"] = "(" + frame["x"].astype(str) + ", " + frame["y"].astype(str) + ")"
    return frame


def _sankey(evaluated: Evaluated, icons, engine) -> pd.DataFrame:
    frame = _frame(evaluated.array)
    element = evaluated.element
    source = next(a.name for a in element.atom_axes if a.side == "source")
    target = next(a.name for a in element.atom_axes if a.side == "target")
    frame["source"] = [label(source, v) for v in frame[source]]
    frame["target"] = ["→ " + label(target, v) for v in frame[target]]
    frame["atom"] = frame["source"] + " " + frame["target"]
    frame["source_icon"] = [icons.get((source, v), "") for v in frame[source]]
    frame["target_icon"] = [icons.get((target, v), "") for v in frame[target]]
    return frame


_TABLES = {
    "bars": _bars,
    "feature_vis": _feature_vis,
    "heatmap": _heatmap,
    "grid": _grid,
    "image": _image,
    "sankey": _sankey,
}
