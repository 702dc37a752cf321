"""Where a sankey's group nodes are in the input: the photo beside the flows.

A sankey between the NMF groups of two layers is abstract until a group is tied
to the picture. When its view carries ``meta["regions"]`` (each group's spatial
factor, `execute.tables.sankey.regions`) and the input image, the photo is drawn
to the right of the flows (under them where the page's row is too narrow).
Hovering a node's icon veils the photo in white except where that group's spatial
factor is strong, so the region keeps its own colours, and outlines the node. The
last hovered node stays; before any hover the photo shows the first source node.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from interp.execute.views import ElementView
from interp.render import encoding, pictures, style
from interp.render.context import Context

SIZE = 200  # the photo's longest side, in pixels
GAP = 28  # between the flows' target column and the photo
ABOVE = 28  # room over the photo for its heading, when it is under the flows
CAPTION = 32  # room under the photo for the hovered node's line
#: what the photo shows, for the view's title
READING = (
    "photo: where the hovered group is in the input (its NMF spatial factor: clear where"
    " strong, veiled where absent); hover a group's icon to show it"
)
VEIL = 0.75  # the white veil's opacity where the group is absent (none where it is strongest)


def shows_regions(view: ElementView) -> bool:
    return bool(view.meta.get("regions")) and bool(view.meta.get("image"))


def param_name(view: ElementView, ctx: Context) -> str:
    """The hovered node's param (by its label, ``atom``)."""
    return f"{ctx.name(view)}_node"


def node_param(view: ElementView, ctx: Context, first: str) -> dict:
    """A point selection of the node under the pointer: it stays when the pointer leaves."""
    return alt.selection_point(
        name=param_name(view, ctx),
        fields=["atom"],
        on="pointerover[item() && item().datum && isValid(item().datum._nx)]",
        clear=False,
        toggle=False,
        value=[{"atom": first}],
        empty=False,
    )


def side_of(label: str, sides: list[str]) -> str:
    """The substrate heading of a node label: targets' labels start with an arrow."""
    return sides[1] if label.startswith("→") else sides[0]


def layers(
    view: ElementView, ctx: Context, node_rows: alt.NamedData, left: float, top: float
) -> tuple[list[alt.Chart], float, float]:
    """The photo at (`left`, `top`) with the hovered node's region, the heading and the
    caption over and under it, and the hovered node's outline; with the width and height
    they take from `left` and `top`."""
    url = pictures.to_data_url(view.meta["image"])
    width, height = pictures.fit(pictures.image_size(url), SIZE)
    param = param_name(view, ctx)
    sides = list(view.meta.get("sides") or ("source", "target"))

    name = ctx.name(view, "photo")
    photo = alt.Chart(ctx.dataset(name, [{"url": url, "_x": left, "_y": top}]), name=name)
    photo = encoding.encode(
        photo.mark_image(width=width, height=height, align="left", baseline="top", aspect=False),
        x=encoding.pixel("_x"),
        y=encoding.pixel("_y"),
        url={"field": "url"},
    )

    cells = pd.DataFrame(view.meta["regions"])
    box = {"_x": left, "_y": top, "_x2": left + width, "_y2": top + height}
    veils = [
        {"atom": atom, "url": veil(rows), **box} for atom, rows in cells.groupby("atom", sort=False)
    ]
    name = ctx.name(view, "region")
    region = alt.Chart(ctx.dataset(name, veils), name=name)
    region = region.transform_filter({"param": param, "empty": False}).mark_image(aspect=False)
    region = encoding.encode(region, **encoding.box("_"), url={"field": "url"})

    name = ctx.name(view, "photo_head")
    heading = alt.Chart(
        ctx.dataset(name, [{"_text": "the input: where the hovered group is"}]), name=name
    )
    heading = encoding.encode(
        heading.mark_text(
            align="left", baseline="bottom", fontSize=11, fontWeight="bold", font=style.FONT
        ),
        x={"value": left},
        y={"value": top - 6},
        text={"field": "_text"},
    )
    labels = sorted(set(cells["atom"]), key=style.natural_order)
    said = [
        {"atom": label, "_text": f"{label.lstrip('→ ')} of {side_of(label, sides)}"}
        for label in labels
    ]
    name = ctx.name(view, "region_caption")
    caption = alt.Chart(ctx.dataset(name, said), name=name).transform_filter(
        {"param": param, "empty": False}
    )
    caption = encoding.encode(
        caption.mark_text(
            align="left",
            baseline="top",
            fontSize=11,
            fontWeight="bold",
            color="#a0500a",
            font=style.FONT,
            limit=width + 120,
        ),
        x={"value": left},
        y={"value": top + height + 6},
        text={"field": "_text"},
    )

    outline = alt.Chart(node_rows, name=ctx.name(view, "node_outline"))
    outline = outline.transform_filter({"param": param, "empty": False}).mark_rect(
        fill=None, stroke=style.HOVER, strokeWidth=2.5, cornerRadius=3
    )
    outline = encoding.encode(outline, **encoding.box("_n"))
    return [photo, region, heading, caption, outline], width, height + CAPTION


def veil(cells: pd.DataFrame) -> str:
    """A group's veil as a PNG of its grid (white, opaque where the group is absent): the
    browser stretches it over the photo smoothly, and ten of them weigh a few kilobytes."""
    grid_h, grid_w = int(cells["grid_h"].iloc[0]), int(cells["grid_w"].iloc[0])
    alpha = np.zeros((grid_h, grid_w))
    alpha[cells["y"].astype(int), cells["x"].astype(int)] = VEIL * (1 - cells["strength"])
    pixels = np.full((grid_h, grid_w, 4), 255, dtype=np.uint8)
    pixels[..., 3] = np.round(255 * alpha).astype(np.uint8)
    return pictures.to_data_url(pixels)
