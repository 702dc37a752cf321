"""`as kernels`: each channel pair of a `weights` content as source icon, kernel, target icon.

One cell per pair, laid out per selection subset in rows of `PER_ROW`: the
source channel's feature visualization, the pair's spatial kernel as a small
heatmap (``ky`` down, ``kx`` across; diverging about 0 on one scale for the
whole element, its ends at the 99th percentile of |weight|, in the page's colours: blue
positive, red negative, white 0),
then the target channel's icon; under them the pair's label and signed sum.
The cell frame is the hit target for hover and click, like feature_vis.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from interp.execute.views import ElementView
from interp.render import encoding, frames, marks, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.vocabulary.presentations.kernels import ICON, KERNEL, MAX_PAIRS

PER_ROW = 3
GAP = 8
LABEL = 28  # two lines: the pair, its sum
PAD = 12
PEAK = 99  # the percentile of |weight| at the colour scale's ends (beyond: the end's colour)


def layout(
    table: pd.DataFrame, keys: list[str], icon: float = ICON
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kernel cells, pairs), in pixels: pairs at their rank's place within their subset;
    `icon` 0 leaves no room for icons (`kernels(icons=none)`)."""
    table = table[table["rank"] < MAX_PAIRS]
    gap = GAP if icon else 0.0
    side = int(max(table["ky"].max(), table["kx"].max()) + 1) if len(table) else 1
    unit = KERNEL / side
    pair_w = icon + gap + KERNEL + gap + icon + PAD
    pair_h = max(icon, KERNEL) + LABEL + PAD
    column = (table["rank"] % PER_ROW).astype(float)
    row = (table["rank"] // PER_ROW).astype(float)
    x0, y0 = column * pair_w, 4.0 + row * pair_h
    kx0 = x0 + icon + gap
    ky0 = y0 + (max(icon, KERNEL) - KERNEL) / 2
    cells = table.assign(
        _x=kx0 + table["kx"] * unit,
        _x2=kx0 + (table["kx"] + 1) * unit,
        _y=ky0 + table["ky"] * unit,
        _y2=ky0 + (table["ky"] + 1) * unit,
    )
    pairs = cells.drop_duplicates([*keys, "channel", "tchannel"]).copy()
    pairs = pairs.assign(
        _sx=x0[pairs.index],
        _sx2=x0[pairs.index] + icon,
        _tx=x0[pairs.index] + icon + gap + KERNEL + gap,
        _tx2=x0[pairs.index] + 2 * icon + 2 * gap + KERNEL,
        _iy=y0[pairs.index] + (max(icon, KERNEL) - icon) / 2,
        _iy2=y0[pairs.index] + (max(icon, KERNEL) + icon) / 2,
        _kx=kx0[pairs.index],
        _kx2=kx0[pairs.index] + KERNEL,
        _ky=ky0[pairs.index],
        _ky2=ky0[pairs.index] + KERNEL,
        _fx=x0[pairs.index] - 3,
        _fx2=x0[pairs.index] + pair_w - PAD + 3,
        _fy=y0[pairs.index] - 3,
        _fy2=y0[pairs.index] + pair_h - PAD + 3,
        _cx=x0[pairs.index] + (pair_w - PAD) / 2,
        _ly=y0[pairs.index] + max(icon, KERNEL) + 3,
        _vy=y0[pairs.index] + max(icon, KERNEL) + 15,
        _sum=[f"sum {v:+.3g}" for v in pairs["pair_sum"]],
    )
    return cells, pairs


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    keys = frames.dependency_keys(view, table)
    own = [view.key] if view.key in table else []
    icon = 0.0 if view.options.get("icons") == "none" else float(ICON)
    cells, pairs = layout(table, keys, icon)
    if "domain" in view.meta:  # one scale for the compared pages
        peak = max(map(abs, style.value_domain(view)))
    else:  # one scale for the whole element, so hovering compares like with like; its ends
        # at the 99th percentile of |weight|, so one outlier does not wash the others out
        peak = float(np.nanpercentile(np.abs(table["value"]), PEAK)) if len(table) else 1.0
    peak = peak if peak > 0 else 1.0
    quantity = encoding.field_title(view, "value")
    cell_rows = ctx.dataset(
        ctx.name(view, "cells"),
        frames.records(cells, ["_x", "_x2", "_y", "_y2", "value", "atom", "ky", "kx", *keys, *own]),
    )
    tooltip = [
        {"field": "atom", "type": "nominal", "title": "pair"},
        {"field": "ky", "type": "quantitative", "title": "ky"},
        {"field": "kx", "type": "quantitative", "title": "kx"},
        {"field": "value", "type": "quantitative", "format": ".4~g", "title": quantity},
    ]
    heat = selection.base_chart(view, ctx, "cells", cell_rows).mark_rect()
    heat = encoding.encode(
        heat,
        **encoding.box("_"),
        color={
            "field": "value",
            "type": "quantitative",
            "scale": {
                "domain": [-peak, 0.0, peak],
                "range": [style.NEGATIVE, "#ffffff", style.POSITIVE],
                "clamp": True,
            },
            "legend": {
                "title": quantity,
                "titleFontWeight": "normal",
                "titleColor": "#555",
                "orient": "bottom",
                "direction": "horizontal",
                "gradientLength": 160,
            },
        },
        tooltip=tooltip,
    )
    icons: list[dict] = []
    if "source_icon" in pairs:
        pairs, source_icons = frames.split_icons(pairs, "source_icon", "_sicon")
        pairs, target_icons = frames.split_icons(pairs, "target_icon", "_ticon")
        icons = [{"_icon": r["_sicon"], "url": r["url"]} for r in source_icons]
        offset = len(icons)
        icons += [{"_icon": offset + r["_ticon"], "url": r["url"]} for r in target_icons]
        pairs["_ticon"] = np.where(pairs["_ticon"] >= 0, pairs["_ticon"] + offset, -1)
    columns = [c for c in pairs.columns if c.startswith("_")]
    columns += ["atom", "pair_sum", *keys, *own]
    pair_rows = ctx.dataset(ctx.name(view, "pairs"), frames.records(pairs, columns))
    pair_tip = [
        {"field": "atom", "type": "nominal", "title": "pair"},
        {"field": "pair_sum", "type": "quantitative", "format": ".4~g", "title": "kernel sum"},
    ]
    stroke = selection.selected(view, ctx, hover=style.HOVER, click=style.CLICK, other=None)
    layers = [
        selection.selection_frame(
            view,
            ctx,
            selection.base_chart(view, ctx, "frame", pair_rows),
            stroke,
            radius=4,
            width=2.5,
            tooltip=pair_tip,
        ),
        heat,
        _outline(view, ctx, pair_rows),
        *(_icon_layers(view, ctx, pair_rows, icons, pair_tip) if icon else []),
        _text(view, ctx, pair_rows, "labels", "_ly", "atom", "#333"),
        _text(view, ctx, pair_rows, "sums", "_vy", "_sum", "#666"),
    ]
    width = float(pairs["_fx2"].max() + 4) if len(pairs) else KERNEL
    height = float(pairs["_fy2"].max() + 4) if len(pairs) else KERNEL
    return marks.layered(view, ctx, layers, max(width, 200.0), height)


def _outline(view: ElementView, ctx: Context, rows: alt.NamedData) -> alt.Chart:
    """A thin frame around each kernel, so a weak (near-white) kernel still reads as one."""
    chart = selection.base_chart(view, ctx, "kernel_frame", rows).mark_rect(
        fill=None, stroke="#bbb", strokeWidth=0.75
    )
    return encoding.encode(
        chart,
        x=encoding.pixel("_kx"),
        x2={"field": "_kx2"},
        y=encoding.pixel("_ky"),
        y2={"field": "_ky2"},
    )


def _icon_layers(view, ctx, rows, icons, tooltip) -> list[alt.Chart]:
    """The source icon left of each kernel, the target's right (grey squares without icons)."""
    table = ctx.dataset(ctx.name(view, "icon_urls"), icons) if icons else None
    layers = []
    for side, column, x, x2 in (
        ("source", "_sicon", "_sx", "_sx2"),
        ("target", "_ticon", "_tx", "_tx2"),
    ):
        chart = selection.base_chart(view, ctx, f"{side}_icons", rows)
        box = {
            "x": encoding.pixel(x),
            "x2": {"field": x2},
            "y": encoding.pixel("_iy"),
            "y2": {"field": "_iy2"},
        }
        if table is None:
            chart = encoding.encode(
                chart.mark_rect(fill="#e8e8e8", cornerRadius=3), **box, tooltip=tooltip
            )
        else:
            chart = chart.transform_calculate(_icon=f"datum.{column}").transform_lookup(
                **marks.icon_lookup("_icon", table)
            )
            chart = encoding.encode(
                chart.mark_image(aspect=False), **box, url={"field": "url"}, tooltip=tooltip
            )
        layers.append(chart)
    return layers


def _text(view, ctx, rows, role: str, y: str, field: str, color: str) -> alt.Chart:
    chart = selection.base_chart(view, ctx, role, rows).mark_text(
        baseline="top", fontSize=10, font=style.FONT, color=color, limit=2 * ICON + KERNEL
    )
    return encoding.encode(
        chart, x=encoding.pixel("_cx"), y=encoding.pixel(y), text={"field": field}
    )


class Kernels(Drawing):
    """Channel pairs of a weights content: icons beside each spatial kernel."""

    name = "kernels"

    def chart(self, view, ctx):
        return chart(view, ctx)
