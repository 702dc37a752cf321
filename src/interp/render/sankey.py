"""`as sankey(icons=feature_vis)`: flows between the atoms of two substrates.

Vega-Lite has no sankey mark, so the layout is computed here: sources in a
left column, targets in a right one, each node drawn by its icon
(``source_icon``/``target_icon``) and label. Every row is a link, drawn as an
``area`` band between two smooth curves, its thickness proportional to
``|value|`` and stacked at both ends so the bands leaving a node sit side by
side, coloured by sign.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd

from interp.execute.views import ElementView
from interp.render import encoding, frames, marks, node_regions, selection, style
from interp.render.context import Built, Context
from interp.render.drawing import Drawing
from interp.vocabulary.presentations.sankey import NODE

LABEL = 18
WIDTH = 460
STEPS = 16
SIGNS = ("positive: the source raises the target", "negative: the source lowers it")
HEAD = 20  # room for the column headings


def layout(table: pd.DataFrame, keys: list[str], width: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(link band points, nodes), both in pixels, laid out per subset."""
    pitch = NODE + LABEL + 8
    x0, x1 = NODE + 6, width - NODE - 6
    ease = np.linspace(0.0, 1.0, STEPS)
    ease = ease * ease * (3 - 2 * ease)
    points, nodes = [], []
    for link_offset, rows in enumerate(frames.subsets(table, keys)):
        rows = rows.assign(_w=rows["value"].abs().fillna(0.0))
        sources = list(dict.fromkeys(rows["source"]))
        targets = list(dict.fromkeys(rows["target"]))
        height = max(len(sources), len(targets)) * pitch
        centre = {
            side: {
                name: (height - len(names) * pitch) / 2 + i * pitch + NODE / 2
                for i, name in enumerate(names)
            }
            for side, names in (("source", sources), ("target", targets))
        }
        totals = pd.concat([rows.groupby("source")["_w"].sum(), rows.groupby("target")["_w"].sum()])
        scale = (NODE - 6) / totals.max() if len(totals) and totals.max() > 0 else 0.0
        rows = rows.assign(_w=rows["_w"] * scale)
        top = {}
        for side, other in (("source", "target"), ("target", "source")):
            order = {name: i for i, name in enumerate(centre[other])}
            ranked = rows.assign(_rank=rows[other].map(order)).sort_values("_rank", kind="stable")
            for name, links in ranked.groupby(side, sort=False):
                start = centre[side][name] - links["_w"].sum() / 2
                offsets = start + links["_w"].cumsum() - links["_w"]
                top.update({(side, i): y for i, y in offsets.items()})
        for i, link in rows.iterrows():
            y_source, y_target = top[("source", i)], top[("target", i)]
            upper = y_source + (y_target - y_source) * ease
            points.append(
                pd.DataFrame(
                    {
                        "_link": f"{link_offset}:{i}",
                        "_lx": x0 + (x1 - x0) * np.linspace(0.0, 1.0, STEPS),
                        "_ly": upper,
                        "_ly2": upper + max(link["_w"], 0.75),
                    }
                ).assign(**{c: link[c] for c in rows.columns if not c.startswith("_")})
            )
        for side, x, icon_column in (
            ("source", 0.0, "source_icon"),
            ("target", x1 + 6, "target_icon"),
        ):
            first = rows.drop_duplicates(side)
            node = pd.DataFrame(
                {
                    "atom": first[side].astype(str).to_numpy(),
                    "_nx": x,
                    "_ny": [centre[side][n] - NODE / 2 for n in first[side]],
                    "_tx": x + NODE / 2,
                    "_total": [rows.loc[rows[side] == n, "value"].sum() for n in first[side]],
                }
            )
            node["_nx2"] = node["_nx"] + NODE
            node["_ny2"] = node["_ny"] + NODE
            node["_ty"] = node["_ny"] + NODE + 2
            node["icon"] = first[icon_column].to_numpy() if icon_column in first else None
            for key in keys:
                node[key] = first[key].to_numpy()
            nodes.append(node)
    empty = pd.DataFrame()
    return (
        pd.concat(points, ignore_index=True) if points else empty,
        pd.concat(nodes, ignore_index=True) if nodes else empty,
    )


