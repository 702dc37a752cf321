"""`as heatmap(over=input)`: values over a grid of positions, upsampled onto the input.

The input image (``meta["image"]``) is drawn as an image mark and the
``meta["grid"] = (height, width)`` cells as rectangles stretched over it
(nearest-neighbour upsampling), coloured by value with an opacity that grows
with magnitude, so weak cells let the image show through. The colour domain is
the element's (or, on a comparison page, shared by the pages), never the
current selection's: hovering compares like with like; a square-root scale
keeps weak maps visible. Tooltips carry the real values. ``color=atom`` draws several atoms at once: each cell takes the
colour of the atom strongest there (relative to that atom's own maximum), its
opacity that relative strength; the tooltip lists every atom's value.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd

from interp.execute.views import ElementView
from interp.execute.words import plural
from interp.render import encoding, frames, marks, pictures, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.vocabulary.presentations.heatmap import SIZE


def strongest_atoms(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per cell and subset: the atom strongest relative to its own maximum.

    ``_all`` lists every atom's value at the cell, for the tooltip.
    """
    magnitude = table["value"].abs()
    peak = frames.subset_max(table, [*keys, "atom"], magnitude)
    table = table.assign(_strength=(magnitude / peak.where(peak > 0)).fillna(0.0))
    cell = [*keys, "x", "y"]
    described = table["atom"] + ": " + table["value"].map(lambda v: f"{v:.3g}")
    listing = described.groupby([table[c] for c in cell], sort=False, dropna=False).agg("; ".join)
    best = table.sort_values("_strength", ascending=False, kind="stable").drop_duplicates(cell)
    best = best.join(listing.rename("_all"), on=cell)
    return best.assign(_alpha=0.1 + 0.75 * best["_strength"])


def image_layer(view: ElementView, ctx: Context, url: str, box: tuple[float, float]) -> alt.Chart:
    """The input image filling the plot area; no filters (its data carries no keys)."""
    width, height = box
    name = ctx.name(view, "image")
    chart = alt.Chart(ctx.dataset(name, [{"url": url, "_x": 0, "_y": 0}]), name=name)
    chart = chart.mark_image(width=width, height=height, align="left", baseline="top", aspect=False)
    return encoding.encode(
        chart, x=encoding.pixel("_x"), y=encoding.pixel("_y"), url={"field": "url"}
    )


def cell_transforms(
    chart: alt.Chart, shape: tuple[int, int], box: tuple[float, float]
) -> alt.Chart:
    """Cell rectangles ``_x.._x2``, ``_y.._y2`` computed in the browser from ``x``, ``y``.

    Dependent heatmaps hold one grid per selectable atom (14x14 cells times
    196 positions is 38k rows); computing the boxes and the opacity in Vega,
    after the filter, keeps the page a third of the size.
    """
    (grid_h, grid_w), (width, height) = shape, box
    cell_w, cell_h = width / grid_w, height / grid_h
    return chart.transform_calculate(
        _x=f"datum.x * {cell_w!r}",
        _x2=f"(datum.x + 1) * {cell_w!r}",
        _y=f"datum.y * {cell_h!r}",
        _y2=f"(datum.y + 1) * {cell_h!r}",
    )


