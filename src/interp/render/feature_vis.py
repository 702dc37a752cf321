"""`as feature_vis(bars=true)`: a row of icons labelled by atom, with value bars.

Each atom is a cell: its feature visualization (the ``icon`` data URL), its
label, and with ``bars=true`` a bar of ``value`` under the label (length
relative to the subset's largest magnitude, colour by sign). An optional
``series`` column (a second free atom axis, e.g. the target class of
``top(6, per=target)``) puts each series on its own labelled row. The cell frame is the hit target and shows the
hovered/clicked atom. ``feature_vis(diversity=N)`` gives each atom N different
pictures (Lucid's diversity term), drawn as a strip in its cell.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd

from interp.check.axes import free_atoms, names
from interp.check.signatures import Param, Signature
from interp.render import common, frames
from interp.render.common import Built, Context
from interp.render.pictures import strip_width
from interp.render.presentation import (
    Presentation,
    atom_columns,
    factors_by_groups,
    free_layer_atoms,
    layer_atom_axes,
    layer_icon_counts,
    layer_icon_reads,
    layer_objectives,
    tidy,
)
from interp.render.views import ElementView

ICON = 64
GAP = 14
LABEL = 16
BAR = 8
SERIES_LABEL = 120
MAX_DIVERSITY = 8  # pictures per atom in a strip


def layout(
    table: pd.DataFrame,
    keys: list[str],
    icon: int,
    bars: bool,
    peak: float | None = None,
    width: float | None = None,
) -> pd.DataFrame:
    """Pixel boxes per row, per subset: icon ``_x.._x2``/``_y.._y2``, label at ``_cx, _ty``,
    cell frame ``_fx.._fx2``/``_fy.._fy2``, value bar ``_bx.._bx2``/``_by.._by2``.

    A bar's length is its magnitude relative to ``peak`` (one scale shared by a
    comparison's pages), or to its subset's largest when ``peak`` is None: the bars
    rank the atoms shown; the tooltip holds the number. `width`: the icon box's
    width when it is wider than high (a strip of pictures)."""
    width = icon if width is None else width
    cell_w = width + GAP
    cell_h = icon + LABEL + (BAR + 8 if bars else 0) + GAP
    grouped = "series" in table
    left = SERIES_LABEL if grouped else 0
    has_value = "value" in table
    by = (["value"], [False]) if has_value else ([], [])
    row = frames.appearance(table, keys, "series") if grouped else pd.Series(0, index=table.index)
    column = frames.rank(table, [*keys, "series"] if grouped else keys, *by)
    top = 4.0 + row * cell_h
    x = left + column * cell_w
    table = table.assign(
        _x=x + GAP / 2,
        _x2=x + GAP / 2 + width,
        _y=top,
        _y2=top + icon,
        _cx=x + cell_w / 2,
        _ty=top + icon + 3,
        _fx=x + 2,
        _fx2=x + cell_w - 2,
        _fy=top - 3,
        _fy2=top + cell_h - GAP + 3,
        _gy=top + icon / 2,
    )
    if bars and has_value:
        magnitude = (
            pd.Series(peak, index=table.index)
            if peak is not None
            else frames.subset_max(table, keys, table["value"].abs())
        )
        span = (width * table["value"].abs() / magnitude.where(magnitude > 0)).fillna(0.0)
        table = table.assign(
            _bx=table["_x"],
            _bx2=table["_x"] + span,
            _by=top + icon + LABEL + 2,
            _by2=top + icon + LABEL + 2 + BAR,
        )
    return table


def frame_stroke(view: ElementView, ctx: Context, table: pd.DataFrame) -> dict:
    """The cell frame: hovered/clicked atoms outlined; atoms with a page colour (a group on
    a ``heatmap(color=atom)``) always framed in it, so icons and map match."""
    stroke = common.selected(view, ctx, hover=common.HOVER, click=common.CLICK, other=None)
    if "_frame" not in table or not table["_frame"].notna().any():
        return stroke
    framed = {"field": "_frame", "type": "nominal", "scale": None}
    return {**framed, "condition": stroke["condition"]} if "condition" in stroke else framed


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    keys = frames.dependency_keys(view, table)
    icon = int(view.options.get("icon_size", ICON))
    bars = bool(view.options.get("bars", False)) and "value" in table
    shared = "domain" in view.meta
    peak = max(map(abs, common.value_domain(view))) if shared else None
    icon_width = strip_width(icon, int(view.options.get("diversity", 1)))
    table = layout(table, keys, icon, bars, peak, icon_width)
    if bars and view.meta.get("reading"):
        scale = "one scale for the compared pages" if shared else "longest: the largest shown"
        view = replace(view, meta={**view.meta, "reading": f"{view.meta.get('reading')} ({scale})"})
    if ctx.palette:
        table["_frame"] = table["atom"].map(ctx.palette)
    icons: list[dict] = []
    if "icon" in table:
        table, icons = frames.split_icons(table, "icon", "_icon")
    own = [view.key] if view.key in table else []
    columns = [c for c in table.columns if c.startswith("_")]
    columns += ["atom", "value", "series", *keys, *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    tooltip = common.tooltip(table, ["series"], view)

    def unit(role: str) -> alt.Chart:
        return common.base_chart(view, ctx, role, rows)

    frame = unit("frame").mark_rect(cornerRadius=4, cursor="pointer" if view.offers else "default")
    frame = common.encode(
        frame,
        **common.box("_f"),
        fill={"value": "#000000"},
        fillOpacity=common.selected(view, ctx, hover=0.05, click=0.08, other=0.0),
        stroke=frame_stroke(view, ctx, table),
        strokeWidth={"value": 2.5},
        tooltip=tooltip,
    )
    layers = [
        common.selectable(frame, view, ctx),
        common.icon_layer(view, ctx, rows, icons, "_", tooltip),
    ]
    label = unit("labels").mark_text(
        baseline="top", fontSize=10, limit=icon_width + GAP - 2, font=common.FONT, color="#333"
    )
    layers.append(
        common.encode(label, x=common.pixel("_cx"), y=common.pixel("_ty"), text={"field": "atom"})
    )
    if bars:
        bar = unit("bars").mark_rect(cornerRadius=1)
        layers.append(
            common.encode(
                bar,
                **common.box("_b"),
                color={
                    "condition": {"test": "datum.value < 0", "value": common.NEGATIVE},
                    "value": common.POSITIVE,
                },
                tooltip=tooltip,
            )
        )
    if "series" in table:
        headings = table.drop_duplicates([*keys, "series"])
        series_rows = ctx.dataset(
            ctx.name(view, "series_rows"), frames.records(headings, ["series", "_gy", *keys])
        )
        heading = common.base_chart(view, ctx, "series", series_rows).mark_text(
            align="left", baseline="middle", fontSize=11, fontWeight="bold", limit=SERIES_LABEL - 8
        )
        layers.append(
            common.encode(heading, x={"value": 0}, y=common.pixel("_gy"), text={"field": "series"})
        )

    width = float(table["_fx2"].max() + 2) if len(table) else icon
    height = float(table["_fy2"].max() + 2) if len(table) else icon
    return common.layered(view, ctx, layers, width, height)


class FeatureVis(Presentation):
    """Each layer atom (channel, group) drawn by its feature visualization, with optional bars."""

    name = "feature_vis"
    signature = Signature(
        "feature_vis",
        (Param("bars", "bool"), Param("diversity", "int")),
        "feature_vis(bars=true, diversity=4)",
    )

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        if not free_layer_atoms(axes):
            return (
                f"feature_vis draws a hidden layer's atoms, and this content has none free ({names(free_atoms(axes))})",
                "use bars for classes",
            )
        diversity = call.option("diversity", 1)
        if diversity > MAX_DIVERSITY:
            return (
                f"feature_vis draws at most {MAX_DIVERSITY} pictures per atom, not diversity={diversity}",
                f"diversity=N (2 to {MAX_DIVERSITY}) draws N different pictures of each atom, side by side",
            )
        return None

    def icon_layers(self, element):
        free = {a.name for a in element.axes}
        return tuple(
            dict.fromkeys(
                (s.model, s.layer) for axis, s in layer_atom_axes(element) if axis in free
            )
        )

    def icon_diversity(self, element):
        return int(element.presentation.option("diversity", 1))

    def icon_reads(self, element, scope):
        return layer_icon_reads(element, scope)

    def icon_counts(self, element, sizes):
        return layer_icon_counts(element, sizes)

    def objectives(self, element, array, *reads):
        return layer_objectives(element, array, factors_by_groups(element, reads))

    def reading(self, element):
        from interp.render.describe import offered_noun, quantity

        icon = f"icon: what excites the {offered_noun(element)} most (feature visualization)"
        if not element.presentation.option("bars"):
            return icon
        return f"{icon}; bar: {quantity(element)}"

    def table(self, element, array, atoms, icons, *reads):
        frame = atom_columns(tidy(array), element, prefer_layer=True)
        axis = next(a for a in ("channel", "group", "tchannel", "tgroup") if a in frame)
        frame["icon"] = [icons.get((axis, v), "") for v in frame[axis]]
        return frame

    def chart(self, view, ctx):
        return chart(view, ctx)
