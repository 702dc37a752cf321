"""The legend of a multi-directional saliency map (`grid(color=value)`): one line per
colour, its swatch and the atoms it stands for (`meta["components"]`, made by
`execute.tables.grid`)."""

from __future__ import annotations

import altair as alt

from interp.execute.views import ElementView
from interp.render import encoding, style
from interp.render.context import Context

ROW = 17


def legend_height(view: ElementView) -> float:
    lines = view.meta.get("components") or []
    return 10 + ROW * len(lines) if lines else 0.0


def legend_layers(view: ElementView, ctx: Context, top: float) -> list[alt.Chart]:
    """Swatches and lines under the grid (not filtered by selections: they hold for all)."""
    lines = view.meta.get("components") or []
    if not lines:
        return []
    rows = [
        {**line, "_ly": top + 10 + ROW * i, "_ly2": top + 10 + ROW * i + 11}
        for i, line in enumerate(lines)
    ]
    data = ctx.dataset(ctx.name(view, "components"), rows)
    swatch = alt.Chart(data, name=ctx.name(view, "component_swatches")).mark_rect()
    swatch = encoding.encode(
        swatch,
        x={"value": 0},
        x2={"value": 11},
        y=encoding.pixel("_ly"),
        y2={"field": "_ly2"},
        fill={"field": "_swatch", "type": "nominal", "scale": None},
    )
    text = alt.Chart(data, name=ctx.name(view, "component_lines")).mark_text(
        align="left", baseline="top", fontSize=11, font=style.FONT, color="#333", limit=600
    )
    text = encoding.encode(text, x={"value": 17}, y=encoding.pixel("_ly"), text={"field": "_text"})
    return [swatch, text]
