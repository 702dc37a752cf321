"""Hover and click: each selector's params, and the filters and emphasis of the views that follow it."""

from __future__ import annotations

from typing import Any

import altair as alt

from interp.execute.views import ElementView, Selection
from interp.render.context import EVENTS, Context
from interp.render.encoding import box, encode


def event_stream(view: ElementView, event: str) -> str:
    """The DOM event, restricted to marks that carry this element's key.

    A plain ``pointerover`` point selection empties itself when the pointer
    reaches the view's background (Vega-Lite sets the tuple to null); keeping
    only events on items with a key makes the last hovered atom stay.
    """
    dom_event = EVENTS[event]
    return f"{dom_event}[item() && item().datum && isValid(item().datum.{view.key})]"


def params(view: ElementView, ctx: Context) -> list[alt.Parameter]:
    """One point selection per event other elements select on, on ``key_<name>``."""
    result = []
    for event in view.offers:
        selection = Selection(view.name, event)
        initial = ctx.initial.get(view.name)
        result.append(
            alt.selection_point(
                name=ctx.param_name(selection),
                fields=[view.key],
                on=event_stream(view, event),
                clear=False,
                toggle=False,
                value=[{view.key: initial}] if initial is not None else alt.Undefined,
                empty=False,
            )
        )
    return result


def selectable(chart: alt.Chart, view: ElementView, ctx: Context) -> alt.Chart:
    """``chart`` carrying the view's selection params (the hit target of its atoms)."""
    defined = params(view, ctx)
    return chart.add_params(*defined) if defined else chart


def selection_frame(
    view: ElementView,
    ctx: Context,
    unit: alt.Chart,
    stroke: dict,
    *,
    radius: float,
    width: float,
    tooltip: list,
) -> alt.Chart:
    """The selectable frame (box ``_f``) behind an atom's picture: darkened a little where
    hovered or clicked, outlined by `stroke`."""
    frame = unit.mark_rect(cornerRadius=radius, cursor="pointer" if view.offers else "default")
    frame = encode(
        frame,
        **box("_f"),
        fill={"value": "#000000"},
        fillOpacity=selected(view, ctx, hover=0.05, click=0.08, other=0.0),
        stroke=stroke,
        strokeWidth={"value": width},
        tooltip=tooltip,
    )
    return selectable(frame, view, ctx)


def filters(view: ElementView, ctx: Context) -> list[dict]:
    """``filter`` transforms keeping the rows of the current selections."""
    return [{"filter": {"param": ctx.param_name(s), "empty": False}} for s in view.depends_on]


def selected(view: ElementView, ctx: Context, *, hover: Any, click: Any, other: Any) -> dict:
    """A conditional encoding value: one for the clicked atom, one for the hovered, else other."""
    conditions = []
    for event, value in (("click", click), ("hover", hover)):
        if event in view.offers:
            name = ctx.param_name(Selection(view.name, event))
            conditions.append({"param": name, "empty": False, "value": value})
    if not conditions:
        return {"value": other}
    return {"condition": conditions, "value": other}


def base_chart(view: ElementView, ctx: Context, role: str, source: alt.NamedData) -> alt.Chart:
    """A unit chart over a registered dataset, filtered by the view's selections."""
    chart = alt.Chart(source, name=ctx.name(view, role))
    transforms = filters(view, ctx)
    if transforms:
        chart = chart.transform_filter(transforms[0]["filter"])
        for extra in transforms[1:]:
            chart = chart.transform_filter(extra["filter"])
    return chart
