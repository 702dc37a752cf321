"""Drawing a design space (`interp space`): one layered Vega-Lite chart, one offline page.

:mod:`interp.render.space_layout` places everything in pixels, so the
chart's x and y scales are the identity; this module turns those rows into
layers: shaded rows, a two-level header (content over presentation), faint
dashed cells for the alternatives the file does not use, the file's
elements as boxes coloured by interface, and arrows for `select(E.hover)`
and `select(E.click)`. The title and a key under the grid say what rows,
columns, boxes and arrows mean, so the PNG reads without the page around it.
"""

from __future__ import annotations

import os
from pathlib import Path

from interp.compare.space import DesignSpace
from interp.render import html
from interp.render.space_layout import GROUP_W, KEY_LINE, SpaceLayout, text

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
FONT = "Helvetica, Arial, sans-serif"
SUBTITLE = (
    "Rows: substrates, and the atoms a hidden layer is broken into. Columns: the content computed "
    "(activations, attribution) and the presentation that shows it.",
    "Boxes: the elements of the file, in the row of the atoms they show. Arrows: interactions, "
    "select(E.hover) or select(E.click). Dashed cells: alternatives not used here.",
)


def space_spec(space: DesignSpace, *, titled: bool = True) -> dict:
    """The diagram as one Vega-Lite spec; `titled` adds the title and the explanation."""
    layout = SpaceLayout(space)
    x = {"type": "quantitative", "scale": {"domain": [0, layout.width], "nice": False}}
    y = {
        "type": "quantitative",
        "scale": {"domain": [0, layout.height], "nice": False, "reverse": True},
    }
    x["axis"] = y["axis"] = None
    box_tooltip = [
        {"field": "interface"},
        {"field": "element"},
        {"field": "spec"},
        {"field": "substrate"},
        {"field": "model"},
    ]
    layers = [
        _rects("bands", layout.bands(), x, y, {"fill": {"field": "fill", "scale": None}}),
        _rules("rules", layout.rules(), x, y),
        _texts("headers", layout.headers(), x, y),
        _texts("row_labels", layout.row_labels(), x, y),
        _rects(
            "alternatives",
            layout.alternatives(),
            x,
            y,
            {
                "tooltip": [
                    {"field": "cell", "title": "not used here"},
                    {"field": "example", "title": "e.g."},
                    {"field": "names", "title": "where"},
                ]
            },
            fill="#fbfbfb",
            stroke="#c9c9c9",
            strokeDash=[3, 3],
            cornerRadius=5,
        ),
        *_arrows(layout, x, y),
        _rects(
            "elements",
            layout.boxes(),
            x,
            y,
            {
                "fill": {"field": "tint", "scale": None},
                "stroke": {"field": "color", "scale": None},
                "tooltip": box_tooltip,
            },
            strokeWidth=1.5,
            cornerRadius=5,
        ),
        _texts(
            "element_labels",
            layout.box_labels(),
            x,
            y,
            tooltip=[{"field": f} for f in ("interface", "element", "spec")],
        ),
        _texts("element_tag_halos", layout.box_tags(), x, y, halo=True),
        _texts("element_tags", layout.box_tags(), x, y),
        *_key(layout, x, y),
    ]
    spec = {
        "$schema": SCHEMA,
        "width": layout.width,
        "height": layout.height,
        "layer": layers,
        "config": {"view": {"stroke": None}, "font": FONT},
    }
    if titled:
        spec["title"] = {
            "text": space.title,
            "subtitle": list(SUBTITLE),
            "anchor": "start",
            "fontSize": 17,
            "subtitleFontSize": 12,
            "subtitleColor": "#555",
            "offset": 14,
        }
    return spec


def render_space(space: DesignSpace) -> str:
    """The diagram as a self-contained HTML page (works offline)."""
    names = ", ".join(
        f"<code>{html.esc(i.name)}</code>" + (f" ({html.esc(i.title)})" if i.title else "")
        for i in space.interfaces
    )
    explain = "<br>".join(html.esc(line) for line in SUBTITLE)
    header = (
        f"<h1>{html.esc(space.title)}</h1>\n"
        f'<p class="meta">interfaces {names}</p>\n'
        f'<p class="meta">{explain}<br>Hover a box for its spec, a dashed cell for an example.</p>'
    )
    spec = space_spec(space, titled=False)
    return html.document(space.title, header, html.view("interp-space", "space", spec))


