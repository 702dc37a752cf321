"""Encodings and layers every drawing builds its marks from.

Every presentation draws at pixel coordinates it computes in Python
(``scale=None`` encodings, see :mod:`interp.render.frames`), so the browser
only filters rows by the current selections and draws them."""

from __future__ import annotations

import altair as alt

from interp.execute.views import ElementView
from interp.render.context import Built, Context
from interp.render.encoding import box, encode
from interp.render.selection import base_chart, selectable, selected
from interp.render.style import CLICK, HOVER, NEGATIVE, POSITIVE


def icon_lookup(id_column: str, icons: alt.NamedData) -> dict:
    """``transform_lookup`` arguments that fetch ``url`` from the icon table."""
    return {
        "lookup": id_column,
        "from_": alt.LookupData(data=icons, key=id_column, fields=["url"]),
    }


def icon_layer(
    view: ElementView, ctx: Context, source: alt.NamedData, icons: list[dict], prefix: str, tips
) -> alt.Chart:
    """Icons stretched over the boxes ``{prefix}x..{prefix}y2`` (grey squares without icons).

    ``icons`` is the lookup table from :func:`frames.split_icons`; rows carry ``_icon`` ids.
    """
    chart = base_chart(view, ctx, "icons", source)
    if not icons:
        return encode(chart.mark_rect(fill="#e8e8e8", cornerRadius=3), **box(prefix), tooltip=tips)
    table = ctx.dataset(ctx.name(view, "icon_urls"), icons)
    chart = chart.transform_lookup(**icon_lookup("_icon", table)).mark_image(aspect=False)
    return encode(chart, **box(prefix), url={"field": "url"}, tooltip=tips)


def value_bars(unit: alt.Chart, tooltip: list) -> alt.Chart:
    """A bar under each cell (box ``_b``), coloured by the sign of its value."""
    return encode(
        unit.mark_rect(cornerRadius=1),
        **box("_b"),
        color={"condition": {"test": "datum.value < 0", "value": NEGATIVE}, "value": POSITIVE},
        tooltip=tooltip,
    )


def cell_layers(
    view: ElementView,
    ctx: Context,
    background: alt.Chart,
    outline: alt.Chart,
    rows: alt.NamedData,
    icons: list[dict],
    tooltip: list,
) -> list[alt.Chart]:
    """A grid of cells (box ``_``), each a selectable background, its icon (box ``_i``)
    and an outline drawn where the cell is hovered or clicked."""
    layers = [selectable(background, view, ctx)]
    if icons:
        layers.append(icon_layer(view, ctx, rows, icons, "_i", tooltip))
    layers.append(
        encode(
            outline.mark_rect(fill=None, strokeWidth=2),
            **box("_"),
            stroke=selected(view, ctx, hover=HOVER, click=CLICK, other=None),
        )
    )
    return layers


def layered(view: ElementView, ctx: Context, layers: list, width: float, height: float) -> Built:
    """The element's view: its layers under its title block (`render.titles`)."""
    from interp.render import titles

    chart = alt.layer(*layers, *titles.live_lines(view, ctx), name=ctx.name(view)).properties(
        width=width, height=height, title=titles.title(view, ctx, width)
    )
    return Built(chart, width, height)
