"""`as bars`: one horizontal bar per atom, labelled by ``atom``, sorted by value.

An optional ``series`` column (a second free atom axis, e.g. the source group
of ``top(3, per=source)``) prefixes the labels and colours the bars by series;
otherwise bars are coloured
by sign. A transparent full-width band behind each bar is the hit target, so
short bars are as easy to hover or click as long ones. Labels are text marks
inside the view (not an axis), so the view's origin is its left edge and
views line up in a layout.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from interp.execute.views import ATOM_ID, ElementView
from interp.keys import is_key_column
from interp.render import encoding, frames, linking, marks, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.vocabulary.presentations.bars import MAX_BARS

ROW = 22
WIDTH = 240
LABELS = 150
NUMBERS = 44  # room beyond a bar's end for its value, written there


def capped(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The first `MAX_BARS` rows of each subset by ``_order``, and in place of the rest one
    row labelled "… N more" with no value (it draws a label and no bar)."""
    kept = table[table["_order"] < MAX_BARS]
    first = table[table["_order"] == MAX_BARS]
    if first.empty:
        return kept
    hidden = frames.subset_max(table, keys, table["_order"])[first.index] + 1 - MAX_BARS
    note = "… " + hidden.astype(int).astype(str) + " more"
    own = {c: None for c in first.columns if is_key_column(c) and c not in keys}
    first = first.assign(_label=note, atom=note, value=float("nan"), **own)  # not selectable
    return pd.concat([kept, first])


def order(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add ``_label`` (unique per subset) and ``_order`` (series in order, then by value)."""
    if "series" in table:
        series_rank = frames.appearance(table, keys, "series")
        label = table["series"] + " · " + table["atom"]
        table = table.assign(_label=label, _series_rank=series_rank)
        by, ascending = ["_series_rank", "value"], [True, False]
    else:
        table = table.assign(_label=table["atom"])
        by, ascending = ["value"], [False]
    table = table.assign(_order=frames.rank(table, keys, by, ascending))
    duplicated = table.duplicated([*keys, "_label"], keep=False)
    if duplicated.any():
        suffix = " #" + table["_order"].astype(str)
        table = table.assign(_label=table["_label"].where(~duplicated, table["_label"] + suffix))
    return table


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    keys = frames.dependency_keys(view, table)
    table = capped(order(table, keys), keys)
    per_subset = (
        int(table.groupby(keys, sort=False).size().max()) if keys and len(table) else len(table)
    )
    height = ROW * max(per_subset, 1)
    width = LABELS + int(view.options.get("width", WIDTH))
    own = [view.key] if view.key in table else []
    columns = ["atom", "value", "series", "_label", "_order", ATOM_ID, *keys, *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))

    y = {
        "field": "_label",
        "type": "nominal",
        "sort": {"field": "_order", "op": "min"},
        "axis": None,
    }
    tooltip = encoding.tooltip(table, ["series"], view)
    if "series" in table:
        series = table["series"].unique().tolist()
        color = {
            "field": "series",
            "type": "nominal",
            "legend": None,
            "scale": style.atom_scale(series, ctx),
        }
    else:
        color = {
            "condition": {"test": "datum.value < 0", "value": style.NEGATIVE},
            "value": style.POSITIVE,
        }

    def unit(role: str) -> alt.Chart:
        return selection.base_chart(view, ctx, role, rows)

    domain = style.value_domain(view)
    left = LABELS + (NUMBERS if domain[0] < 0 else 0)  # a negative bar's value left of it
    scale = {"range": [left, width - (NUMBERS if domain[1] > 0 else 0)], "domain": list(domain)}
    bars = encoding.encode(
        unit("bars").mark_bar(height={"band": 0.75}),
        y=y,
        x={
            "field": "value",
            "type": "quantitative",
            "scale": scale,
            "axis": {
                "title": encoding.field_title(view, "value"),
                "titleFontWeight": "normal",
                "titleColor": "#555",
                "grid": True,
                "tickCount": 5,
            },
        },
        color=color,
        opacity=selection.selected(view, ctx, hover=1.0, click=1.0, other=0.75),
        tooltip=tooltip,
    )
    labels = encoding.encode(
        unit("labels").mark_text(align="left", baseline="middle", limit=LABELS - 8, fontSize=11),
        y=y,
        x={"value": 0},
        text={"field": "_label"},
        tooltip=tooltip,
    )
    layers = [bars, labels, *numbers(unit, y, scale, tooltip)]
    linked = linking.outline(view, ctx, unit("linked"))  # the atom hovered on another page
    if linked is not None:  # its whole row outlined, dashed
        layers.append(encoding.encode(linked, y=y, x={"value": 0}, x2={"value": "width"}))
    if view.offers and view.key in table:
        band = encoding.encode(
            unit("hit").mark_bar(height={"band": 1.0}, cursor="pointer"),
            y=y,
            x={"value": 0},
            x2={"value": "width"},
            fill={"value": "#000000"},
            fillOpacity=selection.selected(view, ctx, hover=0.06, click=0.12, other=0.0),
            tooltip=tooltip,
        )
        layers = [selection.selectable(band, view, ctx), *layers]
    return marks.layered(view, ctx, layers, width, height)


def numbers(unit, y: dict, scale: dict, tooltip: list) -> list[alt.Chart]:
    """Each bar's value written beyond its end (right of a positive bar, left of a negative)."""
    x = {"field": "value", "type": "quantitative", "scale": scale}
    text = {"field": "value", "type": "quantitative", "format": ".3~g"}
    return [
        encoding.encode(
            unit(f"numbers_{side}")
            .transform_filter(test)
            .mark_text(align=align, dx=dx, baseline="middle", fontSize=10, color="#444"),
            y=y,
            x=x,
            text=text,
            tooltip=tooltip,
        )
        for side, test, align, dx in (
            ("positive", "datum.value >= 0", "left", 3),
            ("negative", "datum.value < 0", "right", -3),
        )
    ]


class Bars(Drawing):
    """One bar per atom: classes, channels or groups, strongest first."""

    name = "bars"

    def colored_labels(self, view):
        return set(view.table["series"].astype(str)) if "series" in view.table else set()

    def chart(self, view, ctx):
        return chart(view, ctx)