def _arrows(layout: SpaceLayout, x: dict, y: dict) -> list[dict]:
    paths = layout.arrow_paths()
    lines = [
        {"id": a["id"], "i": i, "x": px, "y": py, "color": a["color"], "about": a["about"]}
        for a in paths
        for i, (px, py) in enumerate(a["points"])
    ]
    heads = [
        {"x": a["head"][0], "y": a["head"][1], "angle": a["angle"], "color": a["color"]}
        for a in paths
    ]
    labels = [
        text(*a["label"], a["event"], color=a["color"], size=11, weight="bold") for a in paths
    ]
    return [
        {
            "name": "arrows",
            "data": {"values": lines},
            "mark": {"type": "line", "strokeWidth": 1.8},
            "encoding": {
                "x": {"field": "x", **x},
                "y": {"field": "y", **y},
                "detail": {"field": "id", "type": "nominal"},
                "order": {"field": "i", "type": "quantitative"},
                "stroke": {"field": "color", "scale": None},
                "tooltip": [{"field": "about", "title": "interaction"}],
            },
        },
        {
            "name": "arrow_heads",
            "data": {"values": heads},
            "mark": {"type": "point", "shape": "triangle-up", "size": 70, "filled": True},
            "encoding": {
                "x": {"field": "x", **x},
                "y": {"field": "y", **y},
                "angle": {"field": "angle", "type": "quantitative", "scale": None},
                "fill": {"field": "color", "scale": None},
                "opacity": {"value": 1},
            },
        },
        _texts("arrow_halos", labels, x, y, italic=True, halo=True),
        _texts("arrow_labels", labels, x, y, italic=True),
    ]


def _key(layout: SpaceLayout, x: dict, y: dict) -> list[dict]:
    """The key under the grid: one line per interface, then what dashes and arrows mean."""
    space, line = layout.space, layout.key_top
    swatches, texts = [], []

    def entry(words: str, swatch: dict | None) -> None:
        nonlocal line
        if swatch is not None:
            swatches.append({"x": GROUP_W, "x2": GROUP_W + 26, "y": line - 7, "y2": line + 7})
            swatches[-1] |= swatch
        texts.append(text(GROUP_W + 36, line, words, align="left", size=12))
        line += KEY_LINE

    for interface in space.interfaces:
        color, tint = layout.colors[interface.name]
        title = f" “{interface.title}”" if interface.title else ""
        words = f"interface {interface.name}{title} · model {interface.model} · {interface.file}"
        entry(words, {"fill": tint, "stroke": color, "dash": 0})
    for names in space.comparisons:
        entry("compare " + ", ".join(names) + ": one page draws them side by side", None)
    entry(
        "an alternative the grammar allows that this file does not use (hover for an example)",
        {"fill": "#fbfbfb", "stroke": "#c9c9c9", "dash": 3},
    )
    texts.append(text(GROUP_W + 13, line, "→", size=16, weight="bold"))
    entry("hovering or clicking the arrow's source element selects what its target shows", None)
    return [
        _rects(
            "key_swatches",
            swatches,
            x,
            y,
            {
                "fill": {"field": "fill", "scale": None},
                "stroke": {"field": "stroke", "scale": None},
                "strokeDash": {"field": "dash", "scale": None},
            },
            cornerRadius=3,
        ),
        _texts("key_labels", texts, x, y),
    ]


# ---- marks ---------------------------------------------------------------------------------


def _rects(name: str, rows: list[dict], x: dict, y: dict, encoding: dict, **mark) -> dict:
    return {
        "name": name,
        "data": {"values": rows},
        "mark": {"type": "rect", **mark},
        "encoding": {
            "x": {"field": "x", **x},
            "x2": {"field": "x2"},
            "y": {"field": "y", **y},
            "y2": {"field": "y2"},
            **encoding,
        },
    }


def _rules(name: str, rows: list[dict], x: dict, y: dict) -> dict:
    return {
        "name": name,
        "data": {"values": rows},
        "mark": {"type": "rule", "color": "#d0d0d0", "strokeWidth": 1},
        "encoding": {
            "x": {"field": "x", **x},
            "x2": {"field": "x2"},
            "y": {"field": "y", **y},
            "y2": {"field": "y2"},
        },
    }


def _texts(
    name: str,
    rows: list[dict],
    x: dict,
    y: dict,
    *,
    italic: bool = False,
    halo: bool = False,
    tooltip: list[dict] | None = None,
) -> dict:
    """Labels styled by their rows (see `space_layout.text`); `halo` draws a white outline
    under the text, for labels that sit on lines."""
    mark = {
        "type": "text",
        "baseline": "middle",
        "fontStyle": "italic" if italic else "normal",
        "align": {"expr": "datum.align"},
        "fontSize": {"expr": "datum.size"},
        "fontWeight": {"expr": "datum.weight"},
        "font": {"expr": f"datum.font || '{FONT}'"},
        "angle": {"expr": "datum.angle"},
        "limit": {"expr": "datum.limit"},
    }
    if halo:
        mark |= {"stroke": "#ffffff", "strokeWidth": 4, "strokeJoin": "round"}
    encoding = {
        "x": {"field": "x", **x},
        "y": {"field": "y", **y},
        "text": {"field": "text"},
        "fill": {"field": "color", "scale": None},
    }
    if tooltip:
        encoding["tooltip"] = tooltip
    return {"name": name, "data": {"values": rows}, "mark": mark, "encoding": encoding}


def write_space(
    space: DesignSpace, html_path: str | os.PathLike, png_path: str | os.PathLike | None = None
) -> list[Path]:
    """Write the page (and a PNG of the titled chart), each file atomically; the paths."""
    from interp.render.export import PNG_SCALE, to_png, write_atomic

    outputs = {Path(html_path): render_space(space).encode()}
    if png_path is not None:
        outputs[Path(png_path)] = to_png(space_spec(space), scale=PNG_SCALE)
    for path, content in outputs.items():
        write_atomic(path, content)
    return list(outputs)