def chart(view: ElementView, ctx: Context) -> Built:
    table = frames.tidy(view)
    table["source"] = table["source"].astype(str)
    table["target"] = table["target"].astype(str)
    keys = frames.dependency_keys(view, table)
    regions = node_regions.shows_regions(view) and len(table) > 0
    width = float(view.options.get("width", WIDTH))
    points, nodes = layout(table, keys, width)
    sides = view.meta.get("sides")
    head = HEAD if sides else 0.0
    if head and len(points):
        points = points.assign(_ly=points["_ly"] + head, _ly2=points["_ly2"] + head)
    if head and len(nodes):
        nodes = nodes.assign(**{c: nodes[c] + head for c in ("_ny", "_ny2", "_ty")})
    height = float(max(nodes["_ty"].max() + LABEL, NODE)) if len(nodes) else NODE
    own = [view.key] if view.key in points else []
    if len(points):
        points["_sign"] = np.where(points["value"] < 0, SIGNS[1], SIGNS[0])
    link_columns = ["_link", "_lx", "_ly", "_ly2", "_sign", "source", "target", "value"]
    link_columns += [*keys, *own]
    link_rows = ctx.dataset(ctx.name(view, "links"), frames.records(points, link_columns))
    tooltip = [
        {"field": "source", "type": "nominal", "title": "from"},
        {"field": "target", "type": "nominal", "title": "to"},
        {
            "field": "value",
            "type": "quantitative",
            "format": ".4~g",
            "title": encoding.field_title(view, "value"),
        },
    ]
    links = selection.base_chart(view, ctx, "links", link_rows).mark_area(
        interpolate="linear", cursor="pointer" if view.offers else "default"
    )
    links = encoding.encode(
        links,
        x=encoding.pixel("_lx"),
        y={**encoding.pixel("_ly"), "stack": None},
        y2={"field": "_ly2"},
        detail={"field": "_link", "type": "nominal"},
        color={
            "field": "_sign",
            "type": "nominal",
            "scale": {"domain": list(SIGNS), "range": [style.POSITIVE, style.NEGATIVE]},
            "legend": {
                "title": encoding.field_title(view, "value"),
                "titleFontWeight": "normal",
                "titleColor": "#555",
                "titleLimit": width,
                "labelLimit": width,
                "orient": "bottom",
                "direction": "vertical",
                "symbolType": "square",
                "symbolOpacity": 1,
            },
        },
        opacity=selection.selected(view, ctx, hover=0.8, click=0.9, other=0.45),
        tooltip=tooltip,
    )
    layers = [selection.selectable(links, view, ctx)]

    icons: list[dict] = []
    if len(nodes) and nodes["icon"].notna().any():
        nodes, icons = frames.split_icons(nodes, "icon", "_icon")
    node_columns = ["atom", "_nx", "_nx2", "_ny", "_ny2", "_tx", "_ty", "_total", "_icon", *keys]
    node_rows = ctx.dataset(ctx.name(view, "nodes"), frames.records(nodes, node_columns))
    node_tooltip = [
        {"field": "atom", "type": "nominal"},
        {"field": "_total", "type": "quantitative", "format": ".4~g", "title": "total flow"},
    ]
    image = marks.icon_layer(view, ctx, node_rows, icons, "_n", node_tooltip)
    if regions:  # hovering a node shows where its group is on the photo beside the flows
        image = image.add_params(node_regions.node_param(view, ctx, str(nodes["atom"].iloc[0])))
    label = selection.base_chart(view, ctx, "labels", node_rows).mark_text(
        baseline="top", fontSize=10, font=style.FONT, limit=NODE + 40, color="#333"
    )
    label = encoding.encode(
        label, x=encoding.pixel("_tx"), y=encoding.pixel("_ty"), text={"field": "atom"}
    )
    layers += [image, label]
    if sides:
        layers += headings(view, ctx, sides, width)
    if regions:  # beside the flows where the row has room (a compared page's has not), else under
        beside = width + node_regions.GAP + node_regions.SIZE <= ctx.row_width
        left, top = (
            (width + node_regions.GAP, head) if beside else (0.0, height + node_regions.ABOVE)
        )
        photo, photo_w, photo_h = node_regions.layers(view, ctx, node_rows, left, top)
        layers += photo
        reading = "; ".join(p for p in (view.meta.get("reading"), node_regions.READING) if p)
        view = replace(view, meta={**view.meta, "reading": reading})
        width, height = max(width, left + photo_w), max(height, top + photo_h)
    return marks.layered(view, ctx, layers, width, height)


def headings(view: ElementView, ctx: Context, sides: list[str], width: float) -> list:
    """What each column of nodes is: the source substrate's atoms left, the target's right."""
    charts = []
    for side, (text, x, align) in enumerate(((sides[0], 0.0, "left"), (sides[1], width, "right"))):
        name = ctx.name(view, f"side_{side}")
        chart = alt.Chart(ctx.dataset(name, [{"_text": text}]), name=name).mark_text(
            align=align,
            baseline="bottom",
            fontSize=11,
            fontWeight="bold",
            font=style.FONT,
            color="#333",
            limit=width / 2 - 8,
        )
        charts.append(
            encoding.encode(chart, x={"value": x}, y={"value": HEAD - 6}, text={"field": "_text"})
        )
    return charts


class Sankey(Drawing):
    """Flows between the atoms of two substrates, widths by attribution."""

    name = "sankey"

    def chart(self, view, ctx):
        return chart(view, ctx)