def plot_box(view: ElementView, shape: tuple[int, int]) -> tuple[float, float]:
    longest = float(view.options.get("size", SIZE))
    image = view.meta.get("image")
    if image:
        return pictures.fit(pictures.image_size(pictures.to_data_url(image)), longest)
    grid_h, grid_w = shape
    return pictures.fit((grid_w, grid_h), longest)


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    keys = frames.dependency_keys(view, table)
    shape = pictures.grid_shape(view, table)
    width, height = plot_box(view, shape)
    by_atom = view.options.get("color") == "atom"
    atoms = table["atom"].unique().tolist()
    if by_atom:
        table = strongest_atoms(table, keys)
    own = [view.key] if view.key in table else []
    columns = ["_alpha", "_all", "atom", "value", "x", "y", *keys, *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    image = view.meta.get("image")

    layers = []
    if image:
        layers.append(image_layer(view, ctx, pictures.to_data_url(image), (width, height)))
    tooltip = encoding.tooltip(table, view=view) + [
        {"field": "x", "type": "quantitative"},
        {"field": "y", "type": "quantitative"},
    ]
    legend = {
        "title": encoding.field_title(view, "atom" if by_atom else "value"),
        "titleFontWeight": "normal",
        "titleColor": "#555",
        "titleLimit": width,
        "orient": "bottom",
    }
    low, high = style.value_domain(view, robust=True)
    if not by_atom and style.saturates(view, (low, high)):
        end = f"±{high:.2g}" if low < 0 < high else f"{high:.2g}"
        legend["title"] = [legend["title"], f"full colour beyond {end}"]
    if by_atom:
        everything = "all " + plural(str(view.meta.get("atom_noun", "atom")))
        tooltip.append({"field": "_all", "type": "nominal", "title": everything})
        fill = {
            "field": "atom",
            "type": "nominal",
            "scale": style.atom_scale(atoms, ctx),
            "legend": {**legend, "columns": 3},
        }
    else:
        signed = low < 0 < high
        scheme = {"scheme": "blueorange", "domainMid": 0} if signed else {"scheme": "orangered"}
        fill = {
            "field": "value",
            "type": "quantitative",
            "scale": {**scheme, "type": "sqrt", "domain": [low, high], "clamp": True},
            "legend": {
                **legend,
                "direction": "horizontal",
                "gradientLength": max(width - 40, 60),
                # labels at the domain's ends, which Vega aligns inward: the view's edge never
                # cuts them, and they say where full colour starts
                "values": [low, 0, high] if signed else [low, (low + high) / 2, high],
                "format": ".2~g",  # as the title says them ("full colour beyond 3.4")
            },
        }
    opacity = {"field": "_alpha", "type": "quantitative", "scale": None} if image else {"value": 1}
    if by_atom and ctx.linker:  # an atom hovered in another view: its cells only, others faint
        opacity = {"condition": {"param": ctx.atoms_param, "empty": True, **opacity}, "value": 0.04}
        noun = str(view.meta.get("atom_noun", "atom"))
        said = f"hover a {noun} in {ctx.linker} to show its cells alone"
        reading = "; ".join(part for part in (view.meta.get("reading"), said) if part)
        view = replace(view, meta={**view.meta, "reading": reading})
    heat = cell_transforms(selection.base_chart(view, ctx, "cells", rows), shape, (width, height))
    if not by_atom:
        # colour and opacity against the element's fixed peak, not the selection's own, so
        # hovering compares like with like; on a square-root scale, so weak maps still show
        peak = max(abs(low), abs(high))
        heat = heat.transform_calculate(
            _alpha=f"0.12 + 0.73 * sqrt(min(1, abs(datum.value) / {peak!r}))"
            if peak > 0
            else "0.12"
        )
    heat = heat.mark_rect(cursor="pointer" if view.offers else "default")
    heat = encoding.encode(
        heat,
        **encoding.box("_"),
        fill=fill,
        fillOpacity=opacity,
        stroke=selection.selected(view, ctx, hover=style.HOVER, click=style.CLICK, other=None),
        strokeWidth={"value": 2},
        tooltip=tooltip,
    )
    layers.append(selection.selectable(heat, view, ctx))
    return marks.layered(view, ctx, layers, width, height)


MAX_CELLS = 56  # pixel-level maps are sum-pooled to at most this many cells a side


class Heatmap(Drawing):
    """Values over positions, upsampled onto the input image."""

    name = "heatmap"
    robust_domain = True

    def colored_labels(self, view):
        if view.options.get("color") != "atom" or "atom" not in view.table:
            return set()
        return set(view.table["atom"].astype(str))

    def chart(self, view, ctx):
        return chart(view, ctx)
