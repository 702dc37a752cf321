"""Shared pieces of the presentations: page context, selection params, encodings.

Every presentation draws at pixel coordinates it computes in Python
(``scale=None`` encodings, see :mod:`interp.render.frames`), so the browser
only filters rows by the current selections and draws them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from interp.render.views import ElementView, Selection

POSITIVE = "#4c78a8"
NEGATIVE = "#e45756"
HOVER = "#f58518"
CLICK = "#222222"
FONT = "Inter, system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EVENTS = {"hover": "pointerover", "click": "click"}
TABLEAU10 = (  # Vega's "tableau10" scheme
    "#4c78a8",
    "#f58518",
    "#e45756",
    "#72b7b2",
    "#54a24b",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
)


@dataclass(frozen=True)
class Built:
    """A view (an Altair chart, or its dict once compiled) and its size in pixels."""

    chart: Any
    width: float
    height: float


@dataclass(frozen=True)
class Context:
    """What a presentation needs to know about the page around it.

    ``prefix`` keeps params and mark names of different pages apart when
    several pages share one spec; ``initial`` holds each selector element's
    first (strongest) atom, the value its params start with; ``labels`` each
    selector's atom labels by key; ``dependents`` the (element, event) pairs
    that follow each selector; ``palette`` one colour per atom label that
    several views colour by (groups on a ``heatmap(color=atom)`` and their icons).
    """

    prefix: str = ""
    initial: dict[str, str] = field(default_factory=dict)
    datasets: dict[str, list[dict]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    dependents: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    palette: dict[str, str] = field(default_factory=dict)

    def name(self, view: ElementView, role: str = "") -> str:
        base = f"{self.prefix}{view.name}"
        return f"{base}__{role}" if role else base

    def param_name(self, selection: Selection) -> str:
        return self.prefix + selection.param

    def dataset(self, name: str, rows: list[dict]) -> alt.NamedData:
        """Rows stored once in the spec's top-level ``datasets``, referenced by name.

        Kept out of Altair's objects, which deep-copy inline data on every step.
        """
        self.datasets[name] = rows
        return alt.NamedData(name=name)


def icon_lookup(id_column: str, icons: alt.NamedData) -> dict:
    """``transform_lookup`` arguments that fetch ``url`` from the icon table."""
    return {
        "lookup": id_column,
        "from_": alt.LookupData(data=icons, key=id_column, fields=["url"]),
    }


# -- selections ---------------------------------------------------------------


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


def encode(chart: alt.Chart, **specs: dict | list) -> alt.Chart:
    """``chart.encode`` with plain-dict channel specs wrapped in Altair's channel classes.

    Altair parses dicts passed to ``encode`` with ``from_dict``, which rebuilds
    a table of every schema class each time (~20 ms a channel); constructing
    the classes directly is instant.
    """
    return chart.encode(**{name: channel(name, spec) for name, spec in specs.items()})


def channel(name: str, spec: dict | list) -> Any:
    if isinstance(spec, list):
        return [channel(name, item) for item in spec]
    class_name = name[0].upper() + name[1:] + ("" if "field" in spec else "Value")
    return getattr(alt, class_name)(**spec)


def atom_scale(labels: Iterable[str], ctx: Context | None = None) -> dict:
    """One colour per atom label, the same in every view of a page.

    The domain is the labels in natural order (``group 2`` before ``group 10``),
    not in order of appearance, so views that rank atoms differently agree;
    labels in the page's palette (``ctx.palette``) take its colours.
    """
    domain = sorted(set(labels), key=natural_order)
    known = ctx.palette if ctx is not None else {}
    fallback = palette(domain)
    return {"domain": domain, "range": [known.get(label, fallback[label]) for label in domain]}


def palette(labels: Iterable[str]) -> dict[str, str]:
    """Labels in natural order -> colours of Vega's ``tableau10`` scheme, in turn."""
    ordered = sorted(set(labels), key=natural_order)
    return {label: TABLEAU10[i % len(TABLEAU10)] for i, label in enumerate(ordered)}


def value_domain(view: ElementView, column: str = "value") -> tuple[float, float]:
    """The element's value range, fixed whatever is selected: ``meta["domain"]`` (shared
    across a comparison's pages) or its whole table's; symmetric about 0 when signed,
    from 0 when not, so selections compare like with like."""
    if "domain" in view.meta:
        low, high = view.meta["domain"]
        return float(low), float(high)
    values = pd.to_numeric(view.table[column], errors="coerce") if column in view.table else None
    if values is None or not values.notna().any():
        return (0.0, 1.0)
    low, high = float(values.min()), float(values.max())
    if low < 0 < high:
        peak = max(-low, high)
        return (-peak, peak)
    return (min(low, 0.0), max(high, 0.0)) if (low, high) != (0.0, 0.0) else (0.0, 1.0)


def natural_order(label: str) -> list:
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", label)
    ]


def pixel(field_name: str) -> dict:
    """A position encoding in pixels (no scale)."""
    return {"field": field_name, "type": "quantitative", "scale": None, "axis": None}


def box(prefix: str) -> dict:
    """Pixel rectangle encodings from the columns ``{prefix}x``, ``x2``, ``y``, ``y2``."""
    return {
        "x": pixel(f"{prefix}x"),
        "x2": {"field": f"{prefix}x2"},
        "y": pixel(f"{prefix}y"),
        "y2": {"field": f"{prefix}y2"},
    }


def tooltip(
    table: pd.DataFrame, extra: Iterable[str] = (), view: ElementView | None = None
) -> list[dict]:
    """Tooltip fields, under the reader's names when ``view`` is given ("channel",
    "attribution to the logit")."""
    fields = [("atom", "nominal", None), ("value", "quantitative", ".4~g")]
    fields += [(c, "nominal", None) for c in extra]
    return [
        {
            "field": f,
            "type": t,
            **({"title": field_title(view, f)} if view is not None else {}),
            **({"format": fmt} if fmt else {}),
        }
        for f, t, fmt in fields
        if f in table
    ]


def field_title(view: ElementView, column: str) -> str:
    """A table column's name as a reader says it."""
    titles = {
        "atom": view.meta.get("atom_noun", "atom"),
        "value": view.meta.get("quantity", "value"),
        "series": view.meta.get("series_noun", "series"),
        "magnitude": "norm (share of the largest)",
    }
    return str(titles.get(column, column))


def layered(view: ElementView, ctx: Context, layers: list, width: float, height: float) -> Built:
    """The element's view: its layers under its title block (`render.titles`)."""
    from interp.render import titles

    chart = alt.layer(*layers, *titles.live_lines(view, ctx), name=ctx.name(view)).properties(
        width=width, height=height, title=titles.title(view, ctx, width)
    )
    return Built(chart, width, height)
