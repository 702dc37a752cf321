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

from interp.execute.tables.layout import places, shown
from interp.execute.views import ATOM_ID, ElementView
from interp.render import encoding, frames, linking, marks, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.render.pictures import strip_width
from interp.vocabulary.presentations.feature_vis import ICON, MAX_CELLS, MAX_ROWS

GAP = 14
LABEL = 16
BAR = 8
SERIES_LABEL = 120
NOTE = 84  # room for a note after a row
NUMBER = 24  # room at a cell's right for its bar's value, beside the label


def overflow(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Notes for what `shown` leaves out, on a laid-out table: ``_nx``, ``_ny``, ``_note``."""
    column, row = places(table, keys)
    grouped = [*keys, "series"] if "series" in table else keys
    atoms = frames.subset_max(table, grouped, column) + 1
    cells = table[(column == MAX_CELLS) & (row < MAX_ROWS)]
    cells = cells.assign(_note="… " + (atoms[cells.index] - MAX_CELLS).astype(str) + " more")
    notes = [cells.assign(_nx=cells["_x"], _ny=cells["_gy"])]
    if "series" in table:
        rows = frames.subset_max(table, keys, row)
        first = table[(row == MAX_ROWS) & (column == 0)]
        extra = (rows[first.index] + 1 - MAX_ROWS).astype(int).astype(str)
        notes.append(first.assign(_note="… " + extra + " more rows", _nx=0.0, _ny=first["_gy"]))
    return pd.concat(notes)[[*keys, "_nx", "_ny", "_note"]]


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
    column, row = places(table, keys)
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


def label_layer(unit, tooltip: list, align: str, x: str, limit: float) -> alt.Chart:
    """Each atom's label under its picture (whole in the tooltip when cut to `limit`)."""
    label = unit("labels").mark_text(
        align=align, baseline="top", fontSize=10, limit=limit, font=style.FONT, color="#333"
    )
    return encoding.encode(
        label, x=encoding.pixel(x), y=encoding.pixel("_ty"), text={"field": "atom"}, tooltip=tooltip
    )


def number_format(table: pd.DataFrame) -> str:
    """Two significant digits, in SI units beyond a thousand (``7.5k``) to fit beside a label."""
    peak = float(table["value"].abs().max()) if len(table) else 0.0
    return ".2~s" if peak >= 1000 else ".2~g"


def frame_stroke(view: ElementView, ctx: Context, table: pd.DataFrame) -> dict:
    """The cell frame: hovered/clicked atoms outlined; atoms with a page colour (a group on
    a ``heatmap(color=atom)``) always framed in it, so icons and map match."""
    stroke = selection.selected(view, ctx, hover=style.HOVER, click=style.CLICK, other=None)
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
    peak = max(map(abs, style.value_domain(view))) if shared else None
    icon_width = strip_width(icon, int(view.options.get("diversity", 1)))
    table = layout(table, keys, icon, bars, peak, icon_width)
    notes = overflow(table, keys)
    table = table[shown(table, keys)]
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
    columns += ["atom", "value", "series", ATOM_ID, *keys, *own]
    rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, columns))
    tooltip = encoding.tooltip(table, ["series"], view)

    def unit(role: str) -> alt.Chart:
        return selection.base_chart(view, ctx, role, rows)

    stroke = frame_stroke(view, ctx, table)
    frame = selection.selection_frame(
        view, ctx, unit("frame"), stroke, radius=4, width=2.5, tooltip=tooltip
    )
    if ctx.linker == view.name:  # hovering a group's icon emphasizes it in the other views
        frame = frame.add_params(
            alt.selection_point(
                name=ctx.atoms_param, fields=["atom"], on="pointerover", clear="pointerout"
            )
        )
    layers = [
        frame,
        marks.icon_layer(view, ctx, rows, icons, "_", tooltip),
    ]
    linked = linking.outline(view, ctx, unit("linked"))  # the atom hovered on another page
    if linked is not None:
        layers.append(encoding.encode(linked, **encoding.box("_f")))
    if bars:  # the label at the left of the cell, the bar's value at its right
        layers.append(label_layer(unit, tooltip, "left", "_x", max(icon_width - NUMBER, 24)))
        number = unit("numbers").mark_text(
            align="right", baseline="top", fontSize=9, font=style.FONT, color="#555"
        )
        text = {"field": "value", "type": "quantitative", "format": number_format(table)}
        layers.append(
            encoding.encode(number, x=encoding.pixel("_x2"), y=encoding.pixel("_ty"), text=text)
        )
        layers.append(marks.value_bars(unit("bars"), tooltip))
    else:
        layers.append(label_layer(unit, tooltip, "center", "_cx", icon_width + GAP - 2))
    if "series" in table:
        headings = table.drop_duplicates([*keys, "series"])
        series_rows = ctx.dataset(
            ctx.name(view, "series_rows"), frames.records(headings, ["series", "_gy", *keys])
        )
        heading = selection.base_chart(view, ctx, "series", series_rows).mark_text(
            align="left", baseline="middle", fontSize=11, fontWeight="bold", limit=SERIES_LABEL - 8
        )
        layers.append(
            encoding.encode(
                heading, x={"value": 0}, y=encoding.pixel("_gy"), text={"field": "series"}
            )
        )

    if len(notes):
        layers.append(note_layer(view, ctx, notes, keys))
    width = float(table["_fx2"].max() + 2) if len(table) else icon
    height = float(table["_fy2"].max() + 2) if len(table) else icon
    if len(notes):
        width = max(width, float(notes["_nx"].max()) + NOTE)
        height = max(height, float(notes["_ny"].max()) + icon / 2)
    return marks.layered(view, ctx, layers, width, height)


def note_layer(view: ElementView, ctx: Context, notes: pd.DataFrame, keys: list[str]) -> alt.Chart:
    """The "… N more" notes of `overflow`, filtered like the rows they stand for."""
    data = ctx.dataset(
        ctx.name(view, "more"), frames.records(notes, ["_nx", "_ny", "_note", *keys])
    )
    text = selection.base_chart(view, ctx, "more", data).mark_text(
        align="left", baseline="middle", fontSize=11, font=style.FONT, color="#666"
    )
    return encoding.encode(
        text, x=encoding.pixel("_nx"), y=encoding.pixel("_ny"), text={"field": "_note"}
    )


class FeatureVis(Drawing):
    """Each layer atom (channel, group) drawn by its feature visualization, with optional bars."""

    name = "feature_vis"
    links_atoms = True

    def chart(self, view, ctx):
        return chart(view, ctx)
