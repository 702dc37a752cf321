"""An element view's title block: what it shows, how to read it, what touching it does.

Top to bottom:

1. the element's name (bold);
2. what it shows, in words (``meta["describe"]``, from :mod:`interp.execute.words`),
   wrapped to the view's width;
3. how to read its marks (``meta["reading"]``: "bar: attribution to the logit");
4. what hovering or clicking it does ("hover a channel to update where");
5. one live line per selection the view follows ("hovering channel 222 in
   detectors"): text marks filtered by the selection's param, so the line
   changes as the reader moves. Before any interaction it names the initial
   (strongest) atom, which is what the view shows.

Lines 1–4 are the Vega-Lite title and its subtitle; line 5 sits between the
subtitle and the plot (negative y inside the view, which the title clears).
"""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt

from interp.execute.views import ElementView, Selection
from interp.execute.words import spelled
from interp.render import encoding, linking, style
from interp.render.context import Context

CHAR = 5.6  # pixels per character of an 11 px subtitle, on average
MIN_CHARS = 34
LIVE = 15  # pixels per live line
VERBS = {"hover": "hovering", "click": "clicked"}
LIVE_COLORS = {"hover": "#a0500a", "click": "#222222"}


def wrap(text: str, width: float) -> list[str]:
    """``text`` in lines that fit ``width`` pixels of subtitle."""
    return textwrap.wrap(text, max(int(width / CHAR), MIN_CHARS)) if text else []


def article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def interaction(view: ElementView, ctx: Context) -> str:
    """What hovering or clicking this view does: "hover a channel to update where"."""
    noun = str(view.meta.get("offered") or labels_noun(ctx.labels.get(view.name, {})))
    parts = []
    for event in view.offers:
        followers = [name for name, on in ctx.dependents.get(view.name, ()) if on == event]
        if not followers:
            continue
        what = article(noun) if not parts else "one"
        parts.append(f"{event} {what} to update {', '.join(followers)}")
    return "; ".join(parts)


def labels_noun(labels: dict[str, str]) -> str:
    """A noun for atoms known only by their labels ("ch 12" -> channel); else "atom"."""
    first = spelled(next(iter(labels.values()), ""))
    word = first.split(" ", 1)[0]
    return word if word in ("channel", "position", "group") else "atom"


def title(view: ElementView, ctx: Context, width: float) -> dict:
    result: dict[str, Any] = {"text": view.name, "anchor": "start"}
    lines = wrap(str(view.meta.get("describe", "")), width)
    lines += wrap(str(view.meta.get("reading", "")), width)
    lines += wrap(interaction(view, ctx), width)
    lines += wrap(linking.line(view, ctx), width)
    subtitle = view.meta.get("subtitle")
    if subtitle:
        lines += wrap(str(subtitle), width)
    if lines:
        result["subtitle"] = lines
    return result


def live_lines(view: ElementView, ctx: Context) -> list[alt.Chart]:
    lines = [live_line(view, ctx, s, i) for i, s in enumerate(reversed(view.depends_on))]
    absent = linking.absent(view, ctx)  # the atom hovered on another page, missing here
    if absent is not None:
        lines.append(live_text(absent, len(lines), LIVE_COLORS["hover"]))
    return lines


def live_line(view: ElementView, ctx: Context, selection: Selection, line: int) -> alt.Chart:
    """The atom of ``selection`` this view shows: "hovering channel 222 in detectors"."""
    labels = ctx.labels.get(selection.element, {})
    name = ctx.name(view, f"caption_{selection.element}_{selection.event}")
    verb = VERBS.get(selection.event, selection.event)
    rows = [
        {selection.key: key, "_caption": f"{verb} {spelled(label)} in {selection.element}"}
        for key, label in labels.items()
    ]
    chart = alt.Chart(ctx.dataset(name, rows), name=name)
    chart = chart.transform_filter({"param": ctx.param_name(selection), "empty": False})
    return live_text(chart, line, LIVE_COLORS.get(selection.event, "#222222"))


def live_text(chart: alt.Chart, line: int, color: str) -> alt.Chart:
    """`chart`'s ``_caption`` field as the live line `line` (0: nearest the plot)."""
    chart = chart.mark_text(
        align="left",
        baseline="bottom",
        fontSize=11,
        fontWeight="bold",
        color=color,
        font=style.FONT,
        limit=400,
    )
    return encoding.encode(
        chart, x={"value": 0}, y={"value": -6 - LIVE * line}, text={"field": "_caption"}
    )
